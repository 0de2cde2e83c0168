"""/items, /approve, /distribute, /agenda, /myitems and the agenda's buttons (bot.callbacks.Agenda).

Handlers only parse and render: every button is checked again by the service it calls."""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.callbacks import Agenda, AgendaAction
from bot.context import BotContext
from bot.handlers import basics
from bot.handlers.common import OnRefusal, attempt, in_chat, material_of
from bot.texts import STALE_BUTTON, refusal
from procedure.permissions import Action
from services.actors import Actor
from services.agenda import my_items, withdraw_item
from services.agenda_delivery import distribute_agenda, request_agenda
from services.agenda_prep import (
    AgendaOverview,
    add_item_material,
    add_own_item,
    agenda_overview,
    approve_agenda,
    approve_next_agenda,
    material_target,
    move_item,
    next_agenda,
    next_agenda_overview,
    reject_item,
    take_in_late,
)
from services.errors import Refused
from templates.i18n import format_when, render

PENDING = "agenda_pending"  # what the next text message answers: ("reject", item) and the like
PENDING_SINCE = "agenda_pending_since"
# A question left unanswered this long is forgotten: a document or text sent much later is not
# quietly taken as material for an item, or as a rejection's reason, asked for long ago.
PENDING_TTL = timedelta(minutes=30)


def _(message: str) -> str:
    return message


STATUSES = {
    "proposed": _("On the agenda"),
    "late": _("After the deadline: waiting for the chair"),
    "accepted": _("On the agenda"),
    "rejected": _("Not put on the agenda"),
    "withdrawn": _("Withdrawn"),
}


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(text, reply_markup=markup)


def _overview_text(overview: AgendaOverview, context: BotContext) -> str:
    return render("chat/agenda_overview.html.j2", context.language, o=overview)


def _overview_buttons(overview: AgendaOverview, context: BotContext) -> InlineKeyboardMarkup:
    actor = context.require_actor()
    m = overview.meeting.id
    rows: list[list[InlineKeyboardButton]] = []
    if actor.may(Action.ORDER_AGENDA) and len(overview.items) > 1:
        for number, item in enumerate(overview.items, start=1):
            row = []
            if number > 1:
                row.append(Agenda(m, "up", item.id).button(f"↑ {number}"))
            if number < len(overview.items):
                row.append(Agenda(m, "down", item.id).button(f"↓ {number}"))
            rows.append(row)
    for number, item in enumerate(overview.items, start=1):
        # R-D1: an on-time proposal goes on the agenda; only a late one can be declined.
        row = [
            Agenda(m, "mat", item.id).button(context._("Add material %(number)s", number=number))
        ]
        rows.append(row)
    for item in overview.late:
        short = item.title[:24]
        row = []
        if actor.may(Action.ACCEPT_LATE_PROPOSAL):
            take = context._("Take in: %(title)s", title=short)
            row.append(Agenda(m, "take", item.id).button(take))
            row.append(
                Agenda(m, "rej", item.id).button(context._("Reject: %(title)s", title=short))
            )
        if row:
            rows.append(row)
    last = [Agenda(m, "add").button(context._("Add an item"))]
    if actor.may(Action.APPROVE_AGENDA) and not overview.approved:
        last.append(Agenda(m, "appr").button(context._("Approve")))
    if not overview.distributed or overview.changed_since_distribution:
        label = context._("Send addendum") if overview.distributed else context._("Distribute now")
        last.append(Agenda(m, "dist").button(label))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


async def items(update: Update, context: BotContext) -> None:
    """`/items`: the next meeting's agenda with its buttons, and the other meetings to choose from."""
    found = await attempt(
        update, context, next_agenda, write=False, on_refusal=in_chat(update, context)
    )
    if found is None:
        return
    overview, later = found.value
    markup = _overview_buttons(overview, context)
    others = [
        Agenda(m.id, "show").button(format_when(m.starts_at, context.language)) for m in later[:3]
    ]
    if others:
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, others])
    await _say(update, _overview_text(overview, context), markup)


async def approve(update: Update, context: BotContext) -> None:
    """`/approve`: the chair approves the next meeting's agenda (R-D2), warned about material."""
    approved = await attempt(
        update, context, approve_next_agenda, on_refusal=_or_which(update, context, "appr")
    )
    if approved is None:
        return
    overview = approved.value
    await _say(update, _approved_text(overview, context), _distribute_button(overview, context))


