"""The gate every update passes first: who is writing? Strangers get one polite refusal, nothing else."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import BotContext
from models.unit_of_work import unit_of_work
from services.actors import actor_for_telegram
from services.outbox import mark_reachable
from templates.i18n import supported

log = logging.getLogger(__name__)


def _(message: str) -> str:
    return message


STRANGER = _(
    "Hello! I am the meeting assistant of the KKR councils. I only talk to members, substitutes and"
    " staff who have been invited. Ask your council's secretariat for a personal invitation link."
)


async def gate(update: Update, context: BotContext) -> None:
    """Resolve the Telegram user to a person; stop the update here when it comes from a stranger."""
    user = update.effective_user
    if user is None:
        raise ApplicationHandlerStop
    async with unit_of_work(context.sessions, write=False) as session:
        context.actor = await actor_for_telegram(session, user.id)
    if context.actor is not None and context.actor.unreachable:
        async with unit_of_work(context.sessions) as session:
            await mark_reachable(session, telegram_user_id=user.id, now=context.now())
    if context.actor is not None:
        context.language = supported(context.actor.language)
        return
    context.language = "en" if (user.language_code or "").startswith("en") else "da"
    if _is_start_with_token(update):
        return  # /start <token> is how a stranger becomes a person
    await refuse_stranger(update, context)
    raise ApplicationHandlerStop


def _is_start_with_token(update: Update) -> bool:
    message = update.effective_message
    text = message.text if message and message.text else ""
    return update.callback_query is None and text.startswith("/start ") and len(text.split()) == 2


async def refuse_stranger(update: Update, context: BotContext) -> None:
    """The one answer a stranger gets, for any command, message or button."""
    chat = update.effective_chat
    text = context._(STRANGER)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
        return
    message = update.effective_message
    if message is None or chat is None:
        return
    is_command = bool(message.text and message.text.startswith("/"))
    if chat.type == ChatType.PRIVATE or is_command:
        await message.reply_text(text)
    log.info(
        "refused a stranger (telegram user %s)",
        update.effective_user.id if update.effective_user else "?",
    )
