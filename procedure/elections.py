"""Appointments and the election of chair and vice chair (R-E1, R-E2, R-K2).

Lots are drawn with the `random.Random` passed in, and only when a tie needs one: the caller seeds
it (or records the draw), so a result can be replayed. Ties are drawn among names in sorted order,
so a draw depends on the seed and the tied names only.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from fractions import Fraction

from procedure.errors import AllianceConflict, ElectionError, InvalidCount

ALLIANCE_JOINER = "+"


def dhondt_order(
    groups: Mapping[str, int],
    seats: int,
    rng: random.Random,
    renounced: Mapping[str, int] | None = None,
) -> list[str]:
    """R-E2: the groups in the order they take the seats (d'Hondt, equal quotients by lot).

    `renounced[g]` seats that group g would have won are given up (its last ones); they go to the
    other groups by the same quotients. Seats stay empty only if every group has renounced.
    """
    votes = _valid_groups(groups, seats)
    winners = _winners(votes, rng)
    if not renounced:
        return [next(winners) for _ in range(seats)]
    _validate_renounced(renounced, votes)
    drawn = [next(winners) for _ in range(seats)]
    caps = {g: max(0, drawn.count(g) - n) for g, n in renounced.items() if n > 0}
    taken = dict.fromkeys(votes, 0)
    order: list[str] = []
    for group in _replay(drawn, winners):
        if len(order) == seats or not _room_left(votes, taken, caps):
            break
        if taken[group] < caps.get(group, seats):
            taken[group] += 1
            order.append(group)
    return order


def dhondt(
    groups: Mapping[str, int],
    seats: int,
    rng: random.Random,
    renounced: Mapping[str, int] | None = None,
) -> dict[str, int]:
    """R-E2: the seats each group takes by d'Hondt (every group listed, 0 when it takes none)."""
    seats_of = dict.fromkeys(groups, 0)
    for group in dhondt_order(groups, seats, rng, renounced):
        seats_of[group] += 1
    return seats_of


def dhondt_quotients(groups: Mapping[str, int], order: Iterable[str]) -> list[Fraction]:
    """R-E2: the quotient each seat of a d'Hondt order was taken with (size / seats taken so far)."""
    taken: dict[str, int] = {}
    quotients = []
    for group in order:
        if groups.get(group, 0) <= 0:
            raise ElectionError(f"{group!r} has no members and cannot take a seat")
        taken[group] = taken.get(group, 0) + 1
        quotients.append(Fraction(groups[group], taken[group]))
    return quotients


def merge_alliances(
    groups: Mapping[str, int], alliances: Iterable[Iterable[str]]
) -> dict[str, int]:
    """R-E2/R-K2: the groups with each alliance counted as one, named "A+B" (in the given order)."""
    merged: dict[str, int] = {}
    allied: set[str] = set()
    for alliance in alliances:
        parties = list(alliance)
        _check_alliance(parties, groups, allied)
        allied.update(parties)
        merged[ALLIANCE_JOINER.join(parties)] = sum(groups[p] for p in parties)
    for party, count in groups.items():
        if party in allied:
            continue
        if party in merged:
            raise AllianceConflict(f"the party {party!r} has the same name as an alliance")
        merged[party] = count
    return merged


def chair_and_vice(
    votes: Mapping[str, int], alliances: Iterable[Iterable[str]], rng: random.Random
) -> tuple[str, str]:
    """R-K2: the groups that take the chair (first d'Hondt seat) and the vice chair (second)."""
    chair, vice = dhondt_order(merge_alliances(votes, alliances), 2, rng)
    return chair, vice


@dataclass(frozen=True)
class RoundResult:
    """R-E1: the elected candidate, or the next round (with its two finalists for round 3)."""

    round_no: int
    elected: str | None
    next_round: int | None = None
    finalists: tuple[str, str] | None = None
    by_lot: bool = False

    @property
    def failed(self) -> bool:
        """R-E1: nobody elected and no further round (a sole candidate got no vote in round 2)."""
        return self.elected is None and self.next_round is None and self.round_no == 2


def majority_round(
    round_no: int, votes: Mapping[str, int], present: int, rng: random.Random
) -> RoundResult:
    """R-E1: one round of a majority election (Kommunestyrelsesloven § 24, stk. 1)."""
    _validate_round(round_no, votes, present)
    leader = _majority_of_present(votes, present)
    if round_no == 1:
        return RoundResult(1, leader, next_round=None if leader else 2)
    if round_no == 2:
        elected = leader or _sole_recipient(votes)
        if elected:
            return RoundResult(2, elected)
        if len(votes) < 2:
            # A sole candidate without a vote: no majority, no votes to them, no two to choose
            # between in a third round. The election has failed; it starts again.
            return RoundResult(2, None)
        finalists, by_lot = _two_finalists(votes, rng)
        return RoundResult(2, None, next_round=3, finalists=finalists, by_lot=by_lot)
    return _binding_round(votes, rng)


def _winners(votes: Mapping[str, int], rng: random.Random) -> Iterator[str]:
    # The endless d'Hondt sequence: each step the highest quotient votes / (seats taken + 1) wins.
    taken = {group: 0 for group, count in votes.items() if count > 0}
    while True:
        quotients = {group: Fraction(votes[group], taken[group] + 1) for group in taken}
        best = max(quotients.values())
        tied = sorted(group for group, q in quotients.items() if q == best)
        winner = tied[0] if len(tied) == 1 else rng.choice(tied)
        taken[winner] += 1
        yield winner


def _replay(drawn: list[str], rest: Iterator[str]) -> Iterator[str]:
    # The seats already drawn first, then the same sequence further (no new lots for old seats).
    yield from drawn
    yield from rest


def _room_left(votes: Mapping[str, int], taken: Mapping[str, int], caps: Mapping[str, int]) -> bool:
    return any(
        count > 0 and (group not in caps or taken[group] < caps[group])
        for group, count in votes.items()
    )


def _valid_groups(groups: Mapping[str, int], seats: int) -> dict[str, int]:
    if seats < 0:
        raise InvalidCount(f"seats must be zero or more, got {seats}")
    for group, count in groups.items():
        if count < 0:
            raise InvalidCount(f"group {group!r} has a negative size {count}")
    if seats > 0 and not any(count > 0 for count in groups.values()):
        raise ElectionError(f"{seats} seat(s) cannot be shared: no group has any members or votes")
    return dict(groups)


def _validate_renounced(renounced: Mapping[str, int], votes: Mapping[str, int]) -> None:
    for group, count in renounced.items():
        if group not in votes:
            raise ElectionError(f"{group!r} renounces seats but is not a group in the election")
        if count < 0:
            raise InvalidCount(f"{group!r} cannot renounce a negative number of seats ({count})")


def _check_alliance(parties: list[str], groups: Mapping[str, int], allied: set[str]) -> None:
    if not parties:
        raise AllianceConflict("an alliance must name at least one party")
    for index, party in enumerate(parties):
        if party not in groups:
            raise AllianceConflict(f"{party!r} is in an alliance but takes no part in the election")
        if party in allied or party in parties[:index]:
            raise AllianceConflict(f"{party!r} is declared in more than one alliance")


def _validate_round(round_no: int, votes: Mapping[str, int], present: int) -> None:
    if round_no not in (1, 2, 3):
        raise ElectionError(f"a majority election has rounds 1, 2 and 3, not {round_no}")
    if not votes:
        raise ElectionError("a round needs at least one candidate")
    for candidate, count in votes.items():
        if count < 0:
            raise InvalidCount(f"{candidate!r} has a negative number of votes ({count})")
    if sum(votes.values()) > present:
        raise InvalidCount(f"{sum(votes.values())} votes cast but only {present} members present")
    if round_no == 3 and len(votes) != 2:
        raise ElectionError(f"round 3 is between exactly two candidates, got {len(votes)}")


def _majority_of_present(votes: Mapping[str, int], present: int) -> str | None:
    # More than half of the members present, counting blank votes and non-voters against.
    return next((c for c, count in votes.items() if 2 * count > present), None)


def _sole_recipient(votes: Mapping[str, int]) -> str | None:
    receivers = [candidate for candidate, count in votes.items() if count > 0]
    return receivers[0] if len(receivers) == 1 else None


def _two_finalists(votes: Mapping[str, int], rng: random.Random) -> tuple[tuple[str, str], bool]:
    if len(votes) < 2:
        raise ElectionError("round 3 needs two candidates, but round 2 had fewer")
    finalists: list[str] = []
    by_lot = False
    for level in sorted(set(votes.values()), reverse=True):
        tied = sorted(c for c, count in votes.items() if count == level)
        room = 2 - len(finalists)
        if len(tied) > room:
            tied, by_lot = rng.sample(tied, room), True
        finalists += tied
        if len(finalists) == 2:
            break
    return (finalists[0], finalists[1]), by_lot


def _binding_round(votes: Mapping[str, int], rng: random.Random) -> RoundResult:
    (first, first_votes), (second, second_votes) = votes.items()
    if first_votes != second_votes:
        return RoundResult(3, first if first_votes > second_votes else second)
    return RoundResult(3, rng.choice(sorted((first, second))), by_lot=True)
