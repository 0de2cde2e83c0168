"""/plan and /call: the meeting plan from the chat (R-M1, R-M2, R-D5); /move and /cancelmeeting
are in bot/handlers/plan_change.py.

Arguments are separated by semicolons, times are the council's local time, written the Danish way
or as ISO (procedure/danish_dates.py):
/call 10.3.2027 kl. 15.00; Aalborg Rådhus; Budget 2027
"""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot import dialogues
from bot.callbacks import Plan
from bot.context import BotContext
from bot.handlers.common import attempt, in_chat
from bot.texts import fit, refusal, unreadable
from procedure.danish_dates import DateInputError, parse_moment
from services.errors import Refused
from services.meeting_plan import (
    call_meeting_shown,
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
