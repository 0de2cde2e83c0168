"""R-M1: the annual plan laid out at once, with its warnings, the council told once."""

from __future__ import annotations

from datetime import UTC, date, time
from pathlib import Path

import pytest

from models.tables import Council
from services.annual_plan import plan_year, year_plan
from services.errors import Refused
from tests.conftest import NOW
from tests.integration.conftest import Council_
from tests.integration.test_cli import SLUG, council, council_file, database, kkrbot, ok

__all__ = ["council", "council_file", "database"]

PLAN = [date(2027, 3, 10), date(2027, 5, 5), date(2027, 6, 9), date(2027, 9, 8), date(2027, 11, 24)]


async def _plan(kkr: Council_, days: list[date]):  # type: ignore[no-untyped-def]
    async with kkr.sessions() as session, session.begin():
        found = await session.get(Council, kkr.council_id)
        assert found is not None
        return await plan_year(
            session,
            council=found,
            year=2027,
            days=days,
            place="Aalborg",
            now=NOW,
            actor=await kkr.actor("Kirsten Holm-Jensen"),
        )


async def test_five_meetings_are_planned_at_ten_and_everyone_is_told_once(kkr: Council_) -> None:
    plan = await _plan(kkr, PLAN)
    assert len(plan.added) == 5 and plan.warnings == []
    assert plan.meetings[0].starts_at.astimezone(UTC).hour == 9  # 10:00 in Copenhagen, winter
    assert plan.told == 46
    again = await _plan(kkr, [*PLAN, date(2027, 12, 8)])
    assert (len(again.added), len(again.existing), again.told) == (1, 5, 0)
    assert [w.kind for w in again.warnings] == ["count"]
    async with kkr.sessions() as session:
        meetings = await year_plan(
            session, actor=await kkr.actor("Anne Rasmussen"), year=2027, now=NOW
        )
    assert len(meetings) == 7  # and the demo's meeting of 12 January


async def test_a_holiday_and_a_missing_meeting_are_warned(kkr: Council_) -> None:
    plan = await _plan(kkr, [date(2027, 3, 25), *PLAN[1:4]])
    assert [(w.kind, w.day) for w in plan.warnings] == [
        ("count", None),
        ("holiday", date(2027, 3, 25)),
    ]


async def test_a_day_outside_the_year_or_past_is_refused(kkr: Council_) -> None:
    with pytest.raises(Refused) as wrong:
        await _plan(kkr, [date(2028, 1, 12)])
    assert wrong.value.code == "plan_wrong_year"


async def test_a_member_cannot_plan_the_year(kkr: Council_) -> None:
    from services.errors import Refused

    async with kkr.sessions() as session:
        found = await session.get(Council, kkr.council_id)
        assert found is not None
        with pytest.raises(Refused, match="may not"):
            await plan_year(
                session,
                council=found,
                year=2027,
                days=PLAN,
                place="X",
                now=NOW,
                at=time(10),
                actor=await kkr.actor("Anne Rasmussen"),
            )


def test_meetings_plan_prints_the_meetings_and_warns(council: str) -> None:
    ok(
        "council",
        "settings",
        "--council",
        SLUG,
        "--meetings-per-year",
        "4",
        "--closed-days",
        "06-05,12-24,12-31,03-10",
    )
    lines = ok(
        "meetings",
        "plan",
        "--council",
        SLUG,
        "--year",
        "2027",
        "--dates",
        ",".join(d.isoformat() for d in PLAN),
        "--place",
        "Aalborg Rådhus",
    )
    assert sum(line.startswith("meeting ") for line in lines) == 5
    assert "warning: 5 ordinary meetings planned; the council's setting is 4" in lines[-3]
    assert lines[-2] == "warning: 2027-03-10 is a day the council's offices are closed"
    assert lines[-1] == "5 added, 0 planned already; 46 told"


def test_the_plan_command_has_help(database: Path) -> None:
    assert kkrbot("meetings", "plan", "--help").exit_code == 0


async def test_the_plan_notice_carries_a_calendar_of_the_year_with_each_meeting_uid(
    kkr: Council_,
) -> None:
    from icalendar import Calendar
    from sqlmodel import select

    from bot.delivery import Text, notice_parts
    from models.tables import Notice
    from services.agenda_delivery import Document
    from services.outbox import Delivery

    plan = await _plan(kkr, PLAN)
    async with kkr.sessions() as session:
        notice = (await session.exec(select(Notice).where(Notice.kind == "annual_plan"))).first()
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
    *texts, ics = await notice_parts(delivery, kkr.sessions, NOW, {})
    assert isinstance(texts[0], Text) and "Kalenderfilen herunder" in texts[0].text
    assert isinstance(ics, Document) and ics.file_name == "meetings-2027.ics"
    calendar = Calendar.from_ical(ics.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]
    assert uids == [f"meeting-{m.id}@kkr-nordjylland.kkrbot" for m in plan.meetings]
    again = Calendar.from_ical((await notice_parts(delivery, kkr.sessions, NOW, {}))[-1].content)
    assert [str(e["UID"]) for e in again.walk("VEVENT")] == uids  # stable: the same events
