"""Membership over time (R-S6): a member or substitute leaves, a substitute steps up or declines, a
party names a new member or substitute, a mayor changes party.

Nothing is deleted: a membership that ends keeps its row (ended_on, end_reason), so attendance,
votes and minutes still say who was who. Every query of today's members reads only current rows
(`Membership.current()`), so quorum (R-Q1), recipients (R-P6), menus and invitations follow at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    AttendanceEventKind,
    AttendanceStatus,
    MeetingStatus,
    MembershipRole,
    NoticeStatus,
    SubstituteAnswer,
)
from models.tables import Council, Meeting, Membership, Notice, Person
from models.term import TermParty, Vacancy
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.attendance import send_agenda_if_out
from services.errors import Refused
from services.members import VOTING_ROLES, over_cap_allowance
from services.outbox import enqueue
from services.quorum import after_change, status_of
from services.recipients import preparers
from services.seats import load_seats, record_event

MEMBER, SUBSTITUTE, MAYOR = "member", "substitute", "mayor"  # Vacancy.kind


@dataclass(frozen=True)
class Departure:
    """What a departure set going: the seat to fill and who was asked."""

    vacancy_id: int | None
    asked: str | None  # the substitute asked to become member
    office: str | None  # R-K3: the office that fell vacant


async def leave(
    session: AsyncSession,
    *,
    actor: Actor,
    person_id: int,
    on: date,
    reason: str,
    now: datetime,
) -> Departure:
    """R-S6: a member or substitute leaves the council from `on`, for `reason`."""
    actor.require(Action.MANAGE_MEMBERS)
    membership, person = await _current(session, actor.council_id, person_id)
    if membership.role not in (*VOTING_ROLES, MembershipRole.SUBSTITUTE):
        raise Refused("staff_cannot_leave", name=person.name)
    here = await session.get(Council, actor.council_id)
    assert here is not None
    # A membership ends when the leave is recorded: a date to come would leave a member in the
    # council who is no longer counted, so it is refused (record it on the day).
    if on > _today(here, now):
        raise Refused("leave_date_future", day=on.isoformat())
    membership.ended_on, membership.end_reason = on, reason.strip() or None
    session.add(membership)
    await session.flush()
    await _release_seats(session, actor.council_id, person_id, now=now)
    await _withdraw_pending_notices(session, person_id, now=now)
    vacancy = await _open_vacancy(session, membership, person, on=on, now=now)
    asked = await session.get(Person, vacancy.offered_to_id) if vacancy.offered_to_id else None
    council = await session.get(Council, actor.council_id)
    assert council is not None
    payload: dict[str, Any] = {
        "council": council.name,
        "member": person.name,
        "role": membership.role,
        "on": on.isoformat(),
        "reason": reason,
        "party": person.party,
        "asked": asked.name if asked else None,
        "kind": vacancy.kind,
        "office": membership.office,
    }
    await _tell_preparers(
        session, actor.council_id, "member_left", f"left:{membership.id}", payload, now
    )
    if asked is not None:
        await enqueue(
            session,
            person_id=asked.id or 0,
            kind="membership_offer",
            dedupe_key=f"offer:{vacancy.id}",
            now=now,
            payload={
                **payload,
                OFFER_TO_ANSWER: {"vacancy_id": vacancy.id},
            },
            council_id=actor.council_id,
        )
    audit.record(
        session,
        now=now,
        action="membership.leave",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"person:{person_id}",
        on=on.isoformat(),
        reason=reason,
        role=membership.role,
    )
    return Departure(vacancy.id, asked.name if asked else None, membership.office)


# A notice's intent: the substitute is to accept or decline this seat (bot/delivery.py makes the
# buttons with the codec).
OFFER_TO_ANSWER = "membership_offer_to_answer"


async def answer_offer(
    session: AsyncSession, *, actor: Actor, vacancy_id: int, accept: bool, now: datetime
) -> Vacancy:
    """R-S6: the substitute accepts (becomes member; the party names a new substitute) or declines
    (stays substitute; the party names a new member)."""
    vacancy = await session.get(Vacancy, vacancy_id, with_for_update=True)
    if vacancy is None or vacancy.council_id != actor.council_id:
        raise Refused("not_found", "no such seat in your council")
    if vacancy.offered_to_id != actor.person_id:
        raise Refused("offer_not_yours")
    if vacancy.offer_answer != SubstituteAnswer.PENDING or vacancy.filled_at is not None:
        raise Refused("offer_answered")
    vacancy.offer_answer = SubstituteAnswer.ACCEPTED if accept else SubstituteAnswer.DECLINED
    vacancy.answered_at = now
    session.add(vacancy)
    person = await session.get(Person, actor.person_id)
    left = await session.get(Person, vacancy.left_id or 0)
    assert person is not None
    if accept:
        await _step_up(session, vacancy, person, now=now)
    payload = {
        "substitute": person.name,
        "member": left.name if left else "?",
        "party": vacancy.party,
        "accepted": accept,
    }
    await _tell_preparers(
        session, actor.council_id, "membership_answered", f"answered:{vacancy.id}", payload, now
    )
    audit.record(
        session,
        now=now,
        action="membership.offer_answer",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"vacancy:{vacancy.id}",
        accepted=accept,
    )
    return vacancy


async def name_person(
    session: AsyncSession,
    *,
    actor: Actor,
    kind: str,
    party: str,
    name: str,
    municipality_id: int | None,
    now: datetime,
) -> Vacancy:
    """R-S6: the party names its new member or substitute for the open seat of that kind."""
    actor.require(Action.MANAGE_MEMBERS)
    vacancy = await _open_seat(session, actor.council_id, kind, party)
    person = await _person_for(session, actor.council_id, name, party, municipality_id)
    await _not_current(session, actor.council_id, person)
    council = await session.get(Council, actor.council_id)
    assert council is not None
    if kind in (MEMBER, MAYOR):
        await _check_cap(session, council)
        role = MembershipRole.MAYOR if kind == MAYOR else MembershipRole.MEMBER
        if kind == MAYOR:  # the municipality's new mayor takes the municipality's seat (R-P2)
            person.municipality_id = vacancy.municipality_id
            session.add(person)
        _start(session, council, person, role, on=_today(council, now))
        if vacancy.substitute_id is not None:  # R-S6: the declining substitute stays, for them
            await _repoint_substitute(session, council, vacancy.substitute_id, person, now)
    else:
        _start(
            session,
            council,
            person,
            MembershipRole.SUBSTITUTE,
            on=_today(council, now),
            substitute_for=vacancy.for_member_id,
        )
    vacancy.filled_by_id, vacancy.filled_at = person.id, now
    session.add(vacancy)
    await session.flush()
    await _welcome(session, council, person, now=now)
    payload = {"person": person.name, "kind": kind, "party": party}
    await _tell_preparers(
        session, actor.council_id, "vacancy_filled", f"filled:{vacancy.id}", payload, now
    )
    audit.record(
        session,
        now=now,
        action="membership.name",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"vacancy:{vacancy.id}",
        person=person.name,
        kind=kind,
    )
    return vacancy


async def change_party(
    session: AsyncSession, *, actor: Actor, person_id: int, party: str, now: datetime
) -> Vacancy | None:
    """R-S6: a mayor who changes party stays; if the mayor was the old party's only member and
    the party had at least 2 %, it may name a new member, above the cap (R-C2) if need be.
    An elected member or substitute who leaves the party leaves the council (use `leave`)."""
    actor.require(Action.MANAGE_MEMBERS)
    membership, person = await _current(session, actor.council_id, person_id)
    if membership.role != MembershipRole.MAYOR:
        raise Refused("party_change_leaves", name=person.name)
    council = await session.get(Council, actor.council_id)
    assert council is not None
    old = person.party
    person.party = party
    session.add(person)
    await session.flush()
    vacancy = None
    if (
        old
        and not await _party_members(session, actor.council_id, old)
        and await _qualified(session, actor.council_id, old)
    ):
        vacancy = Vacancy(
            council_id=actor.council_id,
            kind=MEMBER,
            party=old,
            left_id=person.id,
            over_cap=True,
            opened_on=_today(council, now),
            created_at=now,
        )
        session.add(vacancy)
        await session.flush()
    payload = {"mayor": person.name, "old": old, "new": party, "may_name": vacancy is not None}
    await _tell_preparers(
        session, actor.council_id, "mayor_changed_party", f"party:{person.id}:{party}", payload, now
    )
    audit.record(
        session,
        now=now,
        action="membership.change_party",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"person:{person_id}",
        old=old,
        new=party,
    )
    return vacancy


async def open_vacancies(session: AsyncSession, council_id: int) -> list[Vacancy]:
    """Seats the parties still have to fill, oldest first."""
    rows = await session.exec(
        select(Vacancy)
        .where(Vacancy.council_id == council_id, col(Vacancy.filled_at).is_(None))
        .order_by(col(Vacancy.id))
    )
    return list(rows.all())


def _today(council: Council, now: datetime) -> date:
    """The council's local date (memberships start and end on dates)."""
    return now.astimezone(ZoneInfo(council.timezone)).date()


