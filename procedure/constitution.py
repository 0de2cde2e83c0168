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


def whole_votes(votes: Mapping[str, float]) -> dict[str, int]:
    """R-K2: the votes as whole numbers in the same proportions (percentages with decimals are
    scaled exactly), since d'Hondt's order does not change when every count is multiplied alike."""
    from fractions import Fraction
    from math import lcm

    exact = {party: Fraction(str(count)) for party, count in votes.items()}
    scale = lcm(*(f.denominator for f in exact.values())) if exact else 1
    return {party: int(f * scale) for party, f in exact.items()}


def group_of(party: str, groups: list[str], joiner: str = "+") -> str | None:
    """R-K2/R-K3: the group (a party, or an alliance "A+B") a party counts in, if any."""
    for group in groups:
        if party in group.split(joiner):
            return group
    return None
