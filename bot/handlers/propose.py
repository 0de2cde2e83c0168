"""/propose: a member proposes an agenda item in a few steps (R-D1). The draft lives in the
conversation; nothing is recorded until the member confirms, and the service checks everything again."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    ConversationHandler,
    MessageHandler,
    filters,
)
from telegram.warnings import PTBUserWarning

from bot.callbacks import Proposal, ProposalStep
from bot.context import BotContext
from bot.handlers.common import attempt, in_chat, material_of
from bot.texts import refusal
from services.agenda import (
    check_description,
    check_material,
    check_title,
    meetings_open_for_proposals,
    propose_item,
)
from services.errors import Refused
from templates.i18n import format_when

CHOOSE, TITLE, DESCRIPTION, MATERIAL, CONFIRM = range(5)

DRAFT = "proposal_draft"
MAX_DOCUMENTS = 10


def _draft(context: BotContext) -> dict[str, Any]:
    assert context.user_data is not None
    draft: dict[str, Any] = context.user_data.setdefault(DRAFT, {})
    return draft


async def _reply(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(text, reply_markup=markup)


async def start(update: Update, context: BotContext) -> int:
    """Offer the ordinary meetings still open for proposals, each with its deadline."""
    found = await attempt(
        update,
        context,
        meetings_open_for_proposals,
        write=False,
        on_refusal=in_chat(update, context),
    )
    if found is None:
        return ConversationHandler.END
    meetings = found.value
    assert context.user_data is not None
    context.user_data[DRAFT] = {"material": []}
    buttons = [
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
    buttons.append([_cancel_button(context)])
    await _reply(update, "\n".join(lines), InlineKeyboardMarkup(buttons))
    return CHOOSE


async def chosen(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    _draft(context)["meeting_id"] = Proposal.of(update).meeting_id
    await query.edit_message_reply_markup(None)  # the choice is made; the buttons go
    await _reply(update, context._("What is the title of the item? (at most 200 characters)"))
    return TITLE


async def title(update: Update, context: BotContext) -> int:
    text = update.effective_message.text if update.effective_message else ""
    try:
        _draft(context)["title"] = check_title(text or "")
    except Refused as error:
        await _reply(update, refusal(error, context.language))
        return TITLE
    await _reply(
        update,
        context._("Describe the item in a few lines: what should the council discuss or decide?"),
    )
    return DESCRIPTION


async def description(update: Update, context: BotContext) -> int:
    text = update.effective_message.text if update.effective_message else ""
    try:
        _draft(context)["description"] = check_description(text or "")
    except Refused as error:
        await _reply(update, refusal(error, context.language))
        return DESCRIPTION
    await _reply(update, _material_prompt(context), _material_buttons(context, 0))
    return MATERIAL


def _material_prompt(context: BotContext) -> str:
    return context._(
        "Send the material as documents (PDF, Word, …), one or more. Every item needs the material"
        " to judge it. Press Done when you have sent them all, or No material."
    )


def _material_buttons(context: BotContext, count: int) -> InlineKeyboardMarkup:
    label = context._("Done") if count else context._("No material")
    return InlineKeyboardMarkup(
        [
            [
                Proposal("mdone").button(label),
                _cancel_button(context),
            ]
        ]
    )


async def document(update: Update, context: BotContext) -> int:
    message = update.effective_message
    assert message is not None and message.document is not None
    sent = message.document
    draft = _draft(context)
    material = material_of(sent)
    try:
        check_material(material)
    except Refused as error:
        await _reply(update, refusal(error, context.language))
        return MATERIAL
    if len(draft["material"]) >= MAX_DOCUMENTS:
        await _reply(update, context._("That is the most documents one proposal can carry."))
        return MATERIAL
    draft["material"].append(material)
    count = len(draft["material"])
    await _reply(
        update,
        context._(
            "Received: %(name)s (%(count)s in all).", name=escape(material.file_name), count=count
        ),
        _material_buttons(context, count),
    )
    return MATERIAL


async def material_done(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    await query.answer()
    await query.edit_message_reply_markup(None)
    draft = _draft(context)
    names = ", ".join(escape(m.file_name) for m in draft["material"]) or context._("none")
    text = "\n".join(
        [
            context._("<b>Your proposal</b>"),
            escape(draft["title"]),
            escape(draft["description"]) or "—",
            context._("Material: %(names)s", names=names),
            "",
            context._("Send it?"),
        ]
    )
    buttons = InlineKeyboardMarkup(
        [
            [
                Proposal("send").button(context._("Send the proposal")),
                _cancel_button(context),
            ]
        ]
    )
    await _reply(update, text, buttons)
    return CONFIRM


async def confirm(update: Update, context: BotContext) -> int:
    query = update.callback_query
    assert query is not None
    draft = _draft(context)
    await query.answer()
    await query.edit_message_reply_markup(None)
    proposed = await attempt(
        update,
        context,
        propose_item,
        on_refusal=in_chat(update, context),
        meeting_id=draft["meeting_id"],
        title=draft["title"],
        description=draft["description"],
        material=draft["material"],
    )
    if proposed is None:
        return _end(context)
    result = proposed.value
    when = format_when(result.meeting.starts_at, context.language)
    if result.on_time:
        text = context._(
            "Thank you — your proposal <b>%(title)s</b> is received for the meeting %(when)s,"
            " with %(count)s document(s). The chair and the secretariat have been told."
            " /myitems shows your proposals; you can withdraw one until the agenda goes out.",
            title=escape(result.item.title),
            when=when,
            count=len(result.item.material),
        )
    else:
        text = context._(
            "The deadline for proposals to the meeting %(when)s was %(deadline)s, so your"
            " proposal <b>%(title)s</b> does not go on the agenda by itself. The chair can still"
            " take it in: I have passed it on to the chair and the secretariat.",
            when=when,
            deadline=format_when(result.deadline, context.language),
            title=escape(result.item.title),
        )
    await _reply(update, text)
    return _end(context)


async def stop(update: Update, context: BotContext) -> int:
    query = update.callback_query
    if query is not None:
        await query.answer()
        await query.edit_message_reply_markup(None)
    await _reply(update, context._("Cancelled — nothing was sent."))
    return _end(context)


async def expected_text(update: Update, context: BotContext) -> int | None:
    """Something other than what the step asks for: say what it asks for."""
    await _reply(update, context._("Please answer the question above, or press Cancel."))
    return None


def _cancel_button(context: BotContext) -> InlineKeyboardButton:
    return Proposal("stop").button(context._("Cancel"))


def _step(step: ProposalStep) -> Callable[[object], bool]:
    """The pattern of one step's button; a pick must name a meeting, the others must not."""

    def matches(data: object) -> bool:
        if not Proposal.filter()(data):
            return False
        pressed = Proposal.unpack(data)
        return (
            pressed is not None
            and pressed.step == step
            and ((pressed.meeting_id is not None) == (step == "pick"))
        )

    return matches


