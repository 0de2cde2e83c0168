"""The picker of a long agenda (bot.callbacks.Order): the overview's message becomes a numbered
list — pick an item, then move it up, down, first, last or to a place (R-M4), or add material to
it (R-M3). However many items, a keyboard shows at most a page of 40 numbers (Telegram allows 100
buttons); every press edits the message to show what was chosen, and Done gives the agenda back.
The service checks every move again (the acting chair orders, R-P3)."""

from __future__ import annotations

from datetime import datetime
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import dialogues
from bot.callbacks import Order, OrderAction
from bot.context import BotContext
from bot.handlers.agenda import ask_material
from bot.handlers.agenda_view import edit_overview
from bot.handlers.common import attempt, in_chat
from bot.texts import STALE_BUTTON, cut, fit
from services.actors import Actor
from services.agenda_prep import AgendaOverview, agenda_overview, move_item
from templates.i18n import format_when

PER_ROW = 8
PAGE = 40  # numbers on one keyboard: five rows of eight
LIST_BUDGET = 3300  # characters for the numbered list, so the message fits with its question
MOVES: frozenset[OrderAction] = frozenset({"up", "down", "top", "end", "to"})


async def button(update: Update, context: BotContext) -> None:
    """Every press in the picker."""
    query = update.callback_query
    assert query is not None
    pressed = Order.of(update)
    action, meeting_id = pressed.action, pressed.meeting_id
    if action in MOVES:
        await _move(update, context, pressed)
        return
    found = await attempt(
        update,
        context,
        agenda_overview,
        write=False,
        on_refusal=in_chat(update, context),
        meeting_id=meeting_id,
    )
    if found is None:
        await query.answer()
        return
    overview = found.value
    if action == "done":
        await query.answer()
        await edit_overview(update, context, overview, context._("Done"))
        return
    if action in ("pick", "page", "mpick", "mpage"):
        await query.answer()
        material = action.startswith("m")
        await _show(update, context, overview, page=pressed.n or 1, material=material)
        return
    number = _number(overview, pressed.item_id)
    if number is None:  # the item left the agenda meanwhile
        await query.answer(context._(STALE_BUTTON), show_alert=True)
        await _show(update, context, overview, material=action == "msel")
        return
    if action == "msel":
        item = overview.items[number - 1]
        await dialogues.settle(update, context, f"{number}. {cut(item.title, 60)}")
        await ask_material(update, context, meeting_id, item.id)
        return
    await query.answer()
    await _show(update, context, overview, selected=number, page=pressed.n)


async def _move(update: Update, context: BotContext, pressed: Order) -> None:
    """Move the picked item and show the agenda's new order, the item still picked."""
    query = update.callback_query
    assert query is not None and pressed.item_id is not None
    item_id = pressed.item_id

    async def move(session: AsyncSession, *, actor: Actor, now: datetime) -> AgendaOverview:
        overview = await agenda_overview(
            session, actor=actor, meeting_id=pressed.meeting_id, now=now
        )
        ids = [item.id for item in overview.items]
        if item_id not in ids:
            return overview  # gone meanwhile: the picker shows the agenda as it is
        place = _place(pressed, ids.index(item_id) + 1, len(ids))
        return await move_item(
            session, actor=actor, item_id=item_id, steps=place - ids.index(item_id) - 1, now=now
        )

    moved = await attempt(update, context, move, on_refusal=in_chat(update, context))
    await query.answer()
    if moved is None:
        return
    overview = moved.value
    number = _number(overview, item_id)
    if number is None:
        await _show(update, context, overview)
        return
    note = context._(
        "%(title)s is now item %(number)s.",
        title=cut(overview.items[number - 1].title, 60),
        number=number,
    )
    await _show(update, context, overview, selected=number, note=note)


def _place(pressed: Order, current: int, count: int) -> int:
    if pressed.action == "up":
        return max(current - 1, 1)
    if pressed.action == "down":
        return min(current + 1, count)
    if pressed.action == "top":
        return 1
    if pressed.action == "end":
        return count
    return min(max(pressed.n or current, 1), count)


def _number(overview: AgendaOverview, item_id: int | None) -> int | None:
    ids = [item.id for item in overview.items]
    return ids.index(item_id) + 1 if item_id in ids else None


