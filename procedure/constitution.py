"""The constituent meeting: who calls it (R-K1)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from procedure.errors import ProcedureError


def constituent_convener(mayor_since: Mapping[str, date], born: Mapping[str, date]) -> str:
    """R-K1: the mayor who has been mayor longest calls the meeting; on a tie, the oldest."""
    if not mayor_since:
        raise ProcedureError("no mayors given: nobody can call the constituent meeting")
    missing = [m for m in mayor_since if m not in born]
    if missing:
        raise ProcedureError(f"birth dates are needed to settle a tie, missing for {missing}")
    # Earliest start as mayor first; among equals, the earliest birth date (the oldest).
    ranked = sorted(mayor_since, key=lambda m: (mayor_since[m], born[m]))
    first = ranked[0]
    tied = [m for m in ranked if (mayor_since[m], born[m]) == (mayor_since[first], born[first])]
    if len(tied) > 1:
        raise ProcedureError(f"{' and '.join(tied)} are equally senior and equally old (R-K1)")
    return first
