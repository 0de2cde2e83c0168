"""R-S3, R-Q1, R-Q2 (issue 11): a member who reported absence and summoned a substitute may come
after all and is counted — by their own check-in, the secretariat's, or /deltager — also once the
meeting is open; the substitute not yet arrived is told they are not needed; nobody counts twice.
Absence is reported before the meeting only; a check-in on the day before the opening counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.agenda_delivery import distribute_agenda, request_agenda
from services.agenda_prep import add_own_item
from services.attendance import (
    answer_summons,
    remind_unanswered_summons,
    report_absence,
    report_unanswered_summons,
    summon_substitute,
    withdraw_absence,
)
from services.meeting_day import check_in, check_out, open_meeting
from services.quorum import quorum_view
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, SUBSTITUTE, Council_
from tests.refusals import refused_with


async def _summoned(kkr: Council_, *, accept: bool = True) -> None:
    member = await kkr.actor(MEMBER)
    await kkr.run(report_absence, actor=member, meeting_id=kkr.meetings[0], now=NOW, reason="syg")
    await kkr.run(summon_substitute, actor=member, meeting_id=kkr.meetings[0], now=NOW)
    if accept:
        await kkr.run(
            answer_summons,
            actor=await kkr.actor(SUBSTITUTE),
            meeting_id=kkr.meetings[0],
            accept=True,
            now=NOW,
        )


async def _at(kkr: Council_, minutes: int) -> object:
    return (await kkr.meeting()).starts_at + timedelta(minutes=minutes)


async def _opened(kkr: Council_) -> None:
    await kkr.run(
        open_meeting,
        actor=await kkr.actor(CHAIR),
        now=await _at(kkr, 0),
        meeting_id=kkr.meetings[0],
    )


async def _check_in(kkr: Council_, name: str, minutes: int, by: str | None = None) -> object:
    return await kkr.run(
        check_in,
        actor=await kkr.actor(by or name),
        now=await _at(kkr, minutes),
        meeting_id=kkr.meetings[0],
        person_name=name if by else None,
    )


async def test_a_member_who_sent_a_substitute_checks_in_and_counts_and_the_substitute_is_released(
    kkr: Council_,
) -> None:
    await _summoned(kkr)
    await _opened(kkr)
    presence = await _check_in(kkr, MEMBER, 10)
    assert presence.member == MEMBER and presence.present_count == 2  # type: ignore[attr-defined]
    assert await kkr.notice_names("substitute_released") == [SUBSTITUTE]
    with refused_with("not_allowed"):  # the seat is the member's: nobody counts twice
        await _check_in(kkr, SUBSTITUTE, 20)
    view = await kkr.run(quorum_view, actor=await kkr.actor(CHAIR), now=await _at(kkr, 20))
    assert view.present == [CHAIR, MEMBER] and view.status.present == 2


async def test_the_secretariat_checks_in_a_member_who_came_after_all(kkr: Council_) -> None:
    await _summoned(kkr, accept=False)  # the substitute has not answered yet
    await _opened(kkr)
    presence = await _check_in(kkr, MEMBER, 10, by=SECRETARY)
    assert presence.present_count == 2  # type: ignore[attr-defined]
    assert await kkr.notice_names("substitute_released") == [SUBSTITUTE]
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "present" and row.substitute_id is None


async def test_the_member_does_not_count_while_the_substitute_sits_in_the_seat(
    kkr: Council_,
) -> None:
    await _summoned(kkr)
    await _opened(kkr)
    await _check_in(kkr, SUBSTITUTE, 5)
    with refused_with("substitute_stands_in"):
        await _check_in(kkr, MEMBER, 10)
    with refused_with("substitute_stands_in"):
        await kkr.run(
            withdraw_absence,
            actor=await kkr.actor(MEMBER),
            meeting_id=kkr.meetings[0],
            now=await _at(kkr, 10),
        )
    await kkr.run(
        check_out,
        actor=await kkr.actor(SUBSTITUTE),
        now=await _at(kkr, 30),
        meeting_id=kkr.meetings[0],
    )
    presence = await _check_in(kkr, MEMBER, 31)  # the substitute went: the member takes the seat
    assert presence.present_count == 2  # type: ignore[attr-defined]


async def test_a_member_withdraws_the_absence_once_the_meeting_is_open(kkr: Council_) -> None:
    await _summoned(kkr)
    await _opened(kkr)
    released = await kkr.run(
        withdraw_absence,
        actor=await kkr.actor(MEMBER),
        meeting_id=kkr.meetings[0],
        now=await _at(kkr, 5),
    )
    assert released == SUBSTITUTE
    presence = await _check_in(kkr, MEMBER, 10)
    assert presence.present_count == 2  # type: ignore[attr-defined]


async def test_a_substitute_declines_on_the_day_once_the_meeting_is_open(kkr: Council_) -> None:
    await _summoned(kkr)
    await _opened(kkr)
    member = await kkr.run(
        answer_summons,
        actor=await kkr.actor(SUBSTITUTE),
        meeting_id=kkr.meetings[0],
        accept=False,
        now=await _at(kkr, 5),
    )
    assert member == MEMBER
    row = await kkr.row(MEMBER)
    assert row is not None and row.substitute_answer == "declined"


async def test_an_early_check_in_on_the_day_counts_once_the_meeting_opens(kkr: Council_) -> None:
    with refused_with("not_open"):  # not days ahead
        await _check_in(kkr, MEMBER, -3 * 24 * 60)
    await _check_in(kkr, MEMBER, -20)
    await _opened(kkr)
    view = await kkr.run(quorum_view, actor=await kkr.actor(CHAIR), now=await _at(kkr, 1))
    assert view.present == [CHAIR, MEMBER] and view.status.present == 2


async def test_an_absence_cannot_be_reported_once_the_start_time_has_passed(kkr: Council_) -> None:
    with refused_with("meeting_started"):  # never opened, and days later
        await kkr.run(
            report_absence,
            actor=await kkr.actor(MEMBER),
            meeting_id=kkr.meetings[0],
            now=await _at(kkr, 3 * 24 * 60),
        )
    with refused_with("meeting_started"):
        await kkr.run(
            report_absence,
            actor=await kkr.actor(SECRETARY),
            meeting_id=kkr.meetings[0],
            member_id=await kkr.person_id(MEMBER),
            now=await _at(kkr, 1),
        )
    assert await kkr.row(MEMBER) is None


# R-S7 (issue 11): a summons sent inside the answer window gets a window of its own (a setting).


async def _late_summons(kkr: Council_, hours_before: int) -> object:
    summoned = (await kkr.meeting()).starts_at - timedelta(hours=hours_before)
    member = await kkr.actor(MEMBER)
    await kkr.run(report_absence, actor=member, meeting_id=kkr.meetings[0], now=summoned)
    await kkr.run(summon_substitute, actor=member, meeting_id=kkr.meetings[0], now=summoned)
    return summoned


async def test_a_late_summons_asks_for_an_answer_within_the_late_window(kkr: Council_) -> None:
    summoned = await _late_summons(kkr, 10)
    [summons] = await kkr.notices("summons")
    assert datetime.fromisoformat(summons.payload["deadline"]) == summoned + timedelta(hours=6)
    assert await kkr.run(report_unanswered_summons, summoned + timedelta(minutes=1)) == 0
    assert await kkr.run(report_unanswered_summons, summoned + timedelta(hours=5, minutes=59)) == 0
    assert await kkr.run(report_unanswered_summons, summoned + timedelta(hours=6)) == 4


async def test_the_late_answer_window_is_a_council_setting(kkr: Council_) -> None:
    await kkr.set_council(late_summons_answer_hours=2)
    summoned = await _late_summons(kkr, 10)
    [summons] = await kkr.notices("summons")
    assert datetime.fromisoformat(summons.payload["deadline"]) == summoned + timedelta(hours=2)


async def test_the_summons_reminder_offset_is_a_council_setting(kkr: Council_) -> None:
    await kkr.set_council(summons_reminder_hours=6)
    summoned = await _late_summons(kkr, 24 * 5)
    deadline = (await kkr.meeting()).starts_at - timedelta(hours=48)
    assert await kkr.run(remind_unanswered_summons, deadline - timedelta(hours=7)) == 0
    assert await kkr.run(remind_unanswered_summons, deadline - timedelta(hours=6)) == 1
    assert summoned < deadline


# R-Q2 (issue 11): when the meeting opens, those expected are told, with a button to check in.


async def test_those_expected_are_told_the_meeting_is_open_with_a_check_in_button(
    kkr: Council_,
) -> None:
    await _summoned(kkr)  # MEMBER absent; SUBSTITUTE accepted and is expected in the seat
    await kkr.run(
        report_absence, actor=await kkr.actor("Anders Gade"), meeting_id=kkr.meetings[0], now=NOW
    )
    await _check_in(kkr, "Line Toft", -30)  # came early: already there
    await _opened(kkr)
    told = await kkr.notice_names("meeting_opened")
    assert len(told) == 22 - 4 + 1  # not the chair (opened), MEMBER, Anders Gade, Line Toft
    assert SUBSTITUTE in told and MEMBER not in told and CHAIR not in told
    assert "Anders Gade" not in told and "Line Toft" not in told
    notice = (await kkr.notices("meeting_opened"))[0]
    assert notice.payload["check_in_to"] == {"meeting_id": kkr.meetings[0]}


# R-P6 (issue 11): an absent member keeps receiving the agenda and may ask for it again.


async def test_a_member_whose_substitute_is_summoned_still_gets_later_agendas(
    kkr: Council_,
) -> None:
    await _summoned(kkr)
    secretary = await kkr.actor(SECRETARY)
    await kkr.run(
        add_own_item,
        actor=secretary,
        meeting_id=kkr.meetings[0],
        title="Sundhedsaftale",
        description="",
        material=[],
        now=NOW,
    )
    await kkr.run(distribute_agenda, actor=secretary, meeting_id=kkr.meetings[0], now=NOW)
    got = await kkr.notice_names("agenda")
    assert MEMBER in got and SUBSTITUTE in got
    version = await kkr.run(
        request_agenda, actor=await kkr.actor(MEMBER), now=NOW, meeting_id=kkr.meetings[0]
    )
    assert version == 1
