"""/move (/flyt) and /cancelmeeting (/aflys): a meeting named by its day is moved or cancelled.

What will happen is shown first — which meeting, how many people are told, with what reason — and
happens only when confirmed (a dialogue, bot/dialogues.py). A day with several meetings is never
answered with the first: the person picks one with a button. A move that makes the agenda late asks
the acting chair for the reason (R-D3); anyone else is told whom to ask before anything is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice, Plan
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, in_chat
from bot.handlers.plan import _args, _say, _unreadable, _usage
from procedure.danish_dates import DateInputError, parse_date, parse_moment
from services.agenda_prep import MAX_REASON
from services.dialogues import OpenDialogue
from services.meeting_plan import (
    MAX_SUBJECT,
    PlanChange,
    cancel_meeting_shown,
    move_check,
    move_meeting_shown,
    plan_change_of,
    plan_changes_on,
)
from templates.i18n import format_day, format_when

OPTIONS = "options"  # the state's key for the meetings offered to pick from


def _(message: str) -> str:
    return message


async def _changes(update: Update, context: BotContext, day: date) -> list[PlanChange] | None:
    found = await attempt(
        update, context, plan_changes_on, write=False, on_refusal=in_chat(update, context), day=day
    )
    return None if found is None else found.value


Chosen = Callable[
    [Update, BotContext, OpenDialogue, PlanChange, dict[str, Any]], Coroutine[Any, Any, None]
]


async def _begin_change(
    update: Update,
    context: BotContext,
    kind: str,
    state: dict[str, Any],
    changes: list[PlanChange],
    day: date,
    chosen: Chosen,
) -> None:
    """Open the dialogue of a change to a meeting on `day`: with several meetings that day the
    person is asked which (never the first taken silently), else it goes on with the one."""
    dialogue_id = await dialogues.begin(update, context, kind, state)
    if dialogue_id is None:
        return
    if len(changes) > 1:
        await _ask_which(update, context, dialogue_id, changes, day)
        return
    turn = OpenDialogue(dialogue_id, kind, state, context.now())
    await chosen(update, context, turn, changes[0], {**state, OPTIONS: []})


async def _ask_which(
    update: Update, context: BotContext, dialogue_id: int, changes: list[PlanChange], day: date
) -> None:
    """Several meetings that day: one button per meeting (its time and place)."""
    rows = [
        [
            Dialog("pick", dialogue_id, change.meeting.id).button(
                f"{format_when(change.meeting.starts_at, context.language)}, {change.meeting.place}"
            )
        ]
        for change in changes
    ]
    text = context._(
        "There are %(count)s meetings on %(day)s. Which one?",
        count=len(changes),
        day=format_day(datetime.combine(day, datetime.min.time()), context.language),
    )
    await dialogues.prompt(update, context, dialogue_id, text, rows)


async def _picked(
    update: Update, context: BotContext, turn: OpenDialogue
) -> tuple[PlanChange, dict[str, Any]] | None:
    """The meeting a pick button names, if it was one of those offered (and may still change)."""
    option = Dialog.of(update).option
    if option is None or option not in turn.state.get(OPTIONS, []):
        await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))
        return None
    await dialogues.settle(update, context)
    found = await attempt(
        update,
        context,
        plan_change_of,
        write=False,
        on_refusal=in_chat(update, context),
        meeting_id=option,
    )
    if found is None:
        await dialogues.finish(update, context)
        return None
    return found.value, {**turn.state, OPTIONS: []}


def _told(context: BotContext, count: int) -> str:
    return context.ngettext(
        "%(count)s person who would receive the agenda is told.",
        "%(count)s people who would receive the agenda are told.",
        count,
    )


# --- /move -------------------------------------------------------------------------------------


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
    changes = await _changes(update, context, day)
    if changes is None:
        return
    state = {
        "starts_at": when.isoformat(),
        "place": place,
        OPTIONS: [c.meeting.id for c in changes],
    }
    await _begin_change(update, context, "move_meeting", state, changes, day, _move_chosen)


async def _move_chosen(
    update: Update,
    context: BotContext,
    turn: OpenDialogue,
    change: PlanChange,
    state: dict[str, Any],
) -> None:
    """The meeting is known: R-D3 is checked (the reason asked for), then the move is shown."""
    when = datetime.fromisoformat(state["starts_at"])
    checked = await attempt(
        update,
        context,
        move_check,
        write=False,
        on_refusal=in_chat(update, context),
        meeting_id=change.meeting.id,
        starts_at=when,
    )
    if checked is None:
        await dialogues.finish(update, context)
        return
    late = checked.value
    state = {
        **state,
        "meeting_id": change.meeting.id,
        "was": change.meeting.starts_at.isoformat(),
        "was_place": change.meeting.place,
        "recipients": change.recipients,
        "late_deadline": late.isoformat() if late else None,
    }
    if not await dialogues.keep(update, context, turn, state):
        return
    if late is None:
        await _confirm_move(update, context, turn.id, state)
        return
    ask = context._(
        "Moved to %(when)s, the agenda goes out late: it had to go out by %(deadline)s. As acting"
        " chair, write the reason for the exception in one message (at most %(limit)s"
        " characters); the agenda and the minutes show it.",
        when=format_when(when, context.language),
        deadline=format_when(late, context.language),
        limit=MAX_REASON,
    )
    await dialogues.prompt(update, context, turn.id, ask)


async def _move_reason(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    if not turn.state.get("late_deadline") or turn.state.get("reason"):
        await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))
        return
    written = " ".join(
        ((update.effective_message.text if update.effective_message else "") or "").split()
    )
    if not written or len(written) > MAX_REASON:
        too_long = context._(
            "The reason can be at most %(limit)s characters; yours has %(length)s.",
            limit=MAX_REASON,
            length=len(written),
        )
        await dialogues.prompt(update, context, turn.id, too_long)
        return
    state = {**turn.state, "reason": written}
    if await dialogues.keep(update, context, turn, state):
        await _confirm_move(update, context, turn.id, state)


async def _confirm_move(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any]
) -> None:
    lines = [
        context._(
            "Move the meeting %(when)s, %(place)s?",
            when=format_when(state["was"], context.language),
            place=escape(state["was_place"]),
        ),
        context._(
            "New time: %(when)s, %(place)s.",
            when=format_when(state["starts_at"], context.language),
            place=escape(state["place"] or state["was_place"]),
        ),
        _told(context, int(state["recipients"])),
    ]
    if state.get("reason"):
        lines.append(context._("Reason: %(reason)s", reason=f"<i>{escape(state['reason'])}</i>"))
    button = Dialog("ok", dialogue_id).button(context._("Move the meeting"))
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), [[button]])


async def _move_choice(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    if choice == "pick":
        picked = await _picked(update, context, turn)
        if picked is not None:
            await _move_chosen(update, context, turn, *picked)
        return
    state = turn.state
    ready = "meeting_id" in state and (not state.get("late_deadline") or state.get("reason"))
    moved = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        move_meeting_shown,
        ready=bool(ready),
        done=context._("Move the meeting"),
        not_done=context._("Not moved"),
        meeting_id=state.get("meeting_id"),
        starts_at=datetime.fromisoformat(state["starts_at"]) if ready else None,
        place=state.get("place"),
        reason=state.get("reason"),
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


# --- /cancelmeeting ----------------------------------------------------------------------------


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
    changes = await _changes(update, context, day)
    if changes is None:
        return
    state = {"reason": reason, OPTIONS: [c.meeting.id for c in changes]}
    await _begin_change(update, context, "cancel_meeting", state, changes, day, _cancel_chosen)


async def _cancel_chosen(
    update: Update,
    context: BotContext,
    turn: OpenDialogue,
    change: PlanChange,
    state: dict[str, Any],
) -> None:
    state = {
        **state,
        "meeting_id": change.meeting.id,
        "when": change.meeting.starts_at.isoformat(),
        "place": change.meeting.place,
        "recipients": change.recipients,
    }
    if not await dialogues.keep(update, context, turn, state):
        return
    if state["reason"]:
        await _confirm_cancellation(update, context, turn.id, state)
        return
    ask = context._(
        "Why is the meeting %(when)s cancelled? Write the reason in one message (at most"
        " %(limit)s characters); everyone who is told will read it.",
        when=format_when(change.meeting.starts_at, context.language),
        limit=MAX_SUBJECT,
    )
    await dialogues.prompt(update, context, turn.id, ask)


def _reason_too_long(context: BotContext, length: int) -> str:
    return context._(
        "The reason can be at most %(limit)s characters; yours has %(length)s.",
        limit=MAX_SUBJECT,
        length=length,
    )


async def _cancellation_reason(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    if "meeting_id" not in turn.state:  # the meeting is still to be picked
        await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))
        return
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
    if choice == "pick":
        picked = await _picked(update, context, turn)
        if picked is not None:
            await _cancel_chosen(update, context, turn, *picked)
        return
    ready = "meeting_id" in turn.state and bool(turn.state.get("reason"))
    hold = timedelta(minutes=context.settings.undo_minutes)
    cancelled = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        cancel_meeting_shown,
        ready=ready,
        done=context._("Cancel the meeting"),
        not_done=context._("Not cancelled"),
        meeting_id=turn.state.get("meeting_id"),
        reason=turn.state.get("reason", ""),
        hold=hold,
    )
    if cancelled is None:
        return
    await _say_cancelled(update, context, cancelled, hold)


async def _say_cancelled(
    update: Update, context: BotContext, cancelled: PlanChange, hold: timedelta
) -> None:
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


dialogues.flow(
    "cancel_meeting",
    Flow(
        _("Cancelling the meeting"),
        text=_cancellation_reason,
        choice=_cancellation_confirmed,
        joined=_cancellation_joined,
    ),
)
dialogues.flow(
    "move_meeting", Flow(_("Moving the meeting"), text=_move_reason, choice=_move_choice)
)
