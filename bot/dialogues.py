"""Dialogues in the chat: the one way a flow of several steps asks and reads the answer.

The state lives in the database (services/dialogues.py), so a restart or a second instance reads
the next message the same way. The whole API a flow needs:

    flow("reject", Flow(_("Your rejection"), text=reason, choice=confirmed))   # register a kind
    await begin(update, context, "reject", {"item_id": 7})     # open it (replaces any other)
    await prompt(update, context, turn_id, text, rows)         # ask; an Annullér button is added
    await keep(update, context, turn, state)                   # after a step: the new state
    await finish(update, context)                              # done: nothing is open any more
    await settle(update, context, label)                       # a pressed choice: show it, drop keys
    await confirmed(update, context, turn, choice, service, ready=..., done=..., not_done=...)

A step handler gets `(update, context, turn)` with `turn` the open dialogue (its kind, id and state);
a choice handler also gets the choice ("ok", "skip", "done"). /annuller and /cancel end every open
dialogue; a command is never an answer (commands never reach `route`); a dialogue not answered
within the setting `dialogue_minutes` is dropped, and the person is told when they next write.
A long text Telegram splits in two arrives as two messages a moment apart: `joinable()` marks the
field the next text within JOIN_WINDOW is appended to.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.callbacks import Dialog, DialogChoice
from bot.context import BotContext
from bot.handlers.common import attempt, in_chat
from bot.texts import fit
from services import dialogues
from services.dialogues import PROMPT, OpenDialogue

Step = Callable[[Update, BotContext, OpenDialogue], Awaitable[None]]
Choice = Callable[[Update, BotContext, OpenDialogue, DialogChoice], Awaitable[None]]

JOIN_WINDOW = timedelta(seconds=5)  # the two halves of a split message arrive within this
JOIN = "_join"


def _(message: str) -> str:
    return message


CANCELLED = _("Cancelled — nothing was sent or changed.")
NOTHING_TO_CANCEL = _("There was nothing to cancel.")
NOT_OPEN = _("This question is no longer open.")
ANSWER_ABOVE = _("Please answer the question above, or press Cancel.")
EXPIRED = _(
    "%(what)s: more than %(minutes)s minutes passed without an answer, so I have put it aside."
    " Nothing was kept or sent; you can start again."
)
JOINED = _("I have added that to the previous message (%(count)s characters in all).")
TOO_LONG_JOINED = _(
    "Together with the previous message that is %(count)s characters; at most %(limit)s are"
    " possible. The previous message is kept as it was."
)


@dataclass(frozen=True)
class Flow:
    """The handlers of one kind of dialogue; `what` names it for the expiry note."""

    what: str
    text: Step | None = None
    document: Step | None = None
    choice: Choice | None = None
    joined: Step | None = None  # after a split message's second half is joined


FLOWS: dict[str, Flow] = {}


def flow(kind: str, handlers: Flow) -> None:
    """Register a kind of dialogue (each module that owns a flow does this once, at import)."""
    FLOWS[kind] = handlers


def _ttl(context: BotContext) -> timedelta:
    return timedelta(minutes=context.settings.dialogue_minutes)


def _chat_id(update: Update) -> int:
    assert update.effective_chat is not None
    return update.effective_chat.id


async def begin(
    update: Update, context: BotContext, kind: str, state: dict[str, Any]
) -> int | None:
    """Open a dialogue of `kind` in this chat (whatever was open there ends); its id."""
    started = await attempt(
        update,
        context,
        dialogues.start,
        chat_id=_chat_id(update),
        kind=kind,
        state=state,
        ttl=_ttl(context),
    )
    return None if started is None else started.value


async def keep(
    update: Update, context: BotContext, turn: OpenDialogue, state: dict[str, Any]
) -> bool:
    """Keep the state after a step; False when the dialogue ended meanwhile (told nothing)."""
    kept = await attempt(
        update,
        context,
        dialogues.answer,
        chat_id=_chat_id(update),
        kind=turn.kind,
        state=state,
        ttl=_ttl(context),
    )
    return kept is not None and kept.value


async def change(
    update: Update,
    context: BotContext,
    turn: OpenDialogue,
    how: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any] | None:
    """Change the state as it is now in the database, in one unit of work (two documents sent at
    once must both be kept); None when the dialogue ended meanwhile. `how` may raise Refused."""
    chat_id = _chat_id(update)

    async def apply(session: Any, *, actor: Any, now: datetime) -> dict[str, Any] | None:
        fresh = await dialogues.current(session, actor=actor, chat_id=chat_id, now=now, lock=True)
        if fresh is None or fresh.expired or fresh.id != turn.id:
            return None
        state = how(dict(fresh.state))
        await dialogues.answer(
            session,
            actor=actor,
            chat_id=chat_id,
            kind=turn.kind,
            state=state,
            now=now,
            ttl=_ttl(context),
        )
        return state

    changed = await attempt(update, context, apply)
    return None if changed is None else changed.value


async def finish(update: Update, context: BotContext, turn: OpenDialogue | None = None) -> None:
    """The dialogue is done (or abandoned): nothing is open in this chat any more."""
    await attempt(update, context, dialogues.end, chat_id=_chat_id(update))
    if turn is not None:
        await _drop_keyboard(context, _chat_id(update), turn.state.get(PROMPT))


def cancel_button(context: BotContext, dialogue_id: int) -> InlineKeyboardButton:
    return Dialog("stop", dialogue_id).button(context._("Cancel"))


async def prompt(
    update: Update,
    context: BotContext,
    dialogue_id: int,
    text: str,
    rows: list[list[InlineKeyboardButton]] | None = None,
) -> None:
    """Ask in the chat, with the flow's buttons and Cancel; the keyboard of the dialogue's previous
    question goes (only the latest question can be answered)."""
    chat_id = _chat_id(update)
    markup = InlineKeyboardMarkup([*(rows or []), [cancel_button(context, dialogue_id)]])
    sent = await context.bot.send_message(
        chat_id, fit(text), parse_mode=ParseMode.HTML, reply_markup=markup
    )

    remembered = await attempt(
        update,
        context,
        dialogues.note,
        chat_id=chat_id,
        dialogue_id=dialogue_id,
        key=PROMPT,
        value=sent.message_id,
    )
    if remembered is not None and remembered.value not in (None, sent.message_id):
        await _drop_keyboard(context, chat_id, remembered.value)


async def say(update: Update, context: BotContext, text: str) -> None:
    """A line in the chat that asks nothing."""
    await context.bot.send_message(_chat_id(update), fit(text), parse_mode=ParseMode.HTML)


async def settle(update: Update, context: BotContext, label: str | None = None) -> None:
    """A pressed choice: its message shows what was chosen (the pressed button's label unless
    `label` says otherwise), and its keyboard goes."""
    query = update.callback_query
    if query is None or query.message is None:
        return
    label = label or pressed_label(update)
    shown = getattr(query.message, "text_html", None) or ""
    try:
        await query.edit_message_text(
            fit(f"{shown}\n\n<i>→ {escape(label)}</i>" if shown else f"<i>→ {escape(label)}</i>"),
            parse_mode=ParseMode.HTML,
            reply_markup=None,
        )
    except BadRequest as error:
        if "not modified" not in error.message.lower():
            raise


async def confirmed(
    update: Update,
    context: BotContext,
    turn: OpenDialogue,
    choice: DialogChoice,
    service: Callable[..., Awaitable[Any]],
    *,
    ready: bool = True,
    done: str,
    not_done: str,
    **params: Any,
) -> Any | None:
    """The confirmation of an irreversible step pressed: unless it is the one asked (`choice` ok
    and the flow `ready`), the question is no longer open. Else the dialogue ends, the service is
    attempted (a refusal is said in the chat), and the pressed message shows `done` or
    `not_done`. The service's value, or None when nothing was done."""
    if choice != "ok" or not ready:
        await settle(update, context, context._(NOT_OPEN))
        return None
    await finish(update, context)
    result = await attempt(update, context, service, on_refusal=in_chat(update, context), **params)
    await settle(update, context, done if result is not None else not_done)
    return None if result is None else result.value