async def _show(
    update: Update,
    context: BotContext,
    overview: AgendaOverview,
    *,
    page: int | None = None,
    selected: int | None = None,
    material: bool = False,
    note: str | None = None,
) -> None:
    """The pressed message as the picker: the numbered agenda and what to press next."""
    query = update.callback_query
    assert query is not None
    count = len(overview.items)
    if selected is not None:
        question = context._(
            "Where should item %(number)s go? Up or down one place, first, last, or press the"
            " number of its new place.",
            number=selected,
        )
        keyboard = _destinations(overview, context, selected, page)
    elif material:
        question = context._("Which item is the material for? Press its number.")
        keyboard = _numbers(overview, "msel", "mpage", page or 1)
    else:
        question = context._("Which item should be moved? Press its number.")
        keyboard = _numbers(overview, "sel", "page", page or 1)
    keyboard.append([Order(overview.meeting.id, "done").button(context._("Done"))])
    text = _listing(overview, context, selected, note, question) if count else question
    try:
        await query.edit_message_text(
            fit(text), reply_markup=InlineKeyboardMarkup(keyboard), parse_mode="HTML"
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


def _listing(
    overview: AgendaOverview,
    context: BotContext,
    selected: int | None,
    note: str | None,
    question: str,
) -> str:
    """The agenda as a numbered list of titles, each cut so that forty or more fit one message."""
    width = max(16, min(70, LIST_BUDGET // max(len(overview.items), 1) - 8))
    when = format_when(overview.meeting.starts_at, context.language)
    lines = [f"<b>{escape(context._('Agenda for the meeting %(when)s', when=when))}</b>"]
    for number, item in enumerate(overview.items, start=1):
        line = f"{number}. {escape(cut(item.title, width))}"
        lines.append(f"<b>▶ {line}</b>" if number == selected else line)
    if note:
        lines += ["", f"<i>→ {escape(note)}</i>"]
    return "\n".join([*lines, "", question])


def _pages(count: int, page: int) -> tuple[int, range]:
    """The page within bounds, and the numbers it shows."""
    last = max((count - 1) // PAGE + 1, 1)
    page = min(max(page, 1), last)
    return page, range((page - 1) * PAGE + 1, min(page * PAGE, count) + 1)


def _grid(buttons: list[InlineKeyboardButton]) -> list[list[InlineKeyboardButton]]:
    return [buttons[i : i + PER_ROW] for i in range(0, len(buttons), PER_ROW)]


def _numbers(
    overview: AgendaOverview, choose: OrderAction, turn: OrderAction, page: int
) -> list[list[InlineKeyboardButton]]:
    """A page of item numbers to choose from, with ‹ › to the other pages."""
    m, count = overview.meeting.id, len(overview.items)
    page, shown = _pages(count, page)
    rows = _grid([Order(m, choose, overview.items[n - 1].id).button(str(n)) for n in shown])
    nav = []
    if page > 1:
        nav.append(Order(m, turn, None, page - 1).button("‹"))
    if shown and shown[-1] < count:
        nav.append(Order(m, turn, None, page + 1).button("›"))
    return [*rows, nav] if nav else rows


def _destinations(
    overview: AgendaOverview, context: BotContext, selected: int, page: int | None
) -> list[list[InlineKeyboardButton]]:
    """Up, down, first, last, then a page of places to move the picked item to."""
    m, count = overview.meeting.id, len(overview.items)
    item = overview.items[selected - 1].id
    page, shown = _pages(count, page or (selected - 1) // PAGE + 1)
    rows = [
        [
            Order(m, "up", item).button(context._("↑ Up")),
            Order(m, "down", item).button(context._("↓ Down")),
            Order(m, "top", item).button(context._("⇈ First")),
            Order(m, "end", item).button(context._("⇊ Last")),
        ],
        *_grid([Order(m, "to", item, n).button(str(n)) for n in shown if n != selected]),
    ]
    nav = []
    if page > 1:
        nav.append(Order(m, "sel", item, page - 1).button("‹"))
    if shown and shown[-1] < count:
        nav.append(Order(m, "sel", item, page + 1).button("›"))
    nav.append(Order(m, "pick").button(context._("Choose another item")))
    return [*rows, nav]
