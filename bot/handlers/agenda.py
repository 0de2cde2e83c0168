"""/items, /approve, /distribute, /agenda, /myitems and the agenda's buttons (bot.callbacks.Agenda).

Handlers only parse and render: every button is checked again by the service it calls."""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime
from html import escape
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest

from bot import dialogues
from bot.callbacks import Agenda, AgendaAction, Dialog, DialogChoice
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.agenda_view import LABEL_WIDTH, edit_overview, send_overview
from bot.handlers.common import OnRefusal, attempt, in_chat, material_of, reply_long
from bot.texts import STALE_BUTTON, cut, fit, refusal, shortened
from procedure.permissions import Action
from services.actors import Actor
from services.agenda import (
    MAX_DESCRIPTION,
    MAX_TITLE,
    check_description,
    check_title,
    my_items,
    withdraw_item,
)
from services.agenda_delivery import (
    DistributionPreview,
    distribute_agenda,
    distribution_preview,
    request_agenda,
)
from services.agenda_prep import (
    MAX_REASON,
    AgendaOverview,
    add_item_material,
    add_own_item,
    agenda_overview,
    approve_agenda,
    approve_next_agenda,
    check_rejection_reason,
    material_target,
    move_item,
    next_agenda,
    reject_item,
    rejection_target,
    take_in_late,
    undo_rejection,
)
from services.dialogues import OpenDialogue
from services.errors import Refused
from templates.i18n import format_when, render


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
        await update.effective_message.reply_html(fit(text), reply_markup=markup)


async def items(update: Update, context: BotContext) -> None:
    """`/items`: the next meeting's agenda with its buttons, and the other meetings to choose from;
    a long agenda in several messages, the buttons under the last."""
    found = await attempt(
        update, context, next_agenda, write=False, on_refusal=in_chat(update, context)
    )
    if found is None:
        return
    overview, later = found.value
    others = [
        Agenda(m.id, "show").button(format_when(m.starts_at, context.language)) for m in later[:3]
    ]
    await send_overview(update, context, overview, [others] if others else None)


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
        context.ngettext(
            "The agenda for the meeting %(when)s is approved (%(count)s item).",
            "The agenda for the meeting %(when)s is approved (%(count)s items).",
            len(overview.items),
            when=format_when(overview.meeting.starts_at, context.language),
        )
    ]
    if overview.distribution_deadline_passed and not overview.distributed:
        lines.append(
            context._(
                "The distribution deadline %(deadline)s has passed, so it does not go out by"
                " itself: /distribute sends it and asks for the reason for the exception.",
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
    titles = escape(shortened([i.title for i in overview.without_material], context.language))
    return [context._("⚠ Items without material: %(titles)s", titles=titles)]


def _distribute_button(overview: AgendaOverview, context: BotContext) -> InlineKeyboardMarkup:
    label = context._("Distribute now")
    return InlineKeyboardMarkup([[Agenda(overview.meeting.id, "dist").button(label)]])


async def distribute(update: Update, context: BotContext) -> None:
    """`/distribute`: show what will go out, to how many, and any missing material (R-M3); the
    agenda is sent only when that is confirmed."""
    found = await attempt(
        update,
        context,
        distribution_preview,
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
    update: Update, context: BotContext, preview: DistributionPreview
) -> None:
    overview = preview.overview
    when = format_when(overview.meeting.starts_at, context.language)
    lines = [
        context.ngettext(
            "The addendum to the agenda for the meeting %(when)s goes to %(count)s person.",
            "The addendum to the agenda for the meeting %(when)s goes to %(count)s people.",
            preview.recipients,
            when=when,
        )
        if preview.addendum
        else context.ngettext(
            "The agenda for the meeting %(when)s goes to %(count)s person.",
            "The agenda for the meeting %(when)s goes to %(count)s people.",
            preview.recipients,
            when=when,
        ),
        *_material_warning(overview, context),
    ]
    label = context._("Send anyway") if overview.without_material else context._("Send it now")
    buttons = InlineKeyboardMarkup([[Agenda(overview.meeting.id, "distok").button(label)]])
    await _say(update, "\n".join(lines), buttons)


async def _distribute(
    update: Update, context: BotContext, meeting_id: int, *, reason: str | None
) -> None:

    async def refused(error: Refused) -> None:
        text = refusal(error, context.language)
        if error.code != "exception_reason_required":
            await _say(update, text)
            return
        dialogue_id = await dialogues.begin(update, context, "reason", {"meeting_id": meeting_id})
        if dialogue_id is not None:
            ask = context._(
                "Write the reason in one message (at most %(limit)s characters); the agenda will"
                " show it.",
                limit=MAX_REASON,
            )
            await dialogues.prompt(update, context, dialogue_id, f"{text}\n{ask}")

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
                context._("Add material: %(title)s", title=cut(m.item.title, LABEL_WIDTH))
            ),
            Agenda(m.meeting.id, "wd", m.item.id).button(
                context._("Withdraw: %(title)s", title=cut(m.item.title, LABEL_WIDTH))
            ),
        ]
        for m in mine
        if m.withdrawable
    ][:MAX_PROPOSAL_ROWS]
    await reply_long(update, text, InlineKeyboardMarkup(buttons) if buttons else None)