def pressed_label(update: Update) -> str:
    """The label of the button that was pressed (as the person saw it)."""
    query = update.callback_query
    markup = getattr(query.message, "reply_markup", None) if query is not None else None
    rows = markup.inline_keyboard if markup is not None else ()
    return next((b.text for row in rows for b in row if b.callback_data == query.data), "")  # type: ignore[union-attr]


async def _drop_keyboard(context: BotContext, chat_id: int, message_id: object) -> None:
    if not isinstance(message_id, int):
        return
    with suppress(BadRequest):  # already gone, or too old to edit: nothing to show
        await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)


def joinable(state: dict[str, Any], field: str, limit: int, now: datetime) -> dict[str, Any]:
    """`state` with `field` marked: a text arriving within JOIN_WINDOW is appended to it (the
    second half of a long message Telegram split), up to `limit` characters."""
    return {
        **state,
        JOIN: {"field": field, "limit": limit, "until": (now + JOIN_WINDOW).isoformat()},
    }


# --- Routing: a message, a pressed choice, /annuller ------------------------------------------


async def route(update: Update, context: BotContext) -> bool:
    """A private text (never a command) or document: to the open dialogue's step. False when no
    dialogue is open (the caller says it did not understand)."""
    if context.actor is None or update.effective_message is None:
        return False
    found = await attempt(update, context, dialogues.current, chat_id=_chat_id(update), lock=True)
    turn = found.value if found is not None else None
    if turn is None:
        return False
    handlers = FLOWS.get(turn.kind)
    if turn.expired or handlers is None:
        await _expired(update, context, turn, handlers)
        return True
    message = update.effective_message
    if message.text and await _join(update, context, turn, handlers, message.text):
        return True
    step = handlers.document if message.document is not None else handlers.text
    if message.document is None and not message.text:
        step = None
    if step is None:
        await prompt(update, context, turn.id, context._(ANSWER_ABOVE))
        return True
    await step(update, context, turn)
    return True


