"""Long absence (R-S4, R-S5): a member prevented for at least 3 months.

A mayor's substitute stands in for every meeting of the period by itself (R-S4). For an elected
member the chair is told, the substitute is summoned to the next meeting, and an item on the
council's decision is put on that meeting's agenda (R-S5); once the council approves, the
substitute stands in for the rest of the period. The member's return ends it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import exists, or_, true
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    ItemStatus,
    LongAbsenceDecision,
    LongAbsenceKind,
    MeetingStatus,
    MembershipRole,
    SubstituteAnswer,
)
from models.tables import (
    AgendaItem,
    Attendance,
    AttendanceEvent,
    Council,
    LongAbsence,
    Meeting,
    Membership,
    Person,
)
from procedure.attendance import covers
from procedure.permissions import Action
from procedure.substitutes import LONG_ABSENCE_MONTHS, add_months, is_long_absence
from services import audit
from services.actors import Actor, actor_for_person
from services.agenda import next_position, touch
from services.attendance import send_agenda_if_out
from services.errors import Refused
from services.long_absence_notices import tell_officers, tell_stand_in
from services.offices import holder_returns
from services.quorum import after_change, status_of
from services.seats import load_seats, record_event, tell
from templates.i18n import gettext


def _(message: str) -> str:
    """Mark a msgid for extraction; translated into the council's language where it is used."""
    return message


# The agenda item R-S5 puts on the next meeting's agenda (stored in the council's language).
DECISION_ITEM = _("Decision on the substitute's entry for %(member)s")


async def report_long_absence(
    session: AsyncSession,
    *,
    actor: Actor,
    starts_on: date,
    expected_back: date,
    now: datetime,
    reason: str | None = None,
    member_id: int | None = None,
) -> LongAbsence:
    """R-S4/R-S5: the member reports being prevented from `starts_on` until `expected_back`; or
    the chair or secretariat records it for the member (`member_id`), as the council runs it."""
    reporter = actor
    actor = await _member_concerned(session, actor, member_id)
    if expected_back <= starts_on:
        raise Refused("end_before_start", starts_on=starts_on.isoformat())
    if not is_long_absence(starts_on, expected_back):
        shortest = add_months(starts_on, LONG_ABSENCE_MONTHS)
        raise Refused("not_long_absence", until=shortest.isoformat())
    if await active_long_absence(session, actor.person_id) is not None:
        raise Refused("already_on_leave")
    substitute = (
        await session.exec(
            select(Membership.person_id).where(
                Membership.substitute_for_id == actor.person_id, Membership.current()
            )
        )
    ).first()
    mayor = actor.role == MembershipRole.MAYOR
    leave = LongAbsence(
        council_id=actor.council_id,
        person_id=actor.person_id,
        substitute_id=substitute,
        kind=LongAbsenceKind.MAYOR if mayor else LongAbsenceKind.ELECTED,
        starts_on=starts_on,
        expected_back=expected_back,
        reason=(reason or "").strip() or None,
        reported_at=now,
        reported_by_id=reporter.person_id,
        # R-S4: a mayor's substitute enters by itself; R-S5: the council decides.
        decision=LongAbsenceDecision.APPROVED if mayor else None,
        decided_at=now if mayor else None,
    )
    session.add(leave)
    await session.flush()
    meetings = await _covered_meetings(session, leave, now)
    if mayor:
        for meeting in meetings:
            await _stand_in(session, leave, meeting, now=now, answer=SubstituteAnswer.ACCEPTED)
    elif meetings:
        await _summon_for_decision(session, leave, meetings[0], now=now)
    council = await session.get(Council, actor.council_id)
    assert council is not None
    await tell_officers(session, council, leave, kind="long_absence_reported", now=now)
    audit.record(
        session,
        now=now,
        action="long_absence.report",
        council_id=actor.council_id,
        actor_id=reporter.person_id,
        subject=f"long_absence:{leave.id}",
        kind=leave.kind,
    )
    return leave


async def decide_long_absence(
    session: AsyncSession, *, actor: Actor, long_absence_id: int, approved: bool, now: datetime
) -> LongAbsence:
    """R-S5: the council decides at the meeting, on the agenda item put there for it.

    Only a leave that reached no meeting's agenda (none was planned) can still be decided here;
    otherwise the decision is taken in the meeting room (services.meeting_room.record_decision).
    """
    actor.require(Action.RECORD_LONG_ABSENCE)
    leave = await session.get(LongAbsence, long_absence_id, with_for_update=True)
    if leave is None or leave.council_id != actor.council_id:
        raise Refused("not_found", "no such long absence in your council")
    if leave.agenda_item_id is not None and leave.decision is None and leave.ended_at is None:
        raise Refused("decided_at_the_meeting")
    return await decide_at_meeting(session, leave, approved=approved, now=now, actor=actor)


