"""R-M4 moving one item, and what a new version of a distributed agenda changes (the addendum)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedure.agenda import agenda_changes, move
from procedure.deadlines import latest_due
from procedure.errors import NaiveDatetime, ProcedureError

orders = st.lists(st.integers(0, 50), unique=True, min_size=1, max_size=12)


def test_an_item_moves_up_and_down_by_one_place() -> None:
    assert move([1, 2, 3], 3, -1) == [1, 3, 2]
    assert move([1, 2, 3], 1, 1) == [2, 1, 3]


def test_moving_past_either_end_stops_there() -> None:
    assert move([1, 2, 3], 1, -5) == [1, 2, 3]
    assert move([1, 2, 3], 2, 9) == [1, 3, 2]


def test_moving_an_item_that_is_not_on_the_agenda_is_refused() -> None:
    with pytest.raises(ProcedureError, match="not on the agenda"):
        move([1, 2], 7, 1)


@given(orders, st.data(), st.integers(-15, 15))
def test_a_move_keeps_every_item_exactly_once(
    order: list[int], data: st.DataObject, steps: int
) -> None:
    item = data.draw(st.sampled_from(order))
    moved = move(order, item, steps)
    assert sorted(moved) == sorted(order)
    assert moved.index(item) == min(max(order.index(item) + steps, 0), len(order) - 1)


def test_an_addendum_names_the_items_added_and_removed() -> None:
    changes = agenda_changes([1, 2, 3], [1, 3, 4])
    assert changes.added == (4,) and changes.removed == (2,)
    assert not changes.reordered and changes.any


def test_a_new_order_of_the_same_items_is_a_change() -> None:
    changes = agenda_changes([1, 2, 3], [2, 1, 3])
    assert changes.reordered and changes.any and not changes.added and not changes.removed


def test_the_same_agenda_is_no_change() -> None:
    assert not agenda_changes([1, 2], [1, 2]).any


@given(orders, orders)
def test_changes_account_for_every_item(before: list[int], after: list[int]) -> None:
    changes = agenda_changes(before, after)
    assert set(changes.added) == set(after) - set(before)
    assert set(changes.removed) == set(before) - set(after)
    assert changes.any == (before != after)


def test_only_the_latest_reminder_that_has_come_is_due() -> None:
    start = datetime(2027, 3, 1, 8, 0, tzinfo=UTC)
    moments = [start, start + timedelta(days=2)]
    assert latest_due(moments, start - timedelta(seconds=1)) is None
    assert latest_due(moments, start) == start
    assert latest_due(moments, start + timedelta(days=5)) == start + timedelta(days=2)


def test_latest_due_needs_an_aware_now() -> None:
    with pytest.raises(NaiveDatetime):
        latest_due([], datetime(2027, 3, 1))
