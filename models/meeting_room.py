"""The meeting room's tables: the item under discussion, decisions, votes, elections, the register.

R-M5, R-Q3, R-E1–R-E4. Only tables and columns; who may do what lives in services/ and procedure/.
The decision row is self-contained (text, counts, outcome, casting vote, named ballots) so the
minutes can be written from it alone.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Date, String, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


def _when(*, nullable: bool = True) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable)


class VoteMode(StrEnum):
    """R-Q3: how the votes reach the bot."""

    BUTTONS = "buttons"  # each seat votes privately with For / Imod / Undlader
    COUNTS = "counts"  # the secretariat enters the counts read from a show of hands


class VoteStatus(StrEnum):
    OPEN = "open"
    AWAITING_CASTING = "awaiting_casting"  # a tie; the acting chair is asked for their vote
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ElectionKind(StrEnum):
    SINGLE = "single"  # R-E1: majority election of one person
    PROPORTIONAL = "proportional"  # R-E2: d'Hondt among groups


class ElectionStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ChosenHow(StrEnum):
    """R-E4: how an appointment was made."""

    SINGLE = "single"  # an R-E1 election here (round recorded)
    PROPORTIONAL = "proportional"  # an R-E2 election here (quotient recorded)
    ELSEWHERE = "elsewhere"  # made elsewhere, recorded by the secretariat


class MeetingFloor(SQLModel, table=True):
    """R-M5: the item under discussion in an open meeting, and who moved it there."""

    __tablename__ = "meeting_floor"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", unique=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    moved_at: datetime | None = _when()
    moved_by_id: int | None = Field(default=None, foreign_key="person.id")
    # The acting chair, when the secretariat moved on their behalf.
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id")


class Decision(SQLModel, table=True):
    """R-Q3/R-M5: what the council decided on one agenda item (one decision per item)."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", unique=True)
    text: str = Field(sa_type=Text)
    decided_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")
    # The acting chair, when the secretariat recorded the decision on their behalf.
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id")
    # Members counted present when it was decided (R-Q1/R-Q3).
    present: int | None = None
    vote_id: int | None = Field(default=None, foreign_key="vote.id")
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    outcome: str | None = Field(default=None, sa_type=String(20))  # adopted / rejected
    named: bool = False
    # For a named vote: [{"seat_member_id", "cast_by_id", "choice"}], frozen at the close.
    named_ballots: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # R-Q3: the acting chair's vote when it broke a tie.
    casting_vote: str | None = Field(default=None, sa_type=String(10))
    casting_vote_by_id: int | None = Field(default=None, foreign_key="person.id")


class Vote(SQLModel, table=True):
    """R-Q3/R-M5: one question put to the vote on one item."""

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    question: str = Field(sa_type=Text)
    mode: str = Field(default=VoteMode.BUTTONS, sa_type=String(20))
    named: bool = False
    status: str = Field(default=VoteStatus.OPEN, sa_type=String(20))
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    opened_by_id: int | None = Field(default=None, foreign_key="person.id")
    on_behalf_of_id: int | None = Field(default=None, foreign_key="person.id")
    closed_at: datetime | None = _when()
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    # The counts: entered by the secretariat, or tallied from the ballots at the close.
    votes_for: int | None = None
    votes_against: int | None = None
    votes_abstain: int | None = None
    outcome: str | None = Field(default=None, sa_type=String(20))
    casting_vote: str | None = Field(default=None, sa_type=String(10))
    casting_vote_by_id: int | None = Field(default=None, foreign_key="person.id")


