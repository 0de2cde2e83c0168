"""R-M3 material for every item, R-M4 the chair orders the items."""

from __future__ import annotations

import pytest

from procedure.agenda import items_without_material, reorder
from procedure.errors import ProcedureError


def test_the_chair_is_warned_about_items_without_material_in_agenda_order() -> None:
    assert items_without_material({"budget": 2, "health": 0, "roads": 1, "misc": 0}) == [
        "health",
        "misc",
    ]


def test_the_chair_may_put_the_items_in_any_order() -> None:
    assert reorder([1, 2, 3], [3, 1, 2]) == [3, 1, 2]


def test_a_new_order_that_drops_an_item_is_refused() -> None:
    with pytest.raises(ProcedureError, match=r"missing \[2\]"):
        reorder([1, 2, 3], [3, 1])


def test_a_new_order_with_an_unknown_or_repeated_item_is_refused() -> None:
    with pytest.raises(ProcedureError, match=r"unknown \[9\]"):
        reorder([1, 2], [1, 2, 9])
    with pytest.raises(ProcedureError, match="more than once"):
        reorder([1, 2], [1, 1, 2])