MAX_PROPOSAL_ROWS = 45  # two buttons a row, within Telegram's 100 buttons


# Buttons that act on one item carry its id; those on the meeting do not.
ITEM_ACTIONS = frozenset({"up", "down", "mat", "matdone", "rej", "unrej", "take", "wd"})


async def button(update: Update, context: BotContext) -> None:
    """Every Agenda button (the /propose conversation has buttons of its own)."""
    query = update.callback_query
    assert query is not None
    pressed = Agenda.of(update)
    meeting_id, action, item_id = pressed.meeting_id, pressed.action, pressed.item_id or 0
    if (action in ITEM_ACTIONS) != (pressed.item_id is not None):
        await query.answer(context._(STALE_BUTTON), show_alert=True)
        return
    if action == "rej":
        await _ask_reason(update, context, meeting_id, item_id)
        return
    if action == "unrej":
        await _undo_rejection(update, context, item_id)
        return
    if action == "add":
        await query.answer()
        await _ask_title(update, context, meeting_id)
        return
    if action == "mat":
        await ask_material(update, context, meeting_id, item_id)
        return
    if action == "matdone":  # a Done button from before the dialogues: the same as Done now
        await query.answer()
        await _material_done(update, context, meeting_id, item_id)
        return
    if action == "distok":
        await query.answer()
        await dialogues.settle(update, context)
        await _distribute(update, context, meeting_id, reason=None)
        return
    if action == "dist":
        # The press is answered once: with the refusal as an alert, or quietly before the preview.
        found = await attempt(
            update, context, distribution_preview, write=False, meeting_id=meeting_id
        )
        if found is not None:
            await query.answer()
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
    if overview is not None:
        await edit_overview(update, context, overview, note or None)
    else:  # withdrawn from /mine: the message shows what was chosen, its keyboard goes
        await dialogues.settle(update, context)


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


# --- Dialogues (bot/dialogues.py): a rejection's reason, a new item, material, the late reason.


async def _ask_reason(update: Update, context: BotContext, meeting_id: int, item_id: int) -> None:
    """Reject: name the proposal and its proposer, and ask for the reason (nothing happens yet)."""
    query = update.callback_query
    found = await attempt(update, context, rejection_target, write=False, item_id=item_id)
    if found is None:
        return
    if query is not None:
        await query.answer()
    item = found.value
    state = {
        "step": "reason",
        "item_id": item_id,
        "meeting_id": meeting_id,
        "title": item.title,
        "proposer": item.proposer or "",
    }
    dialogue_id = await dialogues.begin(update, context, "reject", state)
    if dialogue_id is None:
        return
    ask = context._(
        "Why is <b>%(title)s</b> not put on the agenda? Write the reason in one message (at most"
        " %(limit)s characters). Nothing is sent before you confirm.",
        title=escape(item.title),
        limit=MAX_REASON,
    )
    await dialogues.prompt(update, context, dialogue_id, ask)


