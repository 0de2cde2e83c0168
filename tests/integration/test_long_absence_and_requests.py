"""R-S4, R-S5 (long absence) and R-M2 (requests for an extraordinary meeting)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from models.enums import MeetingKind
from models.tables import AgendaItem, Council, LongAbsence, Meeting
from services.attendance import withdraw_absence
from services.errors import Refused
from services.long_absence import (
    apply_long_absences,
    decide_long_absence,
    end_long_absence,
    report_long_absence,
)
from services.meeting_room import next_item, record_decision
from services.meetings import add_meeting
from services.requests import request_meeting
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    Council_,
)
from tests.integration.room_helpers import MEMBERS as MEMBERS_ALL
from tests.integration.room_helpers import day, open_with
from tests.refusals import refused_with

TODAY = NOW.date()


async def _leave(kkr: Council_, name: str, start: date, back: date) -> LongAbsence:
    leave: LongAbsence = await kkr.run(
        report_long_absence,
        actor=await kkr.actor(name),
        starts_on=start,
        expected_back=back,
        now=NOW,
        reason="orlov",
    )
    return leave


async def _plan(
    kkr: Council_, starts_at: datetime, kind: MeetingKind = MeetingKind.ORDINARY
) -> Meeting:
    """A meeting planned after the leave was reported; it becomes kkr.meetings[2]."""
    chair = await kkr.actor(CHAIR)
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=starts_at,
            place="Thisted",
            now=NOW,
            kind=kind,
            actor=chair,  # R-M2: the chair calls an extraordinary one
            summoned_by_caller=kind != MeetingKind.ORDINARY,  # the row alone, for the test
        )
    kkr.meetings.append(meeting.id or 0)
    return meeting


async def test_a_leave_ending_before_it_starts_is_refused(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await _leave(kkr, MEMBER, date(2027, 5, 1), date(2027, 1, 1))
    assert refused.value.code == "end_before_start"
    async with kkr.sessions() as session:
        assert (await session.exec(select(LongAbsence))).all() == []


async def test_a_leave_shorter_than_three_months_is_refused_with_the_shortest_end(
    kkr: Council_,
) -> None:
    with pytest.raises(Refused) as refused:
        await _leave(kkr, MEMBER, date(2026, 12, 1), date(2027, 2, 28))
    assert refused.value.code == "not_long_absence"
    assert refused.value.params["until"] == "2027-03-01"


async def test_a_mayors_substitute_stands_in_for_every_meeting_of_the_period(
    kkr: Council_,
) -> None:
    await _leave(kkr, MAYOR, TODAY, TODAY + timedelta(days=120))
    for index in (0, 1):
        row = await kkr.row(MAYOR, index)
        assert row is not None and row.status == "absent"
        assert row.substitute_answer == "accepted"  # R-S4: automatically
        assert row.substitute_id == await kkr.person_id(MAYOR_SUBSTITUTE)
    assert await kkr.notice_names("long_absence_stand_in") == [MAYOR_SUBSTITUTE] * 2
    assert await kkr.notice_names("long_absence_reported") == sorted(
        [CHAIR, SECRETARY, "Mads Brandt"]
    )
    with pytest.raises(Refused) as refused:
        await _leave(kkr, MAYOR, TODAY, TODAY + timedelta(days=200))
    assert refused.value.code == "already_on_leave"


async def test_a_meeting_planned_later_in_the_period_gets_the_substitute_by_the_sweep(
    kkr: Council_,
) -> None:
    await _leave(kkr, MAYOR, TODAY, TODAY + timedelta(days=120))
    await _plan(kkr, datetime(2027, 2, 10, 10, 0), kind=MeetingKind.EXTRAORDINARY)
    assert await kkr.run(apply_long_absences, NOW) == 1
    assert await kkr.run(apply_long_absences, NOW) == 0, "idempotent"
    row = await kkr.row(MAYOR, 2)
    assert row is not None and row.substitute_answer == "accepted"


async def test_a_mayor_who_comes_to_one_meeting_during_the_leave_keeps_that_seat(
    kkr: Council_,
) -> None:
    await _leave(kkr, MAYOR, TODAY, TODAY + timedelta(days=120))
    mayor = await kkr.actor(MAYOR)
    await kkr.run(withdraw_absence, actor=mayor, meeting_id=kkr.meetings[0], now=NOW)
    assert await kkr.run(apply_long_absences, NOW + timedelta(minutes=1)) == 0
    first, second = await kkr.row(MAYOR, 0), await kkr.row(MAYOR, 1)
    assert first is not None and first.status == "expected" and first.substitute_id is None
    assert second is not None and second.substitute_answer == "accepted", "the rest of the leave"


async def test_an_elected_members_leave_summons_the_substitute_and_puts_the_decision_on_the_agenda(
    kkr: Council_,
) -> None:
    leave = await _leave(kkr, MEMBER, TODAY, TODAY + timedelta(days=120))
    assert leave.decision is None and leave.decision_meeting_id == kkr.meetings[0]
    first, second = await kkr.row(MEMBER, 0), await kkr.row(MEMBER, 1)
    assert first is not None and first.substitute_answer == "pending"  # R-S5: summoned
    assert second is None, "the council decides first"
    async with kkr.sessions() as session:
        [item] = (
            await session.exec(select(AgendaItem).where(AgendaItem.meeting_id == kkr.meetings[0]))
        ).all()
    assert "stedfortræderens indtræden" in item.title and "B1.7" not in item.title
    assert MEMBER in item.title and item.status == "accepted"
    assert CHAIR in await kkr.notice_names("long_absence_reported")
    [summons] = await kkr.notices("long_absence_stand_in")
    assert summons.payload["pending"] and summons.payload["summons_to_answer"]


async def test_an_elected_members_leave_with_no_meeting_yet_is_decided_at_the_first_one_planned(
    kkr: Council_,
) -> None:
    leave = await _leave(kkr, MEMBER, TODAY + timedelta(days=60), TODAY + timedelta(days=200))
    assert leave.decision_meeting_id is None, "no planned meeting falls in the period yet"
    assert await kkr.run(apply_long_absences, NOW) == 0
    meeting = await _plan(kkr, datetime(2027, 3, 10, 10, 0))
    assert await kkr.run(apply_long_absences, NOW) == 1  # R-S5, done by the sweep
    assert await kkr.run(apply_long_absences, NOW) == 0, "idempotent"
    row = await kkr.row(MEMBER, 2)
    assert row is not None and row.substitute_answer == "pending"
    async with kkr.sessions() as session:
        [item] = (
            await session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
        ).all()
        stored = await session.get(LongAbsence, leave.id)
    assert "indtræden" in item.title and MEMBER in item.title
    assert stored is not None and stored.decision_meeting_id == meeting.id


async def test_the_decision_item_after_distribution_marks_the_agenda_for_an_addendum(
    kkr: Council_,
) -> None:
    await kkr.set_meeting(agenda_distributed_at=NOW - timedelta(days=1), agenda_version=1)
    await _leave(kkr, MEMBER, TODAY, TODAY + timedelta(days=120))
    meeting = await kkr.meeting()
    assert meeting.agenda_changed_at == NOW  # never a silent edit (R-D3)
    told = await kkr.notices("long_absence_reported")
    assert told and all(notice.payload["addendum_needed"] for notice in told)


async def test_the_councils_decision_is_recorded_and_the_return_ends_it(kkr: Council_) -> None:
    leave = await _leave(kkr, MEMBER, TODAY, TODAY + timedelta(days=120))
    with pytest.raises(Refused) as refused:  # R-S5: decided at the meeting, on its item
        await kkr.run(
            decide_long_absence,
            actor=await kkr.actor(SECRETARY),
            long_absence_id=leave.id,
            approved=True,
            now=NOW,
        )
    assert refused.value.code == "decided_at_the_meeting"
    await open_with(kkr, *[m for m in MEMBERS_ALL if m != MEMBER][:11], SUBSTITUTE)
    room_now = await day(kkr)
    with refused_with("not_allowed"):
        await kkr.run(next_item, actor=await kkr.actor(MAYOR), now=room_now)
    await kkr.run(next_item, actor=await kkr.actor(CHAIR), now=room_now)
    await kkr.run(
        record_decision,
        actor=await kkr.actor(SECRETARY),
        text="Godkendt",
        approved=True,
        now=room_now,
    )
    async with kkr.sessions() as session:
        decided = await session.get(LongAbsence, leave.id)
    assert decided is not None
    assert decided.decision == "approved" and decided.decided_at == room_now
    second = await kkr.row(MEMBER, 1)
    assert second is not None and second.substitute_answer == "accepted"
    with pytest.raises(Refused) as refused:
        await kkr.run(
            decide_long_absence,
            actor=await kkr.actor(CHAIR),
            long_absence_id=leave.id,
            approved=False,
            now=NOW,
        )
    assert refused.value.code == "already_decided"
    await kkr.run(end_long_absence, actor=await kkr.actor(MEMBER), now=NOW)
    # The meeting in progress keeps its substitute; the next one gets the member back.
    row = await kkr.row(MEMBER, 1)
    assert row is not None and row.status == "expected" and row.substitute_id is None
    assert await kkr.notice_names("substitute_released") == [SUBSTITUTE]
    with pytest.raises(Refused) as refused:
        await kkr.run(end_long_absence, actor=await kkr.actor(MEMBER), now=NOW)
    assert refused.value.code == "not_on_leave"


MEMBERS = [
    "Anders Gade", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm",
    "Rasmus Bach", "Steen Andersen", "Dagmar Hougaard",
]  # fmt: skip


async def test_a_third_of_the_members_asking_alerts_the_chair_with_the_requesters(
    kkr: Council_,
) -> None:
    for index, name in enumerate(MEMBERS[:7]):
        count = await kkr.run(
            request_meeting, actor=await kkr.actor(name), subject=f"emne {index}", now=NOW
        )
        assert count.requests == index + 1 and count.needed == 8  # ⌈22 / 3⌉
        assert not count.threshold_reached
    assert await kkr.notices("meeting_requested") == []
    count = await kkr.run(request_meeting, actor=await kkr.actor(MEMBERS[7]), subject="x", now=NOW)
    assert count.threshold_reached
    assert await kkr.notice_names("meeting_requested") == sorted([CHAIR, SECRETARY, "Mads Brandt"])
    [notice, *_] = await kkr.notices("meeting_requested")
    assert [r["name"] for r in notice.payload["requesters"]] == MEMBERS
    # The count starts again: the next request is the first of a new round.
    again = await kkr.run(request_meeting, actor=await kkr.actor(MEMBER), subject="y", now=NOW)
    assert again.requests == 1


async def test_asking_twice_without_a_subject_or_as_secretariat_is_refused(kkr: Council_) -> None:
    member = await kkr.actor(MEMBER)
    with pytest.raises(Refused) as refused:
        await kkr.run(request_meeting, actor=member, subject="  ", now=NOW)
    assert refused.value.code == "subject_missing"
    await kkr.run(request_meeting, actor=member, subject="trafik", now=NOW)
    with pytest.raises(Refused) as refused:
        await kkr.run(request_meeting, actor=member, subject="trafik", now=NOW)
    assert refused.value.code == "already_requested"
    with refused_with("not_allowed"):
        await kkr.run(request_meeting, actor=await kkr.actor(SECRETARY), subject="x", now=NOW)
