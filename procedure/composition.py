"""The composition of a council from the municipal election (R-C1, R-C2).

Interpretation (SPEC.md R-C2, KL publishes no algorithm): uncapped, the council has the smallest
size at which a d'Hondt allocation over the qualifying parties' votes gives every party at least its
lower bound (its mayors, and at least one seat if it qualifies); a party with a mayor but under the
threshold keeps exactly its mayors, outside that allocation. When that size exceeds the cap (twice
the municipalities), every party starts at its lower bound and each remaining seat goes to the
qualifying party with the highest votes ÷ seats, which minimises the worst under-representation.
Ties for a seat go to the party with more votes, then by name: either choice gives the same worst
under-representation.

Arithmetic is exact (each float read as the decimal it prints as), so exactly 2 % qualifies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from math import ceil

from procedure.errors import CompositionError

THRESHOLD = 0.02  # R-C1: 2 % of the votes in the region


@dataclass(frozen=True)
class Composition:
    """R-C1/R-C2: the seats per party, with the uncapped size and whether the cap reduced it."""

    seats: Mapping[str, int] = field(hash=False)
    uncapped_size: int
    cap: int

    @property
    def size(self) -> int:
        """R-C2: the number of members of the council."""
        return sum(self.seats.values())

    @property
    def capped(self) -> bool:
        """R-C2: whether the size cap reduced the parties' seats."""
        return self.uncapped_size > self.cap


def compose(
    votes: Mapping[str, float],
    mayors: Mapping[str, int],
    municipalities: int,
    threshold: float = THRESHOLD,
    *,
    total: float | None = None,
) -> dict[str, int]:
    """R-C1/R-C2: seats per party (parties without seats left out) under the SPEC interpretation.

    `votes` are vote numbers or percentages; shares are taken of `total` (default: their sum), so
    pass `total=100` for percentages when the small lists are left out.
    """
    return dict(composition(votes, mayors, municipalities, threshold, total=total).seats)


def composition(
    votes: Mapping[str, float],
    mayors: Mapping[str, int],
    municipalities: int,
    threshold: float = THRESHOLD,
    *,
    total: float | None = None,
) -> Composition:
    """R-C1/R-C2: the composition with the details the secretariat shows (uncapped size, cap)."""
    exact = _exact_votes(votes, mayors, municipalities, threshold, total)
    qualifying = _qualifying(exact, threshold, total)
    bounds = lower_bounds(mayors, qualifying)
    fixed = {p: n for p, n in mayors.items() if p not in qualifying and n > 0}
    allocated = _smallest_dhondt(exact, bounds, qualifying)
    cap = 2 * municipalities
    uncapped_size = sum(allocated.values()) + sum(fixed.values())
    if uncapped_size > cap:
        allocated = _reduce_to_cap(exact, bounds, qualifying, cap - sum(fixed.values()))
    merged = {**allocated, **fixed}
    seats = {p: merged[p] for p in votes if merged.get(p, 0) > 0}  # in the order given
    return Composition(seats=seats, uncapped_size=uncapped_size, cap=cap)


def lower_bounds(mayors: Mapping[str, int], qualifying: frozenset[str]) -> dict[str, int]:
    """R-C2: the fewest seats of each qualifying party: its mayors, and at least one."""
    return {p: max(1, mayors.get(p, 0)) for p in qualifying}


def worst_under_representation(votes: Mapping[str, float], seats: Mapping[str, int]) -> float:
    """R-C2: the largest share of votes ÷ share of seats over the parties given seats."""
    total_votes = sum(votes[p] for p in seats)
    total_seats = sum(seats.values())
    return max((votes[p] / total_votes) / (n / total_seats) for p, n in seats.items() if n > 0)


def _smallest_dhondt(
    votes: Mapping[str, Fraction], bounds: Mapping[str, int], qualifying: frozenset[str]
) -> dict[str, int]:
    # The weakest quotient that must still win a seat is t = min(votes / lower bound). The smallest
    # d'Hondt allocation reaching it takes every quotient above t, and at t only the required ones.
    if not qualifying:
        return {}
    t = min(votes[p] / bounds[p] for p in qualifying)
    return {p: _quotients_above(votes[p], t) + (votes[p] / bounds[p] == t) for p in qualifying}


def _quotients_above(votes: Fraction, t: Fraction) -> int:
    # How many divisors k ≥ 1 give votes / k > t, i.e. k < votes / t.
    return ceil(votes / t) - 1


def _reduce_to_cap(
    votes: Mapping[str, Fraction], bounds: Mapping[str, int], qualifying: frozenset[str], size: int
) -> dict[str, int]:
    seats = dict(bounds)
    remaining = size - sum(seats.values())
    if remaining < 0:
        raise CompositionError(
            f"the lower bounds need {sum(seats.values())} seats for the qualifying parties, "
            f"more than the {size} the cap leaves (R-C2)"
        )
    for _ in range(remaining):
        # The most under-represented party (highest votes per seat) takes the next seat.
        # max() keeps the first of equals, so iterating by name settles a full tie alphabetically.
        party = max(sorted(qualifying), key=lambda p: (votes[p] / seats[p], votes[p]))
        seats[party] += 1
    return seats


def _qualifying(
    votes: Mapping[str, Fraction], threshold: float, total: float | None
) -> frozenset[str]:
    whole = _decimal(total) if total is not None else sum(votes.values(), Fraction(0))
    return frozenset(p for p, v in votes.items() if v > 0 and v >= _decimal(threshold) * whole)


def _exact_votes(
    votes: Mapping[str, float],
    mayors: Mapping[str, int],
    municipalities: int,
    threshold: float,
    total: float | None,
) -> dict[str, Fraction]:
    if municipalities < 1:
        raise CompositionError(f"a region has at least one municipality, got {municipalities}")
    if not 0 < threshold <= 1:
        raise CompositionError(f"the threshold is a share between 0 and 1, got {threshold}")
    if any(v < 0 for v in votes.values()):
        raise CompositionError("votes cannot be negative")
    if total is not None and total < sum(votes.values()):
        raise CompositionError(f"total {total} is smaller than the sum of the votes given")
    _check_mayors(votes, mayors, municipalities)
    return {p: _decimal(v) for p, v in votes.items()}


def _decimal(value: float) -> Fraction:
    # Read a float as the decimal it prints as: 0.02 is exactly 1/50, so 2 % of 100 qualifies.
    return Fraction(str(value))


def _check_mayors(
    votes: Mapping[str, float], mayors: Mapping[str, int], municipalities: int
) -> None:
    for party, count in mayors.items():
        if party not in votes:
            raise CompositionError(f"{party!r} has mayors but no votes are given for it")
        if count < 0:
            raise CompositionError(f"{party!r} cannot have a negative number of mayors ({count})")
    if sum(mayors.values()) > municipalities:
        raise CompositionError(
            f"{sum(mayors.values())} mayors for {municipalities} municipalities: one mayor each"
        )
