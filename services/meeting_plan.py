"""Changing the plan (R-M1, R-M2, R-D5): moving or cancelling a meeting, calling an extraordinary one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ItemStatus, MeetingKind, MeetingStatus, NoticeStatus
from models.tables import AgendaItem, AuditEvent, Meeting, Notice
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.agenda import MAX_TITLE, check_description, council_of, require_changeable
from services.agenda_delivery import Distribution, distribute_agenda
from services.calendar import calendar_sequence
from services.errors import Refused
from services.meeting_moves import (
    late_move_deadline,
    require_move_reason,
    require_reason_giver,
)
from services.meetings import MAX_PLACE, MeetingView, add_meeting, local_start, meeting_of, view
from services.outbox import enqueue
from services.proposal_lateness import rejudge_late_proposals
from services.recipients import agenda_recipients
from services.requests import end_requests
from services.seats import require_for_meeting

MAX_SUBJECT = 1000


async def move_meeting(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    starts_at: datetime,
    now: datetime,
    place: str | None = None,
    reason: str | None = None,
) -> Meeting:
    """Move a meeting; its deadlines follow the new date. Everyone affected is told.

    A distributed agenda goes out again as a new version that says where and when the meeting moved.
    A move that makes the agenda late needs the acting chair's `reason` (R-D3).
    """
    meeting = await meeting_of(session, actor, meeting_id)
    # R-P3: the acting chair of this meeting (the vice chair while the chair is absent) moves it too
    await require_for_meeting(session, actor, meeting, Action.PLAN_MEETINGS, now=now)
    require_changeable(meeting, now)
    council = await council_of(session, actor.council_id)
    if starts_at.tzinfo is None:
        starts_at = local_start(council, starts_at)
    if starts_at <= now:
        raise Refused(
            "invalid_moment",
            "the meeting must start in the future",
            text=f"{starts_at:%Y-%m-%d %H:%M}",
        )
    new_place = " ".join(place.split()) if place else meeting.place
    if not new_place or len(new_place) > MAX_PLACE:
        raise Refused(
            "place_length", f"the place must be 1 to {MAX_PLACE} characters", limit=MAX_PLACE
        )
    reason = await require_move_reason(
        session, actor, meeting, council, starts_at=starts_at, now=now, reason=reason
    )
    before = view(meeting, council)
    meeting.starts_at, meeting.place = starts_at, new_place
    if reason is not None or meeting.agenda_version == 0:
        meeting.distribution_exception = reason  # R-D3: the agenda and the minutes show it
    meeting.proposals_closed_at = None  # the sweep closes them again at the new R-D1 deadline
    session.add(meeting)
    await session.flush()
    await rejudge_late_proposals(session, meeting, council, now=now, by=actor.person_id)
    await calendar_sequence(session, meeting)  # members' calendars take the new time
    audit.record(
        session,
        now=now,
        action="meeting.move",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
        old=before.starts_at.isoformat(),
        new=starts_at.isoformat(),
        reason=reason,
    )
    if meeting.agenda_version > 0:
        await distribute_agenda(
            session, actor=actor, meeting_id=meeting_id, now=now, moved=True, reason=reason
        )
        return meeting
    after = view(meeting, council)
    for person_id in await agenda_recipients(session, meeting):
        await enqueue(
            session,
            person_id=person_id,
            kind="meeting_moved",
            dedupe_key=f"moved:{meeting.id}:{after.starts_at.isoformat()}:{person_id}",
            now=now,
            payload={
                "meeting_id": meeting.id,  # the .ics that moves the event in calendars
                "old": before.starts_at.isoformat(),
                "starts_at": after.starts_at.isoformat(),
                "place": after.place,
                "council": council.name,
            },
            council_id=council.id,
        )
    return meeting


async def cancel_meeting(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    now: datetime,
    reason: str = "",
    hold: timedelta = timedelta(0),
) -> Meeting:
    """Cancel a meeting; everyone who would have received its agenda is told — after `hold`,
    during which the person who cancelled it can take it back (undo_cancellation)."""
    actor.require(Action.PLAN_MEETINGS)
    meeting = await meeting_of(session, actor, meeting_id)
    require_changeable(meeting, now)
    council = await council_of(session, actor.council_id)
    reason = " ".join(reason.split())[:MAX_SUBJECT]
    meeting.status, meeting.cancelled_at = MeetingStatus.CANCELLED, now
    session.add(meeting)
    await calendar_sequence(session, meeting)  # the .ics cancels the event members hold
    shown = view(meeting, council)
    for person_id in await agenda_recipients(session, meeting):
        await enqueue(
            session,
            person_id=person_id,
            kind="meeting_cancelled",
            # One cancellation of many (a cancellation taken back may be made again).
            dedupe_key=f"{_cancellation_key(meeting)}{person_id}",
            now=now,
            due_at=now + hold,
            payload={
                "meeting_id": meeting.id,  # the .ics that cancels the event in calendars
                "starts_at": shown.starts_at.isoformat(),
                "place": shown.place,
                "council": council.name,
                "reason": reason,
            },
            council_id=council.id,
        )
    audit.record(
        session,
        now=now,
        action="meeting.cancel",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
        reason=reason,
    )
    return meeting


def _cancellation_key(meeting: Meeting) -> str:
    """The dedupe keys' prefix of one cancellation's notices."""
    assert meeting.cancelled_at is not None
    return f"cancelled:{meeting.id}:{int(meeting.cancelled_at.timestamp())}:"


async def undo_cancellation(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> PlanChange:
    """A cancellation taken back by the person who made it, while none of its notices has gone
    out: the meeting is planned again and nobody is told anything (nothing was sent)."""
    actor.require(Action.PLAN_MEETINGS)
    meeting = await meeting_of(session, actor, meeting_id)
    if meeting.status != MeetingStatus.CANCELLED or meeting.cancelled_at is None:
        raise Refused("cancellation_not_undoable", "the meeting is not cancelled")
    if meeting.starts_at <= now:
        raise Refused("cancellation_not_undoable", "the meeting's time has passed")
    cancelled_by = (
        await session.exec(
            select(AuditEvent.actor_id)
            .where(
                AuditEvent.action == "meeting.cancel",
                AuditEvent.subject == f"meeting:{meeting.id}",
            )
            .order_by(col(AuditEvent.at).desc(), col(AuditEvent.id).desc())
        )
    ).first()
    if cancelled_by != actor.person_id:
        raise Refused("cancellation_not_undoable", "only one's own cancellation can be undone")
    notices = list(
        await session.exec(
            select(Notice)
            .where(col(Notice.dedupe_key).startswith(_cancellation_key(meeting)))
            .with_for_update()  # the delivery worker skips what is locked here (SKIP LOCKED)
        )
    )
    if any(_gone_out(notice) for notice in notices):
        raise Refused("cancellation_not_undoable", "the cancellation has gone out")
    for notice in notices:
        notice.status, notice.last_error = NoticeStatus.WITHDRAWN, "cancellation taken back"
        session.add(notice)
    meeting.status, meeting.cancelled_at = MeetingStatus.PLANNED, None
    session.add(meeting)
    await session.flush()
    await calendar_sequence(session, meeting)
    audit.record(
        session,
        now=now,
        action="meeting.uncancel",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    council = await council_of(session, actor.council_id)
    return PlanChange(view(meeting, council), len(notices))


def _gone_out(notice: Notice) -> bool:
    """Sent, being sent or tried (an answer lost in an outage may hide a message that arrived),
    or given up on: no longer only an intention."""
    return (
        notice.status != NoticeStatus.PENDING
        or notice.attempts > 0
        or notice.claimed_by is not None
        or notice.parts_sent > 0
        or notice.sending_part is not None
    )


async def call_meeting(
    session: AsyncSession,
    *,
    actor: Actor,
    starts_at: datetime,
    place: str,
    subject: str,
    now: datetime,
) -> tuple[Meeting, Distribution]:
    """R-M2/R-D5: the chair calls an extraordinary meeting; the summons goes out with its agenda."""
    actor.require(Action.CALL_MEETING)
    council = await council_of(session, actor.council_id)
    subject = check_description(subject)
    if not subject:
        raise Refused("call_subject_missing", "an extraordinary meeting needs a subject")
    if len(subject) > MAX_SUBJECT:
        raise Refused(
            "subject_too_long",
            f"the subject must be at most {MAX_SUBJECT} characters",
            limit=MAX_SUBJECT,
        )
    if starts_at.tzinfo is None:
        starts_at = local_start(council, starts_at)
    if starts_at <= now:
        raise Refused(
            "invalid_moment",
            "the meeting must start in the future",
            text=f"{starts_at:%Y-%m-%d %H:%M}",
        )
    meeting = await add_meeting(
        session,
        council=council,
        starts_at=starts_at,
        place=place,
        now=now,
        kind=MeetingKind.EXTRAORDINARY,
        subject=subject,
        actor=actor,
        summoned_by_caller=True,  # checked above; the summons goes out with the agenda below
    )
    title = subject if len(subject) <= MAX_TITLE else subject[: MAX_TITLE - 1] + "…"
    session.add(
        AgendaItem(
            meeting_id=meeting.id or 0,
            position=1,
            title=title,
            description=subject if title != subject else "",
            proposed_by_id=actor.person_id,
            submitted_at=now,
            status=ItemStatus.ACCEPTED,
        )
    )
    await session.flush()
    distribution = await distribute_agenda(
        session, actor=actor, meeting_id=meeting.id or 0, now=now
    )
    await end_requests(session, council_id=actor.council_id, now=now)  # R-M2: answered
    return meeting, distribution


async def meeting_on(session: AsyncSession, *, actor: Actor, day: date, now: datetime) -> Meeting:
    """The actor's council's coming planned meeting on that local day (how people name a meeting);
    refused when the day has several: which one is meant is asked, never guessed."""
    found = await meetings_on(session, actor=actor, day=day, now=now)
    if len(found) > 1:
        raise Refused(
            "several_meetings_on_day",
            f"{len(found)} coming meetings on {day}: name the meeting",
            day=day,
            count=len(found),
        )
    return found[0]


async def meetings_on(
    session: AsyncSession, *, actor: Actor, day: date, now: datetime
) -> list[Meeting]:
    """Every coming planned meeting of the actor's council on that local day, soonest first."""
    council = await council_of(session, actor.council_id)
    tz = ZoneInfo(council.timezone)
    found = [
        meeting
        for meeting in await session.exec(
            select(Meeting)
            .where(
                Meeting.council_id == actor.council_id,
                Meeting.status == MeetingStatus.PLANNED,
                Meeting.starts_at > now,
            )
            .order_by(col(Meeting.starts_at))
        )
        if meeting.starts_at.astimezone(tz).date() == day
    ]
    if not found:
        raise Refused("not_found", "no coming meeting on that day", day=day)
    return found


