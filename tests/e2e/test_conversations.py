"""Conversations, continued (issue 17) through the real bot over HTTP: an expired question is
purged by the sweep and the person is still told; each language names its own commands."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from models.dialogues import Dialogue
from models.tables import AgendaItem
from tests.e2e.conftest import World, ask
from tests.e2e.test_agenda import CHAIR, MEMBER, SECRETARY, press_for_reply


async def _dialogue_states(world: World) -> list[dict]:
    async with world.sessions() as session:
        return [row.state for row in (await session.exec(select(Dialogue))).all()]


async def test_the_sweep_purges_an_expired_question_and_the_person_is_told_later(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    await ask(world, member, "Fælles busplan", "Beskriv punktet")
    assert any(state.get("title") == "Fælles busplan" for state in await _dialogue_states(world))
    world.clock.advance(timedelta(minutes=31))
    await world.sweep()
    assert not any("title" in state for state in await _dialogue_states(world))
    told = await ask(world, member, "Regionen og kommunerne koordinerer", "30 minutter")
    assert "Intet er gemt eller sendt" in told["text"]
    assert await _dialogue_states(world) == []
    async with world.sessions() as session:
        assert (await session.exec(select(AgendaItem))).all() == []


async def test_an_expired_question_is_told_in_english_after_the_sweep(world: World) -> None:
    member = await world.link(MEMBER)
    await ask(world, member, "/language en", "English")
    [offer] = await world.say(member, "/propose")
    await press_for_reply(world, member, offer, offer.labels[0], "title")
    world.clock.advance(timedelta(minutes=45))
    await world.sweep()
    told = await ask(world, member, "Shared bus plan", "30 minutes")
    assert "Nothing was kept or sent" in told["text"]


async def test_each_language_names_its_own_commands(world: World) -> None:
    secretary, chair = await world.link(SECRETARY), await world.link(CHAIR)
    danish = await ask(world, secretary, "/udtraed", "Skriv navnet")
    assert "/udtraed" in danish["text"]
    asked = await ask(world, chair, "/beslut", "/beslut")
    assert "/decide" not in asked["text"]
    for user in (secretary, chair):
        await ask(world, user, "/language en", "English")
    english = await ask(world, secretary, "/memberleaves", "Write the name")
    assert "/memberleaves Anne Rasmussen" in english["text"] and "/udtraed" not in english["text"]
    asked = await ask(world, chair, "/decide", "/decide Approved.")
    assert "/beslut" not in asked["text"]
