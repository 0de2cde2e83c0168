"""R-S6: the party names its new member or substitute for an open seat, within the cap (R-C2)
unless a mayor's change of party allows more."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    MembershipRole,
    SubstituteAnswer,
)
from models.tables import Council, Membership, Person
from models.term import Vacancy
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.members import over_cap_allowance
from services.membership.common import (
    MAYOR,
    MEMBER,
    open_vacancies,
    party_members,
    start_membership,
    tell_preparers,
    today,
    welcome,
)


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
        start_membership(session, council, person, role, on=today(council, now))
        if vacancy.substitute_id is not None:  # R-S6: the declining substitute stays, for them
            await _repoint_substitute(session, council, vacancy.substitute_id, person, now)
    else:
        start_membership(
            session,
            council,
            person,
            MembershipRole.SUBSTITUTE,
            on=today(council, now),
            substitute_for=vacancy.for_member_id,
        )
    vacancy.filled_by_id, vacancy.filled_at = person.id, now
    session.add(vacancy)
    await session.flush()
    await welcome(session, council, person, now=now)
    payload = {"person": person.name, "kind": kind, "party": party}
    await tell_preparers(
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
    count = len(await party_members(session, council.id or 0, None))
    cap = 2 * council.municipalities
    # Seats R-S6 allowed above the cap stay allowed when their holders are later replaced.
    if count >= cap + await over_cap_allowance(session, council.id or 0):
        raise Refused("over_cap", cap=cap)


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
    old.ended_on, old.end_reason = today(council, now), "substitute for the new member"
    session.add(old)
    await session.flush()
    substitute = await session.get(Person, substitute_id)
    assert substitute is not None
    start_membership(
        session,
        council,
        substitute,
        MembershipRole.SUBSTITUTE,
        on=today(council, now),
        substitute_for=member.id,
    )
