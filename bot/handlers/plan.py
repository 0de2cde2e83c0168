"""/plan, /move, /cancelmeeting and /call: the meeting plan from the chat (R-M1, R-M2, R-D5).

Arguments are separated by semicolons, times are the council's local time, written the Danish way
or as ISO (procedure/danish_dates.py):
/call 10.3.2027 kl. 15.00; Aalborg Rådhus; Budget 2027

Cancelling and moving a meeting are shown first — which meeting, how many people are told, with
what reason — and happen only when confirmed (a dialogue, bot/dialogues.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice, Plan
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, in_chat
from bot.texts import fit, refusal, unreadable
from procedure.danish_dates import DateInputError, parse_date, parse_moment
from services.dialogues import OpenDialogue
from services.errors import Refused
from services.meeting_plan import (
    MAX_SUBJECT,
    PlanChange,
    call_meeting_shown,
    cancel_meeting_shown,
    move_meeting_shown,
    plan_change_on,
    plan_meeting,
    undo_cancellation,
)
from templates.i18n import format_when


def _(message: str) -> str:
    return message


USAGE = {
    "call": _(
        "Write it like this: /call 1.12.2026 kl. 15.00; Aalborg Rådhus; the subject of the meeting"
    ),
    "plan": _("Write it like this: /plan 10.3.2027 kl. 10.00; Aalborg Rådhus"),
    "move": _(
        "Write it like this: /move 10.3.2027; 12.3.2027 kl. 13.00 (and a new place if it changes)"
    ),
    "cancelmeeting": _("Write it like this: /cancelmeeting 10.3.2027; the reason"),
}


def _args(context: BotContext) -> list[str]:
    return [part.strip() for part in " ".join(context.args or []).split(";")]


async def _say(update: Update, text: str, markup: InlineKeyboardMarkup | None = None) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(fit(text), reply_markup=markup)


async def _usage(update: Update, context: BotContext, command: str) -> None:
    await _say(update, context._(USAGE[command]))


async def _unreadable(
    update: Update, context: BotContext, command: str, error: DateInputError
) -> None:
    """What is wrong with the date or time, then how the command is written."""
    text = unreadable(error, context.language)
    await _say(update, f"{text}\n{context._(USAGE[command])}")


async def call(update: Update, context: BotContext) -> None:
    """R-M2/R-D5: call an extraordinary meeting; the summons with its agenda goes out at once."""
    args = _args(context)
    if len(args) < 2 or not args[0]:
        await _usage(update, context, "call")
        return
    try:
        when = parse_moment(args[0])
    except DateInputError as error:
        await _unreadable(update, context, "call", error)
        return
    place, subject = args[1], ";".join(args[2:])
    called = await attempt(
        update,
        context,
        call_meeting_shown,
        on_refusal=in_chat(update, context),
        starts_at=when,
        place=place,
        subject=subject,
    )
    if called is None:
        return
    shown, sent = called.value
    await _say(
        update,
        context._(
            "The extraordinary meeting is called: %(when)s, %(place)s. The summons with its"
            " agenda is on its way to %(count)s people.",
            when=format_when(shown.starts_at, context.language),
            place=escape(shown.place),
            count=sent.recipients,
        ),
    )


async def plan(update: Update, context: BotContext) -> None:
    """R-M1: add an ordinary meeting to the plan."""
    args = _args(context)
    if len(args) < 2 or not args[0]:
        await _usage(update, context, "plan")
        return
    try:
        when = parse_moment(args[0])
    except DateInputError as error:
        await _unreadable(update, context, "plan", error)
        return
    planned = await attempt(
        update,
        context,
        plan_meeting,
        on_refusal=in_chat(update, context),
        starts_at=when,
        place=args[1],
    )
    if planned is None:
        return
    shown = planned.value
    assert shown.proposal_deadline is not None
    await _say(
        update,
        context._(
            "The meeting %(when)s, %(place)s is in the plan. Proposals by %(deadline)s.",
            when=format_when(shown.starts_at, context.language),
            place=escape(shown.place),
            deadline=format_when(shown.proposal_deadline, context.language),
        ),
    )


async def _change(update: Update, context: BotContext, day: date) -> PlanChange | None:
    found = await attempt(
        update, context, plan_change_on, write=False, on_refusal=in_chat(update, context), day=day
    )
    return None if found is None else found.value


async def move(update: Update, context: BotContext) -> None:
    """Move a meeting (named by its day): shown, then moved when confirmed."""
    args = _args(context)
    if len(args) < 2 or not args[0] or not args[1]:
        await _usage(update, context, "move")
        return
    try:
        day, when = parse_date(args[0]), parse_moment(args[1])
    except DateInputError as error:
        await _unreadable(update, context, "move", error)
        return
    place = args[2] if len(args) > 2 and args[2] else None
    change = await _change(update, context, day)
    if change is None:
        return
    state = {
        "meeting_id": change.meeting.id,
        "starts_at": when.isoformat(),
        "place": place,
        "was": change.meeting.starts_at.isoformat(),
        "was_place": change.meeting.place,
        "recipients": change.recipients,
    }
    dialogue_id = await dialogues.begin(update, context, "move_meeting", state)
    if dialogue_id is None:
        return
    lines = [
        context._(
            "Move the meeting %(when)s, %(place)s?",
            when=format_when(change.meeting.starts_at, context.language),
            place=escape(change.meeting.place),
        ),
        context._(
            "New time: %(when)s, %(place)s.",
            when=format_when(when, context.language),
            place=escape(place or change.meeting.place),
        ),
        _told(context, change.recipients),
    ]
    button = Dialog("ok", dialogue_id).button(context._("Move the meeting"))
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), [[button]])


def _told(context: BotContext, count: int) -> str:
    return context.ngettext(
        "%(count)s person who would receive the agenda is told.",
        "%(count)s people who would receive the agenda are told.",
        count,
    )


async def _move_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    state = turn.state
    moved = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        move_meeting_shown,
        done=context._("Move the meeting"),
        not_done=context._("Not moved"),
        meeting_id=state["meeting_id"],
        starts_at=datetime.fromisoformat(state["starts_at"]),
        place=state["place"],
    )
    if moved is None:
        return
    await _say(
        update,
        context._(
            "The meeting is moved to %(when)s, %(place)s; everyone affected is told.",
            when=format_when(moved.meeting.starts_at, context.language),
            place=escape(moved.meeting.place),
        ),
    )


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel a meeting (named by its day): the reason is asked for if missing, then what will
    happen is shown, and the meeting is cancelled only when that is confirmed."""
    args = _args(context)
    if not args[0]:
        await _usage(update, context, "cancelmeeting")
        return
    try:
        day = parse_date(args[0])
    except DateInputError as error:
        await _unreadable(update, context, "cancelmeeting", error)
        return
    reason = " ".join(";".join(args[1:]).split())
    if len(reason) > MAX_SUBJECT:
        await _say(update, _reason_too_long(context, len(reason)))
        return
    change = await _change(update, context, day)
    if change is None:
        return
    state = {
        "meeting_id": change.meeting.id,
        "when": change.meeting.starts_at.isoformat(),
        "place": change.meeting.place,
        "recipients": change.recipients,
        "reason": reason,
    }
    dialogue_id = await dialogues.begin(update, context, "cancel_meeting", state)
    if dialogue_id is None:
        return
    if reason:
        await _confirm_cancellation(update, context, dialogue_id, state)
        return
    ask = context._(
        "Why is the meeting %(when)s cancelled? Write the reason in one message (at most"
        " %(limit)s characters); everyone who is told will read it.",
        when=format_when(change.meeting.starts_at, context.language),
        limit=MAX_SUBJECT,
    )
    await dialogues.prompt(update, context, dialogue_id, ask)


