"""R-S6: a mayor who changes party stays; the old party may name a new member if the mayor was
its only one and it had at least 2 %."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    MembershipRole,
)
from models.tables import Council
from models.term import TermParty, Vacancy
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.membership.common import (
    MEMBER,
    current_membership,
    party_members,
    tell_preparers,
    today,
)


async def change_party(
    session: AsyncSession, *, actor: Actor, person_id: int, party: str, now: datetime
) -> Vacancy | None:
    """R-S6: a mayor who changes party stays; if the mayor was the old party's only member and
    the party had at least 2 %, it may name a new member, above the cap (R-C2) if need be.
    An elected member or substitute who leaves the party leaves the council (use `leave`)."""
    actor.require(Action.MANAGE_MEMBERS)
    membership, person = await current_membership(session, actor.council_id, person_id)
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
        and not await party_members(session, actor.council_id, old)
        and await _qualified(session, actor.council_id, old)
    ):
        vacancy = Vacancy(
            council_id=actor.council_id,
            kind=MEMBER,
            party=old,
            left_id=person.id,
            over_cap=True,
            opened_on=today(council, now),
            created_at=now,
        )
        session.add(vacancy)
        await session.flush()
    payload = {"mayor": person.name, "old": old, "new": party, "may_name": vacancy is not None}
    await tell_preparers(
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
