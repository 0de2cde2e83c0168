"""/request (/anmod): ask for an extraordinary meeting, or take the request back (R-M2)."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import args_text, attempt, tell
from services.requests import request_meeting, withdraw_request

WITHDRAW_WORDS = {"tilbage", "træk tilbage", "withdraw"}


async def request(update: Update, context: BotContext) -> None:
    """R-M2: `/anmod SUBJECT` asks for an extraordinary meeting; `/anmod tilbage` withdraws it."""
    words = args_text(context)
    if words.lower() in WITHDRAW_WORDS:
        withdrawn = await attempt(update, context, withdraw_request)
        if withdrawn is not None:
            text = context._(
                "Your request for a meeting about %(subject)s is withdrawn and no longer counts.",
                subject=escape(withdrawn.value),
            )
            await tell(update, context, text)
        return
    requested = await attempt(update, context, request_meeting, subject=words)
    if requested is None:
        return
    count = requested.value
    if count.threshold_reached:
        text = context._(
            "Your request is registered. With it, %(count)s members have asked — enough:"
            " the chair and the secretariat have been told that a meeting must be called.",
            count=count.requests,
        )
    else:
        text = context._(
            "Your request is registered: %(count)s of the %(needed)s requests needed.",
            count=count.requests,
            needed=count.needed,
        )
    await tell(
        update, context, f"{text}\n{context._('You can take it back with /request withdraw.')}"
    )