def _reason_too_long(context: BotContext, length: int) -> str:
    return context._(
        "The reason can be at most %(limit)s characters; yours has %(length)s.",
        limit=MAX_SUBJECT,
        length=length,
    )


async def _cancellation_reason(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    written = " ".join(
        ((update.effective_message.text if update.effective_message else "") or "").split()
    )
    if len(written) > MAX_SUBJECT:
        await dialogues.prompt(update, context, turn.id, _reason_too_long(context, len(written)))
        return
    state = dialogues.joinable(
        {**turn.state, "reason": written}, "reason", MAX_SUBJECT, context.now()
    )
    if await dialogues.keep(update, context, turn, state):
        await _confirm_cancellation(update, context, turn.id, state)


async def _cancellation_joined(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    await _confirm_cancellation(update, context, turn.id, turn.state)


async def _confirm_cancellation(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any]
) -> None:
    lines = [
        context._(
            "Cancel the meeting %(when)s, %(place)s?",
            when=format_when(state["when"], context.language),
            place=escape(state["place"]),
        ),
        _told(context, int(state["recipients"])),
        context._("Reason: %(reason)s", reason=f"<i>{escape(state['reason'])}</i>"),
    ]
    button = Dialog("ok", dialogue_id).button(context._("Cancel the meeting"))
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), [[button]])