# --- the steps -------------------------------------------------------------------------------


async def _current(
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


async def _open_vacancy(
    session: AsyncSession, membership: Membership, person: Person, *, on: date, now: datetime
) -> Vacancy:
    """R-S6: a member's seat goes first to their substitute; a substitute's to a new one."""
    vacancy = Vacancy(
        council_id=membership.council_id,
        kind=MEMBER,
        party=person.party,
        municipality_id=person.municipality_id,
        left_id=person.id,
        office=membership.office,
        opened_on=on,
        created_at=now,
    )
    if membership.role == MembershipRole.SUBSTITUTE:
        vacancy.kind, vacancy.for_member_id = SUBSTITUTE, membership.substitute_for_id
    else:
        if membership.role == MembershipRole.MAYOR:
            vacancy.kind = MAYOR
        substitute = (
            await session.exec(
                select(Membership).where(
                    Membership.substitute_for_id == person.id, Membership.current()
                )
            )
        ).first()
        # A mayor's seat is the municipality's: the new mayor takes it, not the substitute.
        if substitute is not None:
            vacancy.substitute_id = substitute.person_id
            if membership.role == MembershipRole.MEMBER:
                vacancy.offered_to_id, vacancy.offered_at = substitute.person_id, now
                vacancy.offer_answer = SubstituteAnswer.PENDING
    session.add(vacancy)
    await session.flush()
    return vacancy


async def _step_up(
    session: AsyncSession, vacancy: Vacancy, person: Person, *, now: datetime
) -> None:
    """R-S6: the substitute becomes member; the party is asked for a new substitute."""
    council = await session.get(Council, vacancy.council_id)
    assert council is not None
    old = (
        await session.exec(
            select(Membership).where(Membership.person_id == person.id, Membership.current())
        )
    ).one()
    old.ended_on, old.end_reason = _today(council, now), "became member"
    session.add(old)
    await session.flush()
    await _release_seats(session, vacancy.council_id, person.id or 0, now=now)
    _start(session, council, person, MembershipRole.MEMBER, on=_today(council, now))
    vacancy.filled_by_id, vacancy.filled_at = person.id, now
    session.add(
        Vacancy(
            council_id=vacancy.council_id,
            kind=SUBSTITUTE,
            party=vacancy.party,
            municipality_id=vacancy.municipality_id,
            left_id=person.id,
            for_member_id=person.id,
            opened_on=_today(council, now),
            created_at=now,
        )
    )
    await session.flush()
    await _welcome(session, council, person, now=now)


def _start(
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


async def _repoint_substitute(
    session: AsyncSession, council: Council, substitute_id: int, member: Person, now: datetime
) -> None:
    """R-S6: the substitute who declined stays substitute, now for the party's new member (and a
    mayor's substitute for the municipality's new mayor, until the secretariat registers another)."""
    old = (
        await session.exec(
            select(Membership).where(Membership.person_id == substitute_id, Membership.current())
        )
    ).first()
    if old is None or old.role != MembershipRole.SUBSTITUTE:
        return
    old.ended_on, old.end_reason = _today(council, now), "substitute for the new member"
    session.add(old)
    await session.flush()
    substitute = await session.get(Person, substitute_id)
    assert substitute is not None
    _start(
        session,
        council,
        substitute,
        MembershipRole.SUBSTITUTE,
        on=_today(council, now),
        substitute_for=member.id,
    )


async def _open_seat(session: AsyncSession, council_id: int, kind: str, party: str) -> Vacancy:
    for vacancy in await open_vacancies(session, council_id):
        # A mayor's seat is the municipality's, whatever the new mayor's party.
        if vacancy.kind != kind or (kind != MAYOR and vacancy.party != party):
            continue
        if vacancy.offer_answer == SubstituteAnswer.PENDING:
            raise Refused("offer_pending")
        return vacancy
    raise Refused("no_open_seat", party=party, kind=kind)


async def _person_for(
    session: AsyncSession, council_id: int, name: str, party: str, municipality_id: int | None
) -> Person:
    name = " ".join(name.split())
    if not name:
        raise Refused("name_missing")
    person = (
        await session.exec(
            select(Person).where(Person.council_id == council_id, Person.name == name)
        )
    ).first() or Person(council_id=council_id, name=name)
    person.party = party
    person.municipality_id = municipality_id or person.municipality_id
    session.add(person)
    await session.flush()
    return person


async def _not_current(session: AsyncSession, council_id: int, person: Person) -> None:
    current = (
        await session.exec(
            select(Membership).where(
                Membership.person_id == person.id,
                Membership.council_id == council_id,
                Membership.current(),
            )
        )
    ).first()
    if current is not None:
        raise Refused("already_in_council", name=person.name, role=current.role)


async def _check_cap(session: AsyncSession, council: Council) -> None:
    """R-C2: no more members than the cap, unless R-S6 allows it (a mayor changed party)."""
    count = len(await _party_members(session, council.id or 0, None))
    cap = 2 * council.municipalities
    # Seats R-S6 allowed above the cap stay allowed when their holders are later replaced.
    if count >= cap + await over_cap_allowance(session, council.id or 0):
        raise Refused("over_cap", cap=cap)


async def _party_members(session: AsyncSession, council_id: int, party: str | None) -> list[int]:
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


async def _qualified(session: AsyncSession, council_id: int, party: str) -> bool:
    """R-S6: the party had at least 2 % of the votes at the election (the current term's table);
    without a term recorded the secretariat decides, so the seat is offered."""
    from services.term import current_term  # the term module imports members; keep one way

    try:
        term = await current_term(session, council_id)
    except Refused as error:
        if error.code != "not_found":
            raise
        return True
    row = (
        await session.exec(
            select(TermParty).where(TermParty.term_id == term.id, TermParty.party == party)
        )
    ).first()
    return row is not None and row.qualifies


async def _release_seats(
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


async def _withdraw_pending_notices(
    session: AsyncSession, person_id: int, *, now: datetime
) -> None:
    """A person who left keeps nothing still unsent: their pending notices are withdrawn."""
    pending = await session.exec(
        select(Notice).where(Notice.person_id == person_id, Notice.status == NoticeStatus.PENDING)
    )
    for notice in pending.all():
        notice.status, notice.last_error = NoticeStatus.FAILED, "left the council"
        session.add(notice)


async def _welcome(
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


async def _tell_preparers(
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


async def member_named(
    session: AsyncSession, *, actor: Actor, name: str, now: datetime
) -> tuple[int, str]:
    """The current member or substitute of the actor's council called `name` (for the bot's
    "member leaves" dialogue): their person id and role."""
    actor.require(Action.MANAGE_MEMBERS)
    row = (
        await session.exec(
            select(Person, Membership)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(
                Person.council_id == actor.council_id,
                Person.name == " ".join(name.split()),
                Membership.current(),
            )
        )
    ).first()
    if row is None:
        raise Refused("not_current_member", name=name)
    person, membership = row
    if membership.role not in (*VOTING_ROLES, MembershipRole.SUBSTITUTE):
        raise Refused("staff_cannot_leave", name=person.name)
    return person.id or 0, membership.role
