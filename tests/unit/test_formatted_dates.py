"""Dates formatted once and remembered (issue 15) read exactly as Babel writes them."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from templates.i18n import format_clock, format_day, format_when


def test_the_same_instant_in_two_zones_is_told_in_each_zone_s_own_time() -> None:
    utc = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
    copenhagen = utc.astimezone(ZoneInfo("Europe/Copenhagen"))
    assert utc == copenhagen  # equal instants: a cache keyed on the value alone would mix them
    assert format_when(utc, "da") == "onsdag den 10. marts 2027 kl. 09.00"
    assert format_when(copenhagen, "da") == "onsdag den 10. marts 2027 kl. 10.00"
    assert format_clock(copenhagen, "en") == "at 10:00"
    assert format_when(copenhagen, "da") == "onsdag den 10. marts 2027 kl. 10.00"  # remembered


def test_a_date_given_as_text_reads_as_the_date() -> None:
    moment = datetime(2027, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Copenhagen"))
    assert format_day(moment.isoformat(), "da") == format_day(moment, "da")
    assert format_day(moment, "en") == "Wednesday 10 March 2027"
