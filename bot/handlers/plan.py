"""/plan, /move, /cancelmeeting and /call: the meeting plan from the chat (R-M1, R-M2, R-D5).

Arguments are separated by semicolons, times are the council's local time:
/call 2026-12-01 15:00; Aalborg Rådhus; Budget 2027
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import attempt, in_chat
from services.meeting_plan import (
    call_meeting_shown,
    cancel_meeting_on,
    move_meeting_on,
    plan_meeting,
)
from services.text import in_range
from templates.i18n import format_when


def _(message: str) -> str:
    return message


USAGE = {
    "call": _(
        "Write it like this: /call 2026-12-01 15:00; Aalborg Rådhus; the subject of the meeting"
    ),
    "plan": _("Write it like this: /plan 2027-03-10 10:00; Aalborg Rådhus"),
    "move": _(
        "Write it like this: /move 2027-03-10; 2027-03-12 13:00 (and a new place if it changes)"
    ),
    "cancelmeeting": _("Write it like this: /cancelmeeting 2027-03-10; the reason"),
}


def _args(context: BotContext) -> list[str]:
    return [part.strip() for part in " ".join(context.args or []).split(";")]


def _moment(text: str) -> datetime:
    return _within(datetime.strptime(text.strip(), "%Y-%m-%d %H:%M"))


def _day(text: str) -> date:
    return _within(datetime.strptime(text.strip(), "%Y-%m-%d").date())


def _within(moment: Any) -> Any:
    """A date beyond the years a council plans for is as bad as a malformed one (ValueError)."""
    if not in_range(moment):
        raise ValueError("out of range")
    return moment


async def _say(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(text)


async def _usage(update: Update, context: BotContext, command: str) -> None:
    await _say(update, context._(USAGE[command]))


async def call(update: Update, context: BotContext) -> None:
    """R-M2/R-D5: call an extraordinary meeting; the summons with its agenda goes out at once."""
    args = _args(context)
    try:
        when, place, subject = _moment(args[0]), args[1], ";".join(args[2:])
    except (ValueError, IndexError):
        await _usage(update, context, "call")
        return
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
    try:
        when, place = _moment(args[0]), args[1]
    except (ValueError, IndexError):
        await _usage(update, context, "plan")
        return
    planned = await attempt(
        update,
        context,
        plan_meeting,
        on_refusal=in_chat(update, context),
        starts_at=when,
        place=place,
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


async def move(update: Update, context: BotContext) -> None:
    """Move a meeting (named by its day); its deadlines follow and everyone affected is told."""
    args = _args(context)
    try:
        day, when = _day(args[0]), _moment(args[1])
        place = args[2] if len(args) > 2 and args[2] else None
    except (ValueError, IndexError):
        await _usage(update, context, "move")
        return
    moved = await attempt(
        update,
        context,
        move_meeting_on,
        on_refusal=in_chat(update, context),
        day=day,
        starts_at=when,
        place=place,
    )
    if moved is None:
        return
    await _say(update, context._("The meeting is moved; everyone affected is told."))


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel a meeting (named by its day); everyone who would receive its agenda is told."""
    args = _args(context)
    try:
        day, reason = _day(args[0]), ";".join(args[1:])
    except (ValueError, IndexError):
        await _usage(update, context, "cancelmeeting")
        return
    cancelled = await attempt(
        update,
        context,
        cancel_meeting_on,
        on_refusal=in_chat(update, context),
        day=day,
        reason=reason,
    )
    if cancelled is None:
        return
    await _say(update, context._("The meeting is cancelled; everyone affected is told."))
