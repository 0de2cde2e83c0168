"""Meetings: adding them to the plan (R-M1) and listing what is coming with its deadlines (R-D1, R-D2)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.data_version import Kept, KeptReads, token_column
from models.enums import MeetingKind, MeetingStatus
from models.shared_read import shared_read
from models.tables import Council, Meeting
from models.unit_of_work import reads_only
from procedure.deadlines import distribution_deadline, proposal_deadline
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused

MAX_PLACE = 200


@dataclass(frozen=True)
class MeetingView:
    """A meeting as people see it: local times, and the deadlines only ordinary meetings have (R-D5)."""

    id: int
    kind: str
    starts_at: datetime
    place: str
    subject: str | None
    status: str
    proposal_deadline: datetime | None
    distribution_deadline: datetime | None


def view(meeting: Meeting, council: Council) -> MeetingView:
    """The meeting in the council's time zone with its deadlines computed by procedure/."""
    tz = ZoneInfo(council.timezone)
    local = meeting.starts_at.astimezone(tz)
    ordinary = meeting.kind == MeetingKind.ORDINARY
    return MeetingView(
        id=meeting.id or 0,
        kind=meeting.kind,
        starts_at=local,
        place=meeting.place,
        subject=meeting.subject,
        status=meeting.status,
        proposal_deadline=(
            proposal_deadline(local.date(), tz, council.proposal_deadline_days)
            if ordinary
            else None
        ),
        distribution_deadline=distribution_deadline(local.date(), tz) if ordinary else None,
    )


def local_start(council: Council, naive_local: datetime) -> datetime:
    """A wall-clock time in the council's zone made aware (a time that does not exist is refused)."""
    tz = ZoneInfo(council.timezone)
    aware = naive_local.replace(tzinfo=tz)
    if aware.astimezone(ZoneInfo("UTC")).astimezone(tz).replace(tzinfo=None) != naive_local:
        raise Refused(
            "time_does_not_exist",
            f"{naive_local:%Y-%m-%d %H:%M} does not exist in {council.timezone} (clock change)",
            text=f"{naive_local:%Y-%m-%d %H:%M}",
        )
    return aware


