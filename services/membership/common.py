"""What every change of membership (R-S6) shares: today's date in the council, the current
membership, a membership begun, the seats of coming meetings released, the newcomer welcomed, the
chair and secretariat told."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    MeetingStatus,
    SubstituteAnswer,
)
from models.tables import Council, Meeting, Membership, Person
from models.term import Vacancy
from services.attendance import send_agenda_if_out
from services.errors import Refused
from services.members import VOTING_ROLES
from services.outbox import enqueue
from services.quorum import after_change, status_of
from services.recipients import preparers
from services.seats import load_seats, record_event

STALE = timedelta(days=1)  # a planned meeting this long past is no longer coming

MEMBER, SUBSTITUTE, MAYOR = "member", "substitute", "mayor"  # Vacancy.kind

# A notice's intent: the substitute is to accept or decline this seat (bot/delivery.py makes the
# buttons with the codec).
OFFER_TO_ANSWER = "membership_offer_to_answer"


def today(council: Council, now: datetime) -> date:
    """The council's local date (memberships start and end on dates)."""
    return now.astimezone(ZoneInfo(council.timezone)).date()


async def current_membership(
    session: AsyncSession, council_id: int, person_id: int
) -> tuple[Membership, Person]:
    person = await session.get(Person, person_id)
    if person is None or person.council_id != council_id:
        raise Refused("not_found", "no such person in your council")
    membership = (
        await session.exec(
            select(Membership).where(Membership.person_id == person_id, Membership.current())
        )
    ).first()
    if membership is None:
        raise Refused("not_current_member", name=person.name)
    return membership, person


def start_membership(
    session: AsyncSession,
    council: Council,
    person: Person,
    role: str,
    *,
    on: date,
    substitute_for: int | None = None,
) -> Membership:
    membership = Membership(
        council_id=council.id or 0,
        person_id=person.id or 0,
        role=role,
        substitute_for_id=substitute_for,
        started_on=on,
    )
    session.add(membership)
    return membership


async def open_vacancies(session: AsyncSession, council_id: int) -> list[Vacancy]:
    """Seats the parties still have to fill, oldest first."""
    rows = await session.exec(
        select(Vacancy)
        .where(Vacancy.council_id == council_id, col(Vacancy.filled_at).is_(None))
        .order_by(col(Vacancy.id))
    )
    return list(rows.all())


async def party_members(session: AsyncSession, council_id: int, party: str | None) -> list[int]:
    """The current mayors and members (of `party`, when given)."""
    statement = (
        select(Membership.person_id)
        .join(Person, col(Person.id) == col(Membership.person_id))
        .where(
            Membership.council_id == council_id,
            Membership.current(),
            col(Membership.role).in_(VOTING_ROLES),
        )
    )
    if party is not None:
        statement = statement.where(Person.party == party)
    return list((await session.exec(statement)).all())


async def release_seats(
    session: AsyncSession, council_id: int, person_id: int, *, now: datetime
) -> None:
    """Coming meetings forget the person's seat: their own absence and any summons they hold."""
    meetings = await session.exec(
        select(Meeting).where(
            Meeting.council_id == council_id,
            col(Meeting.status).in_([MeetingStatus.PLANNED, MeetingStatus.OPEN]),
        )
    )
    for meeting in meetings.all():
        if meeting.status == MeetingStatus.PLANNED and meeting.starts_at < now - STALE:
            continue  # long past and never held: history (perhaps an archived term's), not a seat
        seats = await load_seats(session, meeting)
        before = status_of(seats)
        for row in list(seats.rows.values()):
            if row.substitute_id == person_id and row.substitute_answer in (
                SubstituteAnswer.PENDING,
                SubstituteAnswer.ACCEPTED,
            ):
                record_event(
                    session,
                    row,
                    AttendanceEventKind.RELEASED,
                    now=now,
                    actor_id=None,
                    person_id=person_id,
                )
                row.substitute_id, row.substitute_answer = None, SubstituteAnswer.NOT_SUMMONED
                session.add(row)
        own = seats.rows.pop(person_id, None)
        if own is not None and own.status == AttendanceStatus.ABSENT and own.substitute_id:
            record_event(
                session,
                own,
                AttendanceEventKind.RELEASED,
                now=now,
                actor_id=None,
                person_id=own.substitute_id,
            )
            own.substitute_id, own.substitute_answer = None, SubstituteAnswer.NOT_SUMMONED
            session.add(own)
        # The council's size changed: the pinned quorum message is redrawn either way (R-Q2).
        await after_change(session, seats, before, now=now)


async def welcome(
    session: AsyncSession, council: Council, person: Person, *, now: datetime
) -> None:
    """A new member receives the agendas already sent of the meetings to come (R-P6)."""
    meetings = await session.exec(
        select(Meeting).where(
            Meeting.council_id == council.id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > now,
            col(Meeting.agenda_distributed_at).is_not(None),
        )
    )
    for meeting in meetings.all():
        await send_agenda_if_out(session, meeting, person.id or 0, now=now)


async def tell_preparers(
    session: AsyncSession,
    council_id: int,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: datetime,
) -> None:
    """The chair and the secretariat are told of every change of membership."""
    council = await session.get(Council, council_id)
    assert council is not None
    for person_id in await preparers(session, council_id):
        await enqueue(
            session,
            person_id=person_id,
            kind=kind,
            dedupe_key=f"{key}:{person_id}",
            now=now,
            payload={**payload, "council": council.name},
            council_id=council_id,
        )