def _approved_text(overview: AgendaOverview, context: BotContext) -> str:
    lines = [
        context._(
            "The agenda for the meeting %(when)s is approved (%(count)s items).",
            when=format_when(overview.meeting.starts_at, context.language),
            count=len(overview.items),
        )
    ]
    if overview.distribution_deadline_passed and not overview.distributed:
        lines.append(
            context._(
                "The distribution deadline %(deadline)s has passed, so it does not go out by"
                " itself: /distribute sends it and asks for the reason for the exception (R-D3).",
                deadline=format_when(overview.meeting.distribution_deadline, context.language),
            )
        )
    elif overview.meeting.distribution_deadline is not None and not overview.distributed:
        lines.append(
            context._(
                "Unless it is sent before, it goes out by itself on the deadline day; the deadline"
                " is %(deadline)s. /distribute sends it now.",
                deadline=format_when(overview.meeting.distribution_deadline, context.language),
            )
        )
    lines += _material_warning(overview, context)
    return "\n".join(lines)


def _material_warning(overview: AgendaOverview, context: BotContext) -> list[str]:
    if not overview.without_material:
        return []
    titles = ", ".join(escape(i.title) for i in overview.without_material)
    return [context._("⚠ Items without material (R-M3): %(titles)s", titles=titles)]


def _distribute_button(overview: AgendaOverview, context: BotContext) -> InlineKeyboardMarkup:
    label = context._("Distribute now")
    return InlineKeyboardMarkup([[Agenda(overview.meeting.id, "dist").button(label)]])


async def distribute(update: Update, context: BotContext) -> None:
    """`/distribute`: warn about missing material (R-M3), then send the agenda at once."""
    found = await attempt(
        update,
        context,
        next_agenda_overview,
        write=False,
        on_refusal=_or_which(update, context, "dist"),
    )
    if found is not None:
        await _offer_distribution(update, context, found.value)


def _or_which(update: Update, context: BotContext, action: AgendaAction) -> OnRefusal:
    """A refusal in the chat; when several meetings are meant, a button for each (the service
    asks which: the command must not act on the wrong meeting)."""
    say = in_chat(update, context)

    async def which(error: Refused) -> None:
        if error.code != "which_meeting":
            await say(error)
            return
        starts = [datetime.fromisoformat(s) for s in error.params["starts"]]
        buttons = [
            [Agenda(int(m), action).button(format_when(when, context.language))]
            for m, when in zip(error.params["meeting_ids"], starts, strict=True)
        ]
        await _say(update, refusal(error, context.language), InlineKeyboardMarkup(buttons))

    return which


async def _offer_distribution(
    update: Update, context: BotContext, overview: AgendaOverview
) -> None:
    if overview.without_material:
        buttons = InlineKeyboardMarkup(
            [[Agenda(overview.meeting.id, "distok").button(context._("Send anyway"))]]
        )
        await _say(update, "\n".join(_material_warning(overview, context)), buttons)
        return
    await _distribute(update, context, overview.meeting.id, reason=None)


async def _distribute(
    update: Update, context: BotContext, meeting_id: int, *, reason: str | None
) -> None:

    async def refused(error: Refused) -> None:
        text = refusal(error, context.language)
        if error.code == "exception_reason_required":
            _set_pending(context, "reason", meeting_id)
            text += "\n" + context._("Write the reason in one message; the agenda will show it.")
        await _say(update, text)

    distributed = await attempt(
        update, context, distribute_agenda, on_refusal=refused, meeting_id=meeting_id, reason=reason
    )
    if distributed is None:
        return
    sent = distributed.value
    text = context._(
        "The agenda (version %(version)s) is on its way to %(count)s people.",
        version=sent.version,
        count=sent.recipients,
    )
    if sent.addendum:
        text += "\n" + context._("It is marked as an addendum that says what changed.")
    await _say(update, text)


async def agenda(update: Update, context: BotContext) -> None:
    """`/agenda`: the latest distributed agenda again (R-P6: only to those who receive it)."""
    version = await attempt(update, context, request_agenda, on_refusal=in_chat(update, context))
    if version is None:
        return
    text = context._("Here it comes again (version %(version)s).", version=version.value)
    await _say(update, text)


async def myitems(update: Update, context: BotContext) -> None:
    """`/myitems`: the person's own proposals, with buttons to add material (R-M3) to each and
    to withdraw it while it can be."""
    found = await attempt(
        update, context, my_items, write=False, on_refusal=in_chat(update, context)
    )
    if found is None:
        return
    mine = found.value
    statuses = {key: context._(text) for key, text in STATUSES.items()}
    text = render("chat/my_items.html.j2", context.language, mine=mine, statuses=statuses)
    buttons = [
        [
            Agenda(m.meeting.id, "mat", m.item.id).button(
                context._("Add material: %(title)s", title=m.item.title[:24])
            ),
            Agenda(m.meeting.id, "wd", m.item.id).button(
                context._("Withdraw: %(title)s", title=m.item.title[:24])
            ),
        ]
        for m in mine
        if m.withdrawable
    ]
    await _say(update, text, InlineKeyboardMarkup(buttons) if buttons else None)