def _end(context: BotContext) -> int:
    if context.user_data is not None:
        context.user_data.pop(DRAFT, None)
    return ConversationHandler.END


def conversation(names: list[str]) -> ConversationHandler[BotContext]:
    """The /propose conversation (private chats only)."""
    private = filters.ChatType.PRIVATE
    text = private & filters.TEXT & ~filters.COMMAND
    cancel = CallbackQueryHandler(stop, pattern=_step("stop"))
    # Per user and chat, not per message: a button is matched by the step the person is at,
    # which is what we want; PTB warns about that choice whenever it is made.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="If 'per_message=False'", category=PTBUserWarning)
        return _conversation(names, private, text, cancel)


def _conversation(
    names: list[str], private: Any, text: Any, cancel: CallbackQueryHandler[BotContext, Any]
) -> ConversationHandler[BotContext]:
    return ConversationHandler(
        entry_points=[CommandHandler(names, start, filters=private)],
        states={
            CHOOSE: [CallbackQueryHandler(chosen, pattern=_step("pick")), cancel],
            TITLE: [MessageHandler(text, title)],
            DESCRIPTION: [MessageHandler(text, description)],
            MATERIAL: [
                MessageHandler(private & filters.Document.ALL, document),
                CallbackQueryHandler(material_done, pattern=_step("mdone")),
                cancel,
            ],
            CONFIRM: [CallbackQueryHandler(confirm, pattern=_step("send")), cancel],
        },
        fallbacks=[
            CommandHandler(["stop", "annuller"], stop),
            cancel,
            MessageHandler(private & ~filters.COMMAND, expected_text),
        ],
        allow_reentry=True,
        name="propose",
    )
