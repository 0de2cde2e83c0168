"""Text from outside made safe to store (issue 16): no NUL or other control characters (PostgreSQL
refuses U+0000 in text; the others only garble what people read), no lone surrogates (not UTF-8),
and never longer than the column that keeps it."""

from __future__ import annotations

import re
from datetime import date, datetime

# C0 controls but tab and line feed, DEL, C1 controls, lone UTF-16 surrogates; a CR is dropped
# (Telegram sends "\n"; "\r\n" pasted from elsewhere becomes "\n").
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
LONGEST_TEXT = 4000  # no free text a person types is longer (a Telegram message is 4096)

# Dates a person may type: a council's affairs lie in these years; beyond them date arithmetic
# (a deadline a year on, a leave of months) would leave what Python or the database can hold.
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2199, 12, 31)


def clean_text(text: str, limit: int = LONGEST_TEXT) -> str:
    """`text` without control characters, trimmed, at most `limit` characters (trimmed again
    after the cut, so that cleaning a cleaned text changes nothing)."""
    return _UNSAFE.sub("", text).strip()[:limit].rstrip()


def clean_optional(text: str | None, limit: int = LONGEST_TEXT) -> str | None:
    """`clean_text` for a value that may be missing; an empty result is missing too."""
    if text is None:
        return None
    return clean_text(text, limit) or None


def in_range(day: date | datetime) -> bool:
    """True for a day within FIRST_DAY … LAST_DAY (31.12.9999 is not)."""
    plain = day.date() if isinstance(day, datetime) else day
    return FIRST_DAY <= plain <= LAST_DAY
