"""What every handler does: call one use case in one unit of work, and answer the person —
privately, as a button's alert, or (for a refusal) clearly and with nothing changed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from dataclasses import replace as replace_fields
from typing import Any, Generic, TypeVar

from telegram import Document, InlineKeyboardMarkup, Update
from telegram.constants import ChatType, ParseMode
from telegram.error import BadRequest

from bot.context import BotContext
from bot.texts import ALERT_LIMIT, cut, refusal, split
from models.unit_of_work import together, unit_of_work
from services.agenda import MaterialIn
from services.errors import Refused
from services.text import clean_optional, clean_text

T = TypeVar("T")
# How a handler answers a refusal when the default (tell(), as an alert for a button) will not do.
OnRefusal = Callable[[Refused], Awaitable[None]]


@dataclass(frozen=True)
class Done(Generic[T]):
    """The service did it; `value` is what it returned (which may itself be None)."""

    value: T


async def attempt(
    update: Update,
    context: BotContext,
    service: Callable[..., Awaitable[T]],
    /,
    *,
    write: bool = True,
    on_refusal: OnRefusal | None = None,
    as_actor: bool = True,
    **kwargs: Any,
) -> Done[T] | None:
    """Call `service(session, actor=..., now=..., **kwargs)` in one unit of work (holding the
    write guard unless `write=False`; a stranger's /start passes `as_actor=False`). A refusal is
    told to the person in their language — by `on_refusal` if given — and gives None."""
    if as_actor:
        kwargs["actor"] = context.require_actor()
    kwargs = {name: safe(value) for name, value in kwargs.items()}
    try:
        async with unit_of_work(context.sessions, write=write) as session:
            return Done(await service(session, now=context.now(), **kwargs))
    except Refused as error:
        if on_refusal is not None:
            await on_refusal(error)
        else:
            await tell(update, context, refusal(error, context.language), alert=True)
        return None


async def reply_long(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    """A text that may be long (a list): several messages, split between paragraphs, with the
    buttons under the last — never one message silently cut."""
    message = update.effective_message
    if message is None:
        return
    parts = split(text)
    for part in parts[:-1]:
        await message.reply_html(part)
    await message.reply_html(parts[-1], reply_markup=markup)


async def attempt_together(
    update: Update,
    context: BotContext,
    service: Callable[[Any, list[Any]], Awaitable[list[Any]]],
    key: Hashable,
    request: Any,
    /,
) -> Done[Any] | None:
    """As attempt(), for a use case that comes in bursts (60 check-ins at once): the request is
    applied in a transaction shared with the others of `key` that arrive meanwhile, in order of
    arrival (models.unit_of_work.together); `service(session, requests)` gives one result each,
    a Refused for a request refused, which is told to its person as attempt() does."""
    result = await together(context.sessions, key, request, service)
    if isinstance(result, Refused):
        await tell(update, context, refusal(result, context.language), alert=True)
        return None
    return Done(result)


def in_chat(update: Update, context: BotContext) -> OnRefusal:
    """Answer a refusal in the chat where the command was written (the agenda's and plan's way)."""

    async def say(error: Refused) -> None:
        if update.effective_message is not None:
            await update.effective_message.reply_html(refusal(error, context.language))

    return say


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
        await query.answer(cut(text, ALERT_LIMIT), show_alert=alert)
        return
    message, chat = update.effective_message, update.effective_chat
    if message is None or chat is None:
        return
    actor = context.actor
    to = chat.id if chat.type == ChatType.PRIVATE else actor.chat_id if actor else None
    if to is None:
        return
    parts = split(text)  # a long answer in several messages, the buttons under the last
    for number, part in enumerate(parts, start=1):
        await context.bot.send_message(
            to,
            part,
            parse_mode=ParseMode.HTML,
            reply_markup=markup if number == len(parts) else None,
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


def safe(value: Any) -> Any:
    """What a person typed or sent, made safe to store (services/text.py): every text cleaned and
    bounded, a document's names and ids cut to their columns. Applied to every service call."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, MaterialIn):
        return safe_material(value)
    if isinstance(value, list | tuple):
        return type(value)(safe(v) for v in value)
    return value


def safe_material(material: MaterialIn) -> MaterialIn:
    return replace_fields(
        material,
        file_id=material.file_id[:200],
        file_unique_id=(material.file_unique_id or "")[:100] or None,
        file_name=clean_text(material.file_name, 255) or "document",
        mime_type=clean_optional(material.mime_type, 100),
    )


def args_text(context: BotContext) -> str:
    return " ".join(context.args or []).strip()


def material_of(sent: Document) -> MaterialIn:
    """A document sent in the chat as an item's material (R-M3); the file stays on Telegram."""
    return safe_material(
        MaterialIn(
            file_id=sent.file_id,
            file_unique_id=sent.file_unique_id,
            file_name=sent.file_name or "document",
            mime_type=sent.mime_type,
            file_size=sent.file_size,
        )
    )
