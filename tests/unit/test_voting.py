"""R-Q3 simple majority with the chair's casting vote; R-M2 requests for a meeting."""

from __future__ import annotations

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from procedure.errors import InvalidCount, InvalidVote, NotQuorate
from procedure.voting import (
    Outcome,
    casting_vote_needed,
    check_counts,
    count_ballots,
    decide,
    extraordinary_meeting_required,
    requests_needed,
    tally,
)


def test_more_yes_than_no_votes_adopts_the_proposal() -> None:
    assert decide(12, 8, 0, None, quorate=True) == "adopted"


def test_more_no_than_yes_votes_rejects_the_proposal() -> None:
    assert decide(8, 12, 0, None, quorate=True) == "rejected"


def test_abstentions_do_not_count_as_votes_cast() -> None:
    assert decide(3, 2, 15, None, quorate=True) == Outcome.ADOPTED
    assert tally(3, 2, 15, None, quorate=True).cast == 5


def test_on_a_tie_the_chairs_yes_decides() -> None:
    result = tally(10, 10, 2, "yes", quorate=True)
    assert result.outcome == "adopted"
    assert result.casting_vote_used


def test_on_a_tie_the_chairs_no_decides() -> None:
    result = tally(10, 10, 2, "no", quorate=True)
    assert result.outcome == "rejected"
    assert result.casting_vote_used


def test_a_tie_when_the_chair_abstained_is_no_majority_and_rejects() -> None:
    result = tally(10, 10, 2, "abstain", quorate=True)
    assert result.outcome == "rejected"
    assert not result.casting_vote_used


def test_the_chairs_vote_does_not_matter_without_a_tie() -> None:
    assert not tally(11, 10, 0, "no", quorate=True).casting_vote_used
    assert decide(11, 10, 0, "no", quorate=True) == "adopted"


def test_no_decision_is_recorded_while_the_meeting_is_not_quorate() -> None:
    with pytest.raises(NotQuorate, match="not quorate"):
        decide(10, 0, 0, None, quorate=False)


def test_an_unknown_chair_vote_is_refused() -> None:
    with pytest.raises(InvalidVote, match="'maybe'"):
        decide(1, 1, 0, "maybe", quorate=True)


def test_a_chair_vote_the_tally_does_not_contain_is_refused() -> None:
    with pytest.raises(InvalidVote, match="no yes vote"):
        decide(0, 0, 5, "yes", quorate=True)


def test_negative_votes_are_refused() -> None:
    with pytest.raises(InvalidCount):
        decide(-1, 0, 0, None, quorate=True)


@settings(max_examples=200)
@given(
    yes=st.integers(0, 30),
    no=st.integers(0, 30),
    abstain=st.integers(0, 30),
    chair=st.sampled_from(["yes", "no", "abstain", None]),
)
def test_a_proposal_is_adopted_exactly_with_more_yes_or_a_tie_with_the_chair_voting_yes(
    yes: int, no: int, abstain: int, chair: str | None
) -> None:
    counted = {"yes": yes, "no": no, "abstain": abstain}
    assume(chair is None or counted[chair] > 0)  # the chair's vote is among the votes counted
    adopted = yes > no or (yes == no and chair == "yes")
    assert (decide(yes, no, abstain, chair, quorate=True) == "adopted") is adopted


@pytest.mark.parametrize(("members", "needed"), [(22, 8), (21, 7), (20, 7), (3, 1), (1, 1)])
def test_a_third_of_the_members_rounded_up_can_require_a_meeting(members: int, needed: int) -> None:
    assert requests_needed(members) == needed
    assert extraordinary_meeting_required(members, needed)
    assert not extraordinary_meeting_required(members, needed - 1)


def test_more_requests_than_members_are_refused() -> None:
    with pytest.raises(InvalidCount):
        extraordinary_meeting_required(22, 23)


@given(members=st.integers(1, 200), requests=st.integers(0, 200))
def test_a_meeting_is_required_exactly_when_three_times_the_requests_reach_the_members(
    members: int, requests: int
) -> None:
    assume(requests <= members)
    assert extraordinary_meeting_required(members, requests) is (3 * requests >= members)


# R-Q3: the acting chair asked for a casting vote, and ballots counted


def test_a_casting_vote_asked_for_after_the_chair_abstained_decides_a_tie() -> None:
    result = tally(5, 5, 2, "abstain", quorate=True, casting_vote="yes")
    assert result.outcome is Outcome.ADOPTED and result.casting_vote_used
    assert (result.yes, result.no, result.abstain) == (5, 5, 2)


def test_a_casting_vote_breaks_a_tie_of_nothing_cast_too() -> None:
    assert tally(0, 0, 12, None, quorate=True, casting_vote="no").outcome is Outcome.REJECTED


def test_a_casting_vote_does_not_matter_without_a_tie() -> None:
    result = tally(6, 5, 0, None, quorate=True, casting_vote="no")
    assert result.outcome is Outcome.ADOPTED and not result.casting_vote_used


def test_a_chair_who_voted_yes_or_no_gives_no_second_casting_vote() -> None:
    with pytest.raises(InvalidVote):
        tally(5, 5, 0, "yes", quorate=True, casting_vote="no")


def test_a_casting_vote_is_yes_or_no() -> None:
    with pytest.raises(InvalidVote):
        tally(5, 5, 0, None, quorate=True, casting_vote="abstain")


def test_the_chair_is_asked_only_on_a_tie_they_did_not_vote_in() -> None:
    assert casting_vote_needed(5, 5, None)
    assert casting_vote_needed(5, 5, "abstain")
    assert not casting_vote_needed(5, 5, "yes")
    assert not casting_vote_needed(6, 5, None)


def test_ballots_are_counted_by_choice() -> None:
    assert count_ballots(["yes", "no", "yes", "abstain"]) == (2, 1, 1)
    with pytest.raises(InvalidVote):
        count_ballots(["maybe"])


@given(st.lists(st.sampled_from(["yes", "no", "abstain"])))
def test_every_ballot_is_counted_exactly_once(choices: list[str]) -> None:
    assert sum(count_ballots(choices)) == len(choices)


def test_entered_counts_cannot_exceed_those_present_or_be_negative() -> None:
    check_counts(12, 5, 2, present=19)
    with pytest.raises(InvalidCount):
        check_counts(12, 5, 3, present=19)
    with pytest.raises(InvalidCount):
        check_counts(-1, 5, 3, present=19)
