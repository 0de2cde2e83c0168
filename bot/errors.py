"""The error handler: log everything, tell the person something went wrong, never show a traceback."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update
from telegram.error import RetryAfter, TelegramError

from bot.context import BotContext
from bot.delivery import retry_delay

log = logging.getLogger(__name__)
# Beyond this the person is better served by no apology than by one minutes late.
MAX_APOLOGY_WAIT = 30.0


class OutboxTakesOver(logging.Filter):
    """PTB's rate limiter logs every 429 it passes on (max_retries=0) as an error with a traceback;
    the outbox reschedules such a notice and `on_error` answers a person, so it is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


OUTBOX_TAKES_OVER = OutboxTakesOver()  # one instance: adding it again is then a no-op


async def on_error(update: object, context: BotContext) -> None:
    """Log the exception with the update; apologise in the person's language where we can."""
    if isinstance(context.error, RetryAfter):
        await _after_flood_control(update, context, context.error)
        return
    log.error("error while handling %r", update, exc_info=context.error)
    if not isinstance(update, Update):
        return
    text = context._("Sorry, something went wrong on my side. Please try again in a moment.")
    await _apologise(update, text)


async def _after_flood_control(update: object, context: BotContext, error: RetryAfter) -> None:
    """A 429 while answering: wait as Telegram asks, then say the answer was lost (not silence)."""
    wait = retry_delay(error.retry_after).total_seconds()
    log.warning("Telegram asked to wait %.0f s while answering %r", wait, update)
    if not isinstance(update, Update) or wait > MAX_APOLOGY_WAIT:
        return
    await asyncio.sleep(wait)
    text = context._(
        "Telegram asked me to slow down, so my answer did not reach you. Please send it again."
    )
    await _apologise(update, text)


async def _apologise(update: Update, text: str) -> None:
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(text, show_alert=True)
        elif update.effective_message is not None and update.effective_chat is not None:
            await update.effective_message.reply_text(text)
    except TelegramError as error:  # the apology itself failed (blocked, flood): only log
        log.warning("could not send the apology: %s", error)
