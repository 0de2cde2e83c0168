"""R-S4/R-S5 run by the council: the chair or secretariat records and ends a member's long absence;
a decision whose meeting is cancelled or moved goes on the next agenda again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.tables import AgendaItem, LongAbsence
from services.errors import Refused
from services.long_absence import apply_long_absences, end_long_absence, report_long_absence
from services.meeting_plan import cancel_meeting, move_meeting
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, SUBSTITUTE, Council_

TODAY = NOW.date()


async def _record(kkr: Council_, by: str = SECRETARY) -> LongAbsence:
    leave: LongAbsence = await kkr.run(
        report_long_absence,
        actor=await kkr.actor(by),
        member_id=await kkr.person_id(MEMBER),
        starts_on=TODAY,
        expected_back=TODAY + timedelta(days=120),
        now=NOW,
        reason="sygdom",
    )
    return leave


async def _decision_items(kkr: Council_) -> list[tuple[int, str]]:
    async with kkr.sessions() as session:
        items = await session.exec(select(AgendaItem).where(AgendaItem.title.contains(MEMBER)))  # type: ignore[attr-defined]
        return [(i.meeting_id, i.status) for i in items.all()]


async def test_the_secretariat_records_a_members_long_absence(kkr: Council_) -> None:
    leave = await _record(kkr)
    assert leave.person_id == await kkr.person_id(MEMBER)
    assert leave.reported_by_id == await kkr.person_id(SECRETARY)
    row = await kkr.row(MEMBER, 0)
    assert row is not None and row.substitute_id == await kkr.person_id(SUBSTITUTE)
    assert await _decision_items(kkr) == [(kkr.meetings[0], "accepted")]


async def test_the_chair_ends_it_and_the_substitute_leaves_the_seats(kkr: Council_) -> None:
    await _record(kkr, by=CHAIR)
    ended = await kkr.run(
        end_long_absence,
        actor=await kkr.actor(CHAIR),
        member_id=await kkr.person_id(MEMBER),
        now=NOW + timedelta(hours=1),
    )
    assert ended.ended_at is not None
    row = await kkr.row(MEMBER, 0)
    assert row is not None and row.substitute_id is None and row.status == "expected"
    with pytest.raises(Refused) as again:
        await kkr.run(
            end_long_absence,
            actor=await kkr.actor(CHAIR),
            member_id=await kkr.person_id(MEMBER),
            now=NOW + timedelta(hours=2),
        )
    assert again.value.code == "no_leave_to_end"


async def test_another_member_cannot_record_a_leave_for_a_member(kkr: Council_) -> None:
    with pytest.raises(Refused, match="may not"):
        await _record(kkr, by="Jonas Lauridsen")


async def test_a_cancelled_decision_meeting_sends_the_decision_to_the_next_agenda(
    kkr: Council_,
) -> None:
    await _record(kkr)
    await kkr.run(cancel_meeting, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=NOW)
    await kkr.run(apply_long_absences, NOW + timedelta(minutes=1))
    assert sorted(await _decision_items(kkr)) == sorted(
        [(kkr.meetings[0], "accepted"), (kkr.meetings[1], "accepted")]
    )
    async with kkr.sessions() as session:
        leave = (await session.exec(select(LongAbsence))).one()
    assert leave.decision_meeting_id == kkr.meetings[1]
    assert await kkr.run(apply_long_absences, NOW + timedelta(minutes=2)) == 0, "idempotent"


async def test_a_decision_meeting_moved_behind_the_next_one_sends_the_decision_there(
    kkr: Council_,
) -> None:
    await _record(kkr)
    second = await kkr.meeting(1)
    await kkr.run(
        move_meeting,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        starts_at=second.starts_at + timedelta(days=7),
        now=NOW,
    )
    await kkr.run(apply_long_absences, NOW + timedelta(minutes=1))
    assert sorted(await _decision_items(kkr)) == sorted(
        [(kkr.meetings[0], "withdrawn"), (kkr.meetings[1], "accepted")]
    )
