"""Decisions by simple majority (R-Q3) and requests for an extraordinary meeting (R-M2).

The chair's vote is one of the votes counted in `yes`/`no`/`abstain`; it matters a second time only
on a tie, where it decides (the casting vote belongs to the acting chair, R-Q3 interpretation). On a
tie without a casting vote (the chair abstained or did not vote) nothing has a majority, so the
proposal is rejected.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from procedure.errors import InvalidCount, InvalidVote, NotQuorate


class Outcome(StrEnum):
    """R-Q3: what a vote decides."""

    ADOPTED = "adopted"
    REJECTED = "rejected"


class Ballot(StrEnum):
    """R-Q3: how one person votes."""

    YES = "yes"
    NO = "no"
    ABSTAIN = "abstain"


@dataclass(frozen=True)
class MajorityResult:
    """R-Q3: the outcome of a vote, its tally, and whether the chair's casting vote decided it."""

    outcome: Outcome
    yes: int
    no: int
    abstain: int
    casting_vote_used: bool

    @property
    def cast(self) -> int:
        """R-Q3: the votes cast (abstentions are not votes cast)."""
        return self.yes + self.no


def tally(
    yes: int,
    no: int,
    abstain: int,
    chair_vote: str | None,
    quorate: bool,
    *,
    casting_vote: str | None = None,
) -> MajorityResult:
    """R-Q3: the result of a vote by simple majority of votes cast, the chair deciding a tie.

    `casting_vote` is the acting chair's answer when asked on a tie because they abstained or did
    not vote: it decides the tie and nothing else (it is not added to the counts).
    """
    if not quorate:
        raise NotQuorate("no decision can be recorded while the meeting is not quorate (R-Q3)")
    _require_counts(yes=yes, no=no, abstain=abstain)
    ballot = _chair_ballot(chair_vote, yes=yes, no=no, abstain=abstain)
    if casting_vote is not None:
        ballot = _casting_ballot(casting_vote, ballot)
    if yes != no:
        outcome = Outcome.ADOPTED if yes > no else Outcome.REJECTED
        return MajorityResult(outcome, yes, no, abstain, casting_vote_used=False)
    if ballot is Ballot.YES:
        return MajorityResult(Outcome.ADOPTED, yes, no, abstain, casting_vote_used=True)
    if ballot is Ballot.NO:
        return MajorityResult(Outcome.REJECTED, yes, no, abstain, casting_vote_used=True)
    return MajorityResult(Outcome.REJECTED, yes, no, abstain, casting_vote_used=False)


def decide(yes: int, no: int, abstain: int, chair_vote: str | None, quorate: bool) -> Outcome:
    """R-Q3: "adopted" or "rejected" by simple majority of votes cast, the chair breaking a tie."""
    return tally(yes, no, abstain, chair_vote, quorate).outcome


def casting_vote_needed(yes: int, no: int, chair_vote: str | None) -> bool:
    """R-Q3: whether the acting chair must be asked: a tie, and they voted neither yes nor no."""
    _require_counts(yes=yes, no=no)
    return yes == no and chair_vote not in (Ballot.YES, Ballot.NO)


def check_counts(yes: int, no: int, abstain: int, present: int) -> None:
    """R-Q1/R-Q3: entered counts are possible only if none is negative and, one vote per seat,
    together they are at most the members present."""
    _require_counts(yes=yes, no=no, abstain=abstain)
    if yes + no + abstain > present:
        raise InvalidCount(f"{yes + no + abstain} votes counted but only {present} present")


def count_ballots(choices: Iterable[str]) -> tuple[int, int, int]:
    """R-Q3: the yes, no and abstain counts of the ballots cast (one choice per seat)."""
    counted = dict.fromkeys(Ballot, 0)
    for choice in choices:
        try:
            counted[Ballot(choice)] += 1
        except ValueError:
            raise InvalidVote(f"a ballot must be yes, no or abstain, got {choice!r}") from None
    return counted[Ballot.YES], counted[Ballot.NO], counted[Ballot.ABSTAIN]


def requests_needed(members: int) -> int:
    """R-M2: how many members' requests oblige the council to meet, ⌈members / 3⌉."""
    if members < 1:
        raise InvalidCount(f"a council needs at least one member, got {members}")
    return (members + 2) // 3


def extraordinary_meeting_required(members: int, requests: int) -> bool:
    """R-M2: whether at least one third of the members have asked for a meeting."""
    if not 0 <= requests <= members:
        raise InvalidCount(f"requests must be between 0 and {members} members, got {requests}")
    return requests >= requests_needed(members)


def _require_counts(**counts: int) -> None:
    for name, value in counts.items():
        if value < 0:
            raise InvalidCount(f"{name} votes must be zero or more, got {value}")


def _casting_ballot(casting_vote: str, ballot: Ballot | None) -> Ballot:
    if ballot in (Ballot.YES, Ballot.NO):
        raise InvalidVote("the chair voted yes or no already; that vote decides a tie")
    if casting_vote not in (Ballot.YES, Ballot.NO):
        raise InvalidVote(f"a casting vote is 'yes' or 'no', got {casting_vote!r}")
    return Ballot(casting_vote)


def _chair_ballot(chair_vote: str | None, *, yes: int, no: int, abstain: int) -> Ballot | None:
    if chair_vote is None:
        return None
    try:
        ballot = Ballot(chair_vote)
    except ValueError:
        raise InvalidVote(
            f"the chair's vote must be 'yes', 'no', 'abstain' or None, got {chair_vote!r}"
        ) from None
    # The chair's vote is among those counted, so its column cannot be empty.
    counted = {Ballot.YES: yes, Ballot.NO: no, Ballot.ABSTAIN: abstain}[ballot]
    if counted == 0:
        raise InvalidVote(f"the chair voted {ballot} but no {ballot} vote was counted")
    return ballot