async def decide_at_meeting(
    session: AsyncSession, leave: LongAbsence, *, approved: bool, now: datetime, actor: Actor
) -> LongAbsence:
    """R-S5: apply the council's decision; when approved the substitute stands in for the period."""
    if leave.decision is not None:
        raise Refused("already_decided")
    if leave.ended_at is not None:
        raise Refused("long_absence_ended")
    leave.decision = LongAbsenceDecision.APPROVED if approved else LongAbsenceDecision.REJECTED
    leave.decided_at = now
    session.add(leave)
    await session.flush()
    if approved:
        for meeting in await _covered_meetings(session, leave, now):
            await _stand_in(session, leave, meeting, now=now, answer=SubstituteAnswer.ACCEPTED)
    audit.record(
        session,
        now=now,
        action="long_absence.decide",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"long_absence:{leave.id}",
        decision=leave.decision,
    )
    return leave


async def end_long_absence(
    session: AsyncSession, *, actor: Actor, now: datetime, member_id: int | None = None
) -> LongAbsence:
    """R-S5: the member can serve again; the substitute leaves every meeting still to come. The
    chair or secretariat may record it for the member (`member_id`)."""
    reporter = actor
    actor = await _member_concerned(session, actor, member_id)
    leave = await active_long_absence(session, actor.person_id)
    if leave is None:
        if reporter is not actor:
            raise Refused("no_leave_to_end", name=actor.name)
        raise Refused("not_on_leave")
    leave.ended_at = now
    session.add(leave)
    meetings = await session.exec(
        select(Meeting).where(
            Meeting.council_id == actor.council_id, Meeting.status == MeetingStatus.PLANNED
        )
    )
    for meeting in meetings.all():
        seats = await load_seats(session, meeting, now)
        row = seats.rows.get(actor.person_id)
        if row is None or row.long_absence_id != leave.id:
            continue
        before = status_of(seats)
        substitute = row.substitute_id
        row.status, row.absence_reason, row.absence_reported_at = (
            AttendanceStatus.EXPECTED,
            None,
            None,
        )
        row.substitute_id, row.substitute_answer = None, SubstituteAnswer.NOT_SUMMONED
        row.long_absence_id = None
        session.add(row)
        event = record_event(
            session,
            row,
            AttendanceEventKind.RELEASED,
            now=now,
            actor_id=reporter.person_id,
            person_id=substitute,
        )
        await session.flush()
        await tell(
            session,
            seats,
            [substitute],
            kind="substitute_released",
            key=f"released:{event.id}",
            now=now,
            payload={"member": actor.name},
        )
        await after_change(session, seats, before, now=now)
    council = await session.get(Council, actor.council_id)
    assert council is not None
    await tell_officers(session, council, leave, kind="long_absence_ended", now=now)
    # R-K3: a chair or vice chair back from a long absence takes the office back from the successor.
    await holder_returns(
        session,
        council_id=actor.council_id,
        person_id=actor.person_id,
        now=now,
        actor_id=reporter.person_id,
    )
    audit.record(
        session,
        now=now,
        action="long_absence.end",
        council_id=actor.council_id,
        actor_id=reporter.person_id,
        subject=f"long_absence:{leave.id}",
    )
    return leave


async def _member_concerned(session: AsyncSession, actor: Actor, member_id: int | None) -> Actor:
    """The member a leave is about: the actor, or (R-S4/R-S5) a member of the actor's council
    named by the chair or secretariat, who run the council's side of a long absence."""
    if member_id is None or member_id == actor.person_id:
        actor.require(Action.REPORT_ABSENCE)
        return actor
    actor.require(Action.RECORD_LONG_ABSENCE)
    member = await actor_for_person(session, member_id)
    if member is None or member.council_id != actor.council_id:
        raise Refused("not_found", "no such member in your council")
    if member.role not in (MembershipRole.MAYOR, MembershipRole.MEMBER):
        raise Refused("not_a_member", name=member.name)
    return member