async def _reason_text(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    written = update.effective_message.text if update.effective_message else ""
    if turn.state.get("step") != "reason":
        await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))
        return
    try:
        reason = check_rejection_reason(written or "")
    except Refused as error:
        await dialogues.prompt(update, context, turn.id, refusal(error, context.language))
        return
    state = dialogues.joinable(
        {**turn.state, "step": "confirm", "reason": reason}, "reason", MAX_REASON, context.now()
    )
    if await dialogues.keep(update, context, turn, state):
        await _confirm_rejection(update, context, turn.id, state)


async def _reason_joined(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """The rest of a long reason: the confirmation is asked again, with the whole reason."""
    await _confirm_rejection(update, context, turn.id, turn.state)


async def _confirm_rejection(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any]
) -> None:
    lines = [
        context._("Reject <b>%(title)s</b>?", title=escape(state["title"])),
        context._(
            "%(proposer)s will be told that it is not put on the agenda, with the reason:",
            proposer=escape(state["proposer"]) or context._("The proposer"),
        ),
        f"<i>{escape(state['reason'])}</i>",
    ]
    button = Dialog("ok", dialogue_id).button(context._("Reject the proposal"))
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), [[button]])


async def _rejection_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    shown = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        reject_item,
        ready=turn.state.get("step") == "confirm",
        done=context._("Proposal rejected"),
        not_done=context._("Not rejected"),
        item_id=turn.state.get("item_id"),
        reason=turn.state.get("reason"),
    )
    if shown is None:
        return
    text = context._("Rejected: %(title)s. The proposer has been told.", title=escape(shown.title))
    text += "\n" + context._("You can take the rejection back until the agenda goes out.")
    undo = Agenda(shown.meeting_id, "unrej", shown.id).button(context._("Take the rejection back"))
    await _say(update, text, InlineKeyboardMarkup([[undo]]))


async def _undo_rejection(update: Update, context: BotContext, item_id: int) -> None:
    """The chair's own rejection taken back (until the agenda goes out); the proposer is told."""
    query = update.callback_query
    undone = await attempt(update, context, undo_rejection, item_id=item_id)
    if undone is None:
        return
    if query is not None:
        await query.answer()
    await dialogues.settle(update, context)
    text = context._(
        "The rejection of %(title)s is taken back; the proposal is as it was before, and the"
        " proposer has been told.",
        title=escape(undone.value.title),
    )
    await _say(update, text)


async def _ask_title(update: Update, context: BotContext, meeting_id: int) -> None:
    dialogue_id = await dialogues.begin(
        update, context, "add", {"step": "title", "meeting_id": meeting_id}
    )
    if dialogue_id is not None:
        ask = context._(
            "Write the title of the new item (at most %(limit)s characters).", limit=MAX_TITLE
        )
        await dialogues.prompt(update, context, dialogue_id, ask)


async def _add_text(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """The title, then the description (a title with a description on the next lines is both)."""
    written = (update.effective_message.text if update.effective_message else "") or ""
    try:
        if turn.state.get("step") == "title":
            title, _newline, description = written.strip().partition("\n")
            state = {**turn.state, "step": "description", "title": check_title(title)}
            if description.strip():
                await _add_item(update, context, turn, state, check_description(description))
            elif await dialogues.keep(update, context, turn, state):
                await _ask_description(update, context, turn.id)
            return
        await _add_item(update, context, turn, turn.state, check_description(written))
    except Refused as error:
        await dialogues.prompt(update, context, turn.id, refusal(error, context.language))


async def _ask_description(update: Update, context: BotContext, dialogue_id: int) -> None:
    ask = context._(
        "Write a description of the item (at most %(limit)s characters), or press No description.",
        limit=MAX_DESCRIPTION,
    )
    skip = Dialog("skip", dialogue_id).button(context._("No description"))
    await dialogues.prompt(update, context, dialogue_id, ask, [[skip]])


async def _add_choice(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    if choice != "skip" or turn.state.get("step") != "description":
        await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))
        return
    await dialogues.settle(update, context, context._("No description"))
    await _add_item(update, context, turn, turn.state, "")


