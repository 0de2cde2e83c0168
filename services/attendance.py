"""Absence and substitutes before a meeting (R-S3, R-S7): report, summon, answer, withdraw.

Every function re-checks who may do it and whether the meeting's state allows it, so a button
pressed twice, too late or by someone else changes nothing and says why (services.errors.Refused).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, bindparam
from sqlalchemy.orm import aliased
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    MeetingStatus,
    SubstituteAnswer,
    SubstituteStatus,
)
from models.sweep import SweepMark
from models.tables import Attendance, Council, Meeting, Membership, Person
from procedure.attendance import (
    SUMMONS_REMINDER_HOURS,
    AnswerRefused,
    is_answer_overdue,
    is_summons_reminder_due,
    next_answer,
    summons_answer_deadline,
)
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.agenda_delivery import enqueue_agenda
from services.due import SLACK, SUMMONS_REMINDER, mark_done, near_meetings, read_once
from services.errors import Refused
from services.quorum import after_change, status_of
from services.recipients import MEMBER_ROLES
from services.seats import (
    Seats,
    load_seats,
    planned_meetings,
    record_event,
    require,
    standing_meeting,
    tell,
)

MAX_REASON = 500


@dataclass(frozen=True)
class AbsenceResult:
    """What the member is told after reporting: whom they may summon (None: no substitute)."""

    meeting_id: int
    substitute_id: int | None
    substitute_name: str | None
    member_id: int
    member_name: str


@dataclass(frozen=True)
class MeetingChoice:
    """A coming meeting to choose from, and whether the member has reported absence for it."""

    meeting_id: int
    starts_at: datetime
    place: str
    absent: bool


async def my_meetings(
    session: AsyncSession, *, actor: Actor, now: datetime, member_id: int | None = None
) -> list[MeetingChoice]:
    """R-S3: the coming meetings (not yet opened) a member can report absence for or withdraw;
    the secretariat and the chair see them for the member they name (`member_id`)."""
    target = _target_of(actor, member_id)
    tz = ZoneInfo(actor.council_timezone)
    choices = []
    for meeting in await planned_meetings(session, actor.council_id, now):
        row = (
            await session.exec(
                select(Attendance).where(
                    Attendance.meeting_id == meeting.id, Attendance.person_id == target
                )
            )
        ).first()
        choices.append(
            MeetingChoice(
                meeting.id or 0,
                meeting.starts_at.astimezone(tz),
                meeting.place,
                row is not None and row.status == AttendanceStatus.ABSENT,
            )
        )
    return choices


def _require_planned(meeting: Meeting, now: datetime) -> None:
    """R-S3: absence is reported *before* the meeting — not once it is open, nor once its start
    time has passed (opened or not); once it begins, the day's rules apply."""
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    if meeting.status == MeetingStatus.OPEN or now >= meeting.starts_at:
        raise Refused("meeting_started")


def _require_not_over(meeting: Meeting, seats: Seats, row: Attendance) -> None:
    """R-S3/R-Q1: a member may come after all, and a substitute answer, until the meeting is
    over — but not while the substitute sits in the seat (nobody counts twice)."""
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    if row.substitute_status == SubstituteStatus.PRESENT:
        raise Refused("substitute_stands_in", substitute=seats.name(row.substitute_id))


def _personal_substitute(seats: Seats, member_id: int) -> int | None:
    return next((s for s, m in seats.substitute_for.items() if m == member_id), None)


def _target_of(actor: Actor, member_id: int | None) -> int:
    """The member an absence is about: the actor, or (for the secretariat or chair, who hear of
    absences by phone and mail) the member they name."""
    if member_id is None or member_id == actor.person_id:
        actor.require(Action.REPORT_ABSENCE)
        return actor.person_id
    actor.require(Action.REPORT_ABSENCE_FOR_OTHERS)
    return member_id