def _set_pending(context: BotContext, what: str, target: int, meeting_id: int = 0) -> None:
    """What the person's next message answers: `target` is an item or a meeting."""
    assert context.user_data is not None
    context.user_data[PENDING] = (what, target, meeting_id or target)
    context.user_data[PENDING_SINCE] = context.now()


def _pending(context: BotContext) -> tuple[str, int, int] | None:
    """The open question, unless it was asked more than PENDING_TTL ago (then it is dropped)."""
    data = context.user_data if context.user_data is not None else {}
    since = data.get(PENDING_SINCE)
    if since is not None and context.now() - since > PENDING_TTL:
        data.pop(PENDING, None)
    pending: tuple[str, int, int] | None = data.get(PENDING)
    return pending


# Buttons that act on one item carry its id; those on the meeting do not.
ITEM_ACTIONS = frozenset({"up", "down", "mat", "matdone", "rej", "take", "wd"})


async def button(update: Update, context: BotContext) -> None:
    """Every Agenda button (the /propose conversation has buttons of its own)."""
    query = update.callback_query
    assert query is not None
    pressed = Agenda.of(update)
    meeting_id, action, item_id = pressed.meeting_id, pressed.action, pressed.item_id or 0
    if (action in ITEM_ACTIONS) != (pressed.item_id is not None):
        await query.answer(context._(STALE_BUTTON), show_alert=True)
        return
    if action in ("rej", "add"):
        _set_pending(context, action, item_id or meeting_id, meeting_id)
        ask = (
            context._("Write the reason for the rejection; the proposer will receive it.")
            if action == "rej"
            else context._(
                "Write the title of the new item. A description may follow on the next lines."
            )
        )
        await query.answer()
        await _say(update, ask)
        return
    if action == "mat":
        if await _ask_material(update, context, meeting_id, item_id):
            await query.answer()
        return
    if action == "matdone":
        await query.answer()
        await _material_done(update, context, meeting_id, item_id)
        return
    if action in ("dist", "distok"):
        await query.answer()
        if action == "distok":
            await _distribute(update, context, meeting_id, reason=None)
            return
        found = await attempt(
            update,
            context,
            agenda_overview,
            write=False,
            on_refusal=in_chat(update, context),
            meeting_id=meeting_id,
        )
        if found is not None:
            await _offer_distribution(update, context, found.value)
        return
    await _act_and_show(update, context, action, meeting_id, item_id)


async def _act_and_show(
    update: Update, context: BotContext, action: AgendaAction, meeting_id: int, item_id: int
) -> None:
    """Move, take in, approve, withdraw or show; then the agenda as it now stands in its message."""
    query = update.callback_query
    assert query is not None

    async def act(
        session: AsyncSession, *, actor: Actor, now: datetime
    ) -> tuple[str, AgendaOverview | None]:
        note = await _act(session, context, actor, now, action, meeting_id, item_id)
        if action == "wd":  # from /mine: the person may not prepare the agenda
            return note, None
        overview = await agenda_overview(session, actor=actor, meeting_id=meeting_id, now=now)
        return note, overview

    done = await attempt(update, context, act, write=action != "show")
    if done is None:
        return
    note, overview = done.value
    await query.answer(note)
    if overview is not None and query.message is not None:
        await query.edit_message_text(
            _overview_text(overview, context), reply_markup=_overview_buttons(overview, context)
        )
    elif query.message is not None:
        await query.edit_message_reply_markup(None)


async def _act(
    session: AsyncSession,
    context: BotContext,
    actor: Actor,
    now: datetime,
    action: AgendaAction,
    meeting_id: int,
    item_id: int,
) -> str:
    if action in ("up", "down"):
        steps = -1 if action == "up" else 1
        await move_item(session, actor=actor, item_id=item_id, steps=steps, now=now)
        return context._("Moved.")
    if action == "take":
        await take_in_late(session, actor=actor, item_id=item_id, now=now)
        return context._("Taken in; it is marked late on the agenda.")
    if action == "appr":
        await approve_agenda(session, actor=actor, meeting_id=meeting_id, now=now)
        return context._("Approved.")
    if action == "wd":
        await withdraw_item(session, actor=actor, item_id=item_id, now=now)
        return context._("Withdrawn.")
    return ""  # show: the meeting's agenda, nothing changes


