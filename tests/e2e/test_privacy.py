"""R-P6 in chats (issue 16): a person is linked only in their private chat, a group hears nothing
confidential, the bot leaves groups nobody from the secretariat brought it into, and the stranger
gate holds even when its refusal cannot be sent."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from models.tables import TelegramLink
from tests.e2e.conftest import World

MEMBER = "Anne Rasmussen"
CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"
POINTER = "i vores private chat"


async def group_texts(world: World, chat_id: int) -> list[str]:
    return [m.text or "" for m in await world.sim.messages(chat_id)]


async def test_start_with_an_invitation_in_a_group_links_nobody_and_points_to_the_private_chat(
    world: World,
) -> None:
    secretary = await world.link(SECRETARY)
    group = await world.sim.add_bot_to_group(secretary, "KKR Nordjylland", admin=True)
    member = await world.add_person(MEMBER)
    await world.sim.send(
        member, f"/start@test4242_bot {world.council.invites[MEMBER]}", chat_id=group["id"]
    )
    [pointer] = await world.sim.wait_for_messages(group["id"], 1, timeout=10)
    assert POINTER in pointer["text"]
    async with world.sessions() as session:
        links = (await session.exec(select(TelegramLink))).all()
    assert [link.telegram_user_id for link in links] == [secretary]
    # The invitation still works where it belongs.
    [welcome] = await world.say(member, f"/start {world.council.invites[MEMBER]}")
    assert "Velkommen" in welcome["text"]


async def test_meeting_commands_in_the_councils_group_get_only_a_pointer(world: World) -> None:
    """/hjaelp there lists the group's own commands (issue 17); meeting matters get a pointer."""
    secretary = await world.link(SECRETARY)
    chair = await world.link(CHAIR)
    group = await world.sim.add_bot_to_group(secretary, "KKR Nordjylland", admin=True)
    await world.sim.send(secretary, "/tilknytgruppe", chat_id=group["id"])
    await world.sim.wait_for_messages(group["id"], 2, timeout=10)
    before = len(await world.sim.messages(group["id"]))
    for command in ("/punkter@test4242_bot", "/moeder@test4242_bot", "/dagsorden@test4242_bot"):
        await world.sim.send(chair, command, chat_id=group["id"])
    new = (await world.sim.wait_for_messages(group["id"], before + 3, timeout=10))[before:]
    assert all(POINTER in (m.text or "") and len(m.text or "") < 120 for m in new)
    assert not [m for m in new if m.reply_markup]
    assert len(await world.sim.messages(chair)) == 1  # the welcome: nothing more came privately


async def test_the_bot_leaves_a_group_a_member_adds_it_to(world: World) -> None:
    member = await world.link(MEMBER)
    group = await world.sim.add_bot_to_group(member, "Vennerne")
    await world.sim.wait_for_calls("leaveChat", 1, chat_id=group["id"], timeout=10)
    chats = {c["id"]: c for c in await world.sim.chats()}
    assert await group_texts(world, group["id"]) == []
    assert chats[group["id"]].get("bot_status", "left") in ("left", "kicked")


async def test_the_stranger_gate_holds_when_its_refusal_cannot_be_sent(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    stranger = 99_001
    await world.sim.add_user(stranger, "Fremmed", language_code="da")
    await world.sim.inject_fault("sendMessage", "502", count=None, chat_id=stranger)
    await world.sim.inject_fault("answerCallbackQuery", "502", count=None)
    for text in ("/moeder", "/punkter", "/foreslaa", "hej", "/start nonsense"):
        sent = await world.sim.send(stranger, text)
        await world.sim.wait_until_fetched(sent.update_id, timeout=10)
    await world.sim.wait_for_calls("sendMessage", 5, chat_id=stranger, timeout=10)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
