"""What every attendance handler does: run one service in one transaction, and answer the person —
privately, as a button's alert, or (for a refusal) clearly and with nothing changed."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from telegram import Document, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from bot.context import BotContext
from bot.texts import refusal
from services.agenda import MaterialIn
from services.errors import Refused

T = TypeVar("T")
REFUSED: Any = object()  # what run() returns when the service said no (the person was told)
# Updates are handled concurrently; attendance changes of this process go one at a time, so that
# SQLite (one writer) never sees two of them race, and PostgreSQL's row locks rarely have to wait.
# Telegram round trips and the gate still overlap, which is what makes a burst of check-ins fast.
WRITES = asyncio.Lock()


async def run(
    update: Update,
    context: BotContext,
    service: Callable[..., Awaitable[T]],
    /,
    **kwargs: Any,
) -> T:
    """Call `service(session, actor=..., now=..., **kwargs)`; on a refusal tell the person why."""
    actor = context.require_actor()
    try:
        async with WRITES, context.sessions() as session, session.begin():
            return await service(session, actor=actor, now=context.now(), **kwargs)
    except Refused as error:
        await tell(update, context, refusal(error, context.language), alert=True)
        return REFUSED  # type: ignore[no-any-return]


async def tell(
    update: Update,
    context: BotContext,
    text: str,
    *,
    alert: bool = False,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """Answer a button (as a toast, or an alert) or a command. In a group, a command's answer goes
    to the person privately: nobody else in the group learns anything, and the group stays quiet."""
    query = update.callback_query
    if query is not None:
        await query.answer(text[:200], show_alert=alert)
        return
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
        return
    actor = context.actor
    if actor is not None and actor.chat_id is not None:
        await context.bot.send_message(
            actor.chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup
        )


async def replace(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """Show the outcome of a button in its message (the buttons go, so it cannot be pressed twice)."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    try:
        await query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup)
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def args_text(context: BotContext) -> str:
    return " ".join(context.args or []).strip()


def material_of(sent: Document) -> MaterialIn:
    """A document sent in the chat as an item's material (R-M3); the file stays on Telegram."""
    return MaterialIn(
        file_id=sent.file_id,
        file_unique_id=sent.file_unique_id,
        file_name=sent.file_name or "document",
        mime_type=sent.mime_type,
        file_size=sent.file_size,
    )
