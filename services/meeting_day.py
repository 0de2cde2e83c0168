"""The meeting day (R-M5, R-P3, R-Q2): the acting chair opens and closes the meeting; members and
standing-in substitutes check in and out; the secretariat (or the chair) marks others present or
gone. Each change is kept as an event for the minutes (R-Q4) and the allowance export (R-X3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    MeetingStatus,
    SubstituteAnswer,
    SubstituteStatus,
)
from models.tables import Attendance, Meeting, Person
from models.unit_of_work import TryAlone
from procedure.attendance import may_open, oldest_present
from procedure.permissions import Action, Role
from services import audit
from services.actors import Actor
from services.attendance import release_substitute
from services.errors import Refused
from services.late_ballots import hand_ballots
from services.minutes import draft_minutes
from services.quorum import QuorumView, after_change, build_view, status_of, touch
from services.seats import (
    Seats,
    load_seats,
    next_meeting,
    record_event,
    require,
    standing_meeting,
    tell,
)


@dataclass(frozen=True)
class Presence:
    """Who was checked in or out, and for whose seat (a substitute stands for a member)."""

    meeting_id: int
    person: str
    member: str
    present: bool
    quorate: bool
    present_count: int
    required: int


async def _meeting(
    session: AsyncSession, actor: Actor, meeting_id: int | None, now: datetime
) -> Meeting:
    if meeting_id is not None:
        return await standing_meeting(session, actor, meeting_id, lock=True)
    meeting = await next_meeting(session, actor, now)
    return await standing_meeting(session, actor, meeting.id or 0, lock=True)


async def open_meeting(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    meeting_id: int | None = None,
    acting_chair_name: str | None = None,
) -> QuorumView:
    """R-M5/R-P3: the acting chair opens the meeting on its day and is checked in by it; when the
    chair and vice chair are both absent, the secretariat opens it and names the acting chair."""
    meeting = await _meeting(session, actor, meeting_id, now)
    seats = await load_seats(session, meeting, now)
    if meeting.status == MeetingStatus.OPEN:
        raise Refused("already_open")
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    if Role.SECRETARIAT in actor.roles:
        opener = await _name_acting_chair(session, actor, seats, acting_chair_name)
    else:
        require(actor, seats, Action.OPEN_MEETING, arriving=True)  # opening is arriving
        opener = actor.person_id
    tz = ZoneInfo(seats.council.timezone)
    if not may_open(now, meeting.starts_at, tz):
        raise Refused("too_early", starts_at=meeting.starts_at.astimezone(tz).isoformat())
    meeting.status, meeting.opened_at = MeetingStatus.OPEN, now
    session.add(meeting)
    audit.record(
        session,
        now=now,
        action="meeting.open",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    _arrive(session, seats, opener, actor=actor, now=now)
    await session.flush()
    await _call_in(session, seats, now=now)
    await touch(session, seats, now=now)
    return build_view(seats)


# A notice's intent: its recipient is to check in to this meeting (bot/delivery.py makes the button).
CHECK_IN_TO = "check_in_to"


def expected_now(seats: Seats) -> list[int]:
    """R-Q2: who is expected and has not checked in: members not reported absent, and for an
    absent member the substitute summoned (pending or accepted) who has not come yet."""
    expected = []
    for member in seats.members:
        row = seats.rows.get(member)
        if row is None or row.status == AttendanceStatus.EXPECTED:
            expected.append(member)
        elif _summoned(row) and row.substitute_status is None and row.substitute_id:
            expected.append(row.substitute_id)
    return expected


async def _call_in(session: AsyncSession, seats: Seats, *, now: datetime) -> None:
    """R-Q2: the meeting is open — those expected are told, with a button to check in."""
    await tell(
        session,
        seats,
        expected_now(seats),
        kind="meeting_opened",
        key=f"opened:{seats.meeting.id}",
        now=now,
        payload={CHECK_IN_TO: {"meeting_id": seats.meeting.id}},
    )


async def _name_acting_chair(
    session: AsyncSession, actor: Actor, seats: Seats, name: str | None
) -> int:
    """R-P3: the secretariat opens only a meeting whose chair and vice chair are both absent, and
    names who leads it (the oldest member present, or whom the members chose: a setting)."""
    if seats.acting_chair() is not None:
        raise Refused("not_allowed", "the chair or vice chair leads this meeting", action="open")
    if not name or not name.strip():
        if seats.council.acting_chair_choice == "oldest":
            return await _oldest_present(session, seats)
        raise Refused(f"acting_chair_needed_{seats.council.acting_chair_choice}")
    person_id = await _target(session, actor, seats, name)
    if person_id not in seats.members:
        raise Refused("does_not_count", name=seats.name(person_id))
    if seats.row(person_id).status == AttendanceStatus.ABSENT:
        raise Refused("acting_chair_absent", name=seats.name(person_id))
    seats.meeting.acting_chair_id = person_id
    return person_id


async def _oldest_present(session: AsyncSession, seats: Seats) -> int:
    """R-P3 with the setting "oldest": the oldest member present (checked in) leads; without every
    present member's birth date (the members file's foedselsdato) the secretariat names someone."""
    present = [
        m
        for m in seats.members
        if seats.rows.get(m) and seats.row(m).status == AttendanceStatus.PRESENT
    ]
    born = {
        person.id or 0: person.born
        for person in await session.exec(select(Person).where(col(Person.id).in_(present)))
    }
    oldest, missing = oldest_present(born)
    if missing:
        names = ", ".join(sorted(seats.name(m) for m in missing))
        raise Refused("birth_dates_missing", f"no birth date for {names}", names=names)
    if oldest is None:
        raise Refused("acting_chair_needed_oldest")
    seats.meeting.acting_chair_id = oldest
    return oldest


def _arrive(
    session: AsyncSession, seats: Seats, person_id: int, *, actor: Actor, now: datetime
) -> None:
    """R-Q2/R-Q4: the member who opens (or is named to lead) the meeting is there: checked in."""
    if person_id not in seats.members:
        return
    row = seats.row(person_id)
    if row.status == AttendanceStatus.PRESENT:
        return
    row.status, row.arrived_at, row.left_at = AttendanceStatus.PRESENT, now, None
    session.add(row)
    record_event(session, row, AttendanceEventKind.ARRIVED, now=now, actor_id=actor.person_id)


async def close_meeting(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> QuorumView:
    """R-M5: the acting chair closes the meeting; whoever is still there leaves at the close."""
    meeting = await _meeting(session, actor, meeting_id, now)
    seats = await load_seats(session, meeting, now)
    require(actor, seats, Action.CLOSE_MEETING)
    if meeting.status != MeetingStatus.OPEN:
        raise Refused("meeting_closed" if meeting.status == MeetingStatus.CLOSED else "not_open")
    meeting.status, meeting.closed_at = MeetingStatus.CLOSED, now
    session.add(meeting)
    for row in seats.rows.values():
        there = row.status == AttendanceStatus.PRESENT or (
            row.substitute_status == SubstituteStatus.PRESENT
        )
        if there:
            row.left_at = now  # R-X3: the departure time of those who stayed to the end
            session.add(row)
    audit.record(
        session,
        now=now,
        action="meeting.close",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting.id}",
    )
    await session.flush()
    await touch(session, seats, now=now)
    await _show_the_next_meeting(session, actor, now)
    await draft_minutes(session, meeting=meeting, now=now)  # R-X2: to the secretariat
    return build_view(seats)


async def _show_the_next_meeting(session: AsyncSession, actor: Actor, now: datetime) -> None:
    """R-Q2: once a meeting closes, the group's pinned message moves on to the coming one."""
    try:
        following = await next_meeting(session, actor, now)
    except Refused as refused:
        if refused.code != "not_found":
            raise
        return
    await touch(session, await load_seats(session, following, now), now=now)


