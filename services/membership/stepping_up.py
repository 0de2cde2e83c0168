"""R-S6: the substitute asked to become member accepts (and a new substitute is wanted) or
declines (and stays substitute; the party names a new member)."""

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
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.membership.common import (
    SUBSTITUTE,
    release_seats,
    start_membership,
    tell_preparers,
    today,
    welcome,
)


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
    await tell_preparers(
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
    old.ended_on, old.end_reason = today(council, now), "became member"
    session.add(old)
    await session.flush()
    await release_seats(session, vacancy.council_id, person.id or 0, now=now)
    start_membership(session, council, person, MembershipRole.MEMBER, on=today(council, now))
    vacancy.filled_by_id, vacancy.filled_at = person.id, now
    session.add(
        Vacancy(
            council_id=vacancy.council_id,
            kind=SUBSTITUTE,
            party=vacancy.party,
            municipality_id=vacancy.municipality_id,
            left_id=person.id,
            for_member_id=person.id,
            opened_on=today(council, now),
            created_at=now,
        )
    )
    await session.flush()
    await welcome(session, council, person, now=now)