class Ballot(SQLModel, table=True):
    """R-Q3: the vote of one seat (member), cast by the member or the substitute standing in."""

    __table_args__ = (UniqueConstraint("vote_id", "seat_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    vote_id: int = Field(foreign_key="vote.id", index=True)
    seat_member_id: int = Field(foreign_key="person.id")
    cast_by_id: int = Field(foreign_key="person.id")
    choice: str = Field(sa_type=String(10))  # yes / no / abstain
    cast_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    changed_at: datetime | None = _when()


class Body(SQLModel, table=True):
    """R-E4: a body the council appoints to, with its seats and term."""

    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    name: str = Field(sa_type=String(200))
    seat_count: int
    term_start: date | None = Field(default=None, sa_type=Date)
    term_end: date | None = Field(default=None, sa_type=Date)
    note: str | None = Field(default=None, sa_type=Text)


class Councillor(SQLModel, table=True):
    """R-E3: a municipal councillor of the region, imported; only these can be appointed."""

    __table_args__ = (UniqueConstraint("council_id", "name", "municipality"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    name: str = Field(sa_type=String(200))
    municipality: str = Field(sa_type=String(100))
    party: str | None = Field(default=None, sa_type=String(40))
    region: str | None = Field(default=None, sa_type=String(100))
    imported_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Election(SQLModel, table=True):
    """R-E1/R-E2: an election at a meeting, to a body of the register when there is one."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    body_id: int | None = Field(default=None, foreign_key="body.id")
    kind: str = Field(sa_type=String(20))
    title: str = Field(sa_type=String(200))
    seats: int = 1
    status: str = Field(default=ElectionStatus.OPEN, sa_type=String(20))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    created_by_id: int | None = Field(default=None, foreign_key="person.id")
    closed_at: datetime | None = _when()
    # R-E2: the d'Hondt order [{"seat", "group_id", "quotient", "by_lot"}] after renunciations.
    result: list[dict[str, Any]] | None = Field(default=None, sa_column=Column(JSON))
    # A lot drawn for the d'Hondt order (R-E2): the seed and who saw it drawn.
    lot_seed: str | None = Field(default=None, sa_type=String(64))
    lot_witness: str | None = Field(default=None, sa_type=Text)
    lot_drawn_at: datetime | None = _when()


class ElectionCandidate(SQLModel, table=True):
    """R-E1/R-E3: a candidate in a majority election, checked against the councillors."""

    __tablename__ = "election_candidate"

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    name: str = Field(sa_type=String(200))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    councillor_id: int | None = Field(default=None, foreign_key="councillor.id")
    proposed_by_id: int | None = Field(default=None, foreign_key="person.id")
    proposed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    withdrawn_at: datetime | None = _when()


class ElectionRound(SQLModel, table=True):
    """R-E1: one round of a majority election, its counts and what it decided."""

    __tablename__ = "election_round"
    __table_args__ = (UniqueConstraint("election_id", "round_no"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    round_no: int
    mode: str = Field(default=VoteMode.BUTTONS, sa_type=String(20))
    opened_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    closed_at: datetime | None = _when()
    present: int | None = None  # members present at the close: the majority's base
    # {candidate_id (as text): votes}; entered, or tallied from the ballots at the close.
    counts: dict[str, int] | None = Field(default=None, sa_column=Column(JSON))
    blank: int | None = None
    elected_candidate_id: int | None = Field(default=None, foreign_key="election_candidate.id")
    finalist_ids: list[int] | None = Field(default=None, sa_column=Column(JSON))  # for round 3
    by_lot: bool = False
    lot_seed: str | None = Field(default=None, sa_type=String(64))
    lot_witness: str | None = Field(default=None, sa_type=Text)


class ElectionBallot(SQLModel, table=True):
    """R-E1: one seat's private ballot in one round (None: blank)."""

    __tablename__ = "election_ballot"
    __table_args__ = (UniqueConstraint("round_id", "seat_member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="election_round.id", index=True)
    seat_member_id: int = Field(foreign_key="person.id")
    cast_by_id: int = Field(foreign_key="person.id")
    candidate_id: int | None = Field(default=None, foreign_key="election_candidate.id")
    cast_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    changed_at: datetime | None = _when()


class ElectionGroup(SQLModel, table=True):
    """R-E2: a group declared for a proportional election: one party, or an alliance of several."""

    __tablename__ = "election_group"
    __table_args__ = (UniqueConstraint("election_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    name: str = Field(sa_type=String(200))
    parties: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    spokesperson_id: int | None = Field(default=None, foreign_key="person.id")
    declared_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    seats_won: int | None = None
    seats_renounced: int = 0
    renounced_at: datetime | None = _when()


class ElectionGroupMember(SQLModel, table=True):
    """R-E2: a member (seat) who declared for a group; a seat is in one group per election."""

    __tablename__ = "election_group_member"
    __table_args__ = (UniqueConstraint("election_id", "member_id"),)

    id: int | None = Field(default=None, primary_key=True)
    election_id: int = Field(foreign_key="election.id", index=True)
    group_id: int = Field(foreign_key="election_group.id", index=True)
    member_id: int = Field(foreign_key="person.id")


class Appointment(SQLModel, table=True):
    """R-E4: who sits where, for which term, and how they were chosen."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    seat_no: int | None = None
    name: str = Field(sa_type=String(200))
    person_id: int | None = Field(default=None, foreign_key="person.id")
    councillor_id: int | None = Field(default=None, foreign_key="councillor.id")
    term_start: date | None = Field(default=None, sa_type=Date)
    term_end: date | None = Field(default=None, sa_type=Date)
    chosen_how: str = Field(sa_type=String(20))
    election_id: int | None = Field(default=None, foreign_key="election.id")
    round_no: int | None = None  # R-E1
    group_id: int | None = Field(default=None, foreign_key="election_group.id")  # R-E2
    quotient: str | None = Field(default=None, sa_type=String(40))  # R-E2, e.g. "7/2"
    note: str | None = Field(default=None, sa_type=Text)  # where it was made, when elsewhere
    recorded_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    recorded_by_id: int | None = Field(default=None, foreign_key="person.id")
    ended_at: datetime | None = _when()
