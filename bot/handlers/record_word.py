"""The minutes in Word (R-X2): `/referat word` (or the Word button under the draft) sends the latest
version as a .docx; the secretariat edits it and sends it back in the private chat — a word processor's
file the secretariat sends while no question is open is read as the edited minutes. The reading and
every check are in services/minutes_word.py; this only fetches the file and answers."""

from __future__ import annotations

from html import escape

from telegram import InputFile, Update
from telegram.error import BadRequest

from bot.context import BotContext
from bot.handlers.common import attempt, in_chat, tell
from bot.texts import refusal
from procedure.permissions import Action
from services.errors import Refused

# services.minutes_word is imported by the handlers that use it: python-docx and lxml, some 15 MB,
# are loaded when the secretariat first asks for or sends a Word file, not by every bot (issue 15).


def _(message: str) -> str:
    return message


WORD_WORDS = ("word", "docx")
WORD_BUTTON = _("Word file (.docx)")
WORD_CAPTION = _(
    "The minutes as a Word file. Edit the decisions and remarks in its tables, save it as .docx"
    " and send it back to me here; I read it in as a new draft version."
)
UPLOADED = _("Read in as version %(version)s of the minutes (a draft).")
CHANGED_DECISIONS = _("New decision text: item %(numbers)s.")
CHANGED_REMARKS = _("Changed remark: item %(numbers)s.")
CHANGED_MINUTES_REMARKS = _("The remarks on the minutes changed.")
UNCHANGED = _("The file changes nothing in the minutes; no new version was made.")


def may_edit(context: BotContext) -> bool:
    return context.actor is not None and context.actor.may(Action.WRITE_MINUTES)


async def send_word(update: Update, context: BotContext, meeting_id: int | None = None) -> None:
    """The latest version as a .docx, privately (also when asked in the group, R-P6)."""
    from services.minutes_word import minutes_word_file

    on_refusal = None if update.callback_query is not None else in_chat(update, context)
    found = await attempt(
        update,
        context,
        minutes_word_file,
        write=False,
        on_refusal=on_refusal,
        meeting_id=meeting_id,
    )
    if found is None:
        return
    actor = context.require_actor()
    chat_id = actor.chat_id or (update.effective_chat.id if update.effective_chat else None)
    if chat_id is None:
        return
    name = found.value.file_name
    await context.bot.send_document(
        chat_id,
        document=InputFile(found.value.content, filename=name),
        filename=name,
        caption=context._(WORD_CAPTION),
    )
    if update.callback_query is not None:
        await update.callback_query.answer()


# What a secretariat's word processor saves: read as the minutes (a .doc or .odt is then told to
# be saved as .docx); any other document outside a question is not understood, as before.
WORD_ENDINGS = (".docx", ".docm", ".dotx", ".doc", ".odt", ".rtf")
WORD_TYPES = (
    "application/vnd.openxmlformats-officedocument.wordprocessingml",
    "application/msword",
    "application/vnd.ms-word",
    "application/vnd.oasis.opendocument.text",
    "application/rtf",
)


def takes_upload(update: Update, context: BotContext) -> bool:
    """A word processor's file from someone who writes the minutes, with no question open: the
    minutes edited in Word."""
    message = update.effective_message
    if message is None or message.document is None or not may_edit(context):
        return False
    name = (message.document.file_name or "").lower()
    kind = (message.document.mime_type or "").lower()
    return name.endswith(WORD_ENDINGS) or kind.startswith(WORD_TYPES)


async def upload(update: Update, context: BotContext) -> int | None:
    """Fetch the file (Telegram lets a bot download 20 MB at most) and read it in; the meeting
    whose minutes have a new version, if any (the caller shows them)."""
    from services.minutes_word import MAX_FILE_BYTES, read_uploaded_minutes, upload_minutes_word

    message = update.effective_message
    assert message is not None and message.document is not None
    too_large = Refused("minutes_file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    if (message.document.file_size or 0) > MAX_FILE_BYTES:
        await message.reply_html(refusal(too_large, context.language))
        return None
    try:
        file = await context.bot.get_file(message.document.file_id)
        content = bytes(await file.download_as_bytearray())
    except BadRequest:  # "file is too big": Telegram's own limit, whatever the size claimed
        await message.reply_html(refusal(too_large, context.language))
        return None
    # Read (up to 20 MB of Word) before the write guard is taken, not while it is held.
    read = await attempt(
        update,
        context,
        read_uploaded_minutes,
        write=False,
        on_refusal=in_chat(update, context),
        content=content,
    )
    if read is None:
        return None
    done = await attempt(
        update, context, upload_minutes_word, on_refusal=in_chat(update, context), edited=read.value
    )
    if done is None:
        return None
    result = done.value
    if result.version == 0:
        await tell(update, context, context._(UNCHANGED))
        return None
    lines = [context._(UPLOADED, version=result.version)]
    if result.decisions:
        lines.append(context._(CHANGED_DECISIONS, numbers=_numbers(result.decisions)))
    if result.remarks:
        lines.append(context._(CHANGED_REMARKS, numbers=_numbers(result.remarks)))
    if result.minutes_remarks:
        lines.append(context._(CHANGED_MINUTES_REMARKS))
    await tell(update, context, escape("\n".join(lines)))
    return result.meeting_id


def _numbers(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers)
