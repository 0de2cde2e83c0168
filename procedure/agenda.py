"""The agenda: material for every item (R-M3) and the chair's order of items (R-M4)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
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


def move(current: Sequence[K], item: K, steps: int) -> list[K]:
    """R-M4: the order with `item` moved `steps` places (negative: earlier), kept within the list."""
    if item not in current:
        raise ProcedureError(f"{item!r} is not on the agenda")
    order = [other for other in current if other != item]
    index = min(max(list(current).index(item) + steps, 0), len(order))
    order.insert(index, item)
    return reorder(current, order)


@dataclass(frozen=True)
class AgendaChanges:
    """What a new version of a distributed agenda changes (an addendum says it, never silently)."""

    added: tuple[Hashable, ...] = ()
    removed: tuple[Hashable, ...] = ()
    reordered: bool = False

    @property
    def any(self) -> bool:
        """R-M3: whether there is anything to tell the recipients."""
        return bool(self.added or self.removed or self.reordered)


def agenda_changes(before: Sequence[K], after: Sequence[K]) -> AgendaChanges:
    """R-M3: the items added and removed between two versions, and whether the rest changed order."""
    old, new = set(before), set(after)
    kept_before = [item for item in before if item in new]
    kept_after = [item for item in after if item in old]
    return AgendaChanges(
        added=tuple(item for item in after if item not in old),
        removed=tuple(item for item in before if item not in new),
        reordered=kept_before != kept_after,
    )