def _member_of(seats: Seats, actor: Actor, member_id: int | None) -> int:
    """As `_target_of`, checked against the meeting: standing in counts, a non-member is refused."""
    if member_id is None or member_id == actor.person_id:
        require(actor, seats, Action.REPORT_ABSENCE)
        return actor.person_id
    require(actor, seats, Action.REPORT_ABSENCE_FOR_OTHERS)
    if member_id not in seats.members:
        raise Refused("not_a_member", name=seats.name(member_id))
    return member_id


async def find_member(
    session: AsyncSession, *, actor: Actor, name: str, now: datetime | None = None
) -> tuple[int, str] | None:
    """The council's member (mayor or elected member) of that name, case-insensitive, if any.
    (`now` is taken, like every service's, and not needed: membership has no dates yet.)"""
    actor.require(Action.REPORT_ABSENCE_FOR_OTHERS)
    wanted = " ".join(name.split()).casefold()
    rows = await session.exec(
        select(Person.id, Person.name)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(
            Membership.council_id == actor.council_id,
            Membership.current(),
            col(Membership.role).in_(MEMBER_ROLES),
        )
    )
    return next(((pid, n) for pid, n in rows.all() if n.casefold() == wanted and pid), None)


async def report_absence(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    now: datetime,
    reason: str | None = None,
    member_id: int | None = None,
) -> AbsenceResult:
    """R-S3: the member will not attend; the secretariat is told (§3.9). Reported by someone
    else (`member_id`), the member is told too, so nobody's absence is recorded behind their back."""
    meeting = await standing_meeting(session, actor, meeting_id, lock=True)
    seats = await load_seats(session, meeting, now)
    member = _member_of(seats, actor, member_id)
    _require_planned(meeting, now)
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON:
        raise Refused("reason_too_long", limit=MAX_REASON)
    row = seats.row(member)
    if row.status == AttendanceStatus.ABSENT:
        code = "already_absent" if member == actor.person_id else "member_already_absent"
        raise Refused(code, name=seats.name(member))
    before = status_of(seats)
    row.status, row.absence_reason, row.absence_reported_at = AttendanceStatus.ABSENT, reason, now
    session.add(row)
    event = record_event(
        session, row, AttendanceEventKind.ABSENT, now=now, actor_id=actor.person_id
    )
    await session.flush()
    await tell(
        session,
        seats,
        seats.secretariat,
        kind="absence_reported",
        key=f"absence:{event.id}",
        now=now,
        payload={"member": seats.name(member), "reason": reason, "by": _by(actor, member)},
    )
    if member != actor.person_id:
        await tell(
            session,
            seats,
            [member],
            kind="absence_reported_for_you",
            key=f"absence-for-you:{event.id}",
            now=now,
            payload={"by": actor.name, "reason": reason},
        )
    audit.record(
        session,
        now=now,
        action="attendance.absent",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    await after_change(session, seats, before, now=now)
    substitute = _personal_substitute(seats, member)
    return AbsenceResult(
        meeting.id or 0,
        substitute,
        seats.name(substitute) if substitute is not None else None,
        member,
        seats.name(member),
    )


def _by(actor: Actor, member: int) -> str | None:
    """Who reported it, when not the member themself."""
    return actor.name if member != actor.person_id else None


async def summon_substitute(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    now: datetime,
    member_id: int | None = None,
) -> str:
    """R-S3: send the personal substitute a summons (and the agenda if out); returns their name.
    The secretariat or chair may do it for the member whose absence they reported."""
    meeting = await standing_meeting(session, actor, meeting_id, lock=True)
    seats = await load_seats(session, meeting, now)
    if member_id is None or member_id == actor.person_id:
        require(actor, seats, Action.SUMMON_SUBSTITUTE)
        member = actor.person_id
    else:
        member = _member_of(seats, actor, member_id)
    _require_planned(meeting, now)
    row = seats.rows.get(member)
    if row is None or row.status != AttendanceStatus.ABSENT:
        raise Refused("not_absent")
    substitute = _personal_substitute(seats, member)
    if substitute is None:
        raise Refused("no_substitute")
    if row.substitute_answer in (SubstituteAnswer.PENDING, SubstituteAnswer.ACCEPTED):
        raise Refused("already_summoned", substitute=seats.name(substitute))
    elsewhere = seats.seat_of_substitute(substitute)
    if elsewhere is not None and elsewhere is not row:  # R-S1: never for two members
        raise Refused("substitute_taken", substitute=seats.name(substitute))
    before = status_of(seats)
    row.substitute_id, row.substitute_answer = substitute, SubstituteAnswer.PENDING
    row.substitute_summoned_at, row.substitute_answered_at = now, None
    session.add(row)
    event = record_event(
        session,
        row,
        AttendanceEventKind.SUMMONED,
        now=now,
        actor_id=actor.person_id,
        person_id=substitute,
    )
    await session.flush()
    deadline = _answer_deadline(
        meeting.starts_at.astimezone(ZoneInfo(seats.council.timezone)), now, seats.council
    )
    await tell(
        session,
        seats,
        [substitute],
        kind="summons",
        key=f"summons:{event.id}",
        now=now,
        payload={
            "member": seats.name(member),
            "deadline": deadline.isoformat(),
            SUMMONS_TO_ANSWER: summons_to_answer(meeting.id or 0, member),
        },
    )
    await send_agenda_if_out(session, meeting, substitute, now=now)
    await tell(
        session,
        seats,
        seats.secretariat,
        kind="substitute_summoned",
        key=f"summoned:{event.id}",
        now=now,
        payload={"member": seats.name(member), "substitute": seats.name(substitute)},
    )
    audit.record(
        session,
        now=now,
        action="attendance.summon",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
        substitute_id=substitute,
    )
    await after_change(session, seats, before, now=now)
    return seats.name(substitute)


def _answer_deadline(start: datetime, summoned_at: datetime | None, council: Council) -> datetime:
    """R-S7: the answer deadline of a summons sent at `summoned_at` (a late one gets a window)."""
    return summons_answer_deadline(
        start, summoned_at, council.substitute_answer_hours, council.late_summons_answer_hours
    )


async def send_agenda_if_out(
    session: AsyncSession, meeting: Meeting, substitute_id: int, *, now: datetime
) -> bool:
    """The contract with the agenda (issue 4): a summoned substitute receives the agenda sent."""
    if meeting.agenda_distributed_at is None:
        return False
    return await enqueue_agenda(session, meeting=meeting, person_id=substitute_id, now=now)


async def withdraw_absence(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> str | None:
    """R-S3: the member will come after all (also once it is open); the substitute is released.

    Returns the name of the substitute who was told they are no longer needed, if any.
    """
    meeting = await standing_meeting(session, actor, meeting_id, lock=True)
    seats = await load_seats(session, meeting, now)
    require(actor, seats, Action.WITHDRAW_ABSENCE)
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    row = seats.rows.get(actor.person_id)
    if row is None or row.status != AttendanceStatus.ABSENT:
        raise Refused("not_absent")
    _require_not_over(meeting, seats, row)  # R-S3: coming after all, even once it is open
    before = status_of(seats)
    released = await release_substitute(session, seats, row, now=now, actor_id=actor.person_id)
    row.status, row.absence_reason, row.absence_reported_at = AttendanceStatus.EXPECTED, None, None
    row.long_absence_id = None
    session.add(row)
    event = record_event(
        session, row, AttendanceEventKind.WITHDRAWN, now=now, actor_id=actor.person_id
    )
    await session.flush()
    await tell(
        session,
        seats,
        seats.secretariat,
        kind="absence_withdrawn",
        key=f"withdrawn:{event.id}",
        now=now,
        payload={"member": actor.name},
    )
    audit.record(
        session,
        now=now,
        action="attendance.withdraw",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    await after_change(session, seats, before, now=now)
    return seats.name(released) if released is not None else None


async def release_substitute(
    session: AsyncSession, seats: Seats, row: Attendance, *, now: datetime, actor_id: int | None
) -> int | None:
    """Tell a summoned substitute they are no longer needed; the seat is the member's again."""
    substitute = row.substitute_id
    was_summoned = row.substitute_answer in (SubstituteAnswer.PENDING, SubstituteAnswer.ACCEPTED)
    row.substitute_id, row.substitute_answer = None, SubstituteAnswer.NOT_SUMMONED
    row.substitute_summoned_at = row.substitute_answered_at = None
    if substitute is None or not was_summoned:
        return None
    event = record_event(
        session, row, AttendanceEventKind.RELEASED, now=now, actor_id=actor_id, person_id=substitute
    )
    await session.flush()
    await tell(
        session,
        seats,
        [substitute],
        kind="substitute_released",
        key=f"released:{event.id}",
        now=now,
        payload={"member": seats.name(row.person_id)},
    )
    return substitute


async def answer_summons(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    accept: bool,
    now: datetime,
    member_id: int | None = None,
) -> str:
    """R-S7: the substitute accepts, declines, or withdraws an acceptance; returns the member's name.

    The member, the chair (and the acting chair, R-P3) and the secretariat are told. Only the
    summoned substitute can answer: a forwarded summons pressed by anyone else is refused — also
    by another substitute summoned to the same meeting, as the summons names the member
    (`member_id`) it was sent for.
    """
    meeting = await standing_meeting(session, actor, meeting_id, lock=True)
    seats = await load_seats(session, meeting, now)
    require(actor, seats, Action.ANSWER_SUMMONS)
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    row = next(
        (
            r
            for r in seats.rows.values()
            if r.substitute_id == actor.person_id and r.status == AttendanceStatus.ABSENT
        ),
        None,
    )
    if row is None or (member_id is not None and row.person_id != member_id):
        raise Refused("summons_not_yours")
    _require_not_over(meeting, seats, row)  # R-S7: a substitute may still answer on the day
    try:
        answer = next_answer(row.substitute_answer, accept=accept)
    except AnswerRefused as refused:
        raise Refused(f"answer_{refused.current}") from None
    before = status_of(seats)
    withdrawing = row.substitute_answer == SubstituteAnswer.ACCEPTED
    row.substitute_answer, row.substitute_answered_at = answer, now
    session.add(row)
    kind = AttendanceEventKind.ACCEPTED if accept else AttendanceEventKind.DECLINED
    event = record_event(
        session, row, kind, now=now, actor_id=actor.person_id, person_id=actor.person_id
    )
    await session.flush()
    await tell(
        session,
        seats,
        [row.person_id, *seats.chairs(), *seats.secretariat],
        kind="substitute_answered",
        key=f"answer:{event.id}",
        now=now,
        payload={
            "member": seats.name(row.person_id),
            "substitute": actor.name,
            "answer": str(answer),
            "withdrawn": withdrawing,
        },
    )
    audit.record(
        session,
        now=now,
        action=f"attendance.{answer}",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    await after_change(session, seats, before, now=now)
    return seats.name(row.person_id)


async def _unanswered(
    session: AsyncSession, now: datetime
) -> list[tuple[Attendance, Meeting, Council, datetime, datetime | None]]:
    """Summonses still pending for coming meetings, not yet reported overdue; with the meeting's
    local start and the summons the substitute was last reminded of (found by index).

    Read once per sweep for both of its tasks: the reminder changes only its own mark, which the
    report does not look at (issue 15: a sweep with nothing due stays under ten statements)."""
    return await read_once(
        session, "unanswered_summonses", now, lambda: _read_unanswered(session, now)
    )


async def _read_unanswered(
    session: AsyncSession, now: datetime
) -> list[tuple[Attendance, Meeting, Council, datetime, datetime | None]]:
    # A summons is reminded of SUMMONS_REMINDER_HOURS before its answer deadline, at the most
    # the councils' answer hours before the meeting: nothing further off is due (issue 15).
    councils = (await near_meetings(session, now)).councils.values()
    hours = max((c.substitute_answer_hours for c in councils), default=0)
    until = now + timedelta(hours=hours + SUMMONS_REMINDER_HOURS) + SLACK
    candidates = await session.exec(_unanswered_statement(), params={"now": now, "until": until})
    return [
        (row, meeting, council, meeting.starts_at.astimezone(ZoneInfo(council.timezone)), done)
        for row, meeting, council, done in candidates.all()
    ]


@cache
def _unanswered_statement() -> Any:
    """Built once, so its cache key is computed once per process, not per sweep (issue 15)."""
    reminded = aliased(SweepMark)
    return (
        select(Attendance, Meeting, Council, reminded.done_for)
        .join(Meeting, col(Meeting.id) == col(Attendance.meeting_id))
        .join(Council, col(Council.id) == col(Meeting.council_id))
        .outerjoin(
            reminded,
            and_(
                col(reminded.task) == SUMMONS_REMINDER,
                col(reminded.subject_id) == col(Attendance.id),
            ),
        )
        .where(
            Attendance.substitute_answer == SubstituteAnswer.PENDING,
            col(Attendance.no_answer_reported_at).is_(None),
            Meeting.status == MeetingStatus.PLANNED,
            col(Meeting.starts_at) > bindparam("now"),
            col(Meeting.starts_at) <= bindparam("until"),
        )
    )


async def remind_unanswered_summons(session: AsyncSession, now: datetime) -> int:
    """R-S7 (sweep): a substitute who has not answered is asked again, once, a day before the
    answer deadline, with the same buttons."""
    added = 0
    for row, meeting, council, start, reminded in await _unanswered(session, now):
        summoned_at = row.substitute_summoned_at
        if summoned_at is None or not is_summons_reminder_due(
            now,
            start,
            summoned_at,
            council.substitute_answer_hours,
            council.summons_reminder_hours,
            council.late_summons_answer_hours,
        ):
            continue
        if reminded == summoned_at:
            continue  # this summons was reminded of already
        seats = await load_seats(session, meeting, now)
        added += await tell(
            session,
            seats,
            [row.substitute_id],
            kind="summons_reminder",
            key=f"summons-reminder:{row.id}:{summoned_at.isoformat()}",
            now=now,
            payload={
                "member": seats.name(row.person_id),
                "deadline": _answer_deadline(start, summoned_at, council).isoformat(),
                SUMMONS_TO_ANSWER: summons_to_answer(meeting.id or 0, row.person_id),
            },
        )
        await mark_done(session, SUMMONS_REMINDER, row.id or 0, summoned_at)
    return added


# A notice's intent: the substitute is to answer this summons (bot/delivery.py makes the buttons).
SUMMONS_TO_ANSWER = "summons_to_answer"


def summons_to_answer(meeting_id: int, member_id: int) -> dict[str, int]:
    """The summons a notice asks its recipient to accept or decline: the meeting and the member
    stood in for, so the answer is to this summons only."""
    return {"meeting_id": meeting_id, "member_id": member_id}


async def report_unanswered_summons(session: AsyncSession, now: datetime) -> int:
    """R-S7 (sweep): a summons unanswered by the deadline is reported to the member, the chair (and
    the acting chair, R-P3) and the secretariat, once, and recorded for the minutes."""
    added = 0
    for row, meeting, council, start, _reminded in await _unanswered(session, now):
        if not is_answer_overdue(
            now,
            start,
            council.substitute_answer_hours,
            row.substitute_summoned_at,
            council.late_summons_answer_hours,
        ):
            continue
        seats = await load_seats(session, meeting, now)
        row.no_answer_reported_at = now
        session.add(row)
        record_event(
            session,
            row,
            AttendanceEventKind.NO_ANSWER,
            now=now,
            actor_id=None,
            person_id=row.substitute_id,
        )
        added += await tell(
            session,
            seats,
            [row.person_id, *seats.chairs(), *seats.secretariat],
            kind="substitute_no_answer",
            key=f"no-answer:{row.id}",
            now=now,
            payload={
                "member": seats.name(row.person_id),
                "substitute": seats.name(row.substitute_id),
            },
        )
    return added
