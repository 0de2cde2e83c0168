"""/minutes (/referat), /calendar (/kalender), /export (/eksport), /closeditem (/lukket): the record
from the chat (R-X2, R-X3, R-P6; /publish is in record_publishing.py, the minutes in Word in
record_word.py). Every rule is in the services; these only parse and answer.

Short edits of the minutes are written as commands, so no open question can swallow a message:
/referat ret 3 <the decision as the minutes should word it>
/referat bemaerk [3] <a remark on item 3, or on the whole minutes>
"""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, InputFile, Update

from bot.callbacks import CalendarLink, ClosedMark, Minutes
from bot.context import BotContext
from bot.handlers import record_word
from bot.handlers.common import attempt, in_chat, replace, tell
from procedure.permissions import Action
from services.attendance_export import attendance_export, export_file_name, to_csv, to_xlsx
from services.calendar import calendar_feed_token, revoke_calendar_feed
from services.errors import Refused
from services.minutes import (
    add_remark,
    approve_minutes,
    closable_items,
    edit_decision_text,
    mark_item_closed,
    minutes_draft,
    request_draft_pdf,
    request_minutes,
)
from templates.i18n import render


def _(message: str) -> str:
    return message


EDIT_WORDS = ("ret", "edit")
REMARK_WORDS = ("bemaerk", "bemærk", "remark")
APPROVE_WORDS = ("godkend", "approve")
MINUTES_USAGE = _(
    "Write it like this: /minutes edit 3 the decision as the minutes should word it,"
    " or /minutes remark 3 a remark (without a number: a remark on the whole minutes)."
)
EXPORT_USAGE = _("Write it like this: /export 2027-01-01 2027-06-30 (and csv for a CSV file)")


# --- /minutes ------------------------------------------------------------------------------------


async def minutes(update: Update, context: BotContext) -> None:
    """The latest minutes: to edit and approve for the secretariat and the chair, else the PDF."""
    args = context.args or []
    word = args[0].lower() if args else ""
    if word in EDIT_WORDS or word in REMARK_WORDS:
        await _edit(update, context, word, args[1:])
        return
    if word in record_word.WORD_WORDS:
        await record_word.send_word(update, context)
        return
    actor = context.require_actor()
    if word in APPROVE_WORDS or actor.may(Action.WRITE_MINUTES) or actor.office:
        await _show_draft(update, context)
        return
    await _send_approved(update, context)


async def _send_approved(update: Update, context: BotContext) -> None:
    sent = await attempt(update, context, request_minutes, on_refusal=in_chat(update, context))
    if sent is not None:
        await tell(
            update,
            context,
            context._(
                "The minutes (version %(version)s) are on their way as a PDF.", version=sent.value
            ),
        )


async def _show_draft(update: Update, context: BotContext) -> None:
    async def refused(error: Refused) -> None:
        if error.code == "not_allowed":  # not the acting chair of that meeting: the PDF, then
            await _send_approved(update, context)
        else:
            await in_chat(update, context)(error)

    found = await attempt(update, context, minutes_draft, write=False, on_refusal=refused)
    if found is None:
        return
    text, markup = _draft_view(context, found.value)
    await tell(update, context, text, markup=markup)


async def minutes_upload(update: Update, context: BotContext) -> None:
    """An edited Word file of the minutes: read in, then the new draft shown."""
    meeting_id = await record_word.upload(update, context)
    if meeting_id is None:
        return
    shown = await attempt(update, context, minutes_draft, write=False, meeting_id=meeting_id)
    if shown is not None:
        text, markup = _draft_view(context, shown.value)
        await tell(update, context, text, markup=markup)


def _draft_view(context: BotContext, snapshot: dict[str, Any]) -> tuple[str, InlineKeyboardMarkup]:
    """The version as text, buttons for its PDF and (for the secretariat) its Word file and,
    while a draft, one to approve it."""
    text = render("chat/minutes.html.j2", context.language, minutes=snapshot)
    meeting_id = int(snapshot["meeting_id"])
    rows = [[Minutes(meeting_id, "pdf").button(context._("Show the PDF"))]]
    if record_word.may_edit(context):
        rows[0].append(Minutes(meeting_id, "docx").button(context._(record_word.WORD_BUTTON)))
    if not snapshot.get("approved_at"):
        rows.append([Minutes(meeting_id, "appr").button(context._("Approve the minutes"))])
    return text, InlineKeyboardMarkup(rows)


