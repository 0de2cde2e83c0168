"""/plan, /move, /cancelmeeting and /call: the meeting plan from the chat (R-M1, R-M2, R-D5).

Arguments are separated by semicolons, times are the council's local time:
/call 2026-12-01 15:00; Aalborg Rådhus; Budget 2027
"""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from telegram import Update

from bot.context import BotContext
from bot.texts import refusal
from models.tables import Council
from services.errors import Refused
from services.meeting_plan import call_meeting, cancel_meeting, meeting_on, move_meeting
from services.meetings import add_meeting, view
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
    return datetime.strptime(text.strip(), "%Y-%m-%d %H:%M")


def _day(text: str) -> date:
    return datetime.strptime(text.strip(), "%Y-%m-%d").date()


async def _say(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(text)


async def _usage(update: Update, context: BotContext, command: str) -> None:
    await _say(update, context._(USAGE[command]))


async def call(update: Update, context: BotContext) -> None:
    """R-M2/R-D5: call an extraordinary meeting; the summons with its agenda goes out at once."""
    actor = context.require_actor()
    args = _args(context)
    try:
        when, place, subject = _moment(args[0]), args[1], ";".join(args[2:])
    except (ValueError, IndexError):
        await _usage(update, context, "call")
        return
    try:
        async with context.sessions() as session, session.begin():
            meeting, sent = await call_meeting(
                session,
                actor=actor,
                starts_at=when,
                place=place,
                subject=subject,
                now=context.now(),
            )
            council = await session.get(Council, actor.council_id)
            assert council is not None
            shown = view(meeting, council)
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
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
    actor = context.require_actor()
    args = _args(context)
    try:
        when, place = _moment(args[0]), args[1]
    except (ValueError, IndexError):
        await _usage(update, context, "plan")
        return
    try:
        async with context.sessions() as session, session.begin():
            council = await session.get(Council, actor.council_id)
            assert council is not None
            meeting = await add_meeting(
                session,
                council=council,
                starts_at=when,
                place=place,
                now=context.now(),
                actor=actor,
            )
            shown = view(meeting, council)
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
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
    actor = context.require_actor()
    args = _args(context)
    try:
        day, when = _day(args[0]), _moment(args[1])
        place = args[2] if len(args) > 2 and args[2] else None
    except (ValueError, IndexError):
        await _usage(update, context, "move")
        return
    try:
        async with context.sessions() as session, session.begin():
            meeting = await meeting_on(session, actor=actor, day=day, now=context.now())
            await move_meeting(
                session,
                actor=actor,
                meeting_id=meeting.id or 0,
                starts_at=when,
                place=place,
                now=context.now(),
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    await _say(update, context._("The meeting is moved; everyone affected is told."))


async def cancel(update: Update, context: BotContext) -> None:
    """Cancel a meeting (named by its day); everyone who would receive its agenda is told."""
    actor = context.require_actor()
    args = _args(context)
    try:
        day, reason = _day(args[0]), ";".join(args[1:])
    except (ValueError, IndexError):
        await _usage(update, context, "cancelmeeting")
        return
    try:
        async with context.sessions() as session, session.begin():
            meeting = await meeting_on(session, actor=actor, day=day, now=context.now())
            await cancel_meeting(
                session, actor=actor, meeting_id=meeting.id or 0, now=context.now(), reason=reason
            )
    except Refused as error:
        await _say(update, refusal(error, context.language))
        return
    await _say(update, context._("The meeting is cancelled; everyone affected is told."))
