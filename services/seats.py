"""The seats of a meeting: who the members are, their attendance rows, their substitutes and the
roles a person holds for that one meeting (R-P3 acting chair, "standing_in"). Shared by the
attendance, meeting-day and quorum services; nothing here decides a rule (procedure/ does)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, or_, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    LongAbsenceDecision,
    MeetingStatus,
    MembershipRole,
    Office,
)
from models.tables import (
    Attendance,
    AttendanceEvent,
    Council,
    LongAbsence,
    Meeting,
    Membership,
    Person,
)
from procedure.attendance import acting_chair, covers, officer_absent, stands_in
from procedure.permissions import Action, Role, may
from services.actors import Actor
from services.errors import Refused
from services.meetings import meeting_of
from services.outbox import enqueue

VOTING_ROLES = (MembershipRole.MAYOR, MembershipRole.MEMBER)
# A planned meeting whose start has passed stays "coming" that day: it may be opened late.
LATE_START = timedelta(hours=12)


@dataclass
class Seats:
    """Everything about one meeting's attendance, loaded in three queries."""

    meeting: Meeting
    council: Council
    members: list[int]  # person ids of mayors and elected members, in import order
    names: dict[int, str]  # every person of the council
    substitute_for: dict[int, int]  # personal substitute -> member (R-S1)
    rows: dict[int, Attendance] = field(default_factory=dict)  # member -> attendance row
    chair: int | None = None
    vice_chair: int | None = None
    secretariat: list[int] = field(default_factory=list)
    on_leave: set[int] = field(default_factory=set)  # officers whose long absence covers the day
    now: datetime | None = None  # when known, an officer not checked in after the start is absent

    def row(self, member_id: int) -> Attendance:
        """The member's row, created (expected) on first use."""
        if member_id not in self.rows:
            self.rows[member_id] = Attendance(
                meeting_id=self.meeting.id or 0,
                person_id=member_id,
                status=AttendanceStatus.EXPECTED,
            )
        return self.rows[member_id]

    def absent(self) -> set[int]:
        return {m for m, r in self.rows.items() if r.status == AttendanceStatus.ABSENT}

    def officer_absent(self, person_id: int, *, arriving: int | None = None) -> bool:
        """R-P3: whether an officer is absent from this meeting (`arriving` counts as present)."""
        row = self.rows.get(person_id)
        status = row.status if row is not None else AttendanceStatus.EXPECTED
        return officer_absent(
            present=status == AttendanceStatus.PRESENT or person_id == arriving,
            reported_absent=status == AttendanceStatus.ABSENT,
            left=status == AttendanceStatus.LEFT,
            on_leave=person_id in self.on_leave,
            started=self.now is not None and self.now >= self.meeting.starts_at,
        )

    def acting_chair(self, *, arriving: int | None = None) -> int | None:
        """R-P3: the chair; the vice chair while the chair is absent; the member the secretariat
        named when both are. `arriving` is someone who counts as present (opening the meeting)."""
        officers = [p for p in (self.chair, self.vice_chair, self.meeting.acting_chair_id) if p]
        absent = {p for p in officers if self.officer_absent(p, arriving=arriving)}
        return acting_chair(self.chair, self.vice_chair, absent, self.meeting.acting_chair_id)

    def chairs(self) -> list[int]:
        """Whom a notice for "the chair" goes to: the chair and, when the chair is absent, the
        vice chair acting for them (R-P3) — the chair still hears of their council's business."""
        return list(dict.fromkeys(p for p in (self.chair, self.acting_chair()) if p is not None))

    def seat_of_substitute(self, person_id: int) -> Attendance | None:
        """The seat a person is summoned to (pending or accepted) in this meeting, if any."""
        for row in self.rows.values():
            if row.substitute_id == person_id and row.substitute_answer in ("pending", "accepted"):
                return row
        return None

    def name(self, person_id: int | None) -> str:
        return self.names.get(person_id or 0, "?")


