"""A member's message travels through the whole house and back: onboarding, strangers, meetings,
language, menus, and the outbox surviving Telegram's 429 and 403."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlmodel import select
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from models.enums import NoticeStatus
from models.tables import Notice, TelegramLink
from tests.e2e.conftest import World

MEMBER = "Anne Rasmussen"  # elected member, F, Brønderslev
CHAIR = "Gorm Iversen"  # mayor of Aalborg and chair
SECRETARY = "Kirsten Holm-Jensen"


async def test_a_member_opening_the_invitation_is_greeted_by_name_and_role(world: World) -> None:
    user = await world.add_person(MEMBER)
    [reply] = await world.say(user, f"/start {world.council.invites[MEMBER]}")
    assert "Velkommen" in reply["text"]
    assert MEMBER in reply["text"]
    assert "medlem" in reply["text"] and "KKR Nordjylland" in reply["text"]


async def test_the_chair_is_greeted_with_the_office(world: World) -> None:
    user = await world.add_person(CHAIR)
    [reply] = await world.say(user, f"/start {world.council.invites[CHAIR]}")
    assert "formand (borgmester)" in reply["text"]


async def test_an_invitation_works_only_once(world: World) -> None:
    await world.link(MEMBER)
    intruder = await world.add_person("Someone Else")
    [reply] = await world.say(intruder, f"/start {world.council.invites[MEMBER]}")
    assert "allerede brugt" in reply["text"]
    [reply] = await world.say(intruder, "/moeder")
    assert "inviteret" in reply["text"], "the intruder is still a stranger"


async def test_an_unknown_invitation_is_refused_clearly(world: World) -> None:
    user = await world.add_person(MEMBER)
    [reply] = await world.say(user, "/start not-a-real-token")
    assert "kender jeg ikke" in reply["text"]


async def test_an_expired_invitation_is_refused_clearly(world: World) -> None:
    world.clock.advance(timedelta(days=15))
    user = await world.add_person(MEMBER)
    [reply] = await world.say(user, f"/start {world.council.invites[MEMBER]}")
    assert "udløbet" in reply["text"]


async def test_a_stranger_gets_only_the_polite_refusal_for_every_command_and_message(
    world: World,
) -> None:
    stranger = await world.add_person("Random Stranger")
    for text in ("/start", "/moeder", "/help", "hello", "/sprog"):
        [reply] = await world.say(stranger, text)
        assert "inviteret" in reply["text"], text
        assert "KKR Nordjylland" not in reply["text"]


async def test_a_stranger_pressing_a_button_gets_the_refusal_as_an_alert(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/sprog")
    stranger = await world.add_person("Random Stranger")
    query = await world.sim.press(stranger, member, offer["message_id"], label="English")
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert "inviteret" in answer["text"] and answer["show_alert"]
    [offer_now] = [
        m for m in await world.sim.messages(member) if m["message_id"] == offer["message_id"]
    ]
    assert offer_now["text"] == offer["text"], "the stranger changed nothing"


async def test_meetings_lists_the_coming_meetings_with_their_deadlines_in_local_time(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    [reply] = await world.say(member, "/moeder")
    text = reply["text"]
    assert "Aalborg Rådhus" in text and "Hjørring Rådhus" in text
    assert "kl. 10.00" in text, "meetings are shown in Copenhagen time"
    assert "Forslag til dagsordenen: senest" in text and "kl. 23.59" in text  # R-D1
    assert "Dagsordenen udsendes: senest" in text  # R-D2


async def test_the_english_command_names_work_too(world: World) -> None:
    member = await world.link(MEMBER)
    [reply] = await world.say(member, "/meetings")
    assert "Aalborg Rådhus" in reply["text"]


async def test_switching_to_english_changes_every_later_answer(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/sprog")
    assert "Hvilket sprog" in offer["text"]
    await world.sim.press(member, member, offer["message_id"], label="English")
    edited = await world.sim.wait_for_edits(member, offer["message_id"], 1, timeout=10)
    assert "English" in edited["text"]
    [reply] = await world.say(member, "/meetings")
    assert "Coming meetings of KKR Nordjylland" in reply["text"]
    assert "Proposals for the agenda: by" in reply["text"]


async def test_a_language_button_pressed_twice_switches_once_and_says_so(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/sprog")
    await world.sim.press(member, member, offer["message_id"], label="English")
    await world.sim.wait_for_edits(member, offer["message_id"], 1, timeout=10)
    [reply] = await world.say(member, "/language xx")
    assert "Danish (da) and English (en)" in reply["text"]


@pytest.mark.parametrize(
    "data",
    [
        "ag:0:stop",  # /propose's cancel button as it was written before the button codec
        "ag:5:pick",  # /propose's meeting choice, likewise
        "lang:xx",
        "att:99999999999999999999:in",
        "nonsense",
    ],
)
async def test_a_stale_or_made_up_button_gets_a_short_alert_and_nothing_else(
    world: World, data: str
) -> None:
    member = await world.link(MEMBER)
    # A message sent before an update, with a button whose data the bot no longer writes.
    old = await world.app.bot.send_message(
        member,
        "Gammel besked",
        reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Tryk", callback_data=data)]]),
    )
    before = len(await world.sim.messages(member))
    query = await world.sim.press(member, member, old.message_id, data=data)
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert answer.show_alert and answer.text == "Denne knap er ikke længere gyldig."
    [reply] = await world.say(member, "/moeder")  # the bot still answers, and said nothing else
    assert "KKR Nordjylland" in reply["text"]
    assert len(await world.sim.messages(member)) == before + 1


async def test_a_button_whose_meeting_is_gone_gets_a_short_alert(world: World) -> None:
    """The same alert as for another council's meeting: a press learns nothing (R-P6)."""
    member = await world.link(MEMBER)
    markup = InlineKeyboardMarkup(
        [[InlineKeyboardButton("Tjek ind", callback_data="att:999999:in")]]
    )
    old = await world.app.bot.send_message(member, "Gammel besked", reply_markup=markup)
    query = await world.sim.press(member, member, old.message_id, data="att:999999:in")
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert answer.show_alert and "kunne jeg ikke finde" in (answer.text or "")


