"""The record through the real bot over HTTP (issue 13): the minutes drafted at the close reach the
secretariat, who edits them in chat; the chair approves with a button and the members get the PDF;
/offentliggoer publishes and withdraws; /kalender gives a private feed link; /eksport sends the
attendance spreadsheet."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from typing import Any

from openpyxl import load_workbook
from sqlmodel import col, select

from models.tables import Council, Meeting
from tests.conftest import NOW
from tests.e2e.conftest import World, ask, reply_containing
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, Council_
from tests.integration.record_helpers import BUDGET, meeting_with_minutes


async def _held(world: World) -> Council_:
    """The demo council's first meeting held and closed, with decisions (the draft exists)."""
    kkr = await _council(world)
    await meeting_with_minutes(kkr)
    world.clock.now = NOW + timedelta(days=30)  # after the meeting: its notices are due
    return kkr


async def _council(world: World) -> Council_:
    async with world.sessions() as session:
        council = (await session.exec(select(Council))).one()
        meetings = (
            await session.exec(
                select(Meeting.id)
                .where(Meeting.council_id == council.id)
                .order_by(col(Meeting.starts_at))
            )
        ).all()
    return Council_(world.sessions, council.id or 0, [m for m in meetings if m is not None])


async def _press(world: World, user: int, message: Any, label: str) -> Any:
    query = await world.sim.press(user, user, message["message_id"], label=label)
    return await world.sim.wait_for_answer(query, timeout=10)


async def _documents(
    world: World, user: int, before: int, count: int, prefix: str = "referat-"
) -> list[Any]:
    """The next `count` documents whose names start with `prefix` (other notices come between)."""
    for total in range(before + count, before + count + 60):
        messages = await world.sim.wait_for_messages(user, total, timeout=15)
        found = [
            m
            for m in messages[before:]
            if m["document"] and m["document"]["file_name"].startswith(prefix)
        ]
        if len(found) >= count:
            return found
    raise AssertionError("the documents never came")


async def test_the_secretariat_edits_the_minutes_and_the_chair_approves_them(world: World) -> None:
    secretary = await world.link(SECRETARY)
    chair = await world.link(CHAIR)
    member = await world.link(MEMBER)
    await _held(world)
    [draft_pdf] = await _documents(world, secretary, 0, 1)  # the draft, at the close
    assert draft_pdf["document"]["file_name"].startswith("referat-")
    shown = await ask(world, secretary, "/referat", "Udkast, version 1")
    assert BUDGET in shown["text"] and "Budgettet godkendes." in shown["text"]
    assert shown.labels == ["Vis PDF", "Word-fil (.docx)", "Godkend referatet"]
    edited = await ask(
        world, secretary, "/referat ret 1 Budgettet godkendes uden ændringer.", "Udkast, version 1"
    )
    assert "Budgettet godkendes uden ændringer." in edited["text"]
    refused = await _press(world, secretary, edited, "Godkend referatet")
    assert refused["show_alert"]  # the secretariat writes; the chair of the meeting approves
    before_member = len(await world.sim.messages(member))
    on_chair = await ask(world, chair, "/referat", "Udkast, version 1")
    answer = await _press(world, chair, on_chair, "Godkend referatet")
    assert not answer["show_alert"]
    [minutes] = await _documents(world, member, before_member, 1)
    assert minutes["document"]["file_name"].endswith("-v1.pdf")
    told = await reply_containing(world, member, before_member, "Referat af mødet")
    assert "Godkendt af Gorm Iversen." in told["text"]
    before_again = len(await world.sim.messages(member))
    again = await ask(world, member, "/referat", "på vej som PDF")  # a member asks again
    assert "version 1" in again["text"]
    [resent] = await _documents(world, member, before_again, 1)
    # Uploaded once: later sends reuse Telegram's file id (a new upload would get a new one).
    assert resent["document"]["file_id"] == minutes["document"]["file_id"]


async def test_publish_withdraw_calendar_and_export_from_the_chat(world: World) -> None:
    secretary = await world.link(SECRETARY)
    member = await world.link(MEMBER)
    await _held(world)
    status = await ask(world, secretary, "/offentliggoer", "Den offentlige side")
    assert "Dagsorden: offentliggjort" in status["text"]
    [label] = [x for x in status.labels if x.startswith("Træk tilbage: dagsorden")]
    answer = await _press(world, secretary, status, label)
    assert not answer["show_alert"]
    edited = await world.sim.wait_for_edits(secretary, status["message_id"], 1, timeout=10)
    assert "Dagsorden: ikke offentliggjort" in edited["text"]
    link = await ask(world, member, "/kalender", "Dine møder i din kalender")
    url = next(line for line in link["text"].splitlines() if "/kalender/" in line)
    assert url.endswith(".ics") and len(url.rsplit("/", 1)[1]) > 30
    await _press(world, member, link, "Lav et nyt link")
    renewed = await world.sim.wait_for_edits(member, link["message_id"], 1, timeout=10)
    assert url not in renewed["text"]
    refused = await ask(world, member, "/eksport", "rolle")  # only the secretariat exports
    assert refused["text"]
    before = len(await world.sim.messages(secretary))
    await world.sim.send(secretary, "/eksport 2026-01-01 2026-12-31")
    [sheet] = await _documents(world, secretary, before, 1, prefix="fremmoede-")
    assert sheet["document"]["file_name"] == "fremmoede-2026-01-01-2026-12-31.xlsx"
    assert "3 personer" in (sheet.get("caption") or "")
    content = await world.sim.file_content(sheet["document"]["file_id"])
    assert load_workbook(BytesIO(content)).sheetnames == ["Fremmøde", "I alt"]


