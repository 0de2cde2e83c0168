"""R-X2 (with R-Q4, R-S7, R-D1, R-D3): the minutes drafted at the close, edited by the secretariat,
approved by the acting chair, sent as a PDF to everyone who received the agenda; a later change
is a new, marked version. Each rule's element is shown in the PDF's own text."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from services.errors import Refused
from services.minutes import (
    DRAFT_KIND,
    MINUTES_KIND,
    add_remark,
    approve_minutes,
    edit_decision_text,
    minutes_draft,
    request_minutes,
)
from services.minutes_documents import minutes_package
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    VICE,
    Council_,
    MinutesMeeting,
)
from tests.integration.record_helpers import (
    BUDGET,
    LATE_ITEM,
    PERSONNEL,
    REASON,
    SILENT_MEMBER,
    SILENT_SUBSTITUTE,
)


async def _pdf_text(kkr: Council_, version: int = 1, language: str = "da") -> str:
    async with kkr.sessions() as session, session.begin():
        package = await minutes_package(
            session, meeting_id=kkr.meetings[0], version=version, language=language, now=_later()
        )
    assert package.pdf.content is not None
    reader = PdfReader(BytesIO(package.pdf.content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def _later():  # type: ignore[no-untyped-def]
    from tests.conftest import NOW

    return NOW + timedelta(days=30)


async def _approved(kkr: Council_) -> None:
    await kkr.run(
        approve_minutes, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=_later()
    )


async def test_closing_the_meeting_drafts_the_minutes_and_tells_the_secretariat(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    assert await kkr.notice_names(DRAFT_KIND) == ["Kirsten Holm-Jensen", "Mads Brandt"]
    draft = await kkr.run(minutes_draft, actor=await kkr.actor(SECRETARY), now=_later())
    assert draft["version"] == 1 and draft["approved_at"] is None
    assert [i["title"] for i in draft["items"]] == [BUDGET, PERSONNEL, LATE_ITEM]
    assert draft["items"][1]["closed"] is True


async def test_the_minutes_pdf_lists_who_stood_in_for_whom_and_who_was_absent(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:  # R-Q4
    text = await _pdf_text(kkr)
    assert f"{SUBSTITUTE} for {MEMBER}" in text
    assert "Fraværende med afbud" in text and f"{MAYOR} (ferie)" in text
    assert CHAIR in text and VICE in text
    assert "Fraværende uden afbud" in text


async def test_the_minutes_pdf_records_substitutes_who_declined_or_never_answered(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:  # R-S7
    text = await _pdf_text(kkr)
    assert f"{MAYOR_SUBSTITUTE} (stedfortræder for {MAYOR}) takkede nej til indkaldelsen" in text
    assert f"{SILENT_SUBSTITUTE} (stedfortræder for {SILENT_MEMBER}) svarede ikke" in text


async def test_the_minutes_pdf_marks_the_late_item_taken_in_by_the_chair(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:  # R-D1
    text = await _pdf_text(kkr)
    assert f"{LATE_ITEM} (foreslået efter fristen, optaget af formanden)" in text


async def test_the_minutes_pdf_shows_the_deadline_exception_and_its_reason(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:  # R-D3
    text = await _pdf_text(kkr)
    assert "efter udsendelsesfristen" in text and REASON in text


async def test_the_minutes_show_decisions_votes_and_who_voted_against_in_order_treated(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    text = await _pdf_text(kkr)
    assert text.index("Budgettet godkendes.") < text.index("Busplanen sendes i høring.")
    assert "For: 1, imod: 1, hverken for eller imod: 0." in text
    assert f"Stemte imod: {SUBSTITUTE} ({MEMBER})" in text
    assert "afgav som mødeleder den udslagsgivende stemme" in text
    # Arrival and departure where someone missed a decision: the vice chair left before the last.
    assert f"{VICE} (ankom kl. 09.02, gik kl. 10.00)" in text


async def test_the_secretariat_edits_and_the_chair_approves_and_everyone_gets_it(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    ids = minutes_meeting.ids
    secretary = await kkr.actor(SECRETARY)
    meeting = kkr.meetings[0]
    version = await kkr.run(
        edit_decision_text,
        actor=secretary,
        meeting_id=meeting,
        item_id=ids[BUDGET],
        text="Budgettet godkendes med de nævnte rettelser.",
        now=_later(),
    )
    assert version == 1
    await kkr.run(
        add_remark,
        actor=secretary,
        meeting_id=meeting,
        text="Mødet sluttede tidligt.",
        now=_later(),
    )
    with pytest.raises(Refused, match="may not"):
        await kkr.run(
            edit_decision_text,
            actor=await kkr.actor(MEMBER),
            meeting_id=meeting,
            item_id=ids[BUDGET],
            text="x",
            now=_later(),
        )
    for who in (SECRETARY, VICE, MEMBER):  # only the acting chair approves
        with pytest.raises(Refused, match="may not"):
            await kkr.run(
                approve_minutes, actor=await kkr.actor(who), meeting_id=meeting, now=_later()
            )
    approval = await kkr.run(
        approve_minutes, actor=await kkr.actor(CHAIR), meeting_id=meeting, now=_later()
    )
    got = await kkr.notice_names(MINUTES_KIND)
    assert approval.recipients == len(got) and SUBSTITUTE in got and MEMBER in got
    assert MAYOR_SUBSTITUTE in got  # summoned after the agenda went out: she received it
    assert "Poul Quist" not in got  # the chair's substitute was never summoned
    text = await _pdf_text(kkr)
    assert "Budgettet godkendes med de nævnte rettelser." in text
    assert "Mødet sluttede tidligt." in text and "godkendt af Gorm Iversen" in text
    with pytest.raises(Refused) as refused:
        await _approved(kkr)
    assert refused.value.code == "minutes_approved"


async def test_a_change_after_approval_is_a_new_version_marked_as_replacing_the_old(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    ids = minutes_meeting.ids
    await _approved(kkr)
    first = await _pdf_text(kkr, 1)
    version = await kkr.run(
        edit_decision_text,
        actor=await kkr.actor(SECRETARY),
        meeting_id=kkr.meetings[0],
        item_id=ids[LATE_ITEM],
        text="Busplanen sendes i høring til 1. marts.",
        now=_later(),
    )
    assert version == 2
    await _approved(kkr)
    second = await _pdf_text(kkr, 2)
    assert "erstatter version 1" in second and "til 1. marts" in second
    assert "til 1. marts" not in first  # the approved version 1 is frozen


async def test_a_member_asks_for_the_approved_minutes_again(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    member = await kkr.actor(MEMBER)
    with pytest.raises(Refused) as refused:
        await kkr.run(request_minutes, actor=member, now=_later())
    assert refused.value.code == "no_minutes"
    await _approved(kkr)
    assert await kkr.run(request_minutes, actor=member, now=_later()) == 1


async def test_in_chat_items_are_named_by_their_number_and_the_pdf_comes_on_request(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    from services.minutes import request_draft_pdf

    secretary = await kkr.actor(SECRETARY)
    meeting = kkr.meetings[0]
    await kkr.run(
        edit_decision_text,
        actor=secretary,
        meeting_id=meeting,
        number=3,
        text="Sendt i høring.",
        now=_later(),
    )
    await kkr.run(
        add_remark, actor=secretary, meeting_id=meeting, number=1, text="Enstemmigt.", now=_later()
    )
    draft = await kkr.run(minutes_draft, actor=secretary, meeting_id=meeting, now=_later())
    by_number = {i["number"]: i for i in draft["items"]}
    assert by_number[3]["decision"]["text"] == "Sendt i høring."
    assert by_number[1]["remark"] == "Enstemmigt."
    with pytest.raises(Refused) as refused:
        await kkr.run(
            edit_decision_text,
            actor=secretary,
            meeting_id=meeting,
            number=9,
            text="x",
            now=_later(),
        )
    assert refused.value.code == "no_such_item"
    assert await kkr.run(request_draft_pdf, actor=secretary, meeting_id=meeting, now=_later()) == 1
    assert await kkr.notice_names(DRAFT_KIND) == sorted([SECRETARY, SECRETARY, "Mads Brandt"])
    with pytest.raises(Refused, match="may not"):
        await kkr.run(
            request_draft_pdf, actor=await kkr.actor(MEMBER), meeting_id=meeting, now=_later()
        )


async def test_the_approved_pdf_is_uploaded_once_and_then_sent_by_telegrams_file_id(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    from services.minutes_documents import remember_minutes_file_id

    await _approved(kkr)
    async with kkr.sessions() as session, session.begin():
        first = await minutes_package(
            session, meeting_id=kkr.meetings[0], version=1, language="da", now=_later()
        )
    assert first.pdf.content is not None and first.pdf.file_id is None
    assert first.pdf.minutes_document_id is not None
    async with kkr.sessions() as session, session.begin():
        await remember_minutes_file_id(
            session, minutes_document_id=first.pdf.minutes_document_id, file_id="tg-minutes-1"
        )
    async with kkr.sessions() as session, session.begin():
        again = await minutes_package(
            session, meeting_id=kkr.meetings[0], version=1, language="da", now=_later()
        )
    assert (again.pdf.file_id, again.pdf.content) == ("tg-minutes-1", None)
