"""Dates and times as people write them in a Danish chat: `10.3.2027`, `10/3-2027`,
`10. marts 2027`, `2027-03-10`; times `10`, `10.00`, `10:00`, `kl. 10.00`.

Pure: no clock, no time zone. A date that cannot exist says what is wrong (`2027-02-30`: February
2027 has 28 days), so the person can correct it rather than guess from a usage line.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time

MONTHS = {
    "januar": 1, "jan": 1, "january": 1,
    "februar": 2, "feb": 2, "february": 2,
    "marts": 3, "mar": 3, "march": 3,
    "april": 4, "apr": 4,
    "maj": 5, "may": 5,
    "juni": 6, "jun": 6, "june": 6,
    "juli": 7, "jul": 7, "july": 7,
    "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9,
    "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}  # fmt: skip

_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_NUMERIC = re.compile(r"(\d{1,2})\s*[./-]\s*(\d{1,2})\s*[./-]\s*(\d{4})")
_WORDS = re.compile(r"(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})")
_TIME = re.compile(r"(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?")
_TIME_AT_END = re.compile(r"(?:^|\s)((?:kl\.?\s*)?\d{1,2}(?:[.:]\d{2})?)$")


class DateInputError(ValueError):
    """Input that is not a date or time; `code` and `params` say what is wrong (for the person)."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


# A council's affairs lie in these years (services.text.FIRST_DAY … LAST_DAY say the same).
FIRST_YEAR, LAST_YEAR = 2000, 2199


def parse_date(text: str) -> date:
    """R-M1, R-S4: a date in one of the accepted forms; DateInputError says what is wrong."""
    return _parse_date(text, FIRST_YEAR, LAST_YEAR)


# People on a council were born in the last century or this one.
FIRST_BIRTH_YEAR = 1900


def parse_birth_date(text: str, *, today: date | None = None) -> date:
    """R-P3: a birth date (the members file's `foedselsdato`) in the same Danish forms, from 1900
    (and not after `today` when given); DateInputError says what is wrong."""
    born = _parse_date(text, FIRST_BIRTH_YEAR, today.year if today else LAST_YEAR)
    if today is not None and born > today:
        raise DateInputError("not_a_date", text=text.strip())
    return born


def _parse_date(text: str, first_year: int, last_year: int) -> date:
    written = " ".join(text.strip().lower().split())
    parts = _date_parts(written)
    if parts is None:
        raise DateInputError("not_a_date", text=text.strip())
    year, month, day = parts
    if not 1 <= month <= 12:
        raise DateInputError("no_such_month", text=text.strip(), month=month)
    if not first_year <= year <= last_year:  # 31.12.9999 is no meeting or leave (issue 16)
        raise DateInputError("not_a_date", text=text.strip())
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateInputError("no_such_day", text=text.strip(), month=month, year=year, days=days)
    return date(year, month, day)


def _date_parts(written: str) -> tuple[int, int, int] | None:
    if found := _ISO.fullmatch(written):
        return int(found[1]), int(found[2]), int(found[3])
    if found := _NUMERIC.fullmatch(written):
        return int(found[3]), int(found[2]), int(found[1])
    if (found := _WORDS.fullmatch(written)) and found[2] in MONTHS:
        return int(found[3]), MONTHS[found[2]], int(found[1])
    return None


def parse_time(text: str) -> time:
    """R-M1: a time of day (`10`, `10.00`, `10:00`, `kl. 10.00`); DateInputError if not."""
    written = " ".join(text.strip().lower().split())
    found = _TIME.fullmatch(written)
    if found is None:
        raise DateInputError("not_a_time", text=text.strip())
    hour, minute = int(found[1]), int(found[2] or 0)
    if hour > 23 or minute > 59:
        raise DateInputError("no_such_time", text=text.strip())
    return time(hour, minute)


def parse_moment(text: str) -> datetime:
    """R-M1, R-M2: a date then a time (`10.3.2027 kl. 10.00`) as a naive local datetime."""
    written = " ".join(text.strip().split())
    found = _TIME_AT_END.search(written.lower())
    if found is None or not written[: found.start(1)].strip():
        parse_date(written)  # says what is wrong with the date, if that is it
        raise DateInputError("time_missing", text=text.strip())
    day = parse_date(written[: found.start(1)])
    return datetime.combine(day, parse_time(found[1]))


def leading_date(text: str) -> tuple[date, str]:
    """R-S4: the date a text begins with (`1.2.2027`, `10. marts 2027`) and the rest."""
    words = text.split()
    error: DateInputError | None = None
    for count in (1, 3):
        if len(words) < count:
            break
        try:
            return parse_date(" ".join(words[:count])), " ".join(words[count:])
        except DateInputError as refused:
            error = error or refused
    raise error or DateInputError("not_a_date", text=text.strip())
