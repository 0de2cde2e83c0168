"""The agenda as the chair and the secretariat prepare it (/items): its text, its buttons, and
showing it — in several messages when it is long, the buttons under the last."""

from __future__ import annotations

from contextlib import suppress

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import dialogues
from bot.callbacks import Agenda, Order
from bot.context import BotContext
from bot.handlers.common import reply_long
from bot.texts import MESSAGE_LIMIT, cut
from procedure.permissions import Action
from services.agenda_prep import AgendaOverview
from templates.i18n import render

LABEL_WIDTH = 24  # a title in a button label, cut at a word boundary


def overview_text(overview: AgendaOverview, context: BotContext) -> str:
    return render("chat/agenda_overview.html.j2", context.language, o=overview)


def overview_buttons(overview: AgendaOverview, context: BotContext) -> InlineKeyboardMarkup:
    """A few buttons however long the agenda: the order and the material are chosen item by
    item in a picker (bot/handlers/agenda_order.py), within Telegram's limits."""
    actor = context.require_actor()
    m = overview.meeting.id
    rows: list[list[InlineKeyboardButton]] = []
    first = []
    if actor.may(Action.ORDER_AGENDA) and len(overview.items) > 1:
        first.append(Order(m, "pick").button(context._("↕ Change the order")))
    if overview.items:
        first.append(Order(m, "mpick").button(context._("Add material")))
    if first:
        rows.append(first)
    for item in overview.late:
        short = cut(item.title, LABEL_WIDTH)
        # R-D1: an on-time proposal goes on the agenda; only a late one can be declined.
        if actor.may(Action.ACCEPT_LATE_PROPOSAL):
            take = context._("Take in: %(title)s", title=short)
            rows.append(
                [
                    Agenda(m, "take", item.id).button(take),
                    Agenda(m, "rej", item.id).button(context._("Reject: %(title)s", title=short)),
                ]
            )
    last = [Agenda(m, "add").button(context._("Add an item"))]
    if actor.may(Action.APPROVE_AGENDA) and not overview.approved:
        last.append(Agenda(m, "appr").button(context._("Approve")))
    if not overview.distributed or overview.changed_since_distribution:
        label = context._("Send addendum") if overview.distributed else context._("Distribute now")
        last.append(Agenda(m, "dist").button(label))
    rows.append(last)
    return InlineKeyboardMarkup(rows[:MAX_ROWS])


MAX_ROWS = 40  # late proposals beyond this wait for the next look (Telegram allows 100 buttons)


async def send_overview(
    update: Update,
    context: BotContext,
    overview: AgendaOverview,
    extra: list[list[InlineKeyboardButton]] | None = None,
) -> None:
    """The overview as new messages (a long agenda in several), its buttons under the last."""
    markup = overview_buttons(overview, context)
    if extra:
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, *extra])
    await reply_long(update, overview_text(overview, context), markup)


async def edit_overview(
    update: Update, context: BotContext, overview: AgendaOverview, note: str | None = None
) -> None:
    """The pressed message becomes the agenda as it now stands; when that is too long for one
    message, the pressed message shows what was chosen and the agenda follows as new messages."""
    query = update.callback_query
    text = overview_text(overview, context)
    if query is None or query.message is None or len(text) > MESSAGE_LIMIT:
        await dialogues.settle(update, context, note)
        await send_overview(update, context, overview)
        return
    with suppress(BadRequest):  # "message is not modified": it already shows this
        await query.edit_message_text(text, reply_markup=overview_buttons(overview, context))
