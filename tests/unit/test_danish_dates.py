"""Dates and times as people write them in a Danish chat (procedure/danish_dates.py, issue 17)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedure.danish_dates import (
    FIRST_YEAR,
    LAST_YEAR,
    DateInputError,
    leading_date,
    parse_date,
    parse_moment,
    parse_time,
)

DANISH_MONTHS = [
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
]  # fmt: skip
DAYS = st.dates(min_value=date(FIRST_YEAR, 1, 1), max_value=date(LAST_YEAR, 12, 31))
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0))


def written_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        f"{day.day}.{day.month}.{day.year}",
        f"{day.day:02}.{day.month:02}.{day.year}",
        f"{day.day}/{day.month}-{day.year}",
        f"{day.day}. {DANISH_MONTHS[day.month - 1]} {day.year}",
        f"{day.day} {DANISH_MONTHS[day.month - 1].capitalize()} {day.year}",
    ]


def time_forms(moment: time) -> list[str]:
    forms = [f"{moment.hour}.{moment.minute:02}", f"{moment.hour:02}:{moment.minute:02}"]
    forms.append(f"kl. {moment.hour}.{moment.minute:02}")
    if moment.minute == 0:
        forms += [str(moment.hour), f"kl. {moment.hour}"]
    return forms


@given(DAYS)
def test_every_way_of_writing_a_date_reads_back_the_same_day(day: date) -> None:
    assert {parse_date(form) for form in written_forms(day)} == {day}


@given(TIMES)
def test_every_way_of_writing_a_time_reads_back_the_same_time(moment: time) -> None:
    assert {parse_time(form) for form in time_forms(moment)} == {moment}


@given(DAYS, TIMES)
def test_a_date_and_a_time_read_as_one_moment(day: date, moment: time) -> None:
    for day_form in written_forms(day):
        for time_form in time_forms(moment):
            assert parse_moment(f"{day_form} {time_form}") == datetime.combine(day, moment)


@given(st.text(max_size=40))
def test_anything_else_is_refused_with_a_reason_never_a_crash(text: str) -> None:
    for parse in (parse_date, parse_time, parse_moment):
        try:
            parse(text)
        except DateInputError as error:
            assert error.code


def test_an_impossible_date_says_how_many_days_the_month_has() -> None:
    with pytest.raises(DateInputError) as raised:
        parse_date("2027-02-30")
    assert raised.value.code == "no_such_day"
    assert raised.value.params["days"] == 28
    assert raised.value.params["month"] == 2


def test_a_thirteenth_month_is_named_as_the_problem() -> None:
    with pytest.raises(DateInputError) as raised:
        parse_date("10.13.2027")
    assert raised.value.code == "no_such_month"


def test_a_moment_without_a_time_says_the_time_is_missing() -> None:
    with pytest.raises(DateInputError) as raised:
        parse_moment("10. marts 2027")
    assert raised.value.code == "time_missing"


def test_a_time_past_midnight_is_refused() -> None:
    with pytest.raises(DateInputError) as raised:
        parse_time("24.00")
    assert raised.value.code == "no_such_time"


@given(DAYS, st.sampled_from(["", "barsel", "sygdom i familien"]))
def test_a_date_at_the_start_of_a_text_is_read_with_the_rest(day: date, rest: str) -> None:
    for form in written_forms(day):
        assert leading_date(f"{form} {rest}".strip()) == (day, rest)


@pytest.mark.parametrize("text", ["31.12.9999", "1.1.1999", "1.1.2200"])
def test_a_date_outside_the_councils_years_is_not_a_date(text: str) -> None:
    with pytest.raises(DateInputError) as raised:
        parse_date(text)
    assert raised.value.code == "not_a_date"