async def _add_item(
    update: Update,
    context: BotContext,
    turn: OpenDialogue,
    state: dict[str, Any],
    description: str,
) -> None:
    meeting_id = int(state["meeting_id"])
    await dialogues.finish(update, context, turn)
    added = await attempt(
        update,
        context,
        add_own_item,
        on_refusal=in_chat(update, context),
        meeting_id=meeting_id,
        title=state["title"],
        description=description,
        material=[],
    )
    if added is None:
        return
    shown = added.value
    text = context._("Added to the agenda: %(title)s", title=escape(shown.title))
    # R-M3: the new item's material straight away
    markup = InlineKeyboardMarkup(
        [[Agenda(meeting_id, "mat", shown.id).button(context._("Add material"))]]
    )
    await _say(update, text, markup)


# Material for an item (R-M3): documents sent after "Add material" are attached until Done.

DONE_WORDS = frozenset({"done", "færdig", "faerdig"})


async def ask_material(update: Update, context: BotContext, meeting_id: int, item_id: int) -> None:
    """Ask for the item's documents (the person is told if they may not add any)."""
    query = update.callback_query
    found = await attempt(update, context, material_target, write=False, item_id=item_id)
    if found is None:
        return
    if query is not None:
        await query.answer()
    state = {"item_id": item_id, "meeting_id": meeting_id, "title": found.value.title}
    dialogue_id = await dialogues.begin(update, context, "material", state)
    if dialogue_id is None:
        return
    text = context._(
        "Send the material for <b>%(title)s</b> as documents (PDF, Word, …), one or more."
        " Press Done when you have sent them all.",
        title=escape(found.value.title),
    )
    await dialogues.prompt(update, context, dialogue_id, text, _done_row(context, dialogue_id))


def _done_row(context: BotContext, dialogue_id: int) -> list[list[InlineKeyboardButton]]:
    return [[Dialog("done", dialogue_id).button(context._("Done"))]]


async def _material_text(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    written = (update.effective_message.text if update.effective_message else "") or ""
    if written.strip().lower() in DONE_WORDS:
        await dialogues.finish(update, context, turn)
        await _material_done(update, context, turn.state["meeting_id"], turn.state["item_id"])
        return
    text = context._("Send the material as documents, or press Done.")
    await dialogues.prompt(update, context, turn.id, text, _done_row(context, turn.id))


async def _material_document(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """A document is attached to the item at once; a refused one ends nothing but itself."""
    message = update.effective_message
    assert message is not None and message.document is not None
    material = material_of(message.document)

    async def refused(error: Refused) -> None:
        text = refusal(error, context.language)
        await dialogues.prompt(update, context, turn.id, text, _done_row(context, turn.id))

    added = await attempt(
        update,
        context,
        add_item_material,
        on_refusal=refused,
        item_id=turn.state["item_id"],
        material=[material],
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
    await dialogues.prompt(update, context, turn.id, text, _done_row(context, turn.id))


async def _material_choice(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    await dialogues.settle(update, context)
    await dialogues.finish(update, context)
    await _material_done(update, context, turn.state["meeting_id"], turn.state["item_id"])


async def _material_done(
    update: Update, context: BotContext, meeting_id: int, item_id: int
) -> None:
    """Done: no more documents for the item; the agenda as it now stands (the R-M3 warning)."""
    query = update.callback_query
    if query is not None and query.message is not None:
        with suppress(BadRequest):  # settled already: the keyboard is gone
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
        await send_overview(update, context, found.value)


# The reason for sending the agenda after its deadline (R-D3): written, then the agenda goes.


async def _late_reason(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    written = (update.effective_message.text if update.effective_message else "") or ""
    await dialogues.finish(update, context, turn)
    await _distribute(update, context, turn.state["meeting_id"], reason=written)


dialogues.flow(
    "reject",
    Flow(
        _("Your rejection"), text=_reason_text, choice=_rejection_confirmed, joined=_reason_joined
    ),
)
dialogues.flow("add", Flow(_("Your new item"), text=_add_text, choice=_add_choice))
dialogues.flow(
    "material",
    Flow(
        _("Adding material"),
        text=_material_text,
        document=_material_document,
        choice=_material_choice,
    ),
)
dialogues.flow("reason", Flow(_("The reason for the late agenda"), text=_late_reason))
