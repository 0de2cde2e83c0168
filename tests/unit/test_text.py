"""Text from outside is cleaned and bounded before it is stored; dates are kept in range (issue 16)."""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import given
from hypothesis import strategies as st

from services.text import LAST_DAY, clean_optional, clean_text, in_range


def test_nul_and_other_control_characters_are_removed_but_lines_and_tabs_stay() -> None:
    assert clean_text("Bus\x00plan\x07 2027\r\n\tpunkt\x1b[31m\x85") == "Busplan 2027\n\tpunkt[31m"


def test_a_lone_surrogate_is_removed() -> None:
    assert clean_text("a\ud800b") == "ab"


def test_text_is_bounded_and_an_empty_optional_is_missing() -> None:
    assert clean_text("x" * 5000, 200) == "x" * 200
    assert clean_optional(" \x00 ") is None and clean_optional(None) is None


def test_a_text_cut_at_a_line_break_does_not_end_in_it() -> None:
    assert clean_text("0\n0", 2) == "0"


def test_dates_far_off_are_out_of_range() -> None:
    assert in_range(date(2027, 2, 1)) and in_range(datetime(2026, 12, 8, 10, 0))
    assert not in_range(date(9999, 12, 31)) and not in_range(date(1, 1, 1))
    assert in_range(LAST_DAY)


@given(st.text(), st.integers(min_value=1, max_value=500))
def test_cleaned_text_is_storable_everywhere_and_bounded(text: str, limit: int) -> None:
    cleaned = clean_text(text, limit)
    assert len(cleaned) <= limit and "\x00" not in cleaned
    cleaned.encode("utf-8")  # PostgreSQL stores UTF-8: no lone surrogates
    assert all(c in "\n\t" or not (ord(c) < 32 or 127 <= ord(c) < 160) for c in cleaned)
    assert clean_text(cleaned, limit) == cleaned
