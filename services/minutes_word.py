"""The minutes as a Word file (R-X2): a Danish secretariat writes in Word, so the draft is offered as
a .docx and an edited file is read back — each item's decision text and remark, and the remarks on
the whole minutes — into a new draft version.

The file is a form: a table with a row per item (number, title, decision, remark) and a table of
remarks; the rest is there to read and is not read back. Its footer carries a key (meeting, version
and a digest of the texts the file was made from), so a file made before someone else changed the
minutes is refused instead of quietly undoing that change. Items are matched by number and title.
Tracked changes count as accepted (deleted text is left out, inserted text read). Telegram lets a
bot download files up to 20 MB; a larger file, or one that is not a Word document, is refused
with a clear answer, and so is a file whose items are not those of the minutes.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from docx import Document as WordDocument
from docx.opc.exceptions import PackageNotFoundError
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from sqlmodel.ext.asyncio.session import AsyncSession

from models.record import MinutesVersion
from procedure.permissions import Action
from services.actors import Actor
from services.errors import Refused
from services.minutes import (
    MAX_TEXT,
    _audit,
    _iso,
    _last_closed,
    _latest,
    _no_decision,
)
from services.seats import standing_meeting
from services.text import clean_text
from templates.i18n import format_when, gettext, supported

MAX_FILE_BYTES = 20 * 1024 * 1024  # Telegram lets a bot download files up to 20 MB
MAX_UNPACKED_BYTES = 60 * 1024 * 1024  # a .docx is a zip: what it unpacks to is bounded too
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
KEY = re.compile(r"kkrbot-referat:(\d+):(\d+):([0-9a-f]{12})")
ITEM_COLUMNS = 4  # number, title, decision, remark
COLUMN_WIDTHS = (Cm(1.2), Cm(4.5), Cm(7.0), Cm(4.3))  # an A4 page's text width
SPELLING = {"da": "da-DK", "en": "en-GB"}  # Word checks the spelling in the minutes' language
MAX_REMARKS = 50


def _(message: str) -> str:
    return message


TITLE = _("Minutes: %(council)s")
DRAFT_LINE = _("Draft, version %(version)s: not yet approved.")
APPROVED_LINE = _("Version %(version)s, approved by %(name)s.")
HOW_TO = _(
    "Edit the decisions and remarks in the tables below, save the file as a Word document (.docx)"
    " and send it back to me in the chat. Leave the items' numbers and titles as they are; the"
    " rest of the document is not read back."
)
ITEMS_HEADING = _("Items")
NUMBER, ITEM, DECISION, REMARK = _("No."), _("Item"), _("Decision"), _("Remark")
REMARKS_HEADING = _("Remarks on the minutes")
REMARKS_HOW = _("One remark per row; add a row for another.")
KEY_LINE = _("The minutes' key (leave it as it is): %(key)s")
FILE_WORD = _("minutes")


# --- the file the secretariat edits --------------------------------------------------------------


@dataclass(frozen=True)
class WordFile:
    file_name: str
    content: bytes
    version: int


def _digest(snapshot: dict[str, Any]) -> str:
    """The texts a file edits, as they were when it was made."""
    texts = [
        [i["id"], (i.get("decision") or {}).get("text") or "", i.get("remark") or ""]
        for i in snapshot["items"]
    ]
    data = json.dumps([texts, snapshot.get("remarks") or []], ensure_ascii=False)
    return hashlib.sha256(data.encode()).hexdigest()[:12]


def _key(snapshot: dict[str, Any]) -> str:
    return f"kkrbot-referat:{snapshot['meeting_id']}:{snapshot['version']}:{_digest(snapshot)}"


def render_minutes_word(snapshot: dict[str, Any], language: str) -> bytes:
    """The minutes as a .docx to edit: the items' table and the remarks' table, and the key."""
    language = supported(language)

    def t(message: str, **params: Any) -> str:
        return gettext(language, message, **params)

    document = WordDocument()
    document.core_properties.title = t(TITLE, council=snapshot["council"])
    document.core_properties.language = language
    _spelling(document, SPELLING.get(language, language))
    document.add_heading(t(TITLE, council=snapshot["council"]), level=1)
    document.add_paragraph(f"{format_when(snapshot['starts_at'], language)}, {snapshot['place']}")
    status = (
        t(APPROVED_LINE, version=snapshot["version"], name=snapshot.get("approved_by") or "")
        if snapshot.get("approved_at")
        else t(DRAFT_LINE, version=snapshot["version"])
    )
    document.add_paragraph(status)
    document.add_paragraph().add_run(t(HOW_TO)).italic = True
    document.add_heading(t(ITEMS_HEADING), level=2)
    table = document.add_table(rows=1, cols=ITEM_COLUMNS)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, (NUMBER, ITEM, DECISION, REMARK), strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(t(label)).bold = True
    for item in sorted(snapshot["items"], key=lambda i: i["number"]):
        row = table.add_row().cells
        decision = item.get("decision") or {}
        for cell, text in zip(
            row,
            (str(item["number"]), item["title"], decision.get("text") or "", item.get("remark")),
            strict=True,
        ):
            _write(cell, text or "")
    for row in table.rows:
        for cell, width in zip(row.cells, COLUMN_WIDTHS, strict=True):
            cell.width = width
    document.add_heading(t(REMARKS_HEADING), level=2)
    document.add_paragraph().add_run(t(REMARKS_HOW)).italic = True
    remarks = document.add_table(rows=1, cols=1)
    remarks.style = "Table Grid"
    remarks.rows[0].cells[0].paragraphs[0].add_run(t(REMARK)).bold = True
    for remark in [*(snapshot.get("remarks") or []), ""]:
        _write(remarks.add_row().cells[0], remark)
    footer = document.sections[0].footer.paragraphs[0]
    footer.add_run(t(KEY_LINE, key=_key(snapshot))).font.size = Pt(8)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _spelling(document: Any, tag: str) -> None:
    """The Normal style's language, so Word checks the spelling in Danish (or English)."""
    properties = document.styles["Normal"].element.get_or_add_rPr()
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), tag)
    properties.append(lang)


