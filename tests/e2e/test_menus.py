"""Menus per role and moment (issue 17) through the real bot over HTTP: the chair's private menu
leads with the actions of the moment and follows it to the meeting day; the acting vice chair's
menu and /hjaelp show the chair's powers while they hold them (R-P3); groups list only group
commands; a menu is set again only when it changed."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.menus import Menus
from tests.e2e.conftest import World, ask
from tests.e2e.test_agenda import CHAIR, press

VICE = "Ole Lindholm"
MEETING_DAY = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # 08:00 on the first meeting's day


async def _menu(world: World, user: int) -> list[str]:
    shown = await world.sim.commands(scope={"type": "chat", "chat_id": user})
    return [c["command"] for c in shown]


async def _refresh(world: World) -> int:
    menus = world.app.bot_data["menus"]
    assert isinstance(menus, Menus)
    return await menus.refresh(world.clock())


def _listed(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("/")]


async def test_the_chairs_menu_leads_with_the_moment_and_follows_it(world: World) -> None:
    chair = await world.link(CHAIR)
    assert (await _menu(world, chair))[:3] == ["punkter", "godkend", "udsend"]
    calls = len(await world.sim.calls("setMyCommands"))
    await _refresh(world)
    assert len(await world.sim.calls("setMyCommands")) == calls  # nothing changed: not set again
    world.clock.now = MEETING_DAY
    await _refresh(world)
    assert (await _menu(world, chair))[:3] == ["aabn", "fremmoede", "luk"]
    await _refresh(world)
    assert len(await world.sim.calls("setMyCommands")) == calls + 1


async def test_the_chairs_menu_in_english_names_the_english_commands(world: World) -> None:
    chair = await world.link(CHAIR)
    await ask(world, chair, "/language en", "English")
    menu = await _menu(world, chair)
    assert menu[:3] == ["items", "approve", "distribute"] and "punkter" not in menu


async def test_the_acting_vice_chair_sees_the_chairs_powers_while_holding_them(
    world: World,
) -> None:
    vice, chair = await world.link(VICE), await world.link(CHAIR)
    assert "godkend" not in await _menu(world, vice)
    [reply] = await world.say(vice, "/hjaelp")
    assert "/godkend" not in _listed(reply["text"])
    [prompt] = await world.say(chair, "/afbud ferie")  # the chair is absent from the next meeting
    await press(world, chair, prompt, prompt.labels[0])
    await world.sim.wait_for_edits(chair, prompt["message_id"], 1, timeout=10)
    await _refresh(world)
    assert (await _menu(world, vice))[0] == "godkend"
    [reply] = await world.say(vice, "/hjaelp")
    assert _listed(reply["text"])[0] == "/godkend"
    world.clock.now = MEETING_DAY
    await _refresh(world)
    assert (await _menu(world, vice))[:3] == ["aabn", "fremmoede", "luk"]
    await ask(world, vice, "/language en", "English")
    [reply] = await world.say(vice, "/help")
    assert _listed(reply["text"])[:3] == ["/open", "/attendance", "/close"]
    assert "/item" in _listed(reply["text"])


async def test_every_group_shows_only_the_groups_commands(world: World) -> None:
    danish = [c["command"] for c in await world.sim.commands(scope="all_group_chats")]
    english = [
        c["command"] for c in await world.sim.commands(scope="all_group_chats", language="en")
    ]
    assert "tjekind" in danish and "checkin" in english
    for private in ("punkter", "items", "foreslaa", "propose", "orlov", "leave", "aflys"):
        assert private not in danish + english


async def test_the_vice_chairs_menu_loses_the_powers_when_the_chair_comes_after_all(
    world: World,
) -> None:
    vice, chair = await world.link(VICE), await world.link(CHAIR)
    [prompt] = await world.say(chair, "/afbud ferie")
    await press(world, chair, prompt, prompt.labels[0])
    await world.sim.wait_for_edits(chair, prompt["message_id"], 1, timeout=10)
    await _refresh(world)
    assert "godkend" in await _menu(world, vice)
    [choice] = await world.say(chair, "/deltager")  # the chair withdraws the absence
    await press(world, chair, choice, choice.labels[0])
    await world.sim.wait_for_edits(chair, choice["message_id"], 1, timeout=10)
    await _refresh(world)
    assert "godkend" not in await _menu(world, vice)
    assert (await _menu(world, chair))[:3] == ["punkter", "godkend", "udsend"]
