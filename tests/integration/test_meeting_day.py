"""R-M5, R-P3, R-Q2, R-Q4 on the day: open, check in and out, others marked, close, quorum lost."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from models.enums import MeetingStatus
from services.attendance import answer_summons, report_absence, summon_substitute
from services.attendance_record import meeting_attendance_record
from services.errors import Refused
from services.live import dirty_messages, link_group, mark_rendered
from services.meeting_day import check_in, check_out, close_meeting, open_meeting
from services.quorum import quorum_view
from templates.i18n import render
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    VICE,
    Council_,
    meeting_day,
)
from tests.refusals import refused_with


async def _opened(kkr: Council_, by: str = CHAIR) -> None:
    day = meeting_day(await kkr.meeting())
    await kkr.run(open_meeting, actor=await kkr.actor(by), now=day, meeting_id=kkr.meetings[0])


async def _in(
    kkr: Council_,
    name: str,
    by: str | None = None,
    out: bool = False,
    at: timedelta = timedelta(0),
) -> object:
    """`name` checks in (or out), or `by` marks them; `at` after the hour before the meeting."""
    day = meeting_day(await kkr.meeting()) + at
    service = check_out if out else check_in
    actor = await kkr.actor(by or name)
    return await kkr.run(
        service,
        actor=actor,
        now=day,
        meeting_id=kkr.meetings[0],
        person_name=name if by else None,
    )


async def test_the_chair_opens_the_meeting_on_its_day(kkr: Council_) -> None:
    meeting = await kkr.meeting()
    with pytest.raises(Refused) as refused:
        await kkr.run(
            open_meeting,
            actor=await kkr.actor(CHAIR),
            now=meeting.starts_at - timedelta(days=1),
            meeting_id=meeting.id,
        )
    assert refused.value.code == "too_early"
    await _opened(kkr)
    opened = await kkr.meeting()
    assert opened.status == "open" and opened.opened_at == meeting_day(meeting)
    with pytest.raises(Refused) as refused:
        await _opened(kkr)
    assert refused.value.code == "already_open"


async def test_a_member_cannot_open_and_the_vice_chair_only_when_the_chair_is_absent(
    kkr: Council_,
) -> None:
    with refused_with("not_allowed"):
        await _opened(kkr, by=MEMBER)
    with refused_with("not_allowed"):
        await _opened(kkr, by=VICE)
    await kkr.run(
        report_absence,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        now=meeting_day(await kkr.meeting()) - timedelta(days=2),
    )
    await _opened(kkr, by=VICE)  # R-P3: the acting chair holds every chair power
    assert (await kkr.meeting()).status == "open"


async def test_check_in_before_the_meetings_day_is_refused(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await _in(kkr, MEMBER, at=-timedelta(days=1))
    assert refused.value.code == "not_open"
    assert await kkr.row(MEMBER) is None


async def test_members_check_in_leave_and_come_back_with_their_times_kept(kkr: Council_) -> None:
    await _opened(kkr)
    day = meeting_day(await kkr.meeting())
    presence = await _in(kkr, MEMBER)
    # the chair who opened the meeting is there too (checked in by opening it)
    assert presence.present_count == 2 and not presence.quorate  # type: ignore[attr-defined]
    row = await kkr.row(MEMBER)
    assert row is not None and row.arrived_at == day and row.left_at is None
    with pytest.raises(Refused) as refused:
        await _in(kkr, MEMBER, at=timedelta(minutes=5))
    assert refused.value.code == "already_present"
    await _in(kkr, MEMBER, out=True, at=timedelta(hours=1))
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "left"
    assert row.arrived_at == day and row.left_at == day + timedelta(hours=1)
    with pytest.raises(Refused) as refused:
        await _in(kkr, MEMBER, out=True, at=timedelta(hours=1, minutes=5))
    assert refused.value.code == "not_present"
    await _in(kkr, MEMBER, at=timedelta(hours=2))
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "present" and row.left_at is None
    assert row.arrived_at == day, "R-X3: the first arrival is kept when coming back"
    member = await kkr.person_id(MEMBER)
    # R-Q4/R-X3: the history, refusals leaving no trace: what, when, whose seat, who, done by whom.
    events = [
        (e.kind, e.at, e.member_id, e.person_id, e.actor_id)
        for e in await kkr.events()
        if e.member_id == member
    ]
    assert events == [
        ("arrived", day, member, member, member),
        ("left", day + timedelta(hours=1), member, member, member),
        ("arrived", day + timedelta(hours=2), member, member, member),
    ]


async def test_a_member_cannot_check_in_another_member(kkr: Council_) -> None:
    await _opened(kkr)
    with pytest.raises(Refused) as refused:
        await _in(kkr, MAYOR, by=MEMBER)
    assert refused.value.code == "only_yourself"
    assert await kkr.row(MAYOR) is None


async def test_the_secretariat_marks_members_present_and_gone(kkr: Council_) -> None:
    await _opened(kkr)
    presence = await _in(kkr, "anne rasmussen", by=SECRETARY)
    assert presence.person == MEMBER  # type: ignore[attr-defined]
    event = (await kkr.events())[-1]  # after the chair's own arrival at the opening
    assert event.actor_id == await kkr.person_id(SECRETARY)  # who checked whom in
    assert event.person_id == await kkr.person_id(MEMBER)
    await _in(kkr, MEMBER, by=SECRETARY, out=True)
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "left"
    with refused_with("not_found"):
        await _in(kkr, "Nobody Known", by=SECRETARY)
    with pytest.raises(Refused) as refused:
        await _in(kkr, "Mads Brandt", by=SECRETARY)
    assert refused.value.code == "does_not_count"


async def test_a_standing_in_substitute_checks_in_for_the_member(kkr: Council_) -> None:
    early = meeting_day(await kkr.meeting()) - timedelta(days=3)
    day = meeting_day(await kkr.meeting())
    await _stood_in_for(kkr, early)
    await _opened(kkr)
    presence = await _in(kkr, SUBSTITUTE, at=timedelta(minutes=10))
    assert presence.member == MEMBER and presence.present_count == 2  # type: ignore[attr-defined]
    with pytest.raises(Refused) as refused:
        await _in(kkr, MEMBER)  # nobody counts twice (R-Q1)
    assert refused.value.code == "substitute_stands_in"
    view = await kkr.run(quorum_view, actor=await kkr.actor(CHAIR), now=early)
    assert view.present == [CHAIR, f"{SUBSTITUTE} ({MEMBER})"]
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "absent"  # the member's seat, the substitute in it
    assert row.substitute_id == await kkr.person_id(SUBSTITUTE)
    assert row.substitute_status == "present" and row.arrived_at == day + timedelta(minutes=10)
    member, substitute = await kkr.person_id(MEMBER), await kkr.person_id(SUBSTITUTE)
    events = [
        (e.kind, e.at, e.member_id, e.person_id, e.actor_id)
        for e in await kkr.events()
        if e.member_id == member
    ]
    assert events == [
        ("absent", early, member, member, member),
        ("summoned", early, member, substitute, member),
        ("accepted", early, member, substitute, substitute),
        ("arrived", day + timedelta(minutes=10), member, substitute, substitute),
    ]


async def _stood_in_for(kkr: Council_, early: datetime) -> None:
    """MEMBER reports absence and summons SUBSTITUTE, who accepts; MAYOR reports absence only."""
    member = await kkr.actor(MEMBER)
    await kkr.run(report_absence, actor=member, meeting_id=kkr.meetings[0], now=early, reason="syg")
    await kkr.run(summon_substitute, actor=member, meeting_id=kkr.meetings[0], now=early)
    await kkr.run(
        answer_summons,
        actor=await kkr.actor(SUBSTITUTE),
        meeting_id=kkr.meetings[0],
        accept=True,
        now=early,
    )


async def test_the_attendance_record_lists_who_came_who_stood_in_and_who_was_absent(
    kkr: Council_,
) -> None:
    early = meeting_day(await kkr.meeting()) - timedelta(days=3)
    day = meeting_day(await kkr.meeting())
    await _stood_in_for(kkr, early)
    await kkr.run(
        report_absence, actor=await kkr.actor(MAYOR), meeting_id=kkr.meetings[0], now=early
    )
    record = meeting_attendance_record
    with pytest.raises(Refused) as refused:  # R-Q4: the record starts when the meeting opens
        await kkr.run(record, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=day)
    assert refused.value.code == "not_open"
    await _opened(kkr)
    await _in(kkr, SUBSTITUTE, at=timedelta(minutes=10))  # the chair came by opening it
    await _in(kkr, VICE, at=timedelta(minutes=2))
    await _in(kkr, VICE, out=True, at=timedelta(hours=1))  # left early: still attended
    await kkr.run(close_meeting, actor=await kkr.actor(CHAIR), now=day + timedelta(hours=3))
    shown = await kkr.run(
        record, actor=await kkr.actor(SECRETARY), meeting_id=kkr.meetings[0], now=day
    )
    assert sorted(shown.in_person) == sorted([CHAIR, VICE])
    assert shown.substituted == [(MEMBER, SUBSTITUTE)]
    assert (
        MAYOR in shown.absent_without_substitute and MEMBER not in shown.absent_without_substitute
    )
    assert len(shown.absent_without_substitute) == 22 - 3  # 22 members, 3 seats attended
    seats = {seat.member: seat for seat in shown.seats}
    assert len(seats) == 22
    stood_in = seats[MEMBER]
    assert stood_in.attended_by == SUBSTITUTE and stood_in.substitute == SUBSTITUTE
    assert stood_in.arrived_at == day + timedelta(minutes=10)
    assert stood_in.left_at == day + timedelta(hours=3) and stood_in.absence_reason == "syg"
    vice = seats[VICE]
    assert vice.attended_by == VICE and vice.substitute is None
    assert (vice.arrived_at, vice.left_at) == (day + timedelta(minutes=2), day + timedelta(hours=1))
    assert seats[CHAIR].left_at == day + timedelta(hours=3)
    absent = seats[MAYOR]
    assert absent.attended_by is None and absent.arrived_at is None and absent.substitute is None
    # R-Q4/R-S7: absence with notice (reason, the substitute's answer) apart from without notice
    [notice] = shown.absent_with_notice
    assert (notice.member, notice.reason, notice.substitute) == (MAYOR, None, None)
    assert MAYOR not in shown.absent_without_notice and len(shown.absent_without_notice) == 18


async def test_the_record_gives_the_reason_and_the_substitutes_answer_of_an_absence(
    kkr: Council_,
) -> None:
    early = meeting_day(await kkr.meeting()) - timedelta(days=3)
    day = meeting_day(await kkr.meeting())
    member = await kkr.actor(MEMBER)
    await kkr.run(report_absence, actor=member, meeting_id=kkr.meetings[0], now=early, reason="syg")
    await kkr.run(summon_substitute, actor=member, meeting_id=kkr.meetings[0], now=early)
    await kkr.run(
        answer_summons,
        actor=await kkr.actor(SUBSTITUTE),
        meeting_id=kkr.meetings[0],
        accept=False,
        now=early,
    )
    await _opened(kkr)
    await kkr.run(close_meeting, actor=await kkr.actor(CHAIR), now=day + timedelta(hours=1))
    shown = await kkr.run(
        meeting_attendance_record,
        actor=await kkr.actor(SECRETARY),
        meeting_id=kkr.meetings[0],
        now=day,
    )
    [notice] = shown.absent_with_notice
    assert (notice.member, notice.reason, notice.substitute, notice.answer) == (
        MEMBER,
        "syg",
        SUBSTITUTE,
        "declined",
    )
    assert shown.in_person == [CHAIR] and MEMBER not in shown.absent_without_notice
    text = render("chat/attendance_record.html.j2", "da", r=shown, council="KKR Nordjylland")
    assert "Fraværende med afbud" in text and "stedfortræder Trine Ulrich meldte fra" in text
    assert "Anne Rasmussen (syg)" in text and "Fraværende uden afbud" in text


async def test_only_the_chair_acting_chair_and_secretariat_see_the_attendance_record(
    kkr: Council_,
) -> None:
    await _opened(kkr)
    day = meeting_day(await kkr.meeting())
    for name in (MEMBER, VICE):
        with refused_with("not_allowed"):
            await kkr.run(
                meeting_attendance_record,
                actor=await kkr.actor(name),
                meeting_id=kkr.meetings[0],
                now=day,
            )
    shown = await kkr.run(
        meeting_attendance_record, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=day
    )
    assert shown.in_person == [CHAIR] and len(shown.absent_without_substitute) == 21


async def test_the_acting_chair_sees_the_attendance_record(kkr: Council_) -> None:
    day = meeting_day(await kkr.meeting())
    await kkr.run(
        report_absence,
        actor=await kkr.actor(CHAIR),
        meeting_id=kkr.meetings[0],
        now=day - timedelta(days=2),
    )
    await _opened(kkr, by=VICE)  # and is checked in by it
    shown = await kkr.run(
        meeting_attendance_record, actor=await kkr.actor(VICE), meeting_id=kkr.meetings[0], now=day
    )
    assert shown.in_person == [VICE] and CHAIR in shown.absent_without_substitute


async def test_a_substitute_not_summoned_cannot_check_in(kkr: Council_) -> None:
    await _opened(kkr)
    with refused_with("not_allowed"):
        await _in(kkr, SUBSTITUTE)


async def test_losing_quorum_during_the_meeting_alerts_the_chair_and_secretariat(
    kkr: Council_,
) -> None:
    await _opened(kkr)
    day = meeting_day(await kkr.meeting())
    view = await kkr.run(quorum_view, actor=await kkr.actor(CHAIR), now=day)
    names = view.missing[:10]  # with the chair, checked in by opening: 11 of 22
    for name in names:
        await _in(kkr, name)
    assert await kkr.notices("quorum_lost") == []
    await _in(kkr, names[-1], out=True)
    assert await kkr.notice_names("quorum_lost") == sorted([CHAIR, SECRETARY, "Mads Brandt"])


async def test_closing_records_departures_and_ends_check_ins(kkr: Council_) -> None:
    await _opened(kkr)
    await _in(kkr, MEMBER)
    day = meeting_day(await kkr.meeting())
    with refused_with("not_allowed"):
        await kkr.run(close_meeting, actor=await kkr.actor(MEMBER), now=day)
    await kkr.run(close_meeting, actor=await kkr.actor(CHAIR), now=day + timedelta(hours=3))
    meeting = await kkr.meeting()
    assert meeting.status == "closed"
    row = await kkr.row(MEMBER)
    assert row is not None and row.left_at == day + timedelta(hours=3)
    with pytest.raises(Refused) as refused:
        await _in(kkr, MAYOR)
    assert refused.value.code == "meeting_closed"
    with pytest.raises(Refused) as refused:
        await kkr.run(
            close_meeting, actor=await kkr.actor(CHAIR), now=day, meeting_id=kkr.meetings[0]
        )
    assert refused.value.code == "meeting_closed"


async def test_closing_moves_the_groups_quorum_message_on_to_the_next_meeting(
    kkr: Council_,
) -> None:
    secretary = await kkr.actor(SECRETARY)
    await kkr.run(link_group, actor=secretary, chat_id=-100123, now=NOW)
    [first] = await kkr.run(dirty_messages)
    await kkr.run(
        mark_rendered, live_id=first.live_id, changes=first.changes, message_id=5, text="", now=NOW
    )
    await _opened(kkr)
    day = meeting_day(await kkr.meeting())
    await kkr.run(close_meeting, actor=await kkr.actor(CHAIR), now=day + timedelta(hours=3))
    shown = {render.view.meeting.id: render for render in await kkr.run(dirty_messages)}
    assert set(shown) == {kkr.meetings[0], kkr.meetings[1]}  # the final state, and the next
    assert shown[kkr.meetings[1]].replaces == 5


async def test_the_record_asked_without_a_meeting_is_of_the_open_one_else_the_last_held(
    kkr: Council_,
) -> None:
    secretary = await kkr.actor(SECRETARY)
    with pytest.raises(Refused) as refused:
        await kkr.run(meeting_attendance_record, actor=secretary, now=NOW)
    assert refused.value.code == "no_meeting_held"
    await kkr.set_meeting(1, status=MeetingStatus.CLOSED)  # an older record, say
    await kkr.set_meeting(0, status=MeetingStatus.CLOSED)
    shown = await kkr.run(meeting_attendance_record, actor=secretary, now=NOW)
    assert shown.meeting_id == kkr.meetings[1] and shown.closed, "the latest closed meeting"
    await kkr.set_meeting(0, status=MeetingStatus.OPEN)
    shown = await kkr.run(meeting_attendance_record, actor=secretary, now=NOW)
    assert shown.meeting_id == kkr.meetings[0] and not shown.closed, "the one in progress"
