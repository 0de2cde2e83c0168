"""R-X1, R-P6: what the public page may show — properties of procedure.publishing."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from procedure.publishing import is_published, public_agenda, public_minutes

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=8, max_size=20)


@st.composite
def snapshots(draw: st.DrawFn) -> tuple[dict[str, object], set[int]]:
    # "<n>" keeps one title from being part of another.
    titles = [f"<{n}>{w}" for n, w in enumerate(draw(st.lists(words, min_size=1, max_size=8)), 1)]
    items = [
        {
            "id": n,
            "number": n,
            "title": t,
            "description": t.upper(),
            "proposer": f"{t}-proposer",
            "material": [{"file_name": f"{t}.pdf"}],
            "decision": {"text": f"{t}-decision", "against": [f"{t}-voter"]},
            "remark": f"{t}-remark",
            "late": draw(st.booleans()),
            "closed": False,
        }
        for n, t in enumerate(titles, start=1)
    ]
    closed = draw(st.sets(st.sampled_from([i["id"] for i in items])))
    return {"items": items, "absent_with_notice": [{"name": "A", "reason": "syg-reason"}]}, closed


def _values(value: Any) -> str:
    """Every string value (not key) in a snapshot, joined."""
    if isinstance(value, dict):
        return " ".join(_values(v) for v in value.values())
    if isinstance(value, list):
        return " ".join(_values(v) for v in value)
    return value if isinstance(value, str) else ""


@given(snapshots())
def test_nothing_of_a_closed_item_is_left_in_the_published_agenda_or_minutes(
    case: tuple[dict[str, object], set[int]],
) -> None:
    snapshot, closed = case
    titles = {i["id"]: i["title"] for i in snapshot["items"]}  # type: ignore[attr-defined]
    for published in (public_agenda(snapshot, closed), public_minutes(snapshot, closed)):
        text = _values(published)
        for item_id, title in titles.items():
            assert (title in text) == (item_id not in closed)
        assert [i["number"] for i in published["items"]] == list(titles)  # numbering kept


@given(snapshots())
def test_absence_reasons_are_never_published(case: tuple[dict[str, object], set[int]]) -> None:
    snapshot, closed = case
    assert "syg-reason" not in json.dumps(public_minutes(snapshot, closed))


@given(st.booleans(), st.booleans(), st.booleans(), st.booleans())
def test_a_withdrawn_or_missing_document_is_never_published(
    exists: bool, automatic: bool, by_hand: bool, withdrawn: bool
) -> None:
    shown = is_published(exists=exists, automatic=automatic, by_hand=by_hand, withdrawn=withdrawn)
    if withdrawn or not exists:
        assert not shown
    else:
        assert shown == (automatic or by_hand)