async def check_in(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    meeting_id: int | None = None,
    person_name: str | None = None,
) -> Presence:
    """R-Q2: the actor checks in, or (secretariat, acting chair) marks someone else present."""
    return await _set_presence(session, actor, now, meeting_id, person_name, present=True)


async def check_out(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    meeting_id: int | None = None,
    person_name: str | None = None,
) -> Presence:
    """R-Q2: the actor leaves (may come back), or the secretariat marks someone gone."""
    return await _set_presence(session, actor, now, meeting_id, person_name, present=False)


@dataclass(frozen=True)
class PresenceRequest:
    """One check-in or check-out of a burst (set_presences)."""

    actor: Actor
    meeting_id: int | None
    present: bool
    now: datetime
    person_name: str | None = None


async def set_presences(
    session: AsyncSession, requests: list[PresenceRequest]
) -> list[Presence | Refused]:
    """R-Q2: a burst of check-ins and check-outs in one transaction (issue 15): each meeting and its
    seats are read once, and each change is applied in order of arrival exactly as it would be
    alone; a refusal is that request's own answer. A request refused after it changed something
    raises TryAlone: the caller applies each request in a transaction of its own instead."""
    seats_of: dict[int, Seats] = {}
    flushes = [0]

    def flushed(*_: object) -> None:
        flushes[0] += 1

    event.listen(session.sync_session, "after_flush", flushed)
    try:
        results: list[Presence | Refused] = []
        for request in requests:
            await session.flush()
            before = flushes[0]
            try:
                results.append(
                    await _set_presence(
                        session,
                        request.actor,
                        request.now,
                        request.meeting_id,
                        request.person_name,
                        present=request.present,
                        seats_of=seats_of,
                    )
                )
            except Refused as refused:
                if flushes[0] != before or session.new or session.dirty or session.deleted:
                    raise TryAlone from refused
                results.append(refused)
        return results
    finally:
        event.remove(session.sync_session, "after_flush", flushed)


