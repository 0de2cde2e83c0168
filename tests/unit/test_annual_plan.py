"""R-M1: the annual plan's warnings."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from procedure.annual_plan import plan_warnings
from procedure.deadlines import is_working_day

PLAN_2027 = [
    date(2027, 3, 10),
    date(2027, 5, 5),
    date(2027, 6, 9),
    date(2027, 9, 8),
    date(2027, 11, 24),
]


def test_five_meetings_on_working_days_give_no_warning() -> None:
    assert plan_warnings(PLAN_2027) == []


def test_a_count_other_than_the_setting_is_warned() -> None:
    [warning] = plan_warnings(PLAN_2027[:4])
    assert (warning.kind, warning.planned, warning.expected) == ("count", 4, 5)
    assert plan_warnings(PLAN_2027[:4], expected=4) == []


def test_a_holiday_a_weekend_and_a_closed_day_are_warned_with_their_names() -> None:
    days = [date(2027, 3, 25), date(2027, 3, 27), date(2027, 12, 24), *PLAN_2027[:2]]
    warnings = plan_warnings(days)
    assert [(w.kind, w.day) for w in warnings] == [
        ("holiday", date(2027, 3, 25)),  # Maundy Thursday (skærtorsdag)
        ("weekend", date(2027, 3, 27)),
        ("closed", date(2027, 12, 24)),  # Christmas Eve, closed by default (R-K2)
    ]
    assert warnings[0].name == "Maundy Thursday"


def test_a_closed_day_set_by_the_council_is_warned() -> None:
    [warning] = plan_warnings([date(2027, 3, 10)], expected=1, closed_days={(3, 10)})
    assert (warning.kind, warning.day) == ("closed", date(2027, 3, 10))


@given(st.lists(st.dates(date(2026, 1, 1), date(2030, 12, 31)), max_size=8))
def test_every_day_that_is_not_a_working_day_is_warned_once(days: list[date]) -> None:
    warned = [w.day for w in plan_warnings(days, expected=len(set(days)))]
    assert warned == sorted(d for d in set(days) if not is_working_day(d))
