"""R-S3/R-Q1 through the real bot over HTTP (issue 11): a member who sent their substitute comes
after all, checks in once the meeting is open and counts; the substitute hears they are not
needed and cannot count as well."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from models.tables import Meeting, Person
from services.actors import actor_for_person
from services.attendance import answer_summons, report_absence, summon_substitute
from tests.e2e.conftest import World, ask, reply_containing

MEMBER = "Anne Rasmussen"
SUBSTITUTE = "Trine Ulrich"
CHAIR = "Gorm Iversen"


async def _as(world: World, name: str, service: Any, **kwargs: Any) -> Any:
    async with world.sessions() as session, session.begin():
        person = (await session.exec(select(Person).where(Person.name == name))).one()
        actor = await actor_for_person(session, person.id or 0)
        return await service(session, actor=actor, now=world.clock(), **kwargs)


async def test_a_member_who_sent_a_substitute_comes_after_all_and_counts(world: World) -> None:
    async with world.sessions() as session:
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert meeting is not None
    member, substitute, chair = (
        await world.link(MEMBER),
        await world.link(SUBSTITUTE),
        await world.link(CHAIR),
    )
    await _as(world, MEMBER, report_absence, meeting_id=meeting.id)
    await _as(world, MEMBER, summon_substitute, meeting_id=meeting.id)
    await _as(world, SUBSTITUTE, answer_summons, meeting_id=meeting.id, accept=True)
    world.clock.now = meeting.starts_at + timedelta(minutes=5)
    await ask(world, chair, "/aabn", "Mødet er åbnet")
    before = len(await world.sim.messages(substitute))
    checked = (await ask(world, member, "/tjekind", "Tjekket ind")).text or ""
    assert "Tjekket ind: Anne Rasmussen." in checked and "Fremmødt: 2 " in checked
    await ask(world, substitute, "/tjekind", "din rolle")  # the seat is the member's
    # The release comes through the outbox: wait for it rather than read what is there.
    await reply_containing(world, substitute, before, "Der er ikke længere brug for dig")
    quorum = (await ask(world, chair, "/quorum", "Fremmødt")).text or ""
    assert "Fremmødt: 2 af 22" in quorum and "Trine Ulrich (Anne Rasmussen)" not in quorum


async def test_the_opening_brings_a_check_in_button_that_counts(world: World) -> None:
    async with world.sessions() as session:
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert meeting is not None
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    world.clock.now = meeting.starts_at - timedelta(minutes=10)
    await ask(world, chair, "/aabn", "Mødet er åbnet")
    told = await reply_containing(world, member, 1, "er åbnet")
    assert told.labels == ["Tjek ind"]
    query = await world.sim.press(member, member, told["message_id"], label="Tjek ind")
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert "Tjekket ind: Anne Rasmussen" in answer["text"]