async def test_help_lists_the_commands_of_the_persons_role_in_their_language(world: World) -> None:
    member = await world.link(MEMBER)
    [reply] = await world.say(member, "/hjaelp")
    assert "/moeder" in reply["text"] and "/sprog" in reply["text"]


async def test_command_menus_are_set_per_scope_and_language(world: World) -> None:
    member = await world.link(MEMBER)
    danish_default = await world.sim.commands(
        scope={"type": "all_private_chats"}, language_code="da"
    )
    assert [c["command"] for c in danish_default] == ["start", "hjaelp"]
    english_default = await world.sim.commands(
        scope={"type": "all_private_chats"}, language_code="en"
    )
    assert [c["command"] for c in english_default] == ["start", "help"]
    personal = await world.sim.commands(scope={"type": "chat", "chat_id": member})
    assert "moeder" in [c["command"] for c in personal]


async def test_anything_not_understood_points_to_help(world: World) -> None:
    member = await world.link(MEMBER)
    [reply] = await world.say(member, "hvad nu?")
    assert "/hjaelp" in reply["text"]


async def test_a_429_from_telegram_is_survived_and_the_reminder_delivered_once(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    world.clock.advance(timedelta(days=14, hours=12))  # the day before the first meeting
    await world.sim.inject_fault("sendMessage", kind="retry_after", count=1, retry_after=2)
    await world.sweep()
    before = len(await world.sim.messages(member))
    # Only once the worker has met the 429 (with the clock it read before the call) does the
    # clock move past retry_after; moved earlier, the retry would be due 2 s after the new time.
    await world.sim.wait_for_calls("sendMessage", 2, chat_id=member, timeout=10)  # welcome, 429
    world.clock.advance(timedelta(seconds=3))  # past retry_after; the worker tries again
    messages = await world.sim.wait_for_messages(member, before + 1, timeout=10)
    reminders = [m for m in messages if "Påmindelse" in m["text"]]
    assert len(reminders) == 1
    await world.sweep()  # a second sweep adds nothing: the outbox's dedupe key
    async with world.sessions() as session:
        notices = (
            await session.exec(select(Notice).where(Notice.kind == "meeting_reminder"))
        ).all()
    mine = [n for n in notices if n.status == NoticeStatus.SENT]
    assert len(mine) == 1 and mine[0].telegram_message_id == reminders[0]["message_id"]


async def test_a_reply_hit_by_a_429_is_followed_by_a_word_that_it_was_lost(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    member = await world.link(MEMBER)
    await world.sim.inject_fault("sendMessage", kind="retry_after", count=1, retry_after=1)
    [reply] = await world.say(member, "/moeder")  # the answer met the 429; this is what follows
    assert "Telegram bad mig om at sætte tempoet ned" in reply["text"]
    [again] = await world.say(member, "/moeder")
    assert "KKR Nordjylland" in again["text"]
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR], "a 429 is not an error"


async def test_a_member_who_blocked_the_bot_is_marked_unreachable_and_the_secretariat_told(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    secretary = await world.link(SECRETARY)
    await world.sim.block(member)
    world.clock.advance(timedelta(days=14, hours=12))
    before = len(await world.sim.messages(secretary))
    await world.sweep()
    # The sweep also tells the secretariat about the agenda's deadlines that came meanwhile.
    messages = await world.sim.wait_for_messages(secretary, before + 4, timeout=10)
    texts = [m["text"] for m in messages[before:]]
    assert any("Anne Rasmussen" in t and "blokeret" in t for t in texts)
    # The member unblocks the bot and writes again: what was held back comes at once.
    await world.sim.unblock(member)
    before = len(await world.sim.messages(member))
    await world.sim.send(member, "/moeder")
    arrived = await world.sim.wait_for_messages(member, before + 2, timeout=10)
    assert any("påmind" in (m["text"] or "").lower() for m in arrived[before:]), [
        m["text"] for m in arrived[before:]
    ]
    async with world.sessions() as session:
        link = (
            await session.exec(select(TelegramLink).where(TelegramLink.telegram_user_id == member))
        ).first()
    assert link is not None and link.unreachable_since is None