def _write(cell: Any, text: str) -> None:
    """A cell's text, a paragraph per line (so Word shows the lines as written)."""
    lines = text.split("\n")
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)


def word_file_name(snapshot: dict[str, Any], language: str) -> str:
    """'referat-2027-03-10-v1.docx' / 'minutes-2027-03-10-v1.docx'."""
    day = datetime.fromisoformat(snapshot["starts_at"]).date().isoformat()
    return f"{gettext(supported(language), FILE_WORD)}-{day}-v{snapshot['version']}.docx"


async def minutes_word_file(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> WordFile:
    """The latest version of the minutes (of the last meeting held, or the one asked) as .docx."""
    actor.require(Action.WRITE_MINUTES)
    if meeting_id is None:
        meeting_id = await _last_closed(session, actor)
    await standing_meeting(session, actor, meeting_id)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    snapshot = dict(latest.snapshot)
    return WordFile(
        file_name=word_file_name(snapshot, actor.language),
        content=render_minutes_word(snapshot, actor.language),
        version=latest.version,
    )


# --- reading an edited file back -------------------------------------------------------------


@dataclass(frozen=True)
class WordItem:
    number: int
    title: str
    decision: str
    remark: str


@dataclass(frozen=True)
class WordMinutes:
    """What an edited file says: its key (meeting, version, digest) if kept, items, remarks."""

    key: tuple[int, int, str] | None
    items: list[WordItem]
    remarks: list[str]


def read_minutes_word(content: bytes) -> WordMinutes:
    """The decisions and remarks of an edited file; Refused when it is not one to read."""
    if len(content) > MAX_FILE_BYTES:
        raise Refused("minutes_file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    document = _open(content)
    tables = document.tables
    items_table = next((t for t in tables if len(t.columns) == ITEM_COLUMNS), None)
    if items_table is None:
        raise Refused("minutes_file_no_table")
    items = []
    for row in items_table.rows[1:]:
        cells = [_cell_text(c) for c in row.cells]
        if not any(cells):
            continue  # an empty row Word or the secretariat added
        number = cells[0].rstrip(".")
        if not number.isdigit():
            raise Refused("minutes_file_items_differ", numbers=cut_label(cells[0]))
        items.append(WordItem(int(number), cells[1], cells[2], cells[3]))
    remarks_table = next((t for t in tables if len(t.columns) == 1), None)
    remarks = []
    if remarks_table is not None:
        remarks = [text for row in remarks_table.rows[1:] if (text := _cell_text(row.cells[0]))]
    found = KEY.search(_footer_text(document))
    key = (int(found[1]), int(found[2]), found[3]) if found else None
    return WordMinutes(key, items, remarks)


def cut_label(text: str) -> str:
    return text if len(text) <= 20 else text[:19] + "…"


def _open(content: bytes) -> Any:
    """The document, after checking it is a .docx that unpacks to a sane size (no zip bomb)."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, ValueError) as error:
        raise Refused("minutes_file_not_docx") from error
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        raise Refused("minutes_file_not_docx")  # an .odt, an .xlsx, a zip of something else
    if unpacked > MAX_UNPACKED_BYTES:
        raise Refused("minutes_file_too_large", limit=MAX_FILE_BYTES // (1024 * 1024))
    try:
        return WordDocument(BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as error:
        raise Refused("minutes_file_not_docx") from error
    except Exception as error:  # lxml's XMLSyntaxError and kin: a damaged file
        raise Refused("minutes_file_not_docx") from error


_TEXT, _TAB, _BREAKS = qn("w:t"), qn("w:tab"), (qn("w:br"), qn("w:cr"))
_SKIPPED = (qn("w:del"), qn("w:moveFrom"))  # tracked deletions: the text is gone


def _paragraph_text(paragraph: Any) -> str:
    """A paragraph's text with tracked changes accepted (python-docx's .text skips insertions)."""
    parts = []
    for element in paragraph.iter(_TEXT, _TAB, *_BREAKS):
        if any(ancestor.tag in _SKIPPED for ancestor in element.iterancestors()):
            continue
        if element.tag == _TEXT:
            parts.append(element.text or "")
        else:
            parts.append("\t" if element.tag == _TAB else "\n")
    return "".join(parts)


def _cell_text(cell: Any) -> str:
    lines = [_paragraph_text(p).rstrip() for p in cell._tc.iter(qn("w:p"))]
    return clean_text("\n".join(lines), 10 * MAX_TEXT).replace("\t", " ")


def _footer_text(document: Any) -> str:
    texts = []
    for section in document.sections:
        for part in (section.footer, section.first_page_footer, section.even_page_footer):
            texts += [_paragraph_text(p._p) for p in part.paragraphs]
    texts += [_paragraph_text(p._p) for p in document.paragraphs]  # a key pasted into the text
    return "\n".join(texts)


def _same_title(a: str, b: str) -> bool:
    """Titles match whatever Word's autocorrect did to quotes, dashes and spaces."""
    return re.sub(r"\W+", "", a.casefold()) == re.sub(r"\W+", "", b.casefold())


# --- into a new draft version ---------------------------------------------------------------


@dataclass(frozen=True)
class WordUpload:
    """What an edited file changed: the new draft version (0: nothing changed), and where."""

    meeting_id: int
    version: int
    decisions: list[int]  # item numbers whose decision text changed
    remarks: list[int]  # item numbers whose remark changed
    minutes_remarks: bool  # the remarks on the whole minutes changed


async def read_uploaded_minutes(
    session: AsyncSession, *, actor: Actor, now: datetime, content: bytes
) -> WordMinutes:
    """An uploaded file read (no database): the chat reads it before taking the write guard."""
    actor.require(Action.WRITE_MINUTES)
    return read_minutes_word(content)


async def upload_minutes_word(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    content: bytes | None = None,
    edited: WordMinutes | None = None,
    meeting_id: int | None = None,
) -> WordUpload:
    """R-X2: an edited .docx (`content`, or as read_uploaded_minutes read it) becomes the next
    draft version of the minutes it was made from (the approved version stays as it was; a draft
    before it stays as history)."""
    actor.require(Action.WRITE_MINUTES)
    if edited is None:
        edited = read_minutes_word(content or b"")
    if edited.key is not None:
        meeting_id = edited.key[0]
    elif meeting_id is None:
        meeting_id = await _last_closed(session, actor)
    meeting = await standing_meeting(session, actor, meeting_id)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    snapshot = dict(latest.snapshot)
    if edited.key is not None and (
        edited.key[1] != latest.version or edited.key[2] != _digest(snapshot)
    ):
        raise Refused("minutes_file_outdated", version=edited.key[1], current=latest.version)
    items, decisions, remarks = _merged(snapshot["items"], edited.items)
    minutes_remarks = _checked_remarks(edited.remarks)
    remarks_changed = minutes_remarks != list(snapshot.get("remarks") or [])
    if not decisions and not remarks and not remarks_changed:
        return WordUpload(meeting_id, 0, [], [], False)
    tz = ZoneInfo(actor.council_timezone)
    version = latest.version + 1
    session.add(
        MinutesVersion(
            meeting_id=meeting_id,
            version=version,
            drafted_at=now,
            snapshot={
                **snapshot,
                "version": version,
                # After approval the new version replaces the approved one; a draft replaced by a
                # draft replaces what that draft replaced.
                "replaces": latest.version if latest.approved_at else snapshot.get("replaces"),
                "drafted_at": _iso(now, tz),
                "approved_at": None,
                "approved_by": None,
                "items": items,
                "remarks": minutes_remarks,
            },
        )
    )
    await session.flush()
    _audit(
        session,
        actor,
        now,
        "minutes.upload",
        meeting.id or 0,
        version,
        decisions=decisions,
        remarks=remarks,
    )
    return WordUpload(meeting_id, version, decisions, remarks, remarks_changed)


def _merged(
    items: list[dict[str, Any]], edited: list[WordItem]
) -> tuple[list[dict[str, Any]], list[int], list[int]]:
    """The minutes' items with the file's texts; refused unless the file has exactly these items."""
    by_number = {i.number: i for i in edited}
    twice = {i.number for i in edited if [e.number for e in edited].count(i.number) > 1}
    differ = sorted(
        {i["number"] for i in items if i["number"] not in by_number}
        | {n for n in by_number if n not in {i["number"] for i in items}}
        | {
            i["number"]
            for i in items
            if i["number"] in by_number
            and not _same_title(i["title"], by_number[i["number"]].title)
        }
        | twice
    )
    if differ:
        raise Refused("minutes_file_items_differ", numbers=", ".join(map(str, differ)))
    merged, decisions, remarks = [], [], []
    for item in items:
        number, new = item["number"], by_number[item["number"]]
        decision = dict(item.get("decision") or _no_decision())
        if len(new.decision) > MAX_TEXT or len(new.remark) > MAX_TEXT:
            raise Refused("minutes_file_text_too_long", number=number, limit=MAX_TEXT)
        if new.decision != (decision.get("text") or ""):
            if not new.decision and item.get("decision"):
                raise Refused("minutes_file_decision_empty", number=number)
            decisions.append(number)
            decision["text"] = new.decision
        remark = new.remark or None
        if remark != (item.get("remark") or None):
            remarks.append(number)
        has_decision = item.get("decision") is not None or bool(new.decision)
        merged.append({**item, "decision": decision if has_decision else None, "remark": remark})
    return merged, decisions, remarks


def _checked_remarks(remarks: list[str]) -> list[str]:
    if len(remarks) > MAX_REMARKS or any(len(r) > MAX_TEXT for r in remarks):
        raise Refused("minutes_file_remarks_too_long", count=MAX_REMARKS, limit=MAX_TEXT)
    return remarks
