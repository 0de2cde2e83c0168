"""/items, /approve, /distribute, /agenda, /myitems and the agenda's buttons (ag:<meeting>:<action>).

Handlers only parse and render: every button is checked again by the service it calls."""

from __future__ import annotations

from datetime import timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update

from bot.context import BotContext
from bot.handlers import basics
from bot.handlers.common import material_of
from bot.texts import refusal
from procedure.permissions import Action
from services.agenda import my_items, withdraw_item
from services.agenda_delivery import distribute_agenda, request_agenda
from services.agenda_prep import (
    AgendaOverview,
    add_item_material,
    add_own_item,
    agenda_overview,
    approve_agenda,
    material_target,
    move_item,
    preparable_meetings,
    reject_item,
    take_in_late,
)
from services.errors import Refused
from services.meetings import upcoming_meetings
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
                row.append(
                    InlineKeyboardButton(f"↑ {number}", callback_data=f"ag:{m}:up:{item.id}")
                )
            if number < len(overview.items):
                row.append(
                    InlineKeyboardButton(f"↓ {number}", callback_data=f"ag:{m}:down:{item.id}")
                )
            rows.append(row)
    for number, item in enumerate(overview.items, start=1):
        label = context._("Add material %(number)s", number=number)
        row = [InlineKeyboardButton(label, callback_data=f"ag:{m}:mat:{item.id}")]
        if item.status == "proposed":
            label = context._("Reject %(number)s", number=number)
            row.append(InlineKeyboardButton(label, callback_data=f"ag:{m}:rej:{item.id}"))
        rows.append(row)
    for item in overview.late:
        short = item.title[:24]
        row = [
            InlineKeyboardButton(
                context._("Reject: %(title)s", title=short), callback_data=f"ag:{m}:rej:{item.id}"
            )
        ]
        if actor.may(Action.ACCEPT_LATE_PROPOSAL):
            take = context._("Take in: %(title)s", title=short)
            row.insert(0, InlineKeyboardButton(take, callback_data=f"ag:{m}:take:{item.id}"))
        rows.append(row)
    last = [InlineKeyboardButton(context._("Add an item"), callback_data=f"ag:{m}:add")]
    if actor.may(Action.APPROVE_AGENDA) and not overview.approved:
        last.append(InlineKeyboardButton(context._("Approve"), callback_data=f"ag:{m}:appr"))
    if not overview.distributed or overview.changed_since_distribution:
        label = context._("Send addendum") if overview.distributed else context._("Distribute now")
        last.append(InlineKeyboardButton(label, callback_data=f"ag:{m}:dist"))
    rows.append(last)
    return InlineKeyboardMarkup(rows)


async def items(update: Update, context: BotContext) -> None:
    """`/items`: the next meeting's agenda with its buttons, and the other meetings to choose from."""
    actor = context.require_actor()
    try:
        async with context.sessions() as session:
            meetings = await preparable_meetings(session, actor=actor, now=context.now())
            if not meetings:
                raise Refused("not_found", "no coming meeting")
            overview = await agenda_overview(
                session, actor=actor, meeting_id=meetings[0].id, now=context.now()
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    markup = _overview_buttons(overview, context)
    others = [
        InlineKeyboardButton(
            format_when(m.starts_at, context.language), callback_data=f"ag:{m.id}:show"
        )
        for m in meetings[1:4]
    ]
    if others:
        markup = InlineKeyboardMarkup([*markup.inline_keyboard, others])
    await _say(update, _overview_text(overview, context), markup)


async def approve(update: Update, context: BotContext) -> None:
    """`/approve`: the chair approves the next meeting's agenda (R-D2), warned about material."""
    actor = context.require_actor()
    try:
        async with context.sessions() as session, session.begin():
            meeting_id = await _next_meeting(session, context)
            overview = await approve_agenda(
                session, actor=actor, meeting_id=meeting_id, now=context.now()
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
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
    m = overview.meeting.id
    label = context._("Distribute now")
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=f"ag:{m}:dist")]])


