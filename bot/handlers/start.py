"""/start: linking a Telegram account through an invite, and greeting people who are linked."""

from __future__ import annotations

import logging
from html import escape

from telegram import Update

from bot.context import BotContext
from bot.gate import refuse_stranger
from bot.handlers.common import attempt
from bot.menus import refresh_person
from bot.texts import refusal, role_title
from services.errors import Refused
from services.invites import redeem_invite
from templates.i18n import supported

log = logging.getLogger(__name__)


async def start(update: Update, context: BotContext) -> None:
    """`/start <token>` links the account; `/start` alone greets a linked person."""
    message, user = update.effective_message, update.effective_user
    if message is None or user is None or update.effective_chat is None:
        return
    if context.actor is not None:
        await message.reply_html(_greeting(context, again=True))
        return
    if not context.args:
        await refuse_stranger(update, context)
        return

    async def refused(error: Refused) -> None:
        log.info("invite refused for telegram user %s: %s", user.id, error.code)
        await message.reply_text(refusal(error, context.language))

    linked = await attempt(
        update,
        context,
        redeem_invite,
        as_actor=False,
        on_refusal=refused,
        token=context.args[0],
        telegram_user_id=user.id,
        chat_id=user.id,  # the private chat (the gate lets /start <token> through only there)
    )
    if linked is None:
        return
    context.actor = linked.value
    context.language = supported(context.actor.language)
    await refresh_person(update, context)  # the person's menu is there when they are greeted
    await message.reply_html(_greeting(context, again=False))


def _greeting(context: BotContext, *, again: bool) -> str:
    actor = context.require_actor()
    params = {
        "name": actor.name,
        "role": role_title(actor, context.language),
        "council": actor.council_name,
    }
    safe = {k: escape(v) for k, v in params.items()}
    if again:
        return context._(
            "Hello again, <b>%(name)s</b> — %(role)s in %(council)s. /help shows what I can do.",
            **safe,
        )
    return context._(
        "Welcome, <b>%(name)s</b>! You are now linked as %(role)s in %(council)s.\n"
        "I will send you agendas, reminders and meeting notices here. /help shows what I can do.",
        **safe,
    )
