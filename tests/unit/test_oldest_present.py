"""R-P3: the oldest member present, and birth dates written the Danish way."""

from __future__ import annotations

from datetime import date

import pytest

from procedure.attendance import oldest_present
from procedure.danish_dates import DateInputError, parse_birth_date


def test_the_earliest_birth_date_is_the_oldest() -> None:
    assert oldest_present({1: date(1960, 1, 1), 2: date(1951, 9, 30)}) == (2, [])


def test_an_unknown_birth_date_names_nobody_and_says_whose() -> None:
    assert oldest_present({1: date(1960, 1, 1), 2: None}) == (None, [2])


def test_nobody_present_or_a_tie_names_nobody() -> None:
    assert oldest_present({}) == (None, [])
    assert oldest_present({1: date(1960, 1, 1), 2: date(1960, 1, 1)}) == (None, [])


@pytest.mark.parametrize(
    "written", ["1.2.1961", "01-02-1961", "1/2-1961", "1. februar 1961", "1961-02-01"]
)
def test_birth_dates_are_read_in_the_danish_forms(written: str) -> None:
    assert parse_birth_date(written) == date(1961, 2, 1)


def test_a_birth_date_in_the_future_or_before_1900_is_no_birth_date() -> None:
    with pytest.raises(DateInputError):
        parse_birth_date("1.1.2030", today=date(2026, 12, 3))
    with pytest.raises(DateInputError):
        parse_birth_date("1.1.1899")
