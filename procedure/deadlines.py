"""Deadlines of the rules of procedure (R-D1, R-D2, R-D4, R-S7, R-K1, R-K2).

Every deadline is computed in the council's time zone from the meeting date, so daylight-saving
changes never move it: a day-based deadline is a wall-clock moment (23:59:59 local), converted to an
instant only at the end. Nothing here reads the clock; "now" is always an argument.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

from procedure.errors import InvalidCount, NaiveDatetime

END_OF_DAY = time(23, 59, 59)
PROPOSAL_DAYS = 10  # R-D1
DISTRIBUTION_DAYS = 7  # R-D2: the same weekday in the week before
AUTO_DISTRIBUTION_AT = time(9, 0)  # R-D2 default setting
SUBSTITUTE_ANSWER_HOURS = 48  # R-S7 default setting
ALLIANCE_NOTICE_WORKING_DAYS = 3  # R-K2
# R-K2 interpretation: days that are not public holidays but on which offices are closed.
DEFAULT_CLOSED_DAYS: frozenset[tuple[int, int]] = frozenset({(6, 5), (12, 24), (12, 31)})


def local_moment(day: date, at: time, tz: tzinfo) -> datetime:
    """R-D4: the instant at wall-clock `at` on `day` in `tz` (a time skipped by DST moves on)."""
    naive_local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)
    # A round trip through UTC turns a wall-clock time that does not exist (the spring-forward gap)
    # into the instant it would have been, e.g. 02:30 becomes 03:30 summer time.
    return naive_local.astimezone(UTC).astimezone(tz)


def proposal_deadline(meeting_date: date, tz: ZoneInfo, days: int = PROPOSAL_DAYS) -> datetime:
    """R-D1: the last moment a proposal is on time: 23:59:59 local, `days` before the meeting."""
    _require_non_negative(days, "proposal deadline days")
    return local_moment(meeting_date - timedelta(days=days), END_OF_DAY, tz)


def is_proposal_on_time(
    submitted_at: datetime, meeting_date: date, tz: ZoneInfo, days: int = PROPOSAL_DAYS
) -> bool:
    """R-D1: whether a proposal submitted at an aware moment (any zone) is on time."""
    _require_aware(submitted_at, "submitted_at")
    return submitted_at <= proposal_deadline(meeting_date, tz, days)


def distribution_deadline(meeting_date: date, tz: ZoneInfo) -> datetime:
    """R-D2: the last moment the agenda may go out (23:59:59 local, same weekday a week before)."""
    return local_moment(meeting_date - timedelta(days=DISTRIBUTION_DAYS), END_OF_DAY, tz)


def is_distribution_on_time(sent_at: datetime, meeting_date: date, tz: ZoneInfo) -> bool:
    """R-D2/R-D3: whether an agenda sent at an aware moment met the distribution deadline."""
    _require_aware(sent_at, "sent_at")
    return sent_at <= distribution_deadline(meeting_date, tz)


def auto_distribution_moment(
    meeting_date: date, tz: ZoneInfo, at: time = AUTO_DISTRIBUTION_AT
) -> datetime:
    """R-D2: when an approved, unsent agenda goes out by itself (`at` on the deadline day)."""
    return local_moment(meeting_date - timedelta(days=DISTRIBUTION_DAYS), at, tz)


def is_auto_distribution_due(
    now: datetime,
    meeting_date: date,
    tz: ZoneInfo,
    *,
    approved_at: datetime | None,
    already_sent: bool,
    at: time = AUTO_DISTRIBUTION_AT,
) -> bool:
    """R-D2/R-D3: whether the sweep at `now` must distribute the agenda of an ordinary meeting."""
    _require_aware(now, "now")
    if approved_at is None or already_sent:
        return False
    # An agenda approved only after the deadline is an exception the chair must explain (R-D3):
    # it goes out by /distribute with the reason, never by itself.
    _require_aware(approved_at, "approved_at")
    if not is_distribution_on_time(approved_at, meeting_date, tz):
        return False
    # Due from the set time on: a sweep that missed the moment still distributes, late, until the
    # meeting day begins; after that an agenda sent by itself would reach people too late to use.
    meeting_day_begins = local_moment(meeting_date, time(0), tz)
    return auto_distribution_moment(meeting_date, tz, at) <= now < meeting_day_begins


def reminder_moments(
    deadline: datetime, offsets_days: Iterable[int], at: time, tz: tzinfo | None = None
) -> list[datetime]:
    """R-D4: the moments, `at` local time `offset` days before the deadline's day, to remind people.

    Moments not strictly before the deadline are dropped; the result is sorted and has no repeats.
    """
    _require_aware(deadline, "deadline")
    # Without `tz`, "the deadline's day" is read in the deadline's own zone.
    zone = tz or deadline.tzinfo
    assert zone is not None  # checked by _require_aware
    deadline_day = deadline.astimezone(zone).date()
    moments = set()
    for offset in offsets_days:
        _require_non_negative(offset, "reminder offset")
        moment = local_moment(deadline_day - timedelta(days=offset), at, zone)
        if moment < deadline:
            moments.add(moment)
    return sorted(moments)


def substitute_answer_deadline(
    meeting_start: datetime, hours: int = SUBSTITUTE_ANSWER_HOURS
) -> datetime:
    """R-S7: the moment by which a summoned substitute must answer (elapsed hours, DST-proof)."""
    _require_aware(meeting_start, "meeting_start")
    _require_non_negative(hours, "answer deadline hours")
    # Elapsed hours, not wall-clock: computed in UTC, returned in the meeting's own zone.
    return (meeting_start.astimezone(UTC) - timedelta(hours=hours)).astimezone(meeting_start.tzinfo)


def is_working_day(
    day: date, closed_days: Collection[tuple[int, int]] = DEFAULT_CLOSED_DAYS
) -> bool:
    """R-K2: Monday–Friday, not a Danish public holiday, not a closed (month, day) like 5 June."""
    if day.weekday() >= 5:
        return False
    if (day.month, day.day) in closed_days:
        return False
    return day not in _danish_holidays(day.year)


def working_days_before(
    day: date, n: int, closed_days: Collection[tuple[int, int]] = DEFAULT_CLOSED_DAYS
) -> date:
    """R-K2: the working day `n` working days before `day` (`day` itself need not be one)."""
    _require_non_negative(n, "working days")
    current = day
    for _ in range(n):
        current -= timedelta(days=1)
        while not is_working_day(current, closed_days):
            current -= timedelta(days=1)
    return current


def alliance_notice_deadline(
    constituent_meeting: date, closed_days: Collection[tuple[int, int]] = DEFAULT_CLOSED_DAYS
) -> date:
    """R-K2: the last day alliances can be notified (three working days before the meeting)."""
    return working_days_before(constituent_meeting, ALLIANCE_NOTICE_WORKING_DAYS, closed_days)


def constituent_meeting_deadline(election_day: date) -> date:
    """R-K1: the constituent meeting is held no later than 31 January after the election year."""
    return date(election_day.year + 1, 1, 31)


def danish_holiday(day: date) -> str | None:
    """R-M1/R-K2: the name of the Danish public holiday on `day`, or None."""
    # Imported when asked (issue 15): the package loads every country's calendar, some 17 MB, and
    # only the annual plan and the constituent meeting's working days need it, not the bot's day.
    import holidays

    return holidays.country_holidays("DK", years=day.year).get(day)


@lru_cache(maxsize=64)
def _danish_holidays(year: int) -> frozenset[date]:
    # The holidays package knows the calendar, including Store Bededag only until 2023.
    import holidays  # when asked, as above

    return frozenset(holidays.country_holidays("DK", years=year).keys())


def _require_aware(moment: datetime, name: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"{name} must be timezone-aware, got naive {moment.isoformat()}")


def _require_non_negative(value: int, name: str) -> None:
    if value < 0:
        raise InvalidCount(f"{name} must be zero or more, got {value}")


def latest_due(moments: Iterable[datetime], now: datetime) -> datetime | None:
    """R-D4: the latest reminder moment that has come by `now` (None if none has).

    A sweep that was down through several moments reminds once, for the latest: two reminders of
    the same deadline at once would say nothing more than one.
    """
    _require_aware(now, "now")
    due = [moment for moment in moments if moment <= now]
    return max(due) if due else None
