"""The agenda: material for every item (R-M3) and the chair's order of items (R-M4)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from typing import TypeVar

from procedure.errors import ProcedureError

K = TypeVar("K", bound=Hashable)


def items_without_material(material_count: Mapping[K, int]) -> list[K]:
    """R-M3: the items (in the order given) without material, to warn the chair before sending."""
    return [item for item, count in material_count.items() if count <= 0]


def reorder(current: Sequence[K], new_order: Sequence[K]) -> list[K]:
    """R-M4: the chair's new order of items, refused unless it lists every item exactly once."""
    if len(set(new_order)) != len(new_order):
        raise ProcedureError("the new order lists an item more than once")
    wanted, existing = set(new_order), set(current)
    missing = [item for item in current if item not in wanted]
    unknown = [item for item in new_order if item not in existing]
    if missing or unknown:
        raise ProcedureError(
            f"the new order must list exactly the agenda's items: "
            f"missing {missing}, unknown {unknown}"
        )
    return list(new_order)
