"""The agenda's deadlines as sweep tasks (R-D1, R-D2, R-D4): each asks what is due and not yet done.

Idempotent through the outbox's dedupe keys (a reminder per deadline moment and person) and the
meeting's own columns (`proposals_closed_at`, `agenda_version`); after downtime each is done once,
late — reminders only for the latest moment that came, never a pile of them at once. Each task
reads the near meetings of services.due (one shared statement per sweep) and records the moment a
reminder went out (`sweep_mark`), so a sweep with nothing due sends no statement per meeting.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, exists
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ItemStatus, MeetingKind, MeetingStatus
from models.sweep import SweepMark
from models.tables import AgendaItem, Council, Meeting
from procedure.deadlines import (
    auto_distribution_moment,
    distribution_deadline,
    is_auto_distribution_due,
    latest_due,
    local_moment,
    proposal_deadline,
    reminder_moments,
)
from services.actors import SYSTEM  # the clock acts as the system (R-D2)
from services.agenda import ON_AGENDA
from services.agenda_delivery import distribute_agenda
from services.due import (
    ADDENDUM_REMINDER,
    AGENDA_REMINDER,
    NOT_APPROVED,
    PROPOSAL_REMINDER,
    Coming,
    Near,
    mark_done,
    near_meetings,
)
from services.errors import Refused
from services.outbox import enqueue
from services.recipients import council_members
from services.seats import meeting_preparers


async def meetings_to_come(
    session: AsyncSession, now: datetime, *conditions: Any
) -> Sequence[tuple[Meeting, Council]]:
    """Planned meetings still to begin, with their council, soonest first; `conditions` narrow."""
    return (
        await session.exec(
            select(Meeting, Council)
            .join(Council, col(Council.id) == col(Meeting.council_id))
            .where(Meeting.status == MeetingStatus.PLANNED, Meeting.starts_at > now, *conditions)
            .order_by(col(Meeting.starts_at))
        )
    ).all()


def _ordinary(near: Near) -> list[tuple[Coming, Council]]:
    return [
        (m, near.councils[m.council_id]) for m in near.meetings if m.kind == MeetingKind.ORDINARY
    ]


def _day(meeting: Coming, council: Council) -> tuple[Any, ZoneInfo]:
    tz = ZoneInfo(council.timezone)
    return meeting.starts_at.astimezone(tz).date(), tz


async def _tell(
    session: AsyncSession,
    people: list[int],
    *,
    kind: str,
    key: str,
    now: datetime,
    payload: dict[str, Any],
    council_id: int | None,
) -> int:
    added = 0
    for person_id in people:
        added += await enqueue(
            session,
            person_id=person_id,
            kind=kind,
            dedupe_key=f"{key}:{person_id}",
            now=now,
            payload=payload,
            council_id=council_id,
        )
    return added


def _payload(meeting: Coming, council: Council, **extra: Any) -> dict[str, Any]:
    return {
        "meeting_id": meeting.id,
        "starts_at": meeting.starts_at.astimezone(ZoneInfo(council.timezone)).isoformat(),
        "place": meeting.place,
        "council": council.name,
        **{k: v.isoformat() if isinstance(v, datetime) else v for k, v in extra.items()},
    }


async def _proposers(session: AsyncSession, meeting_id: int) -> set[int]:
    rows = await session.exec(
        select(AgendaItem.proposed_by_id).where(
            AgendaItem.meeting_id == meeting_id,
            col(AgendaItem.status).in_([*ON_AGENDA, ItemStatus.LATE]),
        )
    )
    return {person_id for person_id in rows.all() if person_id is not None}


async def remind_proposals(session: AsyncSession, now: datetime) -> int:
    """R-D4: members are reminded before the R-D1 deadline, once per offset; not those who proposed."""
    added = 0
    for meeting, council in _ordinary(await near_meetings(session, now)):
        day, tz = _day(meeting, council)
        deadline = proposal_deadline(day, tz, council.proposal_deadline_days)
        if now > deadline:
            continue
        moments = reminder_moments(
            deadline, council.proposal_reminder_days, council.proposal_reminder_time, tz
        )
        moment = latest_due(moments, now)
        if moment is None or meeting.done_for(PROPOSAL_REMINDER, moment):
            continue
        done = await _proposers(session, meeting.id)
        people = [p for p in await council_members(session, council.id or 0) if p not in done]
        added += await _tell(
            session,
            people,
            kind="proposal_reminder",
            key=f"proposal-reminder:{meeting.id}:{moment.isoformat()}",
            now=now,
            payload=_payload(meeting, council, deadline=deadline.astimezone(tz)),
            council_id=council.id,
        )
        await mark_done(session, PROPOSAL_REMINDER, meeting.id, moment)
    return added


async def close_proposals(session: AsyncSession, now: datetime) -> int:
    """R-D1: when the deadline has passed, the chair and secretariat hear what came in."""
    added = 0
    for meeting, council in _ordinary(await near_meetings(session, now)):
        day, tz = _day(meeting, council)
        deadline = proposal_deadline(day, tz, council.proposal_deadline_days)
        if meeting.proposals_closed_at is not None or now <= deadline:
            continue
        row = await session.get(Meeting, meeting.id)
        assert row is not None
        row.proposals_closed_at = now
        session.add(row)
        statuses = (
            await session.exec(select(AgendaItem.status).where(AgendaItem.meeting_id == meeting.id))
        ).all()
        added += await _tell(
            session,
            await _preparers(session, meeting, now),
            kind="proposals_closed",
            key=f"proposals-closed:{meeting.id}:{deadline.isoformat()}",
            now=now,
            payload=_payload(
                meeting,
                council,
                deadline=deadline.astimezone(tz),
                on_agenda=sum(s in ON_AGENDA for s in statuses),
                late=sum(s == ItemStatus.LATE for s in statuses),
                distribution_deadline=distribution_deadline(day, tz),
            ),
            council_id=council.id,
        )
    return added


async def remind_agenda(session: AsyncSession, now: datetime) -> int:
    """R-D4: chair and secretariat are reminded before R-D2 while the agenda is not approved."""
    added = 0
    for meeting, council in _ordinary(await near_meetings(session, now)):
        if meeting.agenda_approved_at is not None or meeting.agenda_version > 0:
            continue
        day, tz = _day(meeting, council)
        deadline = distribution_deadline(day, tz)
        auto_at = auto_distribution_moment(day, tz, council.distribution_time)
        moments = reminder_moments(
            auto_at, council.agenda_reminder_days, council.agenda_reminder_time, tz
        )
        moment = latest_due(moments, now)
        if moment is None or now >= auto_at or meeting.done_for(AGENDA_REMINDER, moment):
            continue
        added += await _tell(
            session,
            await _preparers(session, meeting, now),
            kind="agenda_reminder",
            key=f"agenda-reminder:{meeting.id}:{moment.isoformat()}",
            now=now,
            payload=_payload(meeting, council, deadline=deadline, auto_at=auto_at),
            council_id=council.id,
        )
        await mark_done(session, AGENDA_REMINDER, meeting.id, moment)
    return added


async def distribute_due(session: AsyncSession, now: datetime) -> int:
    """R-D2: an approved agenda that nothing has sent goes out at the set time on the deadline day."""
    added = 0
    for meeting, council in _ordinary(await near_meetings(session, now)):
        day, tz = _day(meeting, council)
        due = is_auto_distribution_due(
            now,
            day,
            tz,
            approved_at=meeting.agenda_approved_at,
            already_sent=meeting.agenda_version > 0,
            at=council.distribution_time,
        )
        if not due:
            continue
        try:
            distribution = await distribute_agenda(
                session, actor=SYSTEM, meeting_id=meeting.id, now=now
            )
        except Refused as refused:
            if refused.code != "agenda_empty":
                raise
            continue  # every item was withdrawn after approval: the alert below tells them
        added += distribution.recipients
    return added


async def alert_not_approved(session: AsyncSession, now: datetime) -> int:
    """R-D2: at the set time on the deadline day, chair and secretariat hear it is not approved."""
    added = 0
    for meeting, council in _ordinary(await near_meetings(session, now)):
        if meeting.agenda_version > 0 or meeting.agenda_approved_at is not None:
            continue
        day, tz = _day(meeting, council)
        auto_at = auto_distribution_moment(day, tz, council.distribution_time)
        if not auto_at <= now < local_moment(day, time(0), tz):
            continue
        if meeting.done_for(NOT_APPROVED, auto_at):
            continue
        added += await _tell(
            session,
            await _preparers(session, meeting, now),
            kind="agenda_not_approved",
            key=f"agenda-not-approved:{meeting.id}:{auto_at.isoformat()}",
            now=now,
            payload=_payload(meeting, council, deadline=distribution_deadline(day, tz)),
            council_id=council.id,
        )
        await mark_done(session, NOT_APPROVED, meeting.id, auto_at)
    return added


# A change to a distributed agenda waits for the chair's /distribute (an addendum, R-D3); once it
# has stood council.addendum_reminder_hours without more changes, the chair and secretariat are
# reminded it is unsent (a setting, default 1 hour).
ADDENDUM_QUIET = timedelta(hours=1)  # the shortest addendum_reminder_hours a council may set


async def remind_addendum(session: AsyncSession, now: datetime) -> int:
    """R-D3/R-D4: a change after distribution left unsent is brought to the preparers, once per
    change, so members never work from an agenda the chair has changed without knowing it."""
    added = 0
    councils = (await near_meetings(session, now)).councils
    for meeting, changed_at in await _unsent_changes(session, now):
        council = councils[meeting.council_id]
        if now < changed_at + timedelta(hours=council.addendum_reminder_hours):
            continue  # the query waits the shortest quiet time; each council its own
        tz = ZoneInfo(council.timezone)
        added += await _tell(
            session,
            await _preparers(session, meeting, now),
            kind="addendum_pending",
            key=f"addendum-pending:{meeting.id}:{changed_at.isoformat()}",
            now=now,
            payload=_payload(
                meeting,
                council,
                changed_at=changed_at.astimezone(tz),
                version=meeting.agenda_version,
            ),
            council_id=council.id,
        )
        await mark_done(session, ADDENDUM_REMINDER, meeting.id, changed_at)
    return added


async def _unsent_changes(session: AsyncSession, now: datetime) -> list[tuple[Coming, datetime]]:
    """Coming meetings whose distributed agenda changed at least ADDENDUM_QUIET ago and whose
    preparers were not yet reminded of that change (indexed on `agenda_changed_at`)."""
    rows = await session.exec(
        _unsent_statement(), params={"now": now, "quiet_since": now - ADDENDUM_QUIET}
    )
    return [
        (Coming(id or 0, council, kind, start, place, version, approved, None), changed)
        for id, council, kind, start, place, version, approved, changed in rows.all()
        if changed is not None
    ]


@cache
def _unsent_statement() -> Any:
    """Built once, so its cache key is computed once (issue 15)."""
    reminded = select(SweepMark.subject_id).where(
        SweepMark.task == ADDENDUM_REMINDER,
        col(SweepMark.subject_id) == col(Meeting.id),
        col(SweepMark.done_for) == col(Meeting.agenda_changed_at),
    )
    return sa_select(
        col(Meeting.id),
        col(Meeting.council_id),
        col(Meeting.kind),
        col(Meeting.starts_at),
        col(Meeting.place),
        col(Meeting.agenda_version),
        col(Meeting.agenda_approved_at),
        col(Meeting.agenda_changed_at),
    ).where(
        col(Meeting.agenda_changed_at).is_not(None),  # the partial index's own condition
        col(Meeting.agenda_changed_at) <= bindparam("quiet_since"),
        col(Meeting.status) == MeetingStatus.PLANNED,
        col(Meeting.starts_at) > bindparam("now"),
        col(Meeting.agenda_version) > 0,
        ~exists(reminded),
    )


def meeting_reminder_window(council: Council) -> timedelta:
    """R-D4: how long before a meeting everyone is reminded (a council setting)."""
    return timedelta(hours=council.meeting_reminder_hours)


async def _preparers(session: AsyncSession, coming: Coming, now: datetime) -> list[int]:
    """R-P3: who prepares this meeting now (its acting chair and the secretariat); the meeting row
    is read only for a task that is due, so a sweep with nothing due loads none."""
    meeting = await session.get(Meeting, coming.id)
    assert meeting is not None  # a coming meeting was just read from the same transaction
    return await meeting_preparers(session, meeting, now)
