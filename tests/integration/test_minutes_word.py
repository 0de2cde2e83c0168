"""R-X2: the secretariat edits the minutes in Word. The draft comes as a .docx; an edited file is
read back (each item's decision and remark, the remarks on the whole minutes) into a new draft
version; a wrong file, one too large, one made before the minutes changed, or one whose items are
not the minutes' is refused with its reason and changes nothing. Every file here is a real .docx
made or edited with python-docx."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from copy import deepcopy
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from docx import Document
from docx.oxml.ns import qn

from services.errors import Refused
from services.minutes import approve_minutes, edit_decision_text, minutes_draft
from services.minutes_word import (
    MAX_FILE_BYTES,
    minutes_word_file,
    read_minutes_word,
    read_uploaded_minutes,
    upload_minutes_word,
)
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, Council_, MinutesMeeting
from tests.integration.record_helpers import BUDGET, LATE_ITEM, PERSONNEL

LATER = NOW + timedelta(days=30)


async def _word(kkr: Council_) -> bytes:
    made = await kkr.run(minutes_word_file, actor=await kkr.actor(SECRETARY), now=LATER)
    assert made.file_name.startswith("referat-") and made.file_name.endswith("-v1.docx")
    return made.content


def _edited(content: bytes, change: Callable[[Any], None]) -> bytes:
    """The file as the secretariat saves it after `change` (python-docx standing in for Word)."""
    document = Document(BytesIO(content))
    change(document)
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def _row(document: Any, number: int) -> Any:
    items = document.tables[0]
    return next(r for r in items.rows[1:] if r.cells[0].text == str(number))


def _set(document: Any, number: int, column: int, text: str) -> None:
    _row(document, number).cells[column].text = text


async def _upload(kkr: Council_, content: bytes, who: str = SECRETARY) -> Any:
    return await kkr.run(
        upload_minutes_word, actor=await kkr.actor(who), now=LATER, content=content
    )


async def _refusal(kkr: Council_, content: bytes) -> Refused:
    with pytest.raises(Refused) as refused:
        await _upload(kkr, content)
    return refused.value


async def _latest(kkr: Council_) -> dict[str, Any]:
    return await kkr.run(minutes_draft, actor=await kkr.actor(SECRETARY), now=LATER)


async def test_the_word_file_has_a_row_per_item_with_its_decision_and_the_key(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    document = Document(BytesIO(await _word(kkr)))
    items = document.tables[0]
    assert [c.text for c in items.rows[0].cells] == ["Nr.", "Punkt", "Beslutning", "Bemærkning"]
    assert [r.cells[1].text for r in items.rows[1:]] == [BUDGET, PERSONNEL, LATE_ITEM]
    assert _row(document, 1).cells[2].text == "Budgettet godkendes."
    footer = document.sections[0].footer.paragraphs[0].text
    assert (
        footer.startswith("Referatets nøgle") and f"kkrbot-referat:{kkr.meetings[0]}:1:" in footer
    )


async def test_an_edited_file_becomes_the_next_draft_version(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:

    def edit(document: Any) -> None:
        _set(document, 1, 2, "Budgettet godkendes med de nævnte rettelser.\nEnstemmigt.")
        _set(document, 3, 3, "Sagen genoptages i marts.")
        document.tables[1].rows[-1].cells[0].text = "Mødet sluttede kl. 12.00."

    upload = await _upload(kkr, _edited(await _word(kkr), edit))
    assert (upload.version, upload.decisions, upload.remarks) == (2, [1], [3])
    assert upload.minutes_remarks
    latest = await _latest(kkr)
    by_number = {i["number"]: i for i in latest["items"]}
    assert latest["version"] == 2 and latest["approved_at"] is None and latest["replaces"] is None
    assert by_number[1]["decision"]["text"] == (
        "Budgettet godkendes med de nævnte rettelser.\nEnstemmigt."
    )
    assert by_number[1]["decision"]["votes_for"] is not None  # the vote is kept, only words change
    assert by_number[3]["remark"] == "Sagen genoptages i marts."
    assert latest["remarks"] == ["Mødet sluttede kl. 12.00."]


async def test_a_file_that_changes_nothing_makes_no_new_version(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    upload = await _upload(kkr, await _word(kkr))
    assert upload.version == 0 and (await _latest(kkr))["version"] == 1


async def test_tracked_changes_count_as_accepted(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:

    def track(document: Any) -> None:
        paragraph = _row(document, 1).cells[2].paragraphs[0]._p
        run = paragraph.find(qn("w:r"))
        deleted, inserted = deepcopy(run), deepcopy(run)
        deleted.find(qn("w:t")).tag = qn("w:delText")
        wrapper_del = paragraph.makeelement(qn("w:del"), {qn("w:id"): "1", qn("w:author"): "KH"})
        wrapper_del.append(deleted)
        inserted.find(qn("w:t")).text = "Budgettet godkendes uden ændringer."
        wrapper_ins = paragraph.makeelement(qn("w:ins"), {qn("w:id"): "2", qn("w:author"): "KH"})
        wrapper_ins.append(inserted)
        paragraph.remove(run)
        paragraph.extend([wrapper_del, wrapper_ins])

    content = _edited(await _word(kkr), track)
    [first, *_] = read_minutes_word(content).items
    assert first.decision == "Budgettet godkendes uden ændringer."


async def test_after_approval_the_file_makes_a_new_version_that_replaces_the_approved(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    meeting = kkr.meetings[0]
    await kkr.run(approve_minutes, actor=await kkr.actor(CHAIR), meeting_id=meeting, now=LATER)
    content = _edited(await _word(kkr), lambda d: _set(d, 3, 2, "Sendt i høring til 1. marts."))
    assert (await _upload(kkr, content)).version == 2
    latest = await _latest(kkr)
    assert latest["replaces"] == 1 and latest["approved_at"] is None


async def test_a_file_made_before_the_minutes_changed_is_refused(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    ids = minutes_meeting.ids
    content = _edited(await _word(kkr), lambda d: _set(d, 1, 3, "En bemærkning."))
    await kkr.run(
        edit_decision_text,
        actor=await kkr.actor(SECRETARY),
        meeting_id=kkr.meetings[0],
        item_id=ids[BUDGET],
        text="Rettet i chatten.",
        now=LATER,
    )
    refused = await _refusal(kkr, content)
    assert refused.code == "minutes_file_outdated" and refused.params["current"] == 1
    assert (await _latest(kkr))["items"][0]["decision"]["text"] == "Rettet i chatten."


async def test_a_file_whose_items_are_not_the_minutes_is_refused_and_names_them(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    original = await _word(kkr)

    def other_title(document: Any) -> None:
        _set(document, 2, 1, "Et helt andet punkt")

    def row_deleted(document: Any) -> None:
        row = _row(document, 3)._tr
        row.getparent().remove(row)

    for change, numbers in ((other_title, "2"), (row_deleted, "3")):
        refused = await _refusal(kkr, _edited(original, change))
        assert (refused.code, refused.params["numbers"]) == ("minutes_file_items_differ", numbers)
    # Word's autocorrect (quotes, dashes, spaces) is no difference.
    same = _edited(original, lambda d: _set(d, 1, 1, f"  {BUDGET.upper()} — "))
    assert (await _upload(kkr, same)).version == 0


async def test_a_file_that_is_not_a_word_document_is_refused(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    odt = BytesIO()
    with zipfile.ZipFile(odt, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr("content.xml", "<office:document-content/>")
    no_table = Document()
    no_table.add_paragraph("Referat skrevet fra bunden")
    plain = BytesIO()
    no_table.save(plain)
    for content, code in (
        (b"%PDF-1.7 not a word file", "minutes_file_not_docx"),
        (odt.getvalue(), "minutes_file_not_docx"),
        (plain.getvalue(), "minutes_file_no_table"),
        (b"0" * (MAX_FILE_BYTES + 1), "minutes_file_too_large"),
    ):
        assert (await _refusal(kkr, content)).code == code
    assert (await _latest(kkr))["version"] == 1


async def test_an_emptied_decision_is_refused(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    refused = await _refusal(kkr, _edited(await _word(kkr), lambda d: _set(d, 1, 2, "")))
    assert (refused.code, refused.params["number"]) == ("minutes_file_decision_empty", 1)


async def test_only_the_secretariat_edits_the_minutes_in_word(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    content = await _word(kkr)
    for service, extra in (
        (minutes_word_file, {}),
        (read_uploaded_minutes, {"content": content}),
        (upload_minutes_word, {"content": content}),
    ):
        with pytest.raises(Refused, match="may not"):
            await kkr.run(service, actor=await kkr.actor(MEMBER), now=LATER, **extra)