async def active_long_absence(session: AsyncSession, person_id: int) -> LongAbsence | None:
    """The member's long absence not ended and not rejected, if any."""
    return (
        await session.exec(
            select(LongAbsence).where(
                LongAbsence.person_id == person_id,
                col(LongAbsence.ended_at).is_(None),
                (col(LongAbsence.decision).is_(None))
                | (LongAbsence.decision == LongAbsenceDecision.APPROVED),
            )
        )
    ).first()


@dataclass(frozen=True)
class PendingDecision:
    """R-S5: a long absence awaiting the council's decision."""

    id: int
    member: str
    starts_on: date
    expected_back: date
    on_agenda: bool = False  # decided at the meeting, on its agenda item (services.meeting_room)


async def pending_decisions(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> list[PendingDecision]:
    """R-S5: long absences still running that await the council's decision (chair, secretariat)."""
    actor.require(Action.RECORD_LONG_ABSENCE)
    rows = await session.exec(
        select(LongAbsence, Person)
        .join(Person, col(Person.id) == col(LongAbsence.person_id))
        .where(
            LongAbsence.council_id == actor.council_id,
            col(LongAbsence.decision).is_(None),
            col(LongAbsence.ended_at).is_(None),
            LongAbsence.expected_back > now.date(),
        )
        .order_by(col(LongAbsence.id))
    )
    return [
        PendingDecision(
            leave.id or 0,
            person.name,
            leave.starts_on,
            leave.expected_back,
            on_agenda=leave.agenda_item_id is not None,
        )
        for leave, person in rows.all()
    ]


async def apply_long_absences(session: AsyncSession, now: datetime) -> int:
    """Sweep: meetings planned after a long absence was reported get what the report would have
    given them — the substitute for an approved leave (R-S4), the summons and the decision item
    for an elected member's leave that found no meeting to be decided at yet (R-S5)."""
    # One statement reads every open leave with its decision meeting (the sweep's cost, issue 15).
    open_leaves = (
        await session.exec(
            select(LongAbsence, Meeting)
            .outerjoin(Meeting, col(Meeting.id) == col(LongAbsence.decision_meeting_id))
            .where(
                or_(
                    col(LongAbsence.decision) == LongAbsenceDecision.APPROVED,
                    col(LongAbsence.decision).is_(None),
                ),
                col(LongAbsence.ended_at).is_(None),
            )
        )
    ).all()
    waiting = [
        (leave, meeting) for leave, meeting in open_leaves if leave.decision is None and meeting
    ]
    applied = await _reschedule_decisions(session, waiting, now)
    # A decision taken off its agenda just now is placed anew in the same sweep.
    leaves = [
        leave
        for leave, _ in open_leaves
        if leave.decision is not None or leave.decision_meeting_id is None
    ]
    for leave in leaves:
        meetings = await _covered_meetings(session, leave, now)
        if leave.decision is None:
            if meetings:
                await _summon_for_decision(session, leave, meetings[0], now=now)
                applied += 1
            continue
        for meeting in meetings:
            applied += await _stand_in(
                session, leave, meeting, now=now, answer=SubstituteAnswer.ACCEPTED
            )
    return applied


async def _reschedule_decisions(
    session: AsyncSession, waiting: list[tuple[LongAbsence, Meeting]], now: datetime
) -> int:
    """R-S5: a decision whose meeting was cancelled, or moved behind another meeting, is taken off
    that agenda and goes on the next one again (the sweep then summons and adds it anew)."""
    moved = 0
    for leave, meeting in waiting:
        if meeting.status not in (MeetingStatus.CANCELLED, MeetingStatus.PLANNED):
            continue
        if meeting.status == MeetingStatus.PLANNED:
            coming = await _covered_meetings(session, leave, now)
            if not coming or coming[0].id == meeting.id:
                continue
            item = await session.get(AgendaItem, leave.agenda_item_id or 0)
            if item is not None and item.status == ItemStatus.ACCEPTED:
                item.status = ItemStatus.WITHDRAWN
                session.add(item)
                await touch(meeting, session, now)
        leave.decision_meeting_id, leave.agenda_item_id = None, None
        session.add(leave)
        moved += 1
    await session.flush()
    return moved


async def _covered_meetings(
    session: AsyncSession, leave: LongAbsence, now: datetime
) -> list[Meeting]:
    council = await session.get(Council, leave.council_id)
    assert council is not None
    tz = ZoneInfo(council.timezone)
    # Only the meetings of the period (a day of slack for the time zone) that the leave has not
    # been applied to yet: a sweep with nothing to apply reads no meeting (issue 15).
    applied = select(Attendance.id).where(
        col(Attendance.meeting_id) == col(Meeting.id),
        Attendance.person_id == leave.person_id,
        Attendance.long_absence_id == leave.id,
        Attendance.substitute_answer == SubstituteAnswer.ACCEPTED,
    )
    meetings = await session.exec(
        select(Meeting)
        .where(
            Meeting.council_id == leave.council_id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > now,
            Meeting.starts_at >= _utc_midnight(leave.starts_on - timedelta(days=1)),
            Meeting.starts_at < _utc_midnight(leave.expected_back + timedelta(days=1)),
            ~exists(applied) if leave.decision == LongAbsenceDecision.APPROVED else true(),
        )
        .order_by(col(Meeting.starts_at))
    )
    return [
        m
        for m in meetings.all()
        if covers(leave.starts_on, leave.expected_back, m.starts_at.astimezone(tz).date())
    ]


def _utc_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


async def _stand_in(
    session: AsyncSession,
    leave: LongAbsence,
    meeting: Meeting,
    *,
    now: datetime,
    answer: SubstituteAnswer,
) -> int:
    """Give the member's seat at `meeting` to the substitute (idempotent); 1 when it changed."""
    seats = await load_seats(session, meeting, now)
    row = seats.row(leave.person_id)
    if row.long_absence_id == leave.id and row.substitute_answer == answer:
        return 0
    if await _comes_after_all(session, leave, meeting):
        return 0
    if leave.substitute_id is not None:
        other = seats.seat_of_substitute(leave.substitute_id)
        if other is not None and other is not row:  # R-S1: never for two members
            return 0
    before = status_of(seats)
    row.status, row.long_absence_id = AttendanceStatus.ABSENT, leave.id
    row.absence_reason = row.absence_reason or leave.reason
    row.absence_reported_at = row.absence_reported_at or now
    if leave.substitute_id is not None and row.substitute_answer not in (
        SubstituteAnswer.ACCEPTED,
    ):
        row.substitute_id, row.substitute_answer = leave.substitute_id, answer
        row.substitute_summoned_at = now
        row.substitute_answered_at = now if answer == SubstituteAnswer.ACCEPTED else None
    session.add(row)
    event = record_event(session, row, AttendanceEventKind.ABSENT, now=now, actor_id=None)
    await session.flush()
    if leave.substitute_id is not None:
        await tell_stand_in(session, seats, leave, answer, key=f"stand-in:{event.id}", now=now)
        await send_agenda_if_out(session, meeting, leave.substitute_id, now=now)
    await after_change(session, seats, before, now=now)
    return 1


async def _comes_after_all(session: AsyncSession, leave: LongAbsence, meeting: Meeting) -> bool:
    """The member withdrew the absence for this meeting during the leave (/attend): they come,
    and the sweep must not give the seat back to the substitute."""
    withdrawn = await session.exec(
        select(AttendanceEvent.id).where(
            AttendanceEvent.meeting_id == meeting.id,
            AttendanceEvent.member_id == leave.person_id,
            AttendanceEvent.kind == AttendanceEventKind.WITHDRAWN,
            AttendanceEvent.at >= leave.reported_at,
        )
    )
    return withdrawn.first() is not None


async def _summon_for_decision(
    session: AsyncSession, leave: LongAbsence, meeting: Meeting, *, now: datetime
) -> None:
    """R-S5: summon the substitute to the next meeting and put the decision on its agenda."""
    await _stand_in(session, leave, meeting, now=now, answer=SubstituteAnswer.PENDING)
    council = await session.get(Council, meeting.council_id)
    member = await session.get(Person, leave.person_id)
    assert council is not None and member is not None
    item = AgendaItem(
        meeting_id=meeting.id or 0,
        position=await next_position(session, meeting.id or 0),
        title=gettext(council.language, DECISION_ITEM, member=member.name)[:200],
        description="",
        proposed_by_id=None,
        submitted_at=now,
        status=ItemStatus.ACCEPTED,
    )
    session.add(item)
    # after distribution the item goes out as an addendum (R-D3)
    await touch(meeting, session, now)
    await session.flush()
    leave.decision_meeting_id, leave.agenda_item_id = meeting.id, item.id
    session.add(leave)