async def _cancellation_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    hold = timedelta(minutes=context.settings.undo_minutes)
    cancelled = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        cancel_meeting_shown,
        ready=bool(turn.state.get("reason")),
        done=context._("Cancel the meeting"),
        not_done=context._("Not cancelled"),
        meeting_id=turn.state["meeting_id"],
        reason=turn.state.get("reason", ""),
        hold=hold,
    )
    if cancelled is None:
        return
    if not hold:
        text = context.ngettext(
            "The meeting is cancelled; %(count)s person is told.",
            "The meeting is cancelled; %(count)s people are told.",
            cancelled.recipients,
        )
        await _say(update, text)
        return
    text = context.ngettext(
        "The meeting is cancelled; %(count)s person will be told.",
        "The meeting is cancelled; %(count)s people will be told.",
        cancelled.recipients,
    )
    text += "\n" + context.ngettext(
        "The notice goes out in %(count)s minute; until then you can take the cancellation"
        " back, and nobody is told anything.",
        "The notices go out in %(count)s minutes; until then you can take the cancellation"
        " back, and nobody is told anything.",
        int(hold.total_seconds() // 60),
    )
    undo = Plan(cancelled.meeting.id, "uncancel").button(context._("Take the cancellation back"))
    await _say(update, text, InlineKeyboardMarkup([[undo]]))


async def undo_button(update: Update, context: BotContext) -> None:
    """Take back one's own cancellation, while its notices have not gone out."""
    query = update.callback_query
    assert query is not None
    pressed = Plan.of(update)

    async def refused(error: Refused) -> None:
        await query.answer()
        await dialogues.settle(update, context, context._("Not taken back"))
        await _say(update, refusal(error, context.language))

    undone = await attempt(
        update, context, undo_cancellation, on_refusal=refused, meeting_id=pressed.meeting_id
    )
    if undone is None:
        return
    await query.answer()
    await dialogues.settle(update, context)
    await _say(
        update,
        context._(
            "The cancellation is taken back: the meeting %(when)s, %(place)s is planned as"
            " before, and nobody was told of the cancellation.",
            when=format_when(undone.value.meeting.starts_at, context.language),
            place=escape(undone.value.meeting.place),
        ),
    )


dialogues.flow(
    "cancel_meeting",
    Flow(
        _("Cancelling the meeting"),
        text=_cancellation_reason,
        choice=_cancellation_confirmed,
        joined=_cancellation_joined,
    ),
)
dialogues.flow("move_meeting", Flow(_("Moving the meeting"), choice=_move_confirmed))
