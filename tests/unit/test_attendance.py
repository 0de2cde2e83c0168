"""R-P3, R-S3–R-S5, R-S7, R-Q2: the transitions around the quorum count."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedure.attendance import (
    Answer,
    AnswerRefused,
    acting_chair,
    covers,
    is_answer_overdue,
    is_summons_reminder_due,
    may_open,
    next_answer,
    quorum_lost,
    stands_in,
    substitute_is_summoned,
    summons_answer_deadline,
)
from procedure.errors import NaiveDatetime, ProcedureError
from procedure.quorum import AttendancePicture, QuorumStatus, quorum_status

CPH = ZoneInfo("Europe/Copenhagen")
MEETING = datetime(2027, 3, 10, 10, 0, tzinfo=CPH)


def test_a_pending_summons_can_be_accepted_or_declined() -> None:
    assert next_answer("pending", accept=True) is Answer.ACCEPTED
    assert next_answer("pending", accept=False) is Answer.DECLINED


def test_a_substitute_who_accepted_can_withdraw() -> None:
    assert next_answer("accepted", accept=False) is Answer.DECLINED


@pytest.mark.parametrize(
    ("current", "accept"),
    [("accepted", True), ("declined", False), ("declined", True), ("not_summoned", True)],
)
def test_answering_twice_or_without_a_summons_is_refused(current: str, accept: bool) -> None:
    with pytest.raises(AnswerRefused) as refused:
        next_answer(current, accept=accept)
    assert refused.value.current == current


@given(st.sampled_from(list(Answer)), st.booleans(), st.booleans())
def test_the_same_answer_never_applies_twice(current: Answer, first: bool, again: bool) -> None:
    try:
        after = next_answer(current, accept=first)
    except AnswerRefused:
        return
    if again == first:
        with pytest.raises(AnswerRefused):
            next_answer(after, accept=again)


def test_only_an_accepted_summons_makes_the_substitute_stand_in() -> None:
    assert stands_in("accepted")
    assert not any(stands_in(a) for a in ("pending", "declined", "not_summoned"))
    assert substitute_is_summoned("pending") and substitute_is_summoned("accepted")
    assert not substitute_is_summoned("declined")


def test_the_chair_leads_unless_absent_then_the_vice_chair() -> None:
    assert acting_chair("gorm", "ole", absent=set()) == "gorm"
    assert acting_chair("gorm", "ole", absent={"gorm"}) == "ole"
    assert acting_chair("gorm", "ole", absent={"gorm", "ole"}) is None
    assert acting_chair(None, "ole", absent=set()) == "ole"


@given(st.sets(st.sampled_from(["c", "v", "x"])))
def test_the_acting_chair_is_never_someone_absent(absent: set[str]) -> None:
    leader = acting_chair("c", "v", absent)
    assert leader is None or leader not in absent


def _status(members: int, present: int) -> QuorumStatus:
    people = [f"m{i}" for i in range(members)]
    return quorum_status(AttendancePicture.of(people, people[:present]))


def test_quorum_is_lost_only_when_going_from_quorate_to_not() -> None:
    eleven, ten = _status(22, 11), _status(22, 10)
    assert quorum_lost(eleven, ten)
    assert not quorum_lost(ten, eleven)
    assert not quorum_lost(ten, ten)
    assert not quorum_lost(eleven, eleven)


@given(st.integers(1, 40), st.data())
def test_quorum_lost_agrees_with_the_counts(members: int, data: st.DataObject) -> None:
    before = data.draw(st.integers(0, members))
    after = data.draw(st.integers(0, members))
    lost = quorum_lost(_status(members, before), _status(members, after))
    required = (members + 1) // 2
    assert lost == (before >= required > after)


def test_an_answer_is_overdue_from_48_hours_before_until_the_meeting_starts() -> None:
    assert not is_answer_overdue(MEETING - timedelta(hours=48, seconds=1), MEETING)
    assert is_answer_overdue(MEETING - timedelta(hours=48), MEETING)
    assert is_answer_overdue(MEETING - timedelta(minutes=1), MEETING)
    assert not is_answer_overdue(MEETING, MEETING)


DEADLINE = MEETING - timedelta(hours=48)  # R-S7 default
EARLY = MEETING - timedelta(days=10)  # a summons well ahead


def test_an_unanswered_summons_is_repeated_a_day_before_the_answer_deadline() -> None:
    assert not is_summons_reminder_due(DEADLINE - timedelta(hours=24, seconds=1), MEETING, EARLY)
    assert is_summons_reminder_due(DEADLINE - timedelta(hours=24), MEETING, EARLY)
    assert is_summons_reminder_due(DEADLINE - timedelta(seconds=1), MEETING, EARLY)
    assert not is_summons_reminder_due(DEADLINE, MEETING, EARLY), "then it is overdue instead"


def test_a_summons_sent_inside_the_reminder_window_is_not_repeated() -> None:
    late_summons = DEADLINE - timedelta(hours=5)
    assert not is_summons_reminder_due(DEADLINE - timedelta(hours=1), MEETING, late_summons)


@given(
    summoned=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    now=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
)
def test_a_reminder_is_due_only_between_its_moment_and_the_deadline(
    summoned: timedelta, now: timedelta
) -> None:
    summoned_at, at = MEETING - summoned, MEETING - now
    if is_summons_reminder_due(at, MEETING, summoned_at):
        assert summoned_at < at < DEADLINE
        assert DEADLINE - at <= timedelta(hours=24)
        assert not is_answer_overdue(at, MEETING)


def test_the_answer_deadline_is_a_setting() -> None:
    assert is_answer_overdue(MEETING - timedelta(hours=20), MEETING, hours=24)
    assert not is_answer_overdue(MEETING - timedelta(hours=20), MEETING, hours=12)


def test_a_naive_now_is_refused() -> None:
    with pytest.raises(NaiveDatetime):
        is_answer_overdue(datetime(2027, 3, 9), MEETING)


def test_a_meeting_is_opened_on_its_own_day_in_the_councils_zone() -> None:
    day_before_late = datetime(2027, 3, 9, 22, 59, tzinfo=UTC)  # 23:59 in Copenhagen
    same_day_early = datetime(2027, 3, 9, 23, 0, tzinfo=UTC)  # 00:00 in Copenhagen
    assert not may_open(day_before_late, MEETING, CPH)
    assert may_open(same_day_early, MEETING, CPH)
    assert may_open(MEETING + timedelta(days=1), MEETING, CPH)


def test_a_long_absence_covers_meetings_from_its_first_day_until_the_return() -> None:
    start, back = date(2027, 1, 1), date(2027, 5, 1)
    assert covers(start, back, date(2027, 1, 1))
    assert covers(start, back, date(2027, 4, 30))
    assert not covers(start, back, date(2027, 5, 1))
    assert not covers(start, back, date(2026, 12, 31))


def test_a_long_absence_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ProcedureError, match="before the absence starts"):
        covers(date(2027, 5, 1), date(2027, 1, 1), date(2027, 3, 1))


@given(st.dates(), st.integers(0, 400), st.integers(-10, 410))
def test_covers_is_the_half_open_period(start: date, length: int, offset: int) -> None:
    try:
        back, day = start + timedelta(days=length), start + timedelta(days=offset)
    except OverflowError:
        return
    assert covers(start, back, day) == (0 <= offset < length)


# R-S7 (issue 11): a summons sent late gets a window to answer, never a time already past.


def test_a_summons_in_good_time_is_answered_by_the_regular_deadline() -> None:
    summoned = MEETING - timedelta(days=5)
    assert summons_answer_deadline(MEETING, summoned, 48, 6) == MEETING - timedelta(hours=48)


def test_a_late_summons_gets_the_late_window_but_never_past_the_start() -> None:
    summoned = MEETING - timedelta(hours=10)
    assert summons_answer_deadline(MEETING, summoned, 48, 6) == MEETING - timedelta(hours=4)
    very_late = MEETING - timedelta(hours=2)
    assert summons_answer_deadline(MEETING, very_late, 48, 6) == MEETING
    assert not is_answer_overdue(summoned + timedelta(minutes=1), MEETING, 48, summoned, 6)
    assert is_answer_overdue(summoned + timedelta(hours=6), MEETING, 48, summoned, 6)


@given(
    before=st.integers(min_value=0, max_value=24 * 20 * 60),
    hours=st.integers(min_value=0, max_value=24 * 7),
    late=st.integers(min_value=1, max_value=48),
)
def test_the_answer_deadline_is_never_before_the_summons_window_nor_after_the_start(
    before: int, hours: int, late: int
) -> None:
    summoned = MEETING - timedelta(minutes=before)
    deadline = summons_answer_deadline(MEETING, summoned, hours, late)
    assert deadline <= max(MEETING - timedelta(hours=hours), MEETING)
    assert deadline >= min(summoned + timedelta(hours=late), MEETING)
    assert deadline >= MEETING - timedelta(hours=hours)
