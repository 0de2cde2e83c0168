"""Helpers for the agenda's service tests: actors by name, a meeting, notices by kind."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select

from models.db import SessionFactory
from models.enums import MeetingKind
from models.tables import Council, Notice, Person
from services.actors import Actor, actor_for_person, secretariat_actor
from services.agenda import MaterialIn, ProposalResult, propose_item
from services.meetings import add_meeting
from tests.integration.conftest import person_id

CHAIR = "Gorm Iversen"  # mayor of Aalborg, chair
VICE = "Ole Lindholm"
MEMBER = "Anne Rasmussen"  # elected member
OTHER_MEMBER = "Line Toft"
SUBSTITUTE = "Trine Ulrich"  # Anne Rasmussen's substitute
SECRETARY = "Kirsten Holm-Jensen"
MEMBERS = 22
PREPARERS = 3  # the chair and two secretaries
RECIPIENTS = MEMBERS + 2  # R-P6: members and the secretariat (the demo council has no observers)

PDF = MaterialIn(
    file_id="file-budget", file_name="budget.pdf", mime_type="application/pdf", file_size=1000
)


async def actor(sessions: SessionFactory, name: str) -> Actor:
    async with sessions() as session:
        found = await actor_for_person(session, await person_id(sessions, name))
    assert found is not None
    return found


async def meeting_at(
    sessions: SessionFactory,
    council: Council,
    now: datetime,
    at: datetime,
    kind: MeetingKind = MeetingKind.ORDINARY,
) -> int:
    async with sessions() as session, session.begin():
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=at,
            place="Aalborg Rådhus",
            now=now,
            kind=kind,
            actor=await secretariat_actor(session, council.id or 0),
            summoned_by_caller=kind != MeetingKind.ORDINARY,  # the row alone, for the test
        )
    assert meeting.id is not None
    return meeting.id


async def propose(
    sessions: SessionFactory,
    who: Actor,
    meeting_id: int,
    now: datetime,
    title: str = "Fælles busplan",
    material: list[MaterialIn] | None = None,
) -> ProposalResult:
    async with sessions() as session, session.begin():
        return await propose_item(
            session,
            actor=who,
            meeting_id=meeting_id,
            title=title,
            description="Regional kollektiv trafik",
            material=[PDF] if material is None else material,
            now=now,
        )


async def notices(sessions: SessionFactory, kind: str) -> list[Notice]:
    async with sessions() as session:
        return list(
            (
                await session.exec(
                    select(Notice).where(Notice.kind == kind).order_by(col(Notice.id))
                )
            ).all()
        )


async def names(sessions: SessionFactory, person_ids: list[int]) -> set[str]:
    async with sessions() as session:
        people = await session.exec(select(Person).where(col(Person.id).in_(person_ids)))
        return {p.name for p in people}
