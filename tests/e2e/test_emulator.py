"""The emulator speaks the Bot API well enough for a real python-telegram-bot v22 to run on it."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Conflict, Forbidden, NetworkError, RetryAfter
from telegram.ext import (
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from telegram_emulator import EmulatorClient, EmulatorServer
from telegram_emulator.testing import TOKEN, build_app, polling

MEMBER = 1001
OTHER = 1002
YES_NO = InlineKeyboardMarkup(
    [
        [InlineKeyboardButton("Ja", callback_data="att:1:yes")],
        [InlineKeyboardButton("Nej", callback_data="att:1:no")],
    ]
)


@pytest.fixture
async def emu() -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer() as server:
        yield server


@pytest.fixture
async def tg(emu: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with emu.client() as client:
        yield client


@pytest.fixture
async def bot(emu: EmulatorServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


async def started_chat(tg: EmulatorClient, user_id: int = MEMBER) -> None:
    """A user who has written to the bot, so it may write back."""
    await tg.add_user(
        user_id, "Mette", last_name="Frederiksen", username="mette", language_code="da"
    )
    await tg.send(user_id, "hej")


# ----------------------------------------------------------- a real Application


async def test_a_command_handler_answers_start_with_its_deep_link_arguments(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    seen: list[Update] = []

    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        seen.append(update)
        assert update.message is not None
        await update.message.reply_text(f"args={' '.join(context.args or [])}")

    app = build_app(emu)
    app.add_handler(CommandHandler("start", start))
    async with polling(app):
        await tg.add_user(MEMBER, "Mette", language_code="da")
        sent = await tg.send(MEMBER, "/start abc123")
        [reply] = await tg.wait_for_messages(MEMBER, 1)

    assert sent.delivered
    assert reply.text == "args=abc123"
    message = seen[0].message
    assert message is not None and message.from_user is not None
    assert message.from_user.first_name == "Mette" and message.from_user.language_code == "da"
    assert message.chat.type == "private" and message.chat.id == MEMBER
    assert message.entities[0].type == "bot_command"
    assert (message.entities[0].offset, message.entities[0].length) == (0, len("/start"))


async def test_a_command_addressed_to_the_bot_by_name_reaches_its_handler(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    async def meetings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await context.bot.send_message(update.effective_chat.id, "meetings")

    app = build_app(emu)
    app.add_handler(CommandHandler("meetings", meetings))
    async with polling(app):
        await tg.send(MEMBER, f"/meetings@{app.bot.username} now")
        [reply] = await tg.wait_for_messages(MEMBER, 1)
    assert reply.text == "meetings"
    assert app.bot.username == "test123_bot"


async def test_a_button_press_reaches_the_callback_handler_which_answers_and_edits(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text("Kommer du?", reply_markup=YES_NO)

    async def answer(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None and query.message is not None
        await query.answer("Noteret")
        await query.edit_message_text(f"{query.from_user.first_name}: {query.data}")

    app = build_app(emu)
    app.add_handler(CommandHandler("attend", ask))
    app.add_handler(CallbackQueryHandler(answer))
    async with polling(app):
        await tg.add_user(OTHER, "Lars")
        question = await tg.ask(MEMBER, "/attend")
        assert question.labels == ["Ja", "Nej"]
        # Pressed by another user than the chat's owner, as on a forwarded message.
        query_id = await tg.press(OTHER, MEMBER, question.message_id, label="Nej")
        answered = await tg.wait_for_answer(query_id)
        edited = await tg.wait_for_edits(MEMBER, question.message_id)

    assert answered.text == "Noteret" and answered.data == "att:1:no"
    assert edited.text == "Lars: att:1:no"
    assert edited.edit_count == 1 and edited.history[0]["text"] == "Kommer du?"
    assert edited.reply_markup is None  # an edit without reply_markup removes the keyboard


async def test_a_document_a_user_sends_can_be_downloaded_by_the_bot(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    received: list[bytes] = []

    async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None and update.message.document is not None
        document = update.message.document
        assert (document.file_name, document.mime_type) == ("forslag.pdf", "application/pdf")
        assert update.message.caption == "Mit forslag"
        file = await document.get_file()
        received.append(bytes(await file.download_as_bytearray()))
        await update.message.reply_text(f"{document.file_size} bytes")

    app = build_app(emu)
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    content = b"%PDF-1.4 agenda item"
    async with polling(app):
        await tg.send_document(
            MEMBER, "forslag.pdf", content, mime_type="application/pdf", caption="Mit forslag"
        )
        [reply] = await tg.wait_for_messages(MEMBER, 1)

    assert received == [content]
    assert reply.text == f"{len(content)} bytes"


async def test_the_bot_added_to_a_group_sees_my_chat_member_and_commands_there(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    events: list[str] = []

    async def member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        change = update.my_chat_member
        assert change is not None
        events.append(f"{change.chat.type}:{change.new_chat_member.status}")

    async def quorum(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"quorum in {update.message.chat.title}")

    app = build_app(emu)
    app.add_handler(ChatMemberHandler(member, ChatMemberHandler.MY_CHAT_MEMBER))
    app.add_handler(CommandHandler("quorum", quorum))
    async with polling(app):
        group = await tg.add_bot_to_group(MEMBER, "KKR Nordjylland", members=[OTHER])
        chatter = await tg.send(OTHER, "godmorgen", chat_id=group["id"])
        await tg.send(OTHER, "/quorum", chat_id=group["id"])
        [reply] = await tg.wait_for_messages(group["id"], 1)

    assert group["type"] == "group" and group["id"] < 0
    assert events == ["group:member"]
    assert not chatter.delivered  # privacy mode: plain chatter in groups is not for bots
    assert reply.text == "quorum in KKR Nordjylland"


# ---------------------------------------------------------------- errors as PTB sees them


async def test_an_injected_429_surfaces_as_retry_after_with_its_delay(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    await tg.inject_fault("sendMessage", "retry_after", retry_after=7)
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(MEMBER, "Dagsorden")
    assert "Retry in 7 seconds" in str(raised.value)
    await bot.send_message(MEMBER, "Dagsorden")  # only the next call failed
    assert [m.text for m in await tg.messages(MEMBER)] == ["Dagsorden"]


async def test_an_injected_403_surfaces_as_forbidden(bot: Bot, tg: EmulatorClient) -> None:
    await started_chat(tg)
    await tg.inject_fault("sendMessage", "forbidden", chat_id=MEMBER)
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(MEMBER, "Dagsorden")


async def test_a_user_who_blocked_the_bot_cannot_be_written_to(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    await tg.block(MEMBER)
    with pytest.raises(Forbidden, match="Forbidden: bot was blocked by the user"):
        await bot.send_message(MEMBER, "Dagsorden")
    await tg.unblock(MEMBER)
    await bot.send_message(MEMBER, "Dagsorden")


async def test_a_user_who_never_wrote_cannot_be_written_to(bot: Bot, tg: EmulatorClient) -> None:
    await tg.add_user(OTHER, "Lars")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(OTHER, "Hej")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(424242, "Hej")


async def test_a_server_error_surfaces_as_network_error_and_latency_slows_the_call(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    await tg.inject_fault("sendMessage", "server_error", status=502)
    with pytest.raises(NetworkError, match="Bad Gateway"):
        await bot.send_message(MEMBER, "x")
    await tg.inject_fault("sendMessage", "latency", latency_ms=300)
    started = time.perf_counter()
    await bot.send_message(MEMBER, "x")
    assert time.perf_counter() - started >= 0.3


async def test_a_fault_with_effect_delivers_the_message_yet_reports_failure(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    await tg.inject_fault("sendMessage", "server_error", status=500, effect=True)
    with pytest.raises(NetworkError):
        await bot.send_message(MEMBER, "Sent once?")
    assert [m.text for m in await tg.messages(MEMBER)] == ["Sent once?"]


async def test_editing_to_the_same_content_is_refused_as_not_modified(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    sent = await bot.send_message(MEMBER, "Quorum: 5/9", reply_markup=YES_NO)
    await bot.edit_message_text("Quorum: 6/9", MEMBER, sent.message_id, reply_markup=YES_NO)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Quorum: 6/9", MEMBER, sent.message_id, reply_markup=YES_NO)
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", MEMBER, 9999)
    view = await tg.message(MEMBER, sent.message_id)
    assert (view.text, view.edit_count) == ("Quorum: 6/9", 1)


async def test_html_is_parsed_into_entities_and_broken_html_is_refused(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    sent = await bot.send_message(
        MEMBER,
        "<b>Møde</b> 10. marts &amp; <i>æ</i> 😀 <a href='https://kl.dk'>KL</a>",
        parse_mode=ParseMode.HTML,
    )
    assert sent.text == "Møde 10. marts & æ 😀 KL"
    kinds = [(e.type, e.offset, e.length) for e in sent.entities]
    assert kinds == [("bold", 0, 4), ("italic", 17, 1), ("text_link", 22, 2)]
    with pytest.raises(BadRequest, match=r'(?i)unsupported start tag "x" at byte offset 0'):
        await bot.send_message(MEMBER, "<x>y</x>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't find end tag corresponding to start tag"):
        await bot.send_message(MEMBER, "<b>y", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unmatched end tag"):
        await bot.send_message(MEMBER, "<b>y</i>", parse_mode=ParseMode.HTML)
    [stored] = await tg.messages(MEMBER)
    assert stored.parse_mode == "HTML" and stored.raw is not None and stored.raw.startswith("<b>")


async def test_text_and_buttons_beyond_telegram_limits_are_refused(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(MEMBER, "x" * 4097)
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(MEMBER, "   ")
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="d" * 65)]])
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(MEMBER, "x", reply_markup=too_long)
    keyboard = ReplyKeyboardMarkup([["Ja", "Nej"]], one_time_keyboard=True)
    sent = await bot.send_message(MEMBER, "x" * 4096, reply_markup=keyboard)
    assert sent.reply_markup is None  # Telegram echoes only inline keyboards
    assert (await tg.message(MEMBER, sent.message_id)).buttons == [["Ja", "Nej"]]


async def test_answering_a_callback_query_twice_is_refused(
    emu: EmulatorServer, bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    sent = await bot.send_message(MEMBER, "Kommer du?", reply_markup=YES_NO)
    query_id = await tg.press(MEMBER, MEMBER, sent.message_id, data="att:1:yes")
    await bot.answer_callback_query(query_id, text="Tak", show_alert=True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)
    [answer] = await tg.callback_answers()
    assert (answer.text, answer.show_alert, answer.data) == ("Tak", True, "att:1:yes")


async def test_a_document_the_bot_uploads_is_stored_and_can_be_resent_by_file_id(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    content = b"Dagsorden\n1. Godkendelse"
    sent = await bot.send_document(
        MEMBER, content, filename="dagsorden.txt", caption="<b>Dagsorden</b>", parse_mode="HTML"
    )
    assert sent.document is not None and sent.document.file_name == "dagsorden.txt"
    assert sent.caption == "Dagsorden" and sent.document.file_size == len(content)
    again = await bot.send_document(MEMBER, sent.document.file_id)
    assert again.document is not None
    assert again.document.file_unique_id == sent.document.file_unique_id
    assert await tg.file_content(sent.document.file_id) == content
    with pytest.raises(BadRequest, match="Message caption is too long"):
        await bot.send_document(MEMBER, content, filename="x.txt", caption="c" * 1025)


async def test_pins_commands_and_menus_are_recorded_per_scope_and_language(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    sent = await bot.send_message(MEMBER, "Quorum")
    assert await bot.pin_chat_message(MEMBER, sent.message_id)
    assert (await tg.message(MEMBER, sent.message_id)).pinned
    danish = [BotCommand("moeder", "Kommende møder"), BotCommand("hjaelp", "Hjælp")]
    english = [BotCommand("meetings", "Coming meetings")]
    await bot.set_my_commands(danish, scope=BotCommandScopeAllPrivateChats(), language_code="da")
    await bot.set_my_commands(english, scope=BotCommandScopeAllPrivateChats())
    await bot.set_my_commands(english, scope=BotCommandScopeChat(MEMBER), language_code="en")
    assert await bot.get_my_commands(
        scope=BotCommandScopeAllPrivateChats(), language_code="da"
    ) == tuple(danish)
    assert [c["command"] for c in await tg.commands("all_private_chats", "da")] == [
        "moeder",
        "hjaelp",
    ]
    assert (await tg.menu(MEMBER))["commands"][0]["command"] == "moeder"  # Mette speaks Danish
    assert await bot.get_my_commands() == ()
    with pytest.raises(BadRequest, match="Bot_command_invalid"):
        await bot.set_my_commands([BotCommand("Møder", "x")])


async def test_unknown_methods_and_bad_tokens_get_telegram_errors(emu: EmulatorServer) -> None:
    async with httpx.AsyncClient() as http:
        unknown = await http.post(f"{emu.base_url}{TOKEN}/sendTelepathy", json={"chat_id": 1})
        assert unknown.status_code == 404
        assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
        bad_token = await http.get(f"{emu.base_url}nonsense/getMe")
        assert bad_token.status_code == 401 and bad_token.json()["description"] == "Unauthorized"


@pytest.mark.parametrize("encoding", ["json", "form", "query", "multipart"])
async def test_parameters_are_read_from_json_form_query_and_multipart_bodies(
    emu: EmulatorServer, tg: EmulatorClient, encoding: str
) -> None:
    await started_chat(tg)
    params = {"chat_id": str(MEMBER), "text": "hej", "reply_markup": '{"inline_keyboard": []}'}
    url = f"{emu.base_url}{TOKEN}/sendMessage"
    kwargs: dict[str, Any] = {
        "json": {"form": {}, "json": {**params, "chat_id": MEMBER}}.get(encoding),
        "data": params if encoding in ("form", "multipart") else None,
        "files": {"unused": ("a.txt", b"a")} if encoding == "multipart" else None,
        "params": params if encoding == "query" else None,
    }
    if encoding == "form":
        kwargs["json"] = None
    async with httpx.AsyncClient() as http:
        response = await http.post(url, **{k: v for k, v in kwargs.items() if v is not None})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["ok"] is True and body["result"]["text"] == "hej"
    assert body["result"]["chat"] == {
        "id": MEMBER,
        "type": "private",
        "first_name": "Mette",
        "last_name": "Frederiksen",
        "username": "mette",
    }


# ------------------------------------------------------------------------- polling


async def test_long_polling_returns_as_soon_as_an_update_arrives(
    emu: EmulatorServer, tg: EmulatorClient
) -> None:
    url = f"{emu.base_url}{TOKEN}/getUpdates"
    async with httpx.AsyncClient(timeout=30) as http:
        started = time.perf_counter()
        poll = asyncio.create_task(http.post(url, json={"timeout": 20}))
        await asyncio.sleep(0.2)
        await tg.send(MEMBER, "/start")
        response = await poll
        elapsed = time.perf_counter() - started
        [update] = response.json()["result"]
        assert 0.2 <= elapsed < 5  # far below the 20 s the poll would otherwise wait
        assert update["message"]["text"] == "/start"

        # Without a confirming offset the update comes again; with one it is gone.
        again = await http.post(url, json={"timeout": 0})
        assert [u["update_id"] for u in again.json()["result"]] == [update["update_id"]]
        confirmed = await http.post(url, json={"offset": update["update_id"] + 1, "timeout": 0})
        assert confirmed.json()["result"] == []


async def test_an_empty_long_poll_waits_its_timeout_and_a_second_poller_conflicts(
    emu: EmulatorServer, bot: Bot
) -> None:
    started = time.perf_counter()
    assert await bot.get_updates(timeout=1) == ()
    assert time.perf_counter() - started >= 0.9
    # A second instance of the same bot polling at once ends the first one's long poll.
    async with Bot(TOKEN, base_url=emu.base_url) as second_instance:
        first = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.sleep(0.1)
        assert await second_instance.get_updates(timeout=0) == ()
        with pytest.raises(Conflict, match="terminated by other getUpdates request"):
            await first


async def test_allowed_updates_filters_what_the_bot_gets(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send(MEMBER, "/start")
    await tg.block(MEMBER)
    updates = await bot.get_updates(allowed_updates=["my_chat_member"])
    assert [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member] == [
        "kicked"
    ]
    assert all(u.message is None for u in updates)


# ------------------------------------------------------------------- rate limits, lifecycle


async def test_rate_limits_when_enabled_answer_429_with_a_computed_retry_after(
    bot: Bot, tg: EmulatorClient
) -> None:
    await started_chat(tg)
    # Slow refill, so a loaded machine cannot earn a token back between the sends.
    await tg.set_rate_limits(private_per_second=0.1, private_burst=2)
    await bot.send_message(MEMBER, "1")
    await bot.send_message(MEMBER, "2")
    with pytest.raises(RetryAfter) as raised:
        await bot.send_message(MEMBER, "3")
    assert re.search(r"Retry in (9|10) seconds", str(raised.value))
    limited = [c for c in await tg.calls("sendMessage") if c.status == 429]
    assert len(limited) == 1 and limited[0].chat_id == MEMBER
    assert (await tg.rate_limits())["limited"] == 1
    await tg.set_rate_limits(enabled=False)
    await bot.send_message(MEMBER, "3")


async def test_the_server_runs_in_a_thread_for_synchronous_code() -> None:
    emulator = EmulatorServer()
    emulator.start()
    try:
        response = httpx.get(f"{emulator.base_url}{TOKEN}/getMe")
        assert response.json()["result"]["username"] == "test123_bot"
        assert httpx.get(f"{emulator.sim_url}/health").json() == {"ok": True}
    finally:
        emulator.stop()


async def test_reset_forgets_the_world_but_keeps_update_ids_increasing(
    bot: Bot, tg: EmulatorClient
) -> None:
    first = await tg.send(MEMBER, "en")
    await tg.reset()
    assert await tg.chats() == []
    second = await tg.send(MEMBER, "to")
    assert first.update_id is not None and second.update_id is not None
    assert second.update_id > first.update_id
    [update] = await bot.get_updates()
    assert update.message is not None and update.message.text == "to"
