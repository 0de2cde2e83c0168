"""R-C1/R-C2: the council's composition, under the interpretation written in SPEC.md."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, assume, given, reject, settings
from hypothesis import strategies as st

from procedure.composition import Composition, compose, composition, worst_under_representation
from procedure.errors import CompositionError

# SPEC.md R-C2: Nordjylland after the 2025 election, shares in percent, others under 2 % left out.
NORDJYLLAND_VOTES = {
    "A": 27.6,
    "V": 23.1,
    "C": 12.1,
    "F": 9.0,
    "Æ": 8.5,
    "I": 4.9,
    "O": 4.1,
    "B": 3.7,
    "Ø": 3.7,
}
NORDJYLLAND_MAYORS = {"V": 8, "A": 2, "C": 1}


def test_nordjylland_2025_is_composed_exactly_as_the_worked_example() -> None:
    seats = compose(NORDJYLLAND_VOTES, NORDJYLLAND_MAYORS, municipalities=11, total=100)
    assert seats == {"A": 4, "V": 8, "C": 2, "F": 2, "Æ": 2, "I": 1, "O": 1, "B": 1, "Ø": 1}


def test_nordjylland_is_capped_from_thirty_seats_to_twenty_two() -> None:
    result = composition(NORDJYLLAND_VOTES, NORDJYLLAND_MAYORS, municipalities=11, total=100)
    assert (result.uncapped_size, result.cap, result.size, result.capped) == (30, 22, 22, True)


def test_a_list_under_two_percent_with_no_mayor_gets_no_seat() -> None:
    votes = {**NORDJYLLAND_VOTES, "K": 1.9}
    seats = compose(votes, NORDJYLLAND_MAYORS, municipalities=11, total=100)
    assert "K" not in seats


def test_exactly_two_percent_qualifies() -> None:
    seats = compose({"A": 60, "B": 38, "K": 2}, {"A": 2, "B": 1}, municipalities=3)
    assert seats.get("K") == 1


def test_an_uncapped_council_is_the_smallest_dhondt_allocation_that_seats_every_mayor() -> None:
    # d'Hondt over 50/30/20: A 50, B 30, A 25, C 20, A 16.7, B 15, A 12.5, then 10 three ways
    # (A, B, C) and A 8.3 — A's sixth seat (its 6 mayors) needs all eleven.
    result = composition({"A": 50, "B": 30, "C": 20}, {"A": 6, "B": 3, "C": 1}, 10)
    assert dict(result.seats) == {"A": 6, "B": 3, "C": 2}
    assert not result.capped


def test_a_party_with_a_mayor_but_under_the_threshold_keeps_exactly_its_mayors() -> None:
    votes = {"A": 50, "B": 30, "C": 18.5, "L": 1.5}
    seats = compose(votes, {"A": 3, "B": 2, "L": 2}, municipalities=7)
    assert seats["L"] == 2


def test_the_composition_lists_parties_in_the_order_the_votes_are_given() -> None:
    seats = compose(NORDJYLLAND_VOTES, NORDJYLLAND_MAYORS, municipalities=11, total=100)
    assert list(seats) == list(NORDJYLLAND_VOTES)


def test_more_mayors_than_municipalities_is_refused() -> None:
    with pytest.raises(CompositionError, match="one mayor each"):
        compose({"A": 60, "B": 40}, {"A": 3, "B": 2}, municipalities=4)


def test_a_mayor_of_a_party_without_votes_is_refused() -> None:
    with pytest.raises(CompositionError, match="'X' has mayors"):
        compose({"A": 60, "B": 40}, {"X": 1}, municipalities=4)


def test_lower_bounds_beyond_the_cap_are_refused() -> None:
    # Two municipalities (cap 4), five qualifying parties: each needs a seat.
    votes = dict.fromkeys("ABCDE", 20.0)
    with pytest.raises(CompositionError, match="lower bounds"):
        compose(votes, {"A": 1, "B": 1}, municipalities=2)


def test_a_threshold_outside_zero_to_one_is_refused() -> None:
    with pytest.raises(CompositionError, match="threshold"):
        compose({"A": 1}, {}, municipalities=1, threshold=2)


# Properties on small regions, checked against brute force.


@st.composite
def regions(draw: st.DrawFn) -> tuple[dict[str, int], dict[str, int], int]:
    parties = draw(st.lists(st.sampled_from("ABCDE"), min_size=1, max_size=5, unique=True))
    votes = {p: draw(st.integers(1, 400)) for p in parties}
    municipalities = draw(st.integers(1, 6))
    mayors: dict[str, int] = {}
    for _ in range(draw(st.integers(0, municipalities))):
        party = draw(st.sampled_from(parties))
        mayors[party] = mayors.get(party, 0) + 1
    return votes, mayors, municipalities


def qualifying(votes: Mapping[str, int]) -> set[str]:
    total = sum(votes.values())
    return {p for p, v in votes.items() if 50 * v >= total}


def lower_bound(party: str, votes: Mapping[str, int], mayors: Mapping[str, int]) -> int:
    return max(mayors.get(party, 0), 1 if party in qualifying(votes) else 0)


def allocations(
    parties: list[str], size: int, bounds: Mapping[str, int]
) -> Iterator[dict[str, int]]:
    if not parties:
        if size == 0:
            yield {}
        return
    first, rest = parties[0], parties[1:]
    for n in range(bounds[first], size + 1):
        for tail in allocations(rest, size - n, bounds):
            yield {first: n, **tail}


def composed(region: tuple[dict[str, int], dict[str, int], int]) -> Composition:
    try:
        return composition(*region)
    except CompositionError:
        reject()  # lower bounds beyond the cap: refused, as tested above


def worst_ratio(votes: Mapping[str, int], seats: Mapping[str, int]) -> Fraction:
    return max(Fraction(votes[p], n) for p, n in seats.items())


def is_dhondt(votes: Mapping[str, int], seats: Mapping[str, int]) -> bool:
    # Every seat won has a quotient at least as high as any seat not won.
    weakest_won = min(Fraction(votes[p], n) for p, n in seats.items() if n > 0)
    strongest_lost = max(Fraction(votes[p], n + 1) for p, n in seats.items())
    return strongest_lost <= weakest_won


@settings(max_examples=150, deadline=None)
@given(region=regions())
def test_compose_respects_mayors_gives_qualifying_parties_a_seat_and_keeps_the_cap(
    region: tuple[dict[str, int], dict[str, int], int],
) -> None:
    votes, mayors, municipalities = region
    seats = composed(region).seats
    for party in votes:
        assert seats.get(party, 0) >= lower_bound(party, votes, mayors)
    assert sum(seats.values()) <= 2 * municipalities


# Only capped regions matter here, and most drawn regions are not capped: filtering is expected.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(region=regions())
def test_no_allocation_within_the_same_bounds_has_a_smaller_worst_under_representation(
    region: tuple[dict[str, int], dict[str, int], int],
) -> None:
    votes, mayors, _ = region
    result = composed(region)
    assume(result.capped)
    chosen = {p: n for p, n in result.seats.items() if p in qualifying(votes)}
    bounds = {p: lower_bound(p, votes, mayors) for p in chosen}
    best = min(
        worst_ratio(votes, other)
        for other in allocations(sorted(chosen), sum(chosen.values()), bounds)
    )
    assert worst_ratio(votes, chosen) == best


@settings(max_examples=150, deadline=None)
@given(region=regions())
def test_an_uncapped_council_is_the_smallest_dhondt_allocation_within_the_bounds(
    region: tuple[dict[str, int], dict[str, int], int],
) -> None:
    votes, mayors, _ = region
    result = composed(region)
    assume(not result.capped)
    chosen = {p: result.seats.get(p, 0) for p in qualifying(votes)}
    assert is_dhondt(votes, chosen)
    bounds = {p: lower_bound(p, votes, mayors) for p in chosen}
    smaller = (
        other
        for size in range(sum(bounds.values()), sum(chosen.values()))
        for other in allocations(sorted(chosen), size, bounds)
    )
    assert not any(is_dhondt(votes, other) for other in smaller)


def test_worst_under_representation_is_share_of_votes_over_share_of_seats() -> None:
    # A: 60 % of the votes, 50 % of the seats -> 1.2.
    assert worst_under_representation({"A": 60, "B": 40}, {"A": 1, "B": 1}) == pytest.approx(1.2)


def test_a_full_tie_for_the_last_seat_under_the_cap_goes_to_the_first_name() -> None:
    # Cap 6; lower bounds A 3, B 1, C 1; B and C tie on votes for the one seat left.
    assert compose({"A": 10, "B": 45, "C": 45}, {"A": 3}, municipalities=3) == {
        "A": 3,
        "B": 2,
        "C": 1,
    }