async def pending_text(update: Update, context: BotContext) -> None:
    """A message that answers the agenda's last question (a reason, a title, material documents);
    else 'not understood'."""
    pending = _pending(context)
    if pending is not None and pending[0] == "mat":
        # Kept until Done: several documents may come at once (and are handled concurrently).
        await _material_message(update, context, pending[2], pending[1])
        return
    if pending is not None and context.user_data is not None:
        context.user_data.pop(PENDING, None)
    message = update.effective_message
    if pending is None or message is None or not message.text:
        await basics.not_understood(update, context)
        return
    what, target, meeting_id = pending
    if what == "reason":
        await _distribute(update, context, target, reason=message.text)
        return

    async def refused(error: Refused) -> None:
        _set_pending(context, what, target, meeting_id)  # ask again rather than lose the answer
        await _say(update, refusal(error, context.language))

    if what == "rej":
        rejected = await attempt(
            update, context, reject_item, on_refusal=refused, item_id=target, reason=message.text
        )
        if rejected is not None:
            title = escape(rejected.value.title)
            await _say(
                update, context._("Rejected: %(title)s. The proposer has been told.", title=title)
            )
        return
    title, _newline, description = message.text.strip().partition("\n")
    added = await attempt(
        update,
        context,
        add_own_item,
        on_refusal=refused,
        meeting_id=target,
        title=title,
        description=description,
        material=[],
    )
    if added is None:
        return
    shown = added.value
    text = context._("Added to the agenda: %(title)s", title=escape(shown.title))
    # R-M3: the new item's material straight away
    markup = InlineKeyboardMarkup(
        [[Agenda(target, "mat", shown.id).button(context._("Add material"))]]
    )
    await _say(update, text, markup)


# --- Material for an item (R-M3): documents sent after "Add material" are attached until Done.

DONE_WORDS = frozenset({"done", "færdig", "faerdig", "stop", "annuller"})


def _done_button(context: BotContext, meeting_id: int, item_id: int) -> InlineKeyboardMarkup:
    label = context._("Done")
    return InlineKeyboardMarkup([[Agenda(meeting_id, "matdone", item_id).button(label)]])


async def _ask_material(update: Update, context: BotContext, meeting_id: int, item_id: int) -> bool:
    """Ask for the item's documents; False when the person may not (they have been told)."""
    found = await attempt(update, context, material_target, write=False, item_id=item_id)
    if found is None:
        return False
    _set_pending(context, "mat", item_id, meeting_id)
    text = context._(
        "Send the material for <b>%(title)s</b> as documents (PDF, Word, …), one or more."
        " Press Done when you have sent them all.",
        title=escape(found.value.title),
    )
    await _say(update, text, _done_button(context, meeting_id, item_id))
    return True


async def _material_message(
    update: Update, context: BotContext, meeting_id: int, item_id: int
) -> None:
    """A document is attached to the item at once; a Done word ends; anything else is asked again."""
    message = update.effective_message
    if message is None:
        return
    if message.document is None:
        if (message.text or "").strip().lstrip("/").lower() in DONE_WORDS:
            await _material_done(update, context, meeting_id, item_id)
            return
        text = context._("Send the material as documents, or press Done.")
        await _say(update, text, _done_button(context, meeting_id, item_id))
        return
    material = material_of(message.document)

    async def refused(error: Refused) -> None:
        if error.code == "file_too_big":  # the next document may do; the state stays
            done = _done_button(context, meeting_id, item_id)
            await _say(update, refusal(error, context.language), done)
            return
        _clear_material(context, item_id)
        await _say(update, refusal(error, context.language))

    added = await attempt(
        update, context, add_item_material, on_refusal=refused, item_id=item_id, material=[material]
    )
    if added is None:
        return
    shown = added.value
    text = context._(
        "Added to <b>%(title)s</b>: %(name)s (%(count)s in all).",
        title=escape(shown.title),
        name=escape(material.file_name),
        count=len(shown.material),
    )
    await _say(update, text, _done_button(context, meeting_id, item_id))


def _clear_material(context: BotContext, item_id: int) -> None:
    pending = _pending(context)
    if pending is not None and pending[:2] == ("mat", item_id) and context.user_data is not None:
        context.user_data.pop(PENDING, None)


async def _material_done(
    update: Update, context: BotContext, meeting_id: int, item_id: int
) -> None:
    """Done: no more documents for the item; the agenda as it now stands (the R-M3 warning)."""
    _clear_material(context, item_id)
    query = update.callback_query
    if query is not None and query.message is not None:
        await query.edit_message_reply_markup(None)
    actor = context.require_actor()
    if not actor.may(Action.EDIT_AGENDA):  # a proposer: their own items, as /mine shows them
        await myitems(update, context)
        return
    found = await attempt(
        update,
        context,
        agenda_overview,
        write=False,
        on_refusal=in_chat(update, context),
        meeting_id=meeting_id,
    )
    if found is not None:
        overview = found.value
        await _say(update, _overview_text(overview, context), _overview_buttons(overview, context))
