"""R-D2 through the real bot over HTTP (issue 11): /godkend with two agendas waiting asks which
meeting, and the button of the later one approves that one, not the soonest."""

from __future__ import annotations

from sqlmodel import col, select

from models.tables import Meeting, Person
from services.actors import actor_for_person
from services.agenda_prep import add_own_item
from tests.e2e.conftest import World, ask

CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"


async def _meetings(world: World) -> list[Meeting]:
    async with world.sessions() as session:
        return list((await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).all())


async def test_approve_asks_which_meeting_and_approves_the_one_chosen(world: World) -> None:
    first, later = await _meetings(world)
    async with world.sessions() as session, session.begin():
        staff = (await session.exec(select(Person).where(Person.name == SECRETARY))).one()
        secretariat = await actor_for_person(session, staff.id or 0)
        assert secretariat is not None
        for meeting in (first, later):
            await add_own_item(
                session,
                actor=secretariat,
                meeting_id=meeting.id or 0,
                title="Sundhedsaftale",
                description="",
                material=[],
                now=world.clock(),
            )
    chair = await world.link(CHAIR)
    asked = await ask(world, chair, "/godkend", "Hvilket møde")
    assert len(asked.labels) == 2
    query = await world.sim.press(chair, chair, asked["message_id"], label=asked.labels[1])
    await world.sim.wait_for_answer(query, timeout=10)
    [first, later] = await _meetings(world)
    assert later.agenda_approved_at is not None and first.agenda_approved_at is None