# The chat's commands name a meeting by its day and show it in the council's time.


async def plan_meeting(
    session: AsyncSession, *, actor: Actor, starts_at: datetime, place: str, now: datetime
) -> MeetingView:
    """R-M1: an ordinary meeting of the actor's council into the plan, as the chat shows it."""
    council = await council_of(session, actor.council_id)
    meeting = await add_meeting(
        session, council=council, starts_at=starts_at, place=place, now=now, actor=actor
    )
    return view(meeting, council)


async def call_meeting_shown(
    session: AsyncSession,
    *,
    actor: Actor,
    starts_at: datetime,
    place: str,
    subject: str,
    now: datetime,
) -> tuple[MeetingView, Distribution]:
    """call_meeting, with the meeting as the chat shows it."""
    meeting, sent = await call_meeting(
        session, actor=actor, starts_at=starts_at, place=place, subject=subject, now=now
    )
    return view(meeting, await council_of(session, actor.council_id)), sent


async def move_meeting_on(
    session: AsyncSession,
    *,
    actor: Actor,
    day: date,
    starts_at: datetime,
    now: datetime,
    place: str | None = None,
) -> Meeting:
    """Move the coming meeting on that local day (meeting_on, move_meeting)."""
    meeting = await meeting_on(session, actor=actor, day=day, now=now)
    return await move_meeting(
        session, actor=actor, meeting_id=meeting.id or 0, starts_at=starts_at, place=place, now=now
    )


