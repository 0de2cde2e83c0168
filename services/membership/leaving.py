"""R-S6: a member or substitute leaves the council; their seat opens, their substitute is asked
first, and what they were still to receive is withdrawn."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import (
    MembershipRole,
    NoticeStatus,
    SubstituteAnswer,
)
from models.tables import Council, Membership, Notice, Person
from models.term import Vacancy
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.members import VOTING_ROLES
from services.membership.common import (
    MAYOR,
    MEMBER,
    OFFER_TO_ANSWER,
    SUBSTITUTE,
    current_membership,
    release_seats,
    tell_preparers,
    today,
)
from services.outbox import enqueue


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
    membership, person = await current_membership(session, actor.council_id, person_id)
    if membership.role not in (*VOTING_ROLES, MembershipRole.SUBSTITUTE):
        raise Refused("staff_cannot_leave", name=person.name)
    here = await session.get(Council, actor.council_id)
    assert here is not None
    # A membership ends when the leave is recorded: a date to come would leave a member in the
    # council who is no longer counted, so it is refused (record it on the day).
    if on > today(here, now):
        raise Refused("leave_date_future", day=on.isoformat())
    membership.ended_on, membership.end_reason = on, reason.strip() or None
    session.add(membership)
    await session.flush()
    await release_seats(session, actor.council_id, person_id, now=now)
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
    await tell_preparers(
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
