"""A term's change through the real bot (R-S6): a member leaves, the substitute accepts and becomes
member; the quorum and the next agenda's recipients follow; the person who left receives nothing."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from models.tables import Meeting, Person
from services.actors import actor_for_person
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import add_own_item
from telegram_emulator.client import BotMessage
from tests.e2e.conftest import World, ask, reply_containing

MEMBER = "Anne Rasmussen"
SUBSTITUTE = "Trine Ulrich"
CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"


async def _press(world: World, user: int, message: BotMessage, label: str) -> Any:
    query = await world.sim.press(user, user, message["message_id"], label=label)
    return await world.sim.wait_for_answer(query, timeout=10)


async def _distribute_first_agenda(world: World) -> None:
    async with world.sessions() as session, session.begin():
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
        assert meeting is not None
        staff = (await session.exec(select(Person).where(Person.name == SECRETARY))).one()
        secretariat = await actor_for_person(session, staff.id or 0)
        await add_own_item(
            session,
            actor=secretariat,
            meeting_id=meeting.id or 0,
            title="Sundhedsaftale",
            description="Orientering",
            material=[],
            now=world.clock(),
        )
        await distribute_agenda(
            session, actor=secretariat, meeting_id=meeting.id or 0, now=world.clock()
        )


async def test_a_member_leaves_and_the_substitute_steps_up(world: World) -> None:
    member = await world.link(MEMBER)
    substitute = await world.link(SUBSTITUTE)
    chair = await world.link(CHAIR)
    secretary = await world.link(SECRETARY)
    await ask(world, chair, "/quorum", "Forventet: 22 af 22 medlemmer")

    before = len(await world.sim.messages(substitute))
    [question] = await world.say(secretary, "/udtraed Anne Rasmussen")
    assert "Udtræder Anne Rasmussen af rådet fra i dag?" in question["text"]
    assert question.labels[-1] == "Annullér"
    await _press(world, secretary, question, "Efter eget ønske")
    done = await world.sim.wait_for_edits(secretary, question["message_id"], 1, timeout=10)
    assert "Trine Ulrich, bliver spurgt" in done["text"]
    left_with = len(await world.sim.messages(member))

    offer = None
    for count in range(before + 1, before + 4):
        received = await world.sim.wait_for_messages(substitute, count, timeout=10)
        offer = next((m for m in received[before:] if m.labels), None)
        if offer is not None:
            break
    assert offer is not None, received
    assert "Anne Rasmussen er udtrådt af rådet" in offer["text"]
    assert offer.labels == ["Acceptér", "Afslå"]
    await ask(world, chair, "/quorum", "Forventet: 21 af 21 medlemmer")

    await _press(world, substitute, offer, "Acceptér")
    accepted = await world.sim.wait_for_edits(substitute, offer["message_id"], 1, timeout=10)
    assert "Du er nu medlem af KKR Nordjylland" in accepted["text"]
    await ask(world, chair, "/quorum", "Forventet: 22 af 22 medlemmer")
    await ask(world, substitute, "/quorum", "Forventet: 22 af 22 medlemmer")  # a member's command

    waiting = len(await world.sim.messages(substitute))
    await _distribute_first_agenda(world)
    await reply_containing(world, substitute, waiting, "Dagsorden")  # the next agenda, as member
    await ask(world, secretary, "/aarsplan 2027", "Møderne i 2027")
    assert len(await world.sim.messages(member)) == left_with  # nothing more for who left