async def _next_meeting(session: Any, context: BotContext) -> int:
    """The next coming meeting; whether the person may act on it is the service's to say."""
    actor = context.require_actor()
    meetings = await upcoming_meetings(session, actor=actor, now=context.now())
    if not meetings:
        raise Refused("not_found", "no coming meeting")
    return meetings[0].id


async def distribute(update: Update, context: BotContext) -> None:
    """`/distribute`: warn about missing material (R-M3), then send the agenda at once."""
    actor = context.require_actor()
    try:
        async with context.sessions() as session:
            meeting_id = await _next_meeting(session, context)
            overview = await agenda_overview(
                session, actor=actor, meeting_id=meeting_id, now=context.now()
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    await _offer_distribution(update, context, overview)


async def _offer_distribution(
    update: Update, context: BotContext, overview: AgendaOverview
) -> None:
    if overview.without_material:
        m = overview.meeting.id
        buttons = InlineKeyboardMarkup(
            [[InlineKeyboardButton(context._("Send anyway"), callback_data=f"ag:{m}:distok")]]
        )
        await _say(update, "\n".join(_material_warning(overview, context)), buttons)
        return
    await _distribute(update, context, overview.meeting.id, reason=None)


async def _distribute(
    update: Update, context: BotContext, meeting_id: int, *, reason: str | None
) -> None:
    actor = context.require_actor()
    try:
        async with context.sessions() as session, session.begin():
            sent = await distribute_agenda(
                session, actor=actor, meeting_id=meeting_id, now=context.now(), reason=reason
            )
    except Refused as error:
        if error.code != "exception_reason_required":
            await _say(update, refusal(error, context.language))
            return
        _set_pending(context, "reason", meeting_id)
        await _say(
            update,
            refusal(error, context.language)
            + "\n"
            + context._("Write the reason in one message; the agenda will show it."),
        )
        return
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
    actor = context.require_actor()
    try:
        async with context.sessions() as session, session.begin():
            version = await request_agenda(session, actor=actor, now=context.now())
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    await _say(update, context._("Here it comes again (version %(version)s).", version=version))


async def myitems(update: Update, context: BotContext) -> None:
    """`/myitems`: the person's own proposals, with buttons to add material (R-M3) to each and
    to withdraw it while it can be."""
    actor = context.require_actor()
    async with context.sessions() as session:
        mine = await my_items(session, actor=actor, now=context.now())
    statuses = {key: context._(text) for key, text in STATUSES.items()}
    text = render("chat/my_items.html.j2", context.language, mine=mine, statuses=statuses)
    buttons = [
        [
            InlineKeyboardButton(
                context._("Add material: %(title)s", title=m.item.title[:24]),
                callback_data=f"ag:{m.meeting.id}:mat:{m.item.id}",
            ),
            InlineKeyboardButton(
                context._("Withdraw: %(title)s", title=m.item.title[:24]),
                callback_data=f"ag:{m.meeting.id}:wd:{m.item.id}",
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


async def button(update: Update, context: BotContext) -> None:
    """Every `ag:<meeting>:<action>[:<item>]` button outside /propose."""
    query = update.callback_query
    assert query is not None and query.data is not None
    actor = context.require_actor()
    parts = query.data.split(":")
    meeting_id, action = int(parts[1]), parts[2]
    item_id = int(parts[3]) if len(parts) > 3 else 0
    now = context.now()
    try:
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
            await _ask_material(update, context, meeting_id, item_id)
            await query.answer()
            return
        if action == "matdone":
            await query.answer()
            await _material_done(update, context, meeting_id, item_id)
            return
        if action in ("dist", "distok"):
            await query.answer()
            if action == "dist":
                async with context.sessions() as session:
                    overview = await agenda_overview(
                        session, actor=actor, meeting_id=meeting_id, now=now
                    )
                await _offer_distribution(update, context, overview)
            else:
                await _distribute(update, context, meeting_id, reason=None)
            return
        async with context.sessions() as session, session.begin():
            note = await _act(session, context, action, meeting_id, item_id)
            overview = (
                await agenda_overview(session, actor=actor, meeting_id=meeting_id, now=now)
                if action != "wd"
                else None
            )
    except Refused as error:
        await query.answer(refusal(error, context.language), show_alert=True)
        return
    await query.answer(note)
    if overview is not None and query.message is not None:
        await query.edit_message_text(
            _overview_text(overview, context), reply_markup=_overview_buttons(overview, context)
        )
    elif query.message is not None:
        await query.edit_message_reply_markup(None)


async def _act(
    session: Any, context: BotContext, action: str, meeting_id: int, item_id: int
) -> str:
    actor, now = context.require_actor(), context.now()
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
    if action == "show":
        return ""
    raise Refused("not_found", f"unknown agenda action {action!r}")


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
    actor, now = context.require_actor(), context.now()
    if what == "reason":
        await _distribute(update, context, target, reason=message.text)
        return
    try:
        async with context.sessions() as session, session.begin():
            if what == "rej":
                shown = await reject_item(
                    session, actor=actor, item_id=target, reason=message.text, now=now
                )
                text = context._(
                    "Rejected: %(title)s. The proposer has been told.", title=escape(shown.title)
                )
            else:
                title, _newline, description = message.text.strip().partition("\n")
                shown = await add_own_item(
                    session,
                    actor=actor,
                    meeting_id=target,
                    title=title,
                    description=description,
                    material=[],
                    now=now,
                )
                text = context._("Added to the agenda: %(title)s", title=escape(shown.title))
    except Refused as error:
        _set_pending(context, what, target, meeting_id)  # ask again rather than lose the answer
        await _say(update, refusal(error, context.language))
        return
    markup = None
    if what == "add":  # R-M3: the new item's material straight away
        label = context._("Add material")
        markup = InlineKeyboardMarkup(
            [[InlineKeyboardButton(label, callback_data=f"ag:{target}:mat:{shown.id}")]]
        )
    await _say(update, text, markup)


# --- Material for an item (R-M3): documents sent after "Add material" are attached until Done.

DONE_WORDS = frozenset({"done", "færdig", "faerdig", "stop", "annuller"})


def _done_button(context: BotContext, meeting_id: int, item_id: int) -> InlineKeyboardMarkup:
    label = context._("Done")
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=f"ag:{meeting_id}:matdone:{item_id}")]]
    )


