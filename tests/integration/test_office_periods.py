"""R-K3: a successor named for the period the chair is prevented holds the office for that period
only: when it ends (the sweep) or the chair can serve again, the office goes back by itself, and
the chair and the secretariat are told."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from models.term import OfficeRecord
from services.constitution import call_constituent_meeting, constitute, name_successor
from services.errors import Refused
from services.long_absence import end_long_absence, report_long_absence
from services.membership_changes import leave
from services.offices import record_return
from services.sweep import sweep
from tests.integration.conftest import Council_
from tests.integration.test_constitution import AFTER_ELECTION, elected

__all__ = ["elected"]

NAMED = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
UNTIL = date(2026, 9, 30)
SECRETARY = "Kirsten Holm-Jensen"


@pytest.fixture
async def prevented(elected: Council_) -> Council_:
    """Gorm Iversen elected chair, then prevented: group A names Lars Storm until 30 September."""
    await elected.run(
        call_constituent_meeting,
        actor=await elected.actor("Ole Lindholm"),
        starts_at=datetime(2026, 1, 20, 14, 0),
        place="Aalborg Rådhus",
        now=AFTER_ELECTION,
    )
    secretary = await elected.actor(SECRETARY)
    await elected.run(
        constitute,
        actor=secretary,
        chair="Gorm Iversen",
        vice_chair="Ole Lindholm",
        now=datetime(2026, 1, 20, 14, 30, tzinfo=UTC),
    )
    await elected.run(
        name_successor,
        actor=secretary,
        office="chair",
        name="Lars Storm",
        until=UNTIL,
        now=NAMED,
    )
    assert (await elected.actor("Lars Storm")).office == "chair"
    assert (await elected.actor("Gorm Iversen")).office is None
    return elected


async def _sweep(kkr: Council_, now: datetime) -> int:
    async with kkr.sessions() as session, session.begin():
        return (await sweep(session, now)).added["offices_returned"]


async def _records(kkr: Council_) -> list[tuple[str, str, date | None]]:
    async with kkr.sessions() as session:
        rows = await session.exec(
            select(OfficeRecord).where(OfficeRecord.office == "chair").order_by(OfficeRecord.id)  # type: ignore[arg-type]
        )
        return [(r.how, r.group_name, r.ended_on) for r in rows.all()]


async def test_the_office_goes_back_by_itself_when_the_period_ends(prevented: Council_) -> None:
    last_day = datetime(2026, 9, 30, 21, 59, tzinfo=UTC)  # 23:59 in Copenhagen, still the 30th
    assert await _sweep(prevented, last_day) == 0
    assert (await prevented.actor("Lars Storm")).office == "chair"
    told = await _sweep(prevented, datetime(2026, 9, 30, 22, 0, tzinfo=UTC))  # 1 October, 00:00
    assert (await prevented.actor("Gorm Iversen")).office == "chair"
    assert (await prevented.actor("Lars Storm")).office is None
    assert await _records(prevented) == [
        ("elected", "A", NAMED.date()),
        ("successor", "A", date(2026, 10, 1)),
        ("returned", "A", None),
    ]
    notices = await prevented.notices("office_returned")
    told_to = {n.person_id for n in notices}
    assert told == len(notices)
    assert {
        await prevented.person_id("Gorm Iversen"),
        await prevented.person_id(SECRETARY),
        await prevented.person_id("Lars Storm"),
    } <= told_to
    assert notices[0].payload["holder"] == "Gorm Iversen"
    assert await _sweep(prevented, datetime(2026, 10, 2, 9, 0, tzinfo=UTC)) == 0  # once


async def test_the_office_goes_back_when_the_chair_returns_early(prevented: Council_) -> None:
    gorm = await prevented.person_id("Gorm Iversen")
    secretary = await prevented.actor(SECRETARY)
    await prevented.run(
        report_long_absence,
        actor=secretary,
        member_id=gorm,
        starts_on=date(2026, 6, 1),
        expected_back=UNTIL,
        now=NAMED,
    )
    await prevented.run(
        end_long_absence,
        actor=secretary,
        member_id=gorm,
        now=datetime(2026, 8, 3, 9, 0, tzinfo=UTC),
    )
    assert (await prevented.actor("Gorm Iversen")).office == "chair"
    assert (await prevented.actor("Lars Storm")).office is None
    assert [how for how, _, _ in await _records(prevented)] == ["elected", "successor", "returned"]
    assert await _sweep(prevented, datetime(2026, 10, 2, 9, 0, tzinfo=UTC)) == 0


async def test_the_secretariat_records_the_return_and_a_chair_without_office_is_refused(
    prevented: Council_,
) -> None:
    secretary = await prevented.actor(SECRETARY)
    with pytest.raises(Refused) as nothing:
        await prevented.run(record_return, actor=secretary, name="Pia Lund", now=NAMED)
    assert nothing.value.code == "no_office_to_return"
    await prevented.run(record_return, actor=secretary, name="Gorm Iversen", now=NAMED)
    assert (await prevented.actor("Gorm Iversen")).office == "chair"


async def test_a_chair_who_left_meanwhile_leaves_the_office_vacant(prevented: Council_) -> None:
    await prevented.run(
        leave,
        actor=await prevented.actor(SECRETARY),
        person_id=await prevented.person_id("Gorm Iversen"),
        on=date(2026, 8, 1),
        reason="ikke længere borgmester",
        now=datetime(2026, 8, 1, 9, 0, tzinfo=UTC),
    )
    await _sweep(prevented, datetime(2026, 10, 1, 9, 0, tzinfo=UTC))
    assert (await prevented.actor("Lars Storm")).office is None
    [notice, *_] = await prevented.notices("office_returned")
    assert notice.payload["holder"] is None  # the group names a successor for good


async def test_a_period_that_has_ended_already_is_refused(elected: Council_) -> None:
    with pytest.raises(Refused) as past:
        await elected.run(
            name_successor,
            actor=await elected.actor(SECRETARY),
            office="chair",
            name="Lars Storm",
            until=date(2026, 5, 31),
            now=NAMED,
        )
    assert past.value.code == "successor_until_past"
