"""R-D1, R-D2, R-D4, R-S7, R-K1, R-K2: deadlines in the council's zone, right across DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedure.deadlines import (
    alliance_notice_deadline,
    auto_distribution_moment,
    constituent_meeting_deadline,
    distribution_deadline,
    is_auto_distribution_due,
    is_distribution_on_time,
    is_proposal_on_time,
    is_working_day,
    local_moment,
    proposal_deadline,
    reminder_moments,
    substitute_answer_deadline,
    working_days_before,
)
from procedure.errors import InvalidCount, NaiveDatetime, ProcedureError

CPH = ZoneInfo("Europe/Copenhagen")
ZONES = [CPH, ZoneInfo("America/New_York"), ZoneInfo("Australia/Sydney"), ZoneInfo("UTC")]
meeting_dates = st.dates(min_value=date(2000, 1, 1), max_value=date(2040, 12, 31))
zones = st.sampled_from(ZONES)


def cph(*args: int) -> datetime:
    return datetime(*args, tzinfo=CPH)  # type: ignore[misc]


# R-D1: the proposal deadline


def test_the_proposal_deadline_is_235959_local_ten_calendar_days_before_the_meeting() -> None:
    assert proposal_deadline(date(2026, 3, 26), CPH) == cph(2026, 3, 16, 23, 59, 59)


def test_a_proposal_at_235959_on_the_deadline_day_is_on_time() -> None:
    assert is_proposal_on_time(cph(2026, 3, 16, 23, 59, 59), date(2026, 3, 26), CPH)


def test_a_proposal_at_midnight_after_the_deadline_day_is_late() -> None:
    assert not is_proposal_on_time(cph(2026, 3, 17, 0, 0, 0), date(2026, 3, 26), CPH)


def test_a_proposal_half_a_second_after_235959_is_late() -> None:
    late = cph(2026, 3, 16, 23, 59, 59) + timedelta(microseconds=500_000)
    assert not is_proposal_on_time(late, date(2026, 3, 26), CPH)


def test_a_proposal_stamped_in_utc_is_judged_by_the_councils_clock_in_winter() -> None:
    meeting = date(2026, 3, 26)  # deadline 16 March, CET = UTC+1
    assert is_proposal_on_time(datetime(2026, 3, 16, 22, 59, 59, tzinfo=UTC), meeting, CPH)
    assert not is_proposal_on_time(datetime(2026, 3, 16, 23, 0, 0, tzinfo=UTC), meeting, CPH)


def test_a_proposal_stamped_in_utc_is_judged_by_the_councils_clock_in_summer() -> None:
    meeting = date(2026, 6, 18)  # deadline 8 June, CEST = UTC+2
    assert is_proposal_on_time(datetime(2026, 6, 8, 21, 59, 59, tzinfo=UTC), meeting, CPH)
    assert not is_proposal_on_time(datetime(2026, 6, 8, 22, 0, 0, tzinfo=UTC), meeting, CPH)


def test_a_deadline_in_winter_time_for_a_meeting_in_summer_time_keeps_its_local_hour() -> None:
    # Summer time begins on the last Sunday of March: 29 March 2026.
    deadline = proposal_deadline(date(2026, 4, 2), CPH)
    assert deadline == cph(2026, 3, 23, 23, 59, 59)
    assert deadline.utcoffset() == timedelta(hours=1)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 23, 22, 59, 59, tzinfo=UTC)


def test_a_deadline_in_summer_time_for_a_meeting_in_winter_time_keeps_its_local_hour() -> None:
    # Winter time begins on the last Sunday of October: 25 October 2026.
    deadline = proposal_deadline(date(2026, 10, 29), CPH)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 19, 21, 59, 59, tzinfo=UTC)


def test_a_deadline_on_the_day_of_the_autumn_change_is_235959_winter_time() -> None:
    deadline = distribution_deadline(date(2026, 11, 1), CPH)
    assert deadline.astimezone(UTC) == datetime(2026, 10, 25, 22, 59, 59, tzinfo=UTC)


def test_the_number_of_proposal_days_is_a_setting() -> None:
    assert proposal_deadline(date(2026, 3, 26), CPH, days=14) == cph(2026, 3, 12, 23, 59, 59)


def test_a_negative_number_of_proposal_days_is_refused() -> None:
    with pytest.raises(InvalidCount, match="zero or more"):
        proposal_deadline(date(2026, 3, 26), CPH, days=-1)


def test_a_naive_submission_time_is_refused_because_its_zone_is_unknown() -> None:
    with pytest.raises(NaiveDatetime, match="timezone-aware"):
        is_proposal_on_time(datetime(2026, 3, 16, 12, 0), date(2026, 3, 26), CPH)


def test_deadline_errors_are_procedure_errors_and_value_errors() -> None:
    assert issubclass(NaiveDatetime, ProcedureError)
    assert issubclass(ProcedureError, ValueError)


@settings(max_examples=150)
@given(meeting=meeting_dates, tz=zones, days=st.integers(0, 30))
def test_the_proposal_deadline_is_the_last_second_of_its_local_day(
    meeting: date, tz: ZoneInfo, days: int
) -> None:
    deadline = proposal_deadline(meeting, tz, days)
    local = deadline.astimezone(tz)
    assert (local.date(), local.time()) == (meeting - timedelta(days=days), time(23, 59, 59))
    next_second = (deadline.astimezone(UTC) + timedelta(seconds=1)).astimezone(tz)
    assert next_second.date() == meeting - timedelta(days=days - 1)
    assert not is_proposal_on_time(next_second, meeting, tz, days)
    assert is_proposal_on_time(deadline, meeting, tz, days)


@settings(max_examples=200)
@given(
    meeting=st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31)),
    offset_seconds=st.integers(-3 * 86400, 3 * 86400),
    tz=zones,
)
def test_a_proposal_is_on_time_exactly_when_submitted_on_or_before_the_deadline_day(
    meeting: date, offset_seconds: int, tz: ZoneInfo
) -> None:
    last_day = meeting - timedelta(days=10)
    noon_utc = datetime.combine(last_day, time(12), tzinfo=UTC)
    submitted = noon_utc + timedelta(seconds=offset_seconds)
    on_or_before = submitted.astimezone(tz).date() <= last_day
    assert is_proposal_on_time(submitted, meeting, tz) == on_or_before


# R-D2: distribution


def test_the_agenda_must_go_out_by_235959_on_the_same_weekday_the_week_before() -> None:
    deadline = distribution_deadline(date(2026, 12, 3), CPH)  # a Thursday
    assert deadline == cph(2026, 11, 26, 23, 59, 59)
    assert deadline.weekday() == date(2026, 12, 3).weekday()


def test_an_agenda_sent_the_morning_after_the_distribution_deadline_is_late() -> None:
    meeting = date(2026, 12, 3)
    assert is_distribution_on_time(cph(2026, 11, 26, 9, 0), meeting, CPH)
    assert not is_distribution_on_time(cph(2026, 11, 27, 9, 0), meeting, CPH)


@settings(max_examples=100)
@given(meeting=meeting_dates, tz=zones)
def test_the_distribution_deadline_is_always_the_same_weekday_seven_days_earlier(
    meeting: date, tz: ZoneInfo
) -> None:
    local = distribution_deadline(meeting, tz).astimezone(tz)
    assert local.date() == meeting - timedelta(days=7)
    assert local.time() == time(23, 59, 59)


def test_an_approved_unsent_agenda_is_distributed_automatically_from_0900_on_the_deadline_day() -> (
    None
):
    meeting = date(2026, 12, 3)
    assert auto_distribution_moment(meeting, CPH) == cph(2026, 11, 26, 9, 0)
    due = {"approved_at": cph(2026, 11, 20, 12, 0), "already_sent": False}
    assert not is_auto_distribution_due(cph(2026, 11, 26, 8, 59, 59), meeting, CPH, **due)
    assert is_auto_distribution_due(cph(2026, 11, 26, 9, 0), meeting, CPH, **due)


APPROVED_IN_TIME = cph(2026, 11, 20, 12, 0)  # for the meeting of 3 December 2026


def test_a_sweep_that_missed_the_moment_still_distributes_late() -> None:
    assert is_auto_distribution_due(
        cph(2026, 11, 28, 12, 0),
        date(2026, 12, 3),
        CPH,
        approved_at=APPROVED_IN_TIME,
        already_sent=False,
    )


def test_an_agenda_is_not_sent_by_itself_once_the_meeting_day_has_begun() -> None:
    assert not is_auto_distribution_due(
        cph(2026, 12, 3, 0, 0),
        date(2026, 12, 3),
        CPH,
        approved_at=APPROVED_IN_TIME,
        already_sent=False,
    )


def test_an_unapproved_or_already_sent_agenda_is_never_distributed_automatically() -> None:
    now, meeting = cph(2026, 11, 26, 10, 0), date(2026, 12, 3)
    assert not is_auto_distribution_due(now, meeting, CPH, approved_at=None, already_sent=False)
    assert not is_auto_distribution_due(
        now, meeting, CPH, approved_at=APPROVED_IN_TIME, already_sent=True
    )


def test_an_agenda_approved_after_the_deadline_waits_for_the_chairs_reason() -> None:
    meeting, now = date(2026, 12, 3), cph(2026, 11, 28, 12, 0)
    last_moment, too_late = cph(2026, 11, 26, 23, 59, 59), cph(2026, 11, 27, 0, 0)
    assert is_auto_distribution_due(now, meeting, CPH, approved_at=last_moment, already_sent=False)
    assert not is_auto_distribution_due(  # R-D3: /distribute asks for the reason
        now, meeting, CPH, approved_at=too_late, already_sent=False
    )


@given(meeting=meeting_dates, zone=zones, hours=st.integers(min_value=0, max_value=24 * 9))
def test_an_agenda_goes_out_by_itself_only_if_approved_by_the_distribution_deadline(
    meeting: date, zone: ZoneInfo, hours: int
) -> None:
    deadline = distribution_deadline(meeting, zone)
    approved_at = deadline - timedelta(days=3) + timedelta(hours=hours)
    sweep_at = max(approved_at, auto_distribution_moment(meeting, zone))
    due = is_auto_distribution_due(
        sweep_at, meeting, zone, approved_at=approved_at, already_sent=False
    )
    assert due == (approved_at <= deadline)


def test_the_automatic_distribution_time_is_a_setting() -> None:
    moment = auto_distribution_moment(date(2026, 12, 3), CPH, at=time(14, 30))
    assert moment == cph(2026, 11, 26, 14, 30)


# R-D4: reminders


def test_reminders_fall_at_the_set_hour_the_given_days_before_the_deadline() -> None:
    deadline = proposal_deadline(date(2026, 3, 26), CPH)
    moments = reminder_moments(deadline, [3, 1, 0], time(9, 0))
    assert moments == [cph(2026, 3, 13, 9), cph(2026, 3, 15, 9), cph(2026, 3, 16, 9)]


def test_a_reminder_across_the_spring_change_keeps_its_local_hour() -> None:
    deadline = proposal_deadline(date(2026, 4, 9), CPH)  # 30 March, summer time
    (moment,) = reminder_moments(deadline, [3], time(9, 0))
    assert moment == cph(2026, 3, 27, 9, 0)
    assert moment.utcoffset() == timedelta(hours=1)


def test_a_reminder_set_in_the_hour_skipped_in_spring_moves_to_the_real_instant() -> None:
    moment = local_moment(date(2026, 3, 29), time(2, 30), CPH)
    assert moment.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert moment.astimezone(CPH).hour == 3


def test_reminders_are_sorted_without_repeats() -> None:
    deadline = distribution_deadline(date(2026, 12, 3), CPH)
    assert reminder_moments(deadline, [1, 2, 1], time(9)) == [
        cph(2026, 11, 24, 9),
        cph(2026, 11, 25, 9),
    ]


def test_a_reminder_that_would_fall_after_the_deadline_is_dropped() -> None:
    meeting_start = cph(2026, 12, 3, 8, 0)
    assert reminder_moments(meeting_start, [0, 1], time(9, 0)) == [cph(2026, 12, 2, 9, 0)]


def test_a_negative_reminder_offset_is_refused() -> None:
    with pytest.raises(InvalidCount):
        reminder_moments(cph(2026, 12, 3, 8, 0), [-1], time(9))


def test_reminders_may_be_read_in_another_zone_than_the_deadline_is_stamped_in() -> None:
    deadline_utc = proposal_deadline(date(2026, 3, 26), CPH).astimezone(UTC)
    assert reminder_moments(deadline_utc, [1], time(9), tz=CPH) == [cph(2026, 3, 15, 9)]


@settings(max_examples=100)
@given(
    meeting=meeting_dates,
    offsets=st.lists(st.integers(0, 20), max_size=5),
    at=st.times(),
)
def test_every_reminder_is_before_its_deadline_at_the_set_local_time(
    meeting: date, offsets: list[int], at: time
) -> None:
    deadline = proposal_deadline(meeting, CPH)
    moments = reminder_moments(deadline, offsets, at)
    assert moments == sorted(set(moments))
    for moment in moments:
        assert moment < deadline
        # The only wall-clock time that cannot be kept is one skipped by the spring change.
        assert moment.astimezone(CPH).time() == at or moment.astimezone(CPH).hour == 3


# R-S7: the substitute's answer


def test_a_substitute_answers_48_elapsed_hours_before_the_meeting_even_across_dst() -> None:
    meeting_start = cph(2026, 3, 30, 10, 0)  # summer time began the day before yesterday
    assert substitute_answer_deadline(meeting_start) == cph(2026, 3, 28, 9, 0)


def test_the_substitute_answer_hours_are_a_setting() -> None:
    assert substitute_answer_deadline(cph(2026, 6, 10, 10), hours=24) == cph(2026, 6, 9, 10)


# R-K2: working days


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 6, 3), True),  # an ordinary Wednesday
        (date(2026, 6, 6), False),  # Saturday
        (date(2026, 6, 7), False),  # Sunday
        (date(2026, 6, 5), False),  # Constitution Day, a Friday
        (date(2026, 12, 24), False),  # Christmas Eve, a Thursday
        (date(2026, 12, 31), False),  # New Year's Eve, a Thursday
        (date(2026, 4, 2), False),  # Maundy Thursday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 14), False),  # Ascension Day
        (date(2026, 5, 25), False),  # Whit Monday
        (date(2023, 5, 5), False),  # Store Bededag, still a holiday in 2023
        (date(2024, 4, 26), True),  # the Friday that was Store Bededag, abolished from 2024
    ],
)
def test_working_days_are_weekdays_that_are_neither_holidays_nor_closed_days(
    day: date, working: bool
) -> None:
    assert is_working_day(day) is working


def test_the_closed_days_are_a_setting() -> None:
    assert is_working_day(date(2026, 6, 5), closed_days=())


def test_alliances_are_notified_three_working_days_before_the_constituent_meeting() -> None:
    assert alliance_notice_deadline(date(2026, 1, 15)) == date(2026, 1, 12)  # Thu -> Mon


def test_the_alliance_deadline_skips_new_years_day_and_new_years_eve() -> None:
    # Monday 5 January 2026: Fri 2 Jan (1), [1 Jan, 31 Dec closed], Tue 30 Dec (2), Mon 29 Dec (3).
    assert alliance_notice_deadline(date(2026, 1, 5)) == date(2025, 12, 29)


def test_the_alliance_deadline_skips_easter() -> None:
    # Wednesday 8 April 2026: Tue 7 (1), [Easter Monday, Good Friday, Maundy Thursday], Wed 1 (2),
    # Tue 31 March (3).
    assert alliance_notice_deadline(date(2026, 4, 8)) == date(2026, 3, 31)


def test_zero_working_days_before_a_day_is_that_day() -> None:
    assert working_days_before(date(2026, 6, 6), 0) == date(2026, 6, 6)


def test_a_negative_number_of_working_days_is_refused() -> None:
    with pytest.raises(InvalidCount):
        working_days_before(date(2026, 6, 6), -1)


@settings(max_examples=100)
@given(day=st.dates(date(2020, 1, 1), date(2035, 12, 31)), n=st.integers(1, 15))
def test_n_working_days_before_a_day_lands_on_a_working_day_n_working_days_back(
    day: date, n: int
) -> None:
    result = working_days_before(day, n)
    assert is_working_day(result)
    between = [result + timedelta(days=i) for i in range((day - result).days)]
    assert sum(is_working_day(d) for d in between) == n


# R-K1


def test_the_constituent_meeting_is_held_by_31_january_after_the_election() -> None:
    assert constituent_meeting_deadline(date(2025, 11, 18)) == date(2026, 1, 31)