async def _expired(
    update: Update, context: BotContext, turn: OpenDialogue, handlers: Flow | None
) -> None:
    await _drop_keyboard(context, _chat_id(update), turn.state.get(PROMPT))
    what = context._(handlers.what) if handlers is not None else context._("What you were doing")
    minutes = int(_ttl(context).total_seconds() // 60)
    await say(update, context, context._(EXPIRED, what=what, minutes=minutes))


async def _join(
    update: Update, context: BotContext, turn: OpenDialogue, handlers: Flow, text: str
) -> bool:
    join = turn.state.get(JOIN)
    if not join or context.now() > datetime.fromisoformat(join["until"]):
        return False
    field, limit = join["field"], int(join["limit"])
    joined = f"{turn.state.get(field, '')}\n{text}"
    if len(joined) > limit:
        await say(update, context, context._(TOO_LONG_JOINED, count=len(joined), limit=limit))
        return True
    state = joinable({**turn.state, field: joined}, field, limit, context.now())
    if not await keep(update, context, turn, state):
        return True
    turn = OpenDialogue(turn.id, turn.kind, state, context.now())
    if handlers.joined is not None:
        await handlers.joined(update, context, turn)
    else:
        await say(update, context, context._(JOINED, count=len(joined)))
    return True


async def pressed(update: Update, context: BotContext) -> None:
    """A Dialog button: Cancel ends the dialogue; another choice goes to the flow — if the
    dialogue it was asked in is still the open one."""
    query = update.callback_query
    assert query is not None
    button = Dialog.of(update)
    found = await attempt(update, context, dialogues.current, chat_id=_chat_id(update), lock=True)
    turn = found.value if found is not None else None
    if turn is None or turn.expired or turn.id != button.dialogue_id:
        await query.answer(context._(NOT_OPEN), show_alert=True)
        if query.message is not None:
            await query.edit_message_reply_markup(None)
        return
    await query.answer()
    if button.choice == "stop":
        await finish(update, context)
        await settle(update, context)
        await say(update, context, context._(CANCELLED))
        return
    handlers = FLOWS.get(turn.kind)
    if handlers is None or handlers.choice is None:
        await settle(update, context, context._(NOT_OPEN))
        return
    await handlers.choice(update, context, turn, button.choice)


async def cancel_command(update: Update, context: BotContext) -> None:
    """/annuller, /cancel: end every open dialogue of the person, in every chat."""
    if context.actor is None or update.effective_message is None:
        return
    ended = await attempt(update, context, _cancel_all, chat_id=_chat_id(update))
    if ended is None:
        return
    kinds, prompt_id = ended.value
    await _drop_keyboard(context, _chat_id(update), prompt_id)
    await update.effective_message.reply_html(context._(CANCELLED if kinds else NOTHING_TO_CANCEL))


async def _cancel_all(
    session: Any, *, actor: Any, now: datetime, chat_id: int
) -> tuple[list[str], int | None]:
    here = await dialogues.current(session, actor=actor, chat_id=chat_id, now=now, lock=True)
    prompt_id = here.state.get(PROMPT) if here is not None else None
    return await dialogues.cancel(session, actor=actor, now=now), prompt_id