async def load_seats(session: AsyncSession, meeting: Meeting, now: datetime | None = None) -> Seats:
    """The meeting's members, rows, substitutes and officers (as of `now`, for R-P3)."""
    council = await session.get(Council, meeting.council_id)
    assert council is not None
    people = await session.exec(
        select(Person, Membership)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .where(Membership.council_id == council.id, Membership.current())
        .order_by(col(Membership.id))
    )
    seats = Seats(meeting, council, [], {}, {}, now=now)
    for person, membership in people.all():
        pid = person.id or 0
        seats.names[pid] = person.name
        if membership.role in VOTING_ROLES:
            seats.members.append(pid)
        if membership.role == MembershipRole.SUBSTITUTE and membership.substitute_for_id:
            seats.substitute_for[pid] = membership.substitute_for_id
        if membership.role == MembershipRole.SECRETARIAT:
            seats.secretariat.append(pid)
        if membership.office == Office.CHAIR:
            seats.chair = pid
        elif membership.office == Office.VICE_CHAIR:
            seats.vice_chair = pid
    rows = await session.exec(select(Attendance).where(Attendance.meeting_id == meeting.id))
    seats.rows = {r.person_id: r for r in rows.all()}
    seats.on_leave = await _officers_on_leave(session, seats)
    return seats


async def _officers_on_leave(session: AsyncSession, seats: Seats) -> set[int]:
    """R-P3/R-S4/R-S5: the chair or vice chair on a long absence (not rejected, not ended) that
    covers the meeting's day — absent even before the sweep has given their seat away."""
    officers = [p for p in (seats.chair, seats.vice_chair) if p is not None]
    if not officers:
        return set()
    leaves = await session.exec(
        select(LongAbsence).where(
            col(LongAbsence.person_id).in_(officers),
            col(LongAbsence.ended_at).is_(None),
            or_(
                col(LongAbsence.decision).is_(None),
                col(LongAbsence.decision) != LongAbsenceDecision.REJECTED,
            ),
        )
    )
    day = seats.meeting.starts_at.astimezone(ZoneInfo(seats.council.timezone)).date()
    return {
        leave.person_id
        for leave in leaves.all()
        if covers(leave.starts_on, leave.expected_back, day)
    }


async def standing_meeting(
    session: AsyncSession, actor: Actor, meeting_id: int, *, lock: bool = False
) -> Meeting:
    """A meeting of the actor's council that takes place (services.meetings.meeting_of): a
    cancelled meeting has no seats, absences or check-ins, so it is not found here."""
    meeting = await meeting_of(session, actor, meeting_id, lock=lock)
    if meeting.status == MeetingStatus.CANCELLED:
        raise Refused("not_found", "the meeting has been cancelled")
    return meeting


async def next_meeting(session: AsyncSession, actor: Actor, now: datetime) -> Meeting:
    """The meeting in progress, else the next planned one (a late-opened meeting still counts)."""
    open_meeting = (
        await session.exec(
            select(Meeting)
            .where(Meeting.council_id == actor.council_id, Meeting.status == MeetingStatus.OPEN)
            .order_by(col(Meeting.starts_at))
        )
    ).first()
    if open_meeting is not None:
        return open_meeting
    coming = await planned_meetings(session, actor.council_id, now)
    if not coming:
        raise Refused("not_found", "no coming meeting")
    return coming[0]


async def planned_meetings(session: AsyncSession, council_id: int, now: datetime) -> list[Meeting]:
    """Planned meetings not yet opened, soonest first (one that started late still counts that day)."""
    meetings = await session.exec(
        select(Meeting)
        .where(
            Meeting.council_id == council_id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at >= now - LATE_START,
        )
        .order_by(col(Meeting.starts_at))
    )
    return list(meetings.all())


async def acting_chair_now(session: AsyncSession, council_id: int, now: datetime) -> int | None:
    """R-P3: the vice chair when the chair is absent from the council's meeting in progress or
    next meeting (reported absent, or on a long absence that covers it); None when the chair
    leads it, or there is no meeting to come. For notices about the council, not one meeting."""
    meeting = (
        await session.exec(
            select(Meeting)
            .where(Meeting.council_id == council_id, Meeting.status == MeetingStatus.OPEN)
            .order_by(col(Meeting.starts_at))
        )
    ).first()
    if meeting is None:
        coming = await planned_meetings(session, council_id, now)
        meeting = coming[0] if coming else None
    if meeting is None:
        return None
    seats = await load_seats(session, meeting, now)
    acting = seats.acting_chair()
    return acting if acting != seats.chair else None