async def test_the_chair_marks_an_item_closed_and_the_public_page_hides_it(world: World) -> None:
    from services.agenda_prep import add_own_item
    from services.publishing import public_agenda, public_council

    chair = await world.link(CHAIR)
    kkr = await _council(world)
    await kkr.run(
        add_own_item,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        title="Ansættelse af direktør",
        description="Personsag",
        material=[],
        now=NOW,
    )
    shown = await ask(world, chair, "/lukket", "Lukkede punkter")
    assert "1. Ansættelse af direktør" in shown["text"] and shown.labels == ["Luk punkt 1"]
    await _press(world, chair, shown, "Luk punkt 1")
    marked = await world.sim.wait_for_edits(chair, shown["message_id"], 1, timeout=10)
    assert "— lukket" in marked["text"]
    async with world.sessions() as session:
        council = await public_council(session, "kkr-nordjylland")
        assert council is not None
        assert await public_agenda(session, council, kkr.meetings[0]) is None  # not out yet


async def test_the_secretariat_edits_the_minutes_in_word_and_sends_them_back(world: World) -> None:
    from docx import Document

    secretary = await world.link(SECRETARY)
    member = await world.link(MEMBER)
    await _held(world)
    await _documents(world, secretary, 0, 1)  # the draft's PDF, at the close
    shown = await ask(world, secretary, "/referat", "Udkast, version 1")
    before = len(await world.sim.messages(secretary))
    await _press(world, secretary, shown, "Word-fil (.docx)")
    [word] = await _documents(world, secretary, before, 1)
    assert word["document"]["file_name"].endswith("-v1.docx")
    assert "send den tilbage til mig her" in (word.get("caption") or "")
    document = Document(BytesIO(await world.sim.file_content(word["document"]["file_id"])))
    document.tables[0].rows[1].cells[2].text = "Budgettet godkendes som indstillet."
    edited = BytesIO()
    document.save(edited)
    before = len(await world.sim.messages(secretary))
    await world.sim.send_document(secretary, "referat rettet.docx", edited.getvalue())
    told = await reply_containing(world, secretary, before, "Læst ind som version 2")
    assert "Ny beslutningstekst: punkt 1." in told["text"]
    again = await reply_containing(world, secretary, before, "Udkast, version 2")
    assert "Budgettet godkendes som indstillet." in again["text"]
    before = len(await world.sim.messages(secretary))
    await world.sim.send_document(secretary, "referat.odt", b"PK\x03\x04 an odt")
    await reply_containing(world, secretary, before, "Det er ikke et Word-dokument (.docx)")
    before = len(await world.sim.messages(secretary))
    await world.sim.send_document(secretary, "referat.docx", size=21 * 1024 * 1024)
    await reply_containing(world, secretary, before, "større end 20 MB")
    before = len(await world.sim.messages(member))
    await world.sim.send_document(member, "referat.docx", edited.getvalue())
    await reply_containing(world, member, before, "forstod jeg ikke")  # not read as minutes


async def test_the_secretariat_changes_the_publishing_setting_after_confirming(
    world: World,
) -> None:
    secretary = await world.link(SECRETARY)
    chair = await world.link(CHAIR)
    await _held(world)
    status = await ask(world, secretary, "/offentliggoer", "Den offentlige side")
    assert "Referater offentliggøres, når de er godkendt." in status["text"]
    assert status.labels[-2:] == ["Dagsordener: kun manuelt", "Referater: kun manuelt"]
    before = len(await world.sim.messages(secretary))
    await _press(world, secretary, status, "Referater: kun manuelt")
    question = await reply_containing(world, secretary, before, "Skal indstillingen")
    assert "Det, der er offentligt nu, forbliver offentligt." in question["text"]
    assert question.labels == ["Ændr indstillingen", "Annullér"]
    before = len(await world.sim.messages(secretary))
    await _press(world, secretary, question, "Ændr indstillingen")
    await reply_containing(world, secretary, before, "Indstillingen er ændret.")
    shown = await reply_containing(world, secretary, before, "Den offentlige side")
    assert "Referater offentliggøres kun manuelt, her." in shown["text"]
    assert shown.labels[-1] == "Referater: ved godkendelse"
    on_chair = await ask(world, chair, "/offentliggoer", "Den offentlige side")
    assert not any(label.startswith("Referater:") for label in on_chair.labels)  # secretariat's