async def add_meeting(
    session: AsyncSession,
    *,
    council: Council,
    starts_at: datetime,
    place: str,
    now: datetime,
    kind: MeetingKind = MeetingKind.ORDINARY,
    subject: str | None = None,
    actor: Actor,
    summoned_by_caller: bool = False,
) -> Meeting:
    """Put a meeting in the plan (R-M1); the actor is the chair or the secretariat (the CLI acts as
    the council's secretariat). `summoned_by_caller`: a service that has checked who may call it
    and tells everyone itself (calling an extraordinary meeting, the constituent meeting R-K1)."""
    if kind != MeetingKind.ORDINARY and not summoned_by_caller:
        # R-M2/R-D5: the chair calls an extraordinary meeting, and its summons and agenda go out
        # with it (/indkald); a row made here alone would be a meeting nobody called.
        raise Refused(
            "call_with_indkald",
            "an extraordinary meeting is called by the chair with /indkald in Telegram",
        )
    if actor.council_id != council.id:  # R-P1: nothing of one council is another's to plan
        raise Refused("not_found", "no such council")
    if not summoned_by_caller:
        actor.require(Action.PLAN_MEETINGS)
    place = place.strip()
    if not place or len(place) > MAX_PLACE:
        raise Refused(
            "place_length", f"the place must be 1 to {MAX_PLACE} characters", limit=MAX_PLACE
        )
    if starts_at.tzinfo is None:
        starts_at = local_start(council, starts_at)
    if starts_at <= now:
        shown = f"{starts_at.astimezone(ZoneInfo(council.timezone)):%Y-%m-%d %H:%M}"
        raise Refused(
            "invalid_moment", f"the meeting must start in the future, not {shown}", text=shown
        )
    clash = await session.exec(
        select(Meeting).where(
            Meeting.council_id == council.id,
            Meeting.starts_at == starts_at,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )
    if clash.first():
        raise Refused(
            "meeting_clash",
            f"the council has a meeting at {starts_at:%Y-%m-%d %H:%M} already",
            when=starts_at.isoformat(),
        )
    meeting = Meeting(
        council_id=council.id or 0,
        kind=kind,
        starts_at=starts_at,
        place=place,
        subject=subject,
        created_at=now,
    )
    session.add(meeting)
    await session.flush()
    audit.record(
        session,
        now=now,
        action="meeting.add",
        council_id=council.id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
        kind=str(kind),
    )
    return meeting


async def meeting_of(
    session: AsyncSession, actor: Actor, meeting_id: int, *, lock: bool = False
) -> Meeting:
    """The meeting if it belongs to the actor's council (R-P1, R-P6). A meeting of another council
    is refused exactly like one that does not exist, so a guessed id learns nothing. A cancelled
    meeting is found: what it still allows is the caller's rule. `lock` holds the row (FOR UPDATE)."""
    statement = select(Meeting).where(Meeting.id == meeting_id)
    if lock:
        statement = statement.with_for_update()
    meeting = (await session.exec(statement)).first()
    if meeting is None or meeting.council_id != actor.council_id:
        raise Refused("not_found", "no such meeting in your council")
    return meeting


async def upcoming_meetings(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> list[MeetingView]:
    """The actor's council's coming meetings, soonest first; nothing of another council (R-P1)."""
    actor.require(Action.VIEW_MEETINGS)
    if not reads_only(session):  # a writer may have changed meetings: it reads them itself
        return (await _coming_meetings(session, actor.council_id, now))[1]
    key = (id(session.bind), actor.council_id)
    # What was read under the data version the gate admitted them under still holds (issue 15).
    kept = _COMING.get(key, actor.as_of, now) if actor.as_of is not None else None
    if kept is not None:
        coming = kept.value
    else:
        # Everyone of the council asking at once shares one read of one statement (issue 15).
        writes = changes.writes()
        token, coming = await shared_read(
            ("coming meetings", *key), now, lambda: _coming_meetings(session, actor.council_id, now)
        )
        if token is not None:
            _COMING.put(key, Kept(token, writes, now, coming))
    return [meeting for meeting in coming if meeting.starts_at >= now]  # each at their own moment


# The coming meetings by (database, council), with the data version they were read under.
_COMING: KeptReads[tuple[int, int], list[MeetingView]] = KeptReads(local_writes=True)


async def _coming_meetings(
    session: AsyncSession, council_id: int, now: datetime
) -> tuple[int | None, list[MeetingView]]:
    """The meetings, and the data version they were read under (None when there are none)."""
    rows = (
        await session.exec(
            select(Meeting, Council, token_column())
            .join(Council, col(Council.id) == col(Meeting.council_id))
            .where(
                Meeting.council_id == council_id,
                col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.OPEN]),
                Meeting.starts_at >= now,
            )
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    token = rows[0][2] if rows else None
    return token, [view(meeting, council) for meeting, council, _ in rows]


async def council_meetings(
    session: AsyncSession, *, council: Council, now: datetime
) -> list[MeetingView]:
    """A council's coming meetings, soonest first, for the secretariat's CLI (no actor)."""
    meetings = await session.exec(
        select(Meeting)
        .where(
            Meeting.council_id == council.id,
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.OPEN]),
            Meeting.starts_at >= now,
        )
        .order_by(col(Meeting.starts_at))
    )
    return [view(m, council) for m in meetings]


async def meeting_today(session: AsyncSession, *, actor: Actor, now: datetime) -> bool:
    """Whether the actor's council meets today (local day), or its meeting is open: the moment
    the chair's menu leads with opening, attendance and closing."""
    council = await session.get(Council, actor.council_id)
    assert council is not None
    today = now.astimezone(ZoneInfo(council.timezone)).date()
    meetings = await session.exec(
        select(Meeting).where(
            Meeting.council_id == council.id,
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.OPEN]),
        )
    )
    return any(
        m.status == MeetingStatus.OPEN
        or m.starts_at.astimezone(ZoneInfo(council.timezone)).date() == today
        for m in meetings
    )
