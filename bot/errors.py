"""The error handler: tell the person something went wrong, never show a traceback, and log by ids
only (issue 16: no names, texts or tokens in the log; Telegram being down is a warning, not an error)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.exc import IntegrityError
from telegram import Update
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError

from bot.callbacks import StaleButton
from bot.context import BotContext
from bot.pacing import FLOOD, retry_delay
from bot.texts import STALE_BUTTON

log = logging.getLogger(__name__)
# Beyond this the person is better served by no apology than by one minutes late.
MAX_APOLOGY_WAIT = 30.0


class OutboxTakesOver(logging.Filter):
    """PTB's rate limiter logs every 429 it passes on (max_retries=0) as an error with a traceback;
    the outbox reschedules such a notice and `on_error` answers a person, so it is not one."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


OUTBOX_TAKES_OVER = OutboxTakesOver()  # one instance: adding it again is then a no-op


def describe(update: object) -> str:
    """An update by its ids only: which update, chat and user (never its text or names)."""
    if not isinstance(update, Update):
        return "a job" if update is None else type(update).__name__
    chat = update.effective_chat.id if update.effective_chat else "-"
    user = update.effective_user.id if update.effective_user else "-"
    kind = "press" if update.callback_query else "message"
    return f"update {update.update_id} ({kind}, chat {chat}, user {user})"


async def on_error(update: object, context: BotContext) -> None:
    """Log by ids; apologise in the person's language where we can."""
    error = context.error
    if isinstance(error, RetryAfter):
        await _after_flood_control(update, context, error)
        return
    if isinstance(error, StaleButton):  # data that does not parse: an old or made-up button
        log.warning("%s: a button that does not parse", describe(update))
        if isinstance(update, Update):
            await _apologise(update, context._(STALE_BUTTON))
        return
    if isinstance(error, BadRequest) and _too_late(error):
        # A press answered twice or after Telegram's deadline: nothing spins, nothing to fix.
        log.warning("%s: the press could not be answered (%s)", describe(update), error.message)
        return
    if isinstance(error, BadRequest) and "not modified" in error.message.lower():
        if isinstance(update, Update) and update.callback_query is not None:
            await _answer_quietly(update)  # the press is answered, the message already shows it
        return
    if isinstance(error, IntegrityError):  # two presses or two instances raced: one of them won
        log.warning("%s: a concurrent change won (%s)", describe(update), type(error.orig).__name__)
        if isinstance(update, Update):
            await _apologise(update, context._("That has already been done."))
        return
    if isinstance(error, (Forbidden, NetworkError)) and not isinstance(error, BadRequest):
        # Telegram is down or the person blocked the bot: nothing to fix here, nothing to say.
        log.warning("%s: Telegram %s", describe(update), type(error).__name__)
        return
    log.error("error while handling %s", describe(update), exc_info=error)
    if not isinstance(update, Update):
        return
    text = context._("Sorry, something went wrong on my side. Please try again in a moment.")
    await _apologise(update, text)


async def _after_flood_control(update: object, context: BotContext, error: RetryAfter) -> None:
    """A 429 while answering: wait as Telegram asks, then say the answer was lost (not silence)."""
    FLOOD.pause(error.retry_after)  # the outbox, too, waits as Telegram asked
    wait = retry_delay(error.retry_after).total_seconds()
    log.warning("Telegram asked to wait %.0f s while answering %s", wait, describe(update))
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
        log.warning("could not send the apology: %s", type(error).__name__)


def _too_late(error: BadRequest) -> bool:
    reason = error.message.lower()
    return "query is too old" in reason or "query id is invalid" in reason


async def _answer_quietly(update: Update) -> None:
    try:
        assert update.callback_query is not None
        await update.callback_query.answer()
    except TelegramError:  # already answered, or too old: either way nothing spins any more
        pass
