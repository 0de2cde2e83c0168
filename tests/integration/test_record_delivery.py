"""What the delivery worker sends for the record: the minutes with their PDF, and the meeting's
.ics with a summons, a move and a cancellation (METHOD REQUEST / CANCEL)."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from bot.delivery import Text, notice_parts
from models.tables import Notice
from services.agenda_delivery import Document
from services.attendance import report_absence, summon_substitute
from services.meeting_plan import cancel_meeting, move_meeting
from services.minutes import DRAFT_KIND, MINUTES_KIND, approve_minutes
from services.outbox import Delivery
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, Council_, MinutesMeeting


async def _parts(kkr: Council_, kind: str) -> list[object]:
    async with kkr.sessions() as session:
        notice = (
            await session.exec(select(Notice).where(Notice.kind == kind).order_by(Notice.id))  # type: ignore[arg-type]
        ).first()
    assert notice is not None
    delivery = Delivery(
        notice_id=notice.id or 0,
        person_id=notice.person_id,
        chat_id=1,
        language="da",
        kind=notice.kind,
        payload=notice.payload,
        attempts=0,
    )
    return await notice_parts(delivery, kkr.sessions, NOW + timedelta(days=30), {})


async def test_the_draft_and_the_approved_minutes_go_out_with_their_pdf(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    text, pdf = await _parts(kkr, DRAFT_KIND)
    assert isinstance(text, Text) and "Udkast til referat: KKR Nordjylland" in text.text
    assert isinstance(pdf, Document) and pdf.content and pdf.content.startswith(b"%PDF")
    assert pdf.file_name.startswith("referat-") and pdf.file_name.endswith("-v1.pdf")
    await kkr.run(
        approve_minutes,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        now=NOW + timedelta(days=30),
    )
    text, pdf = await _parts(kkr, MINUTES_KIND)
    assert isinstance(text, Text) and "Godkendt af Gorm Iversen." in text.text
    assert isinstance(pdf, Document) and pdf.content and pdf.content.startswith(b"%PDF")


def _ics(part: object) -> Calendar:
    assert isinstance(part, Document) and part.file_name.endswith(".ics") and part.content
    return Calendar.from_ical(part.content)


async def test_a_summons_a_move_and_a_cancellation_carry_the_meetings_ics(kkr: Council_) -> None:
    member = await kkr.actor(MEMBER)
    meeting = await kkr.meeting()
    await kkr.run(report_absence, actor=member, meeting_id=meeting.id, now=NOW)
    await kkr.run(summon_substitute, actor=member, meeting_id=meeting.id, now=NOW)
    summons = await _parts(kkr, "summons")
    assert isinstance(summons[0], Text) and summons[0].buttons is not None
    calendar = _ics(summons[1])
    assert str(calendar["METHOD"]) == "REQUEST"
    [event] = calendar.walk("VEVENT")
    chair = await kkr.actor(CHAIR)
    other = await kkr.meeting(1)
    await kkr.run(
        move_meeting,
        actor=chair,
        meeting_id=other.id,
        starts_at=other.starts_at + timedelta(days=1),
        now=NOW,
    )
    [moved] = _ics((await _parts(kkr, "meeting_moved"))[1]).walk("VEVENT")
    assert moved.decoded("DTSTART") == other.starts_at + timedelta(days=1)
    await kkr.run(cancel_meeting, actor=chair, meeting_id=other.id, now=NOW)
    cancelled = _ics((await _parts(kkr, "meeting_cancelled"))[1])
    assert str(cancelled["METHOD"]) == "CANCEL"
    [gone] = cancelled.walk("VEVENT")
    assert str(gone["UID"]) == str(moved["UID"]) != str(event["UID"])
    assert int(gone["SEQUENCE"]) > int(moved["SEQUENCE"])


async def test_an_agenda_sent_again_because_the_meeting_moved_carries_the_ics(
    kkr: Council_,
) -> None:
    from tests.integration.record_helpers import agenda_out

    await agenda_out(kkr)
    meeting = await kkr.meeting()
    first = await _parts(kkr, "agenda")
    assert not any(isinstance(p, Document) and p.file_name.endswith(".ics") for p in first)
    await kkr.run(
        move_meeting,
        actor=await kkr.actor(CHAIR),
        meeting_id=meeting.id,
        starts_at=meeting.starts_at + timedelta(days=1),
        now=meeting.starts_at - timedelta(days=2),
        reason="Regionsrådet har flyttet sit møde",  # R-D3: two days ahead, the agenda is late
    )
    async with kkr.sessions() as session:
        again = (
            await session.exec(
                select(Notice).where(
                    Notice.kind == "agenda", Notice.payload["version"].as_integer() == 2
                )  # type: ignore[index]
            )
        ).first()
    assert again is not None
    delivery = Delivery(
        notice_id=again.id or 0,
        person_id=again.person_id,
        chat_id=1,
        language="da",
        kind="agenda",
        payload=again.payload,
        attempts=0,
    )
    parts = await notice_parts(delivery, kkr.sessions, NOW + timedelta(days=30), {})
    [event] = _ics(parts[-1]).walk("VEVENT")
    assert event.decoded("DTSTART") == meeting.starts_at + timedelta(days=1)
