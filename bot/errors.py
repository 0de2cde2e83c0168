"""The error handler: log everything, tell the person something went wrong, never show a traceback."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError

from bot.context import BotContext

log = logging.getLogger(__name__)


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception with the update; apologise in the person's language where we can."""
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = context._("Sorry, something went wrong on my side. Please try again in a moment.")
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as error:  # the apology itself failed (blocked, flood): only log
        log.warning("could not send the apology: %s", error)