async def cancel_meeting_on(
    session: AsyncSession, *, actor: Actor, day: date, now: datetime, reason: str = ""
) -> Meeting:
    """Cancel the coming meeting on that local day (meeting_on, cancel_meeting)."""
    meeting = await meeting_on(session, actor=actor, day=day, now=now)
    return await cancel_meeting(
        session, actor=actor, meeting_id=meeting.id or 0, now=now, reason=reason
    )


# Before a meeting is cancelled or moved, the chat shows what will happen and asks to confirm.


@dataclass(frozen=True)
class PlanChange:
    """The meeting a cancellation or a move would change, and how many people would be told."""

    meeting: MeetingView
    recipients: int


async def plan_changes_on(
    session: AsyncSession, *, actor: Actor, day: date, now: datetime
) -> list[PlanChange]:
    """The coming meetings on that local day the actor may cancel or move (nothing changes); the
    chat asks which when there are several."""
    council = await council_of(session, actor.council_id)
    changes = []
    for meeting in await meetings_on(session, actor=actor, day=day, now=now):
        await require_for_meeting(session, actor, meeting, Action.PLAN_MEETINGS, now=now)
        require_changeable(meeting, now)
        recipients = await agenda_recipients(session, meeting)
        changes.append(PlanChange(view(meeting, council), len(recipients)))
    return changes