async def _set_presence(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    meeting_id: int | None,
    person_name: str | None,
    *,
    present: bool,
    seats_of: dict[int, Seats] | None = None,
) -> Presence:
    known = (seats_of or {}).get(meeting_id or 0)
    if known is not None:  # locked and read by this burst already: only the council is checked
        if known.meeting.council_id != actor.council_id:
            raise Refused("not_found", "no such meeting in your council")
        meeting, seats = known.meeting, known
    else:
        meeting = await _meeting(session, actor, meeting_id, now)
        seats = await load_seats(session, meeting, now)
        if seats_of is not None:
            seats_of[meeting.id or 0] = seats
    person_id = await _target(session, actor, seats, person_name)
    if person_id != actor.person_id:
        try:
            require(actor, seats, Action.CHECK_IN_OTHERS)
        except Refused as refused:
            if refused.code != "not_allowed":
                raise
            raise Refused("only_yourself") from None
    _require_the_day(meeting, seats, now)
    before = status_of(seats)
    row, is_substitute = _seat(seats, person_id, actor)
    if not is_substitute and present and _summoned(row) and row.substitute_status is None:
        # R-S3/R-Q1: the member came after all — the seat is theirs; the substitute (not yet
        # arrived, or _seat refused) is told they are not needed, so nobody counts twice.
        await release_substitute(session, seats, row, now=now, actor_id=actor.person_id)
    if is_substitute:
        _move_substitute(row, present=present, now=now)
    else:
        _move_member(row, present=present, now=now)
    session.add(row)
    kind = AttendanceEventKind.ARRIVED if present else AttendanceEventKind.LEFT
    record_event(session, row, kind, now=now, actor_id=actor.person_id, person_id=person_id)
    after = await after_change(session, seats, before, now=now)
    if present:
        await hand_ballots(session, seats, person_id, now=now)  # R-Q3/R-E1: a vote is open
    return Presence(
        meeting_id=meeting.id or 0,
        person=seats.name(person_id),
        member=seats.name(row.person_id),
        present=present,
        quorate=after.quorate,
        present_count=after.present,
        required=after.required,
    )


async def _target(
    session: AsyncSession, actor: Actor, seats: Seats, person_name: str | None
) -> int:
    """The person meant: the actor, or someone of the council named (case-insensitive)."""
    if not person_name or not person_name.strip():
        return actor.person_id
    wanted = person_name.strip().casefold()
    found = [pid for pid, name in seats.names.items() if name.casefold() == wanted]
    if not found:
        people = await session.exec(
            select(Person.id).where(
                Person.council_id == actor.council_id,
                func.lower(Person.name) == wanted,
            )
        )
        found = [p for p in people.all() if p is not None]
    if not found:
        raise Refused(
            "not_found", f"no one called {person_name!r} in the council", name=person_name
        )
    return found[0]


def _require_the_day(meeting: Meeting, seats: Seats, now: datetime) -> None:
    """R-Q2: check-ins count from the meeting's day — one before the opening counts when it opens."""
    if meeting.status == MeetingStatus.CLOSED:
        raise Refused("meeting_closed")
    tz = ZoneInfo(seats.council.timezone)
    if meeting.status != MeetingStatus.OPEN and not may_open(now, meeting.starts_at, tz):
        raise Refused("not_open")


def _summoned(row: Attendance) -> bool:
    return row.status == AttendanceStatus.ABSENT and row.substitute_answer in (
        SubstituteAnswer.PENDING,
        SubstituteAnswer.ACCEPTED,
    )


def _seat(seats: Seats, person_id: int, actor: Actor) -> tuple[Attendance, bool]:
    """The seat the person attends for: their own as member, or the one they stand in for."""
    if person_id in seats.members:
        row = seats.row(person_id)
        if _summoned(row) and row.substitute_status == SubstituteStatus.PRESENT:
            # R-Q1: the substitute is there in the seat; they check out before the member counts.
            raise Refused("substitute_stands_in", substitute=seats.name(row.substitute_id))
        return row, False
    row_or_none = seats.seat_of_substitute(person_id)
    if row_or_none is None:
        if person_id == actor.person_id:
            raise Refused("not_allowed", "only members and standing-in substitutes check in")
        raise Refused("does_not_count", name=seats.name(person_id))
    if row_or_none.substitute_answer == SubstituteAnswer.PENDING:
        # A summoned substitute who comes has accepted by coming (R-S7: the answer is recorded).
        row_or_none.substitute_answer = SubstituteAnswer.ACCEPTED
    return row_or_none, True


def _move_member(row: Attendance, *, present: bool, now: datetime) -> None:
    if present:
        if row.status == AttendanceStatus.PRESENT:
            raise Refused("already_present")
        # A member reported absent without a substitute may come after all; the report stays.
        row.status = AttendanceStatus.PRESENT
        row.arrived_at = row.arrived_at or now
        row.left_at = None
    else:
        if row.status != AttendanceStatus.PRESENT:
            raise Refused("not_present")
        row.status, row.left_at = AttendanceStatus.LEFT, now


def _move_substitute(row: Attendance, *, present: bool, now: datetime) -> None:
    if present:
        if row.substitute_status == SubstituteStatus.PRESENT:
            raise Refused("already_present")
        row.substitute_status = SubstituteStatus.PRESENT
        row.arrived_at = row.arrived_at or now
        row.left_at = None
    else:
        if row.substitute_status != SubstituteStatus.PRESENT:
            raise Refused("not_present")
        row.substitute_status, row.left_at = SubstituteStatus.LEFT, now