async def _usage(update: Update, context: BotContext, usage: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_html(context._(usage))


async def _edit(update: Update, context: BotContext, word: str, rest: list[str]) -> None:
    number = int(rest[0]) if rest and rest[0].isdigit() else None
    text = " ".join(rest[1:] if number is not None else rest).strip()
    if not text or (word in EDIT_WORDS and number is None):
        await _usage(update, context, MINUTES_USAGE)
        return
    last = await attempt(
        update, context, minutes_draft, write=False, on_refusal=in_chat(update, context)
    )
    if last is None:
        return
    meeting_id = int(last.value["meeting_id"])
    service = edit_decision_text if word in EDIT_WORDS else add_remark
    done = await attempt(
        update,
        context,
        service,
        on_refusal=in_chat(update, context),
        meeting_id=meeting_id,
        number=number,
        text=text,
    )
    if done is None:
        return
    again = await attempt(update, context, minutes_draft, write=False, meeting_id=meeting_id)
    if again is not None:
        text, markup = _draft_view(context, again.value)
        await tell(update, context, text, markup=markup)


async def minutes_button(update: Update, context: BotContext) -> None:
    """The PDF of the latest version, or the acting chair's approval."""
    pressed = Minutes.of(update)
    if pressed.action == "docx":
        await record_word.send_word(update, context, pressed.meeting_id)
        return
    if pressed.action == "pdf":
        sent = await attempt(update, context, request_draft_pdf, meeting_id=pressed.meeting_id)
        if sent is not None:
            await tell(update, context, context._("The PDF is on its way."))
        return
    approved = await attempt(update, context, approve_minutes, meeting_id=pressed.meeting_id)
    if approved is None:
        return
    await tell(update, context, context._("Approved."))
    await replace(
        update,
        context._(
            "The minutes (version %(version)s) are approved and go to %(count)s recipients.",
            version=approved.value.version,
            count=approved.value.recipients,
        ),
    )


# --- /calendar -----------------------------------------------------------------------------------


def _feed_url(context: BotContext, token: str) -> str:
    settings = context.bot_data.get("settings")
    root = settings.public_url if settings is not None else ""
    return f"{root}/kalender/{token}.ics"


async def calendar(update: Update, context: BotContext) -> None:
    """The person's private calendar feed of their own meetings."""
    made = await attempt(update, context, calendar_feed_token)
    if made is None:
        return
    markup = InlineKeyboardMarkup([[CalendarLink("new").button(context._("Make a new link"))]])
    await tell(update, context, _calendar_text(context, made.value), markup=markup)


def _calendar_text(context: BotContext, token: str) -> str:
    return render("chat/calendar.html.j2", context.language, url=_feed_url(context, token))


async def calendar_button(update: Update, context: BotContext) -> None:
    """A new link; the old one stops working at once (a link shared by mistake)."""
    if await attempt(update, context, revoke_calendar_feed) is None:
        return
    made = await attempt(update, context, calendar_feed_token)
    if made is not None:
        await tell(update, context, context._("The old link no longer works."))
        await replace(update, _calendar_text(context, made.value))


# --- /export -------------------------------------------------------------------------------------


async def export(update: Update, context: BotContext) -> None:
    """R-X3: the attendance of a period as a spreadsheet, sent in the chat (default: this year)."""
    actor = context.require_actor()
    args = [a.lower() for a in context.args or []]
    file_format = "csv" if "csv" in args else "xlsx"
    days = [a for a in args if a not in ("csv", "xlsx")]
    today = context.now().astimezone(ZoneInfo(actor.council_timezone)).date()
    try:
        start = date.fromisoformat(days[0]) if days else date(today.year, 1, 1)
        end = date.fromisoformat(days[1]) if len(days) > 1 else today
    except ValueError:
        await _usage(update, context, EXPORT_USAGE)
        return
    found = await attempt(
        update,
        context,
        attendance_export,
        write=False,
        on_refusal=in_chat(update, context),
        council_id=actor.council_id,
        start=start,
        end=end,
    )
    if found is None:
        return
    content = to_csv(found.value) if file_format == "csv" else to_xlsx(found.value)
    name = export_file_name(found.value, file_format)
    caption = context._(
        "Attendance %(start)s to %(end)s: %(rows)s rows, %(people)s people.",
        start=start.isoformat(),
        end=end.isoformat(),
        rows=len(found.value.rows),
        people=len(found.value.totals),
    )
    chat_id = actor.chat_id or (update.effective_chat.id if update.effective_chat else None)
    if chat_id is not None:  # privately, also when asked in the group (R-P6)
        await context.bot.send_document(
            chat_id, document=InputFile(content, filename=name), filename=name, caption=caption
        )


# --- /closeditem ---------------------------------------------------------------------------------


async def closed_items(update: Update, context: BotContext) -> None:
    """R-P6: the chair marks which items of the coming meeting are closed to the public."""
    text, markup = await _closed_view(update, context)
    if text:
        await tell(update, context, text, markup=markup)


async def _closed_view(
    update: Update, context: BotContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await attempt(
        update, context, closable_items, write=False, on_refusal=in_chat(update, context)
    )
    if found is None:
        return "", None
    _meeting_id, items = found.value
    rows = [
        [
            ClosedMark(item.id, not item.closed).button(
                context._("Open item %(number)s again", number=item.number)
                if item.closed
                else context._("Close item %(number)s", number=item.number)
            )
        ]
        for item in items
    ]
    text = render("chat/closed_items.html.j2", context.language, items=items)
    return text, InlineKeyboardMarkup(rows) if rows else None


async def closed_button(update: Update, context: BotContext) -> None:
    pressed = ClosedMark.of(update)
    done = await attempt(
        update, context, mark_item_closed, item_id=pressed.item_id, closed=pressed.closed
    )
    if done is None:
        return
    await tell(update, context, context._("Closed.") if pressed.closed else context._("Open."))
    text, markup = await _closed_view(update, context)
    if text:
        await replace(update, text, markup)