async def plan_change_of(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> PlanChange:
    """One meeting the actor may cancel or move, as the chat shows it (nothing changes)."""
    meeting = await meeting_of(session, actor, meeting_id)
    await require_for_meeting(session, actor, meeting, Action.PLAN_MEETINGS, now=now)
    require_changeable(meeting, now)
    council = await council_of(session, actor.council_id)
    return PlanChange(view(meeting, council), len(await agenda_recipients(session, meeting)))


async def move_check(
    session: AsyncSession, *, actor: Actor, meeting_id: int, starts_at: datetime, now: datetime
) -> datetime | None:
    """Before a move is confirmed (nothing changes): the new date's distribution deadline when
    the move makes the agenda late and the acting chair must give the reason (R-D3), else None.
    Refused for anyone else, saying whom to ask."""
    meeting = await meeting_of(session, actor, meeting_id)
    await require_for_meeting(session, actor, meeting, Action.PLAN_MEETINGS, now=now)
    require_changeable(meeting, now)
    council = await council_of(session, actor.council_id)
    if starts_at.tzinfo is None:
        starts_at = local_start(council, starts_at)
    deadline = late_move_deadline(meeting, council, starts_at, now)
    if deadline is not None:
        await require_reason_giver(session, actor, meeting, deadline=deadline, now=now)
    return deadline


async def cancel_meeting_shown(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    reason: str,
    now: datetime,
    hold: timedelta = timedelta(0),
) -> PlanChange:
    """cancel_meeting, with the meeting as the chat shows it and how many will be told."""
    meeting = await cancel_meeting(
        session, actor=actor, meeting_id=meeting_id, now=now, reason=reason, hold=hold
    )
    council = await council_of(session, actor.council_id)
    return PlanChange(view(meeting, council), len(await agenda_recipients(session, meeting)))


async def move_meeting_shown(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    starts_at: datetime,
    now: datetime,
    place: str | None = None,
    reason: str | None = None,
) -> PlanChange:
    """move_meeting, with the meeting as the chat shows it and how many were told."""
    meeting = await move_meeting(
        session,
        actor=actor,
        meeting_id=meeting_id,
        starts_at=starts_at,
        place=place,
        now=now,
        reason=reason,
    )
    council = await council_of(session, actor.council_id)
    return PlanChange(view(meeting, council), len(await agenda_recipients(session, meeting)))
