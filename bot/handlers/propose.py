"""/propose: a member proposes an agenda item in a few steps (R-D1), as a dialogue (bot/dialogues.py).

The draft lives in the dialogue's state; nothing is recorded until the member confirms, and the
service checks everything again."""

from __future__ import annotations

from dataclasses import asdict
from html import escape
from typing import Any

from telegram import Update

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice, Proposal
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, in_chat, material_of
from bot.texts import refusal, shortened
from services import dialogues as dialogue_service
from services.agenda import (
    MAX_DESCRIPTION,
    MaterialIn,
    check_description,
    check_material,
    check_title,
    meetings_open_for_proposals,
    propose_item,
)
from services.dialogues import OpenDialogue
from services.errors import Refused
from templates.i18n import format_when

KIND = "propose"
MAX_DOCUMENTS = 10


def _(message: str) -> str:
    return message


async def start(update: Update, context: BotContext) -> None:
    """Offer the ordinary meetings still open for proposals, each with its deadline."""
    found = await attempt(
        update,
        context,
        meetings_open_for_proposals,
        write=False,
        on_refusal=in_chat(update, context),
    )
    if found is None:
        return
    meetings = found.value
    dialogue_id = await dialogues.begin(update, context, KIND, {"step": "choose", "material": []})
    if dialogue_id is None:
        return
    rows = [
        [Proposal("pick", m.id).button(format_when(m.starts_at, context.language))]
        for m in meetings
    ]
    lines = [context._("Which meeting is your proposal for?")]
    for m in meetings:
        assert m.proposal_deadline is not None
        lines.append(
            context._(
                "• %(when)s, %(place)s — proposals by %(deadline)s",
                when=format_when(m.starts_at, context.language),
                place=escape(m.place),
                deadline=format_when(m.proposal_deadline, context.language),
            )
        )
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), rows)


async def chosen(update: Update, context: BotContext) -> None:
    """A meeting button: the proposal is for that meeting; the title comes next."""
    query = update.callback_query
    assert query is not None
    meeting_id = Proposal.of(update).meeting_id
    assert update.effective_chat is not None
    found = await attempt(update, context, _open, chat_id=update.effective_chat.id)
    turn = found.value if found is not None else None
    if turn is None or meeting_id is None or turn.state.get("step") != "choose":
        await query.answer(context._(dialogues.NOT_OPEN), show_alert=True)
        if query.message is not None:
            await query.edit_message_reply_markup(None)
        return
    await query.answer()
    await dialogues.settle(update, context)
    state = {**turn.state, "step": "title", "meeting_id": meeting_id}
    if await dialogues.keep(update, context, turn, state):
        await dialogues.prompt(
            update,
            context,
            turn.id,
            context._("What is the title of the item? (at most 200 characters)"),
        )


async def _open(session: Any, *, actor: Any, now: Any, chat_id: int) -> OpenDialogue | None:
    turn = await dialogue_service.current(session, actor=actor, chat_id=chat_id, now=now)
    return turn if turn is not None and not turn.expired and turn.kind == KIND else None


async def text(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """The title, then the description; at other steps the question is asked again."""
    written = update.effective_message.text if update.effective_message else ""
    step = turn.state.get("step")
    try:
        if step == "title":
            state = {**turn.state, "step": "description", "title": check_title(written or "")}
            if await dialogues.keep(update, context, turn, state):
                await dialogues.prompt(
                    update,
                    context,
                    turn.id,
                    context._(
                        "Describe the item in a few lines (at most %(limit)s characters): what"
                        " should the council discuss or decide?",
                        limit=MAX_DESCRIPTION,
                    ),
                )
            return
        if step == "description":
            described = {
                **turn.state,
                "step": "material",
                "description": check_description(written or ""),
            }
            state = dialogues.joinable(described, "description", MAX_DESCRIPTION, context.now())
            if await dialogues.keep(update, context, turn, state):
                await _ask_material(update, context, turn.id, 0)
            return
    except Refused as error:
        await dialogues.prompt(update, context, turn.id, refusal(error, context.language))
        return
    await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))


async def _ask_material(update: Update, context: BotContext, dialogue_id: int, count: int) -> None:
    label = context._("Done") if count else context._("No material")
    await dialogues.prompt(
        update,
        context,
        dialogue_id,
        context._(
            "Send the material as documents (PDF, Word, …), one or more. Every item needs the"
            " material to judge it. Press Done when you have sent them all, or No material."
        ),
        [[Dialog("done", dialogue_id).button(label)]],
    )