def meeting_roles(
    actor: Actor, seats: Seats, *, arriving: bool = False
) -> tuple[frozenset[str], bool | None]:
    """R-P3/R-P6: the actor's roles for this meeting, and whether the chair powers for it are
    theirs (True), not theirs although they are chair (False), or not in question (None)."""
    roles = set(actor.roles)
    seat = seats.seat_of_substitute(actor.person_id)
    if seat is not None and stands_in(seat.substitute_answer):
        roles.add(Role.STANDING_IN)
    leader = seats.acting_chair(arriving=actor.person_id if arriving else None)
    if leader == actor.person_id:
        return frozenset(roles), True
    return frozenset(roles), False if actor.office == Office.CHAIR else None


def require(actor: Actor, seats: Seats, action: Action, *, arriving: bool = False) -> None:
    """Refuse unless the actor may do `action` in this meeting (standing in, acting chair);
    `arriving`: the actor counts as present (a chair who opens the meeting has come)."""
    roles, acting = meeting_roles(actor, seats, arriving=arriving)
    if not may(roles, action, acting_chair=acting):
        leader = seats.acting_chair(arriving=actor.person_id if arriving else None)
        if acting is False and leader is not None and may(roles, action):
            raise Refused(
                "not_leading", f"{action}: the chair is absent", acting=seats.name(leader)
            )
        raise Refused(
            "not_allowed", f"{actor.role} may not {action} in this meeting", action=str(action)
        )


async def require_for_meeting(
    session: AsyncSession, actor: Actor, meeting: Meeting, action: Action, *, now: datetime
) -> None:
    """R-P3: `require` for a use case on one meeting, its preparation included (the acting chair
    approves, orders, takes in and gives the R-D3 reason; an absent chair does not)."""
    require(actor, await load_seats(session, meeting, now), action)


async def acting_chair_of(session: AsyncSession, meeting: Meeting, now: datetime) -> int | None:
    """R-P3: who leads this meeting as of `now` (None: nobody of the officers, no one named)."""
    return (await load_seats(session, meeting, now)).acting_chair()


async def meeting_preparers(session: AsyncSession, meeting: Meeting, now: datetime) -> list[int]:
    """R-M3/R-P3: who hears "the chair's" notices about preparing this meeting: its acting chair
    (the chair unless absent from it) and the secretariat."""
    seats = await load_seats(session, meeting, now)
    leader = seats.acting_chair()
    if leader is None:
        leader = seats.chair  # nobody leads yet: the chair still hears of it
    return list(dict.fromkeys([*([leader] if leader else []), *seats.secretariat]))


def record_event(
    session: AsyncSession,
    row: Attendance,
    kind: AttendanceEventKind,
    *,
    now: datetime,
    actor_id: int | None,
    person_id: int | None = None,
) -> AttendanceEvent:
    """R-Q4/R-X3: append to the seat's history (who, what, when, done by whom).

    Its id (after a flush) also keys the notices the change causes, so each change notifies once
    however often the same thing happens.
    """
    event = AttendanceEvent(
        meeting_id=row.meeting_id,
        member_id=row.person_id,
        person_id=person_id or row.person_id,
        actor_id=actor_id,
        kind=kind,
        at=now,
    )
    session.add(event)
    return event


def meeting_payload(seats: Seats) -> dict[str, Any]:
    """What every notice about the meeting shows: when, where, which council."""
    local = seats.meeting.starts_at.astimezone(ZoneInfo(seats.council.timezone))
    return {
        "meeting_id": seats.meeting.id,
        "starts_at": local.isoformat(),
        "place": seats.meeting.place,
        "council": seats.council.name,
    }


async def tell(
    session: AsyncSession,
    seats: Seats,
    people: Sequence[int | None],
    *,
    kind: str,
    key: str,
    now: datetime,
    payload: dict[str, Any],
) -> int:
    """Enqueue one notice per person (each once: the key gets the person id)."""
    added = 0
    for person_id in dict.fromkeys(p for p in people if p is not None):
        added += await enqueue(
            session,
            person_id=person_id,
            kind=kind,
            dedupe_key=f"{key}:{person_id}",
            now=now,
            payload={**meeting_payload(seats), **payload},
            council_id=seats.council.id,
        )
    return added
