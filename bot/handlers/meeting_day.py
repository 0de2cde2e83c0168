"""/open (/aabn), /close (/luk), /checkin (/tjekind [name]), /checkout (/tjekud [name]),
/attendance (/fremmoede): the attendance record."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.context import BotContext
from bot.handlers.attendance import presence_text
from bot.handlers.common import args_text, attempt, tell
from services.attendance_record import meeting_attendance_record
from services.meeting_day import check_in, check_out, close_meeting, open_meeting
from templates.i18n import render


async def open_command(update: Update, context: BotContext) -> None:
    """R-M5/R-P3: the acting chair opens the coming meeting; check-ins count from now."""
    # R-P3: the secretariat names the acting chair when chair and vice chair are both absent.
    opened = await attempt(
        update, context, open_meeting, acting_chair_name=args_text(context) or None
    )
    if opened is None:
        return
    view = opened.value
    text = context._("The meeting is open. Members check in with /checkin or the group's button.")
    if view.chair_absent and view.acting_chair:
        text += "\n" + context._(
            "The chair is absent: %(name)s leads the meeting as acting chair.",
            name=escape(view.acting_chair),
        )
    await tell(update, context, text)


async def close_command(update: Update, context: BotContext) -> None:
    """R-M5: the acting chair closes the meeting in progress."""
    closed = await attempt(update, context, close_meeting)
    if closed is None:
        return
    await tell(
        update,
        context,
        context._(
            "The meeting is closed. %(present)s members were represented at the close.",
            present=closed.value.status.present,
        ),
    )


async def checkin(update: Update, context: BotContext) -> None:
    """Check yourself in; the secretariat (or acting chair) may name someone else."""
    presence = await attempt(update, context, check_in, person_name=args_text(context) or None)
    if presence is not None:
        await tell(update, context, presence_text(context, presence.value))


async def checkout(update: Update, context: BotContext) -> None:
    """Check yourself out (you may come back); the secretariat may name someone who left."""
    presence = await attempt(update, context, check_out, person_name=args_text(context) or None)
    if presence is not None:
        await tell(update, context, presence_text(context, presence.value))


async def attendance_record(update: Update, context: BotContext) -> None:
    """R-Q4: who attended the meeting in progress or the last one held, for whom, and when."""
    found = await attempt(update, context, meeting_attendance_record)
    if found is None:
        return
    record = found.value
    council = context.require_actor().council_name
    text = render("chat/attendance_record.html.j2", context.language, r=record, council=council)
    await tell(update, context, text)