async def document(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """A document at the material step joins the draft (at most MAX_DOCUMENTS)."""
    message = update.effective_message
    assert message is not None and message.document is not None
    if turn.state.get("step") != "material":
        await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))
        return
    material = material_of(message.document)
    try:
        check_material(material)
    except Refused as error:
        await dialogues.prompt(update, context, turn.id, refusal(error, context.language))
        return

    def add(state: dict[str, Any]) -> dict[str, Any]:
        if len(state["material"]) >= MAX_DOCUMENTS:
            raise Refused("too_many_documents", limit=MAX_DOCUMENTS)
        return {**state, "material": [*state["material"], asdict(material)]}

    state = await dialogues.change(update, context, turn, add)
    if state is None:
        return
    count = len(state["material"])
    await dialogues.prompt(
        update,
        context,
        turn.id,
        context._(
            "Received: %(name)s (%(count)s in all).", name=escape(material.file_name), count=count
        ),
        [[Dialog("done", turn.id).button(context._("Done"))]],
    )


async def choice(
    update: Update, context: BotContext, turn: OpenDialogue, chosen_: DialogChoice
) -> None:
    """Done (or No material): show the draft and ask to send it; ok: send it."""
    step = turn.state.get("step")
    if chosen_ == "done" and step == "material":
        await dialogues.settle(update, context)
        state = {**turn.state, "step": "confirm"}
        state.pop(dialogues.JOIN, None)
        if await dialogues.keep(update, context, turn, state):
            await _show_draft(update, context, turn.id, state)
        return
    if chosen_ == "ok" and step == "confirm":
        await dialogues.settle(update, context, context._("Send the proposal"))
        await _send(update, context, turn)
        return
    await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))


async def _show_draft(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any]
) -> None:
    files = [m["file_name"] for m in state["material"]]
    names = escape(shortened(files, context.language, shown=10)) or context._("none")
    shown = "\n".join(
        [
            context._("<b>Your proposal</b>"),
            escape(state["title"]),
            escape(state["description"]) or "—",
            context._("Material: %(names)s", names=names),
            "",
            context._("Send it?"),
        ]
    )
    await dialogues.prompt(
        update,
        context,
        dialogue_id,
        shown,
        [[Dialog("ok", dialogue_id).button(context._("Send the proposal"))]],
    )


async def joined(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    """The second half of a long description arrived: say so, and ask for the material again."""
    count = len(turn.state.get("description", ""))
    await dialogues.say(update, context, context._(dialogues.JOINED, count=count))
    await _ask_material(update, context, turn.id, len(turn.state.get("material", [])))


async def _send(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    state = turn.state
    await dialogues.finish(update, context)
    proposed = await attempt(
        update,
        context,
        propose_item,
        on_refusal=in_chat(update, context),
        meeting_id=state["meeting_id"],
        title=state["title"],
        description=state["description"],
        material=[MaterialIn(**m) for m in state["material"]],
    )
    if proposed is None:
        return
    result = proposed.value
    when = format_when(result.meeting.starts_at, context.language)
    if result.on_time:
        count = len(result.item.material)
        material = (
            context.ngettext("with %(count)s document", "with %(count)s documents", count)
            if count
            else context._("without documents")
        )
        shown = context._(
            "Thank you — your proposal <b>%(title)s</b> is received for the meeting %(when)s,"
            " %(material)s. The chair and the secretariat have been told."
            " /myitems shows your proposals; you can withdraw one until the agenda goes out.",
            title=escape(result.item.title),
            when=when,
            material=material,
        )
    else:
        shown = context._(
            "The deadline for proposals to the meeting %(when)s was %(deadline)s, so your"
            " proposal <b>%(title)s</b> does not go on the agenda by itself. The chair can still"
            " take it in: I have passed it on to the chair and the secretariat.",
            when=when,
            deadline=format_when(result.deadline, context.language),
            title=escape(result.item.title),
        )
    await dialogues.say(update, context, shown)


dialogues.flow(
    KIND,
    Flow(_("Your proposal"), text=text, document=document, choice=choice, joined=joined),
)