async def _ask_material(update: Update, context: BotContext, meeting_id: int, item_id: int) -> None:
    actor = context.require_actor()
    async with context.sessions() as session:
        item = await material_target(session, actor=actor, item_id=item_id, now=context.now())
    _set_pending(context, "mat", item_id, meeting_id)
    text = context._(
        "Send the material for <b>%(title)s</b> as documents (PDF, Word, …), one or more."
        " Press Done when you have sent them all.",
        title=escape(item.title),
    )
    await _say(update, text, _done_button(context, meeting_id, item_id))


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
    sent = message.document
    material = material_of(sent)
    try:
        async with context.sessions() as session, session.begin():
            shown = await add_item_material(
                session,
                actor=context.require_actor(),
                item_id=item_id,
                material=[material],
                now=context.now(),
            )
    except Refused as error:
        if error.code == "file_too_big":  # the next document may do; the state stays
            await _say(
                update, refusal(error, context.language), _done_button(context, meeting_id, item_id)
            )
            return
        _clear_material(context, item_id)
        await _say(update, refusal(error, context.language))
        return
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
    try:
        async with context.sessions() as session:
            overview = await agenda_overview(
                session, actor=actor, meeting_id=meeting_id, now=context.now()
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    await _say(update, _overview_text(overview, context), _overview_buttons(overview, context))
