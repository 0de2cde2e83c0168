"""R-E1 majority elections, R-E2 d'Hondt with alliances and renounced seats, R-K2 chair and vice."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procedure.elections import (
    chair_and_vice,
    dhondt,
    dhondt_order,
    dhondt_quotients,
    majority_round,
    merge_alliances,
)
from procedure.errors import AllianceConflict, ElectionError, InvalidCount

T = TypeVar("T")


class CountingRandom(random.Random):
    """A Random that counts the lots drawn, to tell results that needed no lot."""

    lots = 0

    def choice(self, seq: Sequence[T]) -> T:
        self.lots += 1
        return super().choice(seq)


def rng(seed: int = 0) -> random.Random:
    return random.Random(seed)


# R-E2: d'Hondt


def test_dhondt_gives_seats_in_the_order_of_the_quotients() -> None:
    # Quotients: A 10, 5, 3.33; B 6, 3; C 3 — the first four are A, B, A, A.
    assert dhondt_order({"A": 10, "B": 6, "C": 3}, 4, rng()) == ["A", "B", "A", "A"]
    assert dhondt({"A": 10, "B": 6, "C": 3}, 4, rng()) == {"A": 3, "B": 1, "C": 0}


def test_equal_quotients_are_ordered_by_lot() -> None:
    # The fifth seat: B's 6/2 = 3 against C's 3/1 = 3.
    fifth = {dhondt_order({"A": 10, "B": 6, "C": 3}, 5, rng(seed))[-1] for seed in range(40)}
    assert fifth == {"B", "C"}


def test_the_same_seed_draws_the_same_lots() -> None:
    groups = {"A": 4, "B": 4, "C": 4, "D": 4}
    assert dhondt_order(groups, 3, rng(7)) == dhondt_order(groups, 3, rng(7))


def test_a_renounced_seat_goes_to_the_next_highest_quotient_of_another_group() -> None:
    # A would take 3 of 4 seats (100, 50, 33.3); it renounces one, and B's 60/2 = 30 takes it.
    groups = {"A": 100, "B": 60, "C": 25}
    assert dhondt(groups, 4, rng()) == {"A": 3, "B": 1, "C": 0}
    assert dhondt(groups, 4, rng(), renounced={"A": 1}) == {"A": 2, "B": 2, "C": 0}
    assert dhondt_order(groups, 4, rng(), renounced={"A": 1}) == ["A", "B", "A", "B"]


def test_seats_renounced_by_every_group_stay_empty() -> None:
    order = dhondt_order({"A": 10, "B": 5}, 3, rng(), renounced={"A": 9, "B": 9})
    assert order == []


def test_a_group_cannot_take_a_seat_without_members() -> None:
    assert dhondt({"A": 5, "B": 0}, 3, rng()) == {"A": 3, "B": 0}


def test_seats_cannot_be_shared_when_no_group_has_members() -> None:
    with pytest.raises(ElectionError, match="no group"):
        dhondt({"A": 0}, 1, rng())


def test_a_renunciation_by_an_unknown_group_is_refused() -> None:
    with pytest.raises(ElectionError, match="not a group"):
        dhondt({"A": 5}, 1, rng(), renounced={"Z": 1})


def test_negative_seats_and_sizes_are_refused() -> None:
    with pytest.raises(InvalidCount):
        dhondt({"A": 5}, -1, rng())
    with pytest.raises(InvalidCount):
        dhondt({"A": -5}, 1, rng())


group_sizes = st.dictionaries(
    st.sampled_from(list("ABCDEFG")), st.integers(0, 40), min_size=1
).filter(lambda groups: any(groups.values()))


@settings(max_examples=150)
@given(groups=group_sizes, seats=st.integers(0, 25), seed=st.integers(0, 1000))
def test_dhondt_hands_out_exactly_the_seats(groups: dict[str, int], seats: int, seed: int) -> None:
    result = dhondt(groups, seats, rng(seed))
    assert sum(result.values()) == seats
    assert set(result) == set(groups)


@settings(max_examples=150)
@given(
    groups=group_sizes,
    seats=st.integers(1, 25),
    grower=st.sampled_from(list("ABCDEFG")),
    more=st.integers(1, 20),
    seeds=st.tuples(st.integers(0, 1000), st.integers(0, 1000)),
)
def test_a_bigger_group_never_takes_fewer_seats_whatever_the_lots(
    groups: dict[str, int], seats: int, grower: str, more: int, seeds: tuple[int, int]
) -> None:
    assume(grower in groups)
    before = dhondt(groups, seats, rng(seeds[0]))[grower]
    after = dhondt({**groups, grower: groups[grower] + more}, seats, rng(seeds[1]))[grower]
    assert after >= before


@settings(max_examples=150)
@given(groups=group_sizes, seats=st.integers(0, 25), data=st.data())
def test_dhondt_is_invariant_under_renaming_the_groups(
    groups: dict[str, int], seats: int, data: st.DataObject
) -> None:
    names = list(groups)
    new_names = data.draw(st.permutations([f"group {n}" for n in "QRSTUVW"][: len(names)]))
    renaming = dict(zip(names, new_names, strict=True))
    counting = CountingRandom(1)
    original = dhondt(groups, seats, counting)
    renamed = dhondt({renaming[g]: n for g, n in groups.items()}, seats, rng(1))
    if counting.lots == 0:
        assert {renaming[g]: n for g, n in original.items()} == renamed
    # With lots, only the groups' sizes and seats as a whole are sure to match.
    assert sorted(original.values()) == sorted(renamed.values()) or counting.lots > 0


@settings(max_examples=100)
@given(
    groups=group_sizes,
    seats=st.integers(1, 15),
    data=st.data(),
    seed=st.integers(0, 100),
)
def test_renounced_seats_go_to_others_and_the_total_is_kept_while_anyone_can_take_them(
    groups: dict[str, int], seats: int, data: st.DataObject, seed: int
) -> None:
    renouncer = data.draw(st.sampled_from(sorted(groups)))
    count = data.draw(st.integers(0, seats))
    base = dhondt(groups, seats, rng(seed))
    result = dhondt(groups, seats, rng(seed), renounced={renouncer: count})
    assert result[renouncer] == max(0, base[renouncer] - count)
    others_can_take = any(n > 0 for g, n in groups.items() if g != renouncer)
    assert sum(result.values()) == seats or not others_can_take
    assert all(result[g] >= base[g] for g in groups if g != renouncer)


# R-E2/R-K2: alliances


def test_an_alliance_counts_as_one_group_named_by_its_parties() -> None:
    merged = merge_alliances({"A": 4, "V": 8, "C": 2, "F": 2}, [["A", "F"]])
    assert merged == {"A+F": 6, "V": 8, "C": 2}


def test_a_party_in_two_alliances_is_refused() -> None:
    with pytest.raises(AllianceConflict, match=r"'F'.*more than one"):
        merge_alliances({"A": 4, "V": 8, "F": 2}, [["A", "F"], ["V", "F"]])


def test_a_party_named_twice_in_one_alliance_is_refused() -> None:
    with pytest.raises(AllianceConflict):
        merge_alliances({"A": 4, "F": 2}, [["A", "F", "A"]])


def test_an_alliance_with_a_party_outside_the_election_is_refused() -> None:
    with pytest.raises(AllianceConflict, match="'X'"):
        merge_alliances({"A": 4}, [["A", "X"]])


def test_an_empty_alliance_is_refused() -> None:
    with pytest.raises(AllianceConflict):
        merge_alliances({"A": 4}, [[]])


# R-K2: chair and vice chair (Nordjylland, votes in tenths of a percent)

NORDJYLLAND_VOTES = {"A": 276, "V": 231, "C": 121, "F": 90, "Æ": 85, "I": 49, "O": 41, "B": 37}


def test_without_alliances_the_two_largest_parties_take_chair_and_vice() -> None:
    assert chair_and_vice(NORDJYLLAND_VOTES, [], rng()) == ("A", "V")


def test_an_alliance_can_take_the_chair_from_the_largest_party() -> None:
    # V+C+I+O = 442 takes the chair; then A's 276 beats the alliance's 442 / 2 = 221.
    alliance = [["V", "C", "I", "O"]]
    assert chair_and_vice(NORDJYLLAND_VOTES, alliance, rng()) == ("V+C+I+O", "A")


def test_a_group_twice_as_large_as_any_other_takes_both_chair_and_vice() -> None:
    assert chair_and_vice({"A": 500, "V": 200}, [], rng()) == ("A", "A")


# R-E1: majority election


def test_a_majority_of_those_present_elects_in_the_first_round() -> None:
    result = majority_round(1, {"Hansen": 12, "Jensen": 9}, present=22, rng=rng())
    assert result.elected == "Hansen"
    assert result.next_round is None


def test_exactly_half_of_those_present_is_not_a_majority() -> None:
    result = majority_round(1, {"Hansen": 11, "Jensen": 9}, present=22, rng=rng())
    assert result.elected is None
    assert result.next_round == 2


def test_the_second_round_elects_the_only_candidate_who_received_votes() -> None:
    # 10 of 22 is no majority of those present, but all votes cast went to Hansen.
    result = majority_round(2, {"Hansen": 10, "Jensen": 0}, present=22, rng=rng())
    assert result.elected == "Hansen"


def test_a_second_round_without_a_winner_names_the_two_leaders_for_a_binding_third() -> None:
    result = majority_round(2, {"Hansen": 9, "Jensen": 7, "Nielsen": 5}, present=22, rng=rng())
    assert result.elected is None
    assert (result.next_round, result.finalists, result.by_lot) == (3, ("Hansen", "Jensen"), False)


def test_a_tie_for_the_second_finalist_place_is_settled_by_lot() -> None:
    votes = {"Hansen": 9, "Jensen": 6, "Nielsen": 6}
    seconds = {majority_round(2, votes, 22, rng(seed)).finalists for seed in range(30)}
    assert seconds == {("Hansen", "Jensen"), ("Hansen", "Nielsen")}
    assert majority_round(2, votes, 22, rng()).by_lot


def test_a_tie_for_first_place_between_three_draws_two_finalists() -> None:
    result = majority_round(2, {"Hansen": 6, "Jensen": 6, "Nielsen": 6}, 22, rng())
    assert result.finalists is not None
    assert len(set(result.finalists)) == 2
    assert result.by_lot


def test_the_third_round_is_won_by_the_majority_of_votes_cast() -> None:
    result = majority_round(3, {"Hansen": 8, "Jensen": 7}, present=22, rng=rng())
    assert result.elected == "Hansen"
    assert not result.by_lot


def test_a_tie_in_the_third_round_is_settled_by_lot() -> None:
    winners = {majority_round(3, {"Hansen": 9, "Jensen": 9}, 22, rng(s)).elected for s in range(30)}
    assert winners == {"Hansen", "Jensen"}


def test_the_third_round_needs_exactly_two_candidates() -> None:
    with pytest.raises(ElectionError, match="exactly two"):
        majority_round(3, {"Hansen": 9, "Jensen": 7, "Nielsen": 2}, 22, rng())


def test_there_is_no_fourth_round() -> None:
    with pytest.raises(ElectionError, match="rounds 1, 2 and 3"):
        majority_round(4, {"Hansen": 9, "Jensen": 7}, 22, rng())


def test_more_votes_than_members_present_are_refused() -> None:
    with pytest.raises(InvalidCount, match="only 20 members present"):
        majority_round(1, {"Hansen": 12, "Jensen": 9}, present=20, rng=rng())


@settings(max_examples=150)
@given(
    votes=st.dictionaries(st.sampled_from(["H", "J", "N", "P"]), st.integers(0, 8), min_size=2),
    blank=st.integers(0, 5),
    seed=st.integers(0, 100),
)
def test_a_second_round_either_elects_or_hands_two_finalists_to_the_third(
    votes: dict[str, int], blank: int, seed: int
) -> None:
    present = sum(votes.values()) + blank
    assume(present > 0)
    result = majority_round(2, votes, present, rng(seed))
    if result.elected is not None:
        assert 2 * votes[result.elected] > present or sum(votes.values()) == votes[result.elected]
    else:
        assert result.finalists is not None
        first, second = result.finalists
        others = [n for c, n in votes.items() if c not in result.finalists]
        assert first != second
        assert all(n <= min(votes[first], votes[second]) for n in others)


def test_a_sole_candidate_without_a_vote_in_round_two_fails_the_election() -> None:
    # Issue 11: this raised ElectionError ("round 3 needs two candidates").
    result = majority_round(2, {"Anna": 0}, present=12, rng=rng())
    assert result.elected is None and result.next_round is None and result.failed


def test_a_sole_candidate_with_every_vote_cast_in_round_two_is_elected() -> None:
    assert majority_round(2, {"Anna": 3}, present=12, rng=rng()).elected == "Anna"


def test_each_seat_is_taken_with_the_groups_size_over_its_seats_so_far() -> None:
    groups = {"A": 7, "B": 4}
    order = dhondt_order(groups, 3, rng())
    assert order == ["A", "B", "A"]
    assert [str(q) for q in dhondt_quotients(groups, order)] == ["7", "4", "7/2"]


def test_a_quotient_for_a_group_without_members_is_refused() -> None:
    with pytest.raises(ElectionError):
        dhondt_quotients({"A": 0}, ["A"])


@given(
    st.dictionaries(st.sampled_from("ABCDE"), st.integers(1, 20), min_size=1),
    st.integers(0, 12),
    st.integers(0, 2**16),
)
@settings(max_examples=60)
def test_quotients_never_increase_along_the_order(
    groups: dict[str, int], seats: int, seed: int
) -> None:
    quotients = dhondt_quotients(groups, dhondt_order(groups, seats, rng(seed)))
    assert quotients == sorted(quotients, reverse=True)
