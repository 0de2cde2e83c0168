"""What the council's public page may show (R-X1, R-P6).

A document (an agenda version, approved minutes) is public only when it exists, has not been
withdrawn, and was published by hand or by the council's setting (default: the agenda when it is
distributed, the minutes when approved). A closed item ("Lukket punkt") is never public in
content: its title, description, proposer, material and decision are dropped, its number stays.
Absence reasons are personal and never public.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

CLOSED_FIELDS = ("title", "description", "proposer", "material", "decision", "remark")


def is_published(*, exists: bool, automatic: bool, by_hand: bool, withdrawn: bool) -> bool:
    """R-X1: published when there is something to publish, nobody withdrew it, and either the
    setting or a person published it."""
    return exists and not withdrawn and (automatic or by_hand)


def _item(item: Mapping[str, Any], closed: Collection[int]) -> dict[str, Any]:
    if not (item.get("closed") or item.get("id") in closed):
        return dict(item)
    redacted = {k: v for k, v in item.items() if k not in CLOSED_FIELDS}
    # Empty values, not missing keys: the same templates render it without knowing.
    return {
        **redacted,
        "title": "",
        "description": "",
        "proposer": None,
        "material": [],
        "decision": None,
        "remark": None,
        "late": False,
        "redacted": True,
        "closed": True,
    }


def public_agenda(snapshot: Mapping[str, Any], closed: Collection[int]) -> dict[str, Any]:
    """R-P6: the agenda as published; `closed` the items marked closed now (a later mark counts)."""
    return {**snapshot, "items": [_item(i, closed) for i in snapshot.get("items", [])]}


def public_minutes(snapshot: Mapping[str, Any], closed: Collection[int]) -> dict[str, Any]:
    """R-P6: the minutes as published: closed items redacted, no absence reasons."""
    return {
        **snapshot,
        "items": [_item(i, closed) for i in snapshot.get("items", [])],
        "absent_with_notice": [
            {**a, "reason": None} for a in snapshot.get("absent_with_notice", [])
        ],
    }
