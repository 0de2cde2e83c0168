"""Reminders name the real day (issue 17): today, tomorrow, or the weekday and date."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from templates.i18n import format_relative, format_when

CPH = ZoneInfo("Europe/Copenhagen")
MEETING = datetime(2026, 12, 17, 15, 0, tzinfo=CPH)


def test_a_meeting_later_the_same_day_is_today() -> None:
    reference = datetime(2026, 12, 17, 7, 0, tzinfo=UTC)
    assert format_relative(MEETING, reference, "da") == "i dag kl. 15.00"
    assert format_relative(MEETING, reference, "en") == "today at 15:00"


def test_a_meeting_the_next_day_is_tomorrow_even_late_in_the_evening() -> None:
    reference = datetime(2026, 12, 16, 22, 30, tzinfo=UTC)  # 23:30 in Copenhagen
    assert format_relative(MEETING, reference, "da") == "i morgen kl. 15.00"


def test_a_meeting_further_away_is_named_by_weekday_and_date() -> None:
    reference = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    assert format_relative(MEETING, reference, "da") == "torsdag den 17. december kl. 15.00"


def test_danish_times_are_written_with_a_dot() -> None:
    assert format_when(MEETING, "da").endswith("kl. 15.00")
