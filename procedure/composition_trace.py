"""The composition's computation step by step, for the secretariat to check by hand (R-C1, R-C2).

`explain` gives the same seats as `procedure.composition.composition` (the result is taken from it)
and the steps that lead there: who qualifies at 2 %, the lower bounds (mayors, at least one seat),
the d'Hondt quotients of the uncapped council, and, when the cap bites, the seats given one by one
from the lower bounds to the most under-represented party (votes ÷ seats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from procedure.composition import THRESHOLD, Composition, composition, lower_bounds


@dataclass(frozen=True)
class PartyLine:
    """R-C1: one party's votes, share, whether it qualifies, its mayors and its lower bound."""

    party: str
    votes: Fraction
    share: Fraction  # of the total, 0..1
    qualifies: bool
    mayors: int
    lower_bound: int


@dataclass(frozen=True)
class Quotient:
    """R-C2: a d'Hondt quotient votes ÷ divisor that won a seat, in the order seats are taken."""

    rank: int
    party: str
    divisor: int
    value: Fraction


@dataclass(frozen=True)
class CapStep:
    """R-C2: a seat given above the lower bounds, to the party with the highest votes ÷ seats."""

    seat: int  # the council seat number (after the fixed seats and the lower bounds)
    party: str
    votes_per_seat: Fraction  # before this seat


@dataclass(frozen=True)
class CompositionTrace:
    total: Fraction
    threshold: Fraction
    parties: list[PartyLine]
    quotients: list[Quotient]  # the uncapped allocation
    cap_steps: list[CapStep]  # empty unless the cap reduced the council
    result: Composition


def explain(
    votes: Mapping[str, float],
    mayors: Mapping[str, int],
    municipalities: int,
    threshold: float = THRESHOLD,
    *,
    total: float | None = None,
) -> CompositionTrace:
    """R-C1/R-C2: the composition and every step of it."""
    result = composition(votes, mayors, municipalities, threshold, total=total)
    exact = {p: Fraction(str(v)) for p, v in votes.items()}
    whole = Fraction(str(total)) if total is not None else sum(exact.values(), Fraction(0))
    limit = Fraction(str(threshold))
    qualifying = frozenset(p for p, v in exact.items() if v > 0 and v >= limit * whole)
    bounds = lower_bounds(mayors, qualifying)
    parties = [
        PartyLine(
            p,
            v,
            v / whole if whole else Fraction(0),
            p in qualifying,
            mayors.get(p, 0),
            bounds.get(p, mayors.get(p, 0)),
        )
        for p, v in exact.items()
    ]
    return CompositionTrace(
        total=whole,
        threshold=limit,
        parties=parties,
        quotients=_uncapped_quotients(exact, bounds, qualifying),
        cap_steps=_cap_steps(exact, bounds, qualifying, result, mayors) if result.capped else [],
        result=result,
    )


def _uncapped_quotients(
    votes: Mapping[str, Fraction], bounds: Mapping[str, int], qualifying: frozenset[str]
) -> list[Quotient]:
    if not qualifying:
        return []
    # The weakest quotient that must win a seat (procedure.composition._smallest_dhondt).
    t = min(votes[p] / bounds[p] for p in qualifying)
    won = [
        (votes[p] / k, p, k)
        for p in qualifying
        for k in range(1, bounds[p] + int(votes[p] / t) + 2)
        if votes[p] / k > t or (votes[p] / k == t and k <= bounds[p])
    ]
    won.sort(key=lambda q: (-q[0], -votes[q[1]], q[1]))
    return [Quotient(i, p, k, value) for i, (value, p, k) in enumerate(won, start=1)]


def _cap_steps(
    votes: Mapping[str, Fraction],
    bounds: Mapping[str, int],
    qualifying: frozenset[str],
    result: Composition,
    mayors: Mapping[str, int],
) -> list[CapStep]:
    seats = dict(bounds)
    fixed = sum(n for p, n in mayors.items() if p not in qualifying)
    steps: list[CapStep] = []
    for seat in range(fixed + sum(seats.values()) + 1, result.size + 1):
        party = max(sorted(qualifying), key=lambda p: (votes[p] / seats[p], votes[p]))
        steps.append(CapStep(seat, party, votes[party] / seats[party]))
        seats[party] += 1
    return steps
