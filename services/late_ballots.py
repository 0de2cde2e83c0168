"""Ballots for those who take their seat while a vote is open (R-Q3, R-E1).

A member (or the substitute standing in for them) who checks in after the acting chair put a
question to the vote, or opened a round of an election by private ballot, gets their ballot at once,
as those present at the opening did. The dedupe key is the opening's own (`vote:<id>:<person>`), so
someone who leaves and comes back is not sent a second ballot: the first one still works.

Leaving while a vote is open: the ballot already cast stands (it was cast while the member was
present and entitled; a departure must not silently change a count the room has seen grow), but
the one who left can no longer vote or change it — `voter_seat` refuses whoever is not present.
One vote per seat holds throughout: a member who arrives after their substitute voted and left
votes for the same seat, and their press replaces the substitute's ballot (it is never added).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.meeting_room import (
    Election,
    ElectionRound,
    ElectionStatus,
    Vote,
    VoteMode,
    VoteStatus,
)
from models.tables import AgendaItem
from services.elections import ballot_payload
from services.seats import Seats, tell
from services.votes import voters


async def hand_ballots(
    session: AsyncSession, seats: Seats, person_id: int, *, now: datetime
) -> int:
    """Send `person_id`, who has just taken a seat, the ballot of each open vote and round."""
    if seats.meeting.status != MeetingStatus.OPEN or seats.meeting.id is None:
        return 0
    if person_id not in voters(seats):
        return 0
    sent = 0
    vote = (
        await session.exec(
            select(Vote).where(
                Vote.meeting_id == seats.meeting.id,
                Vote.status == VoteStatus.OPEN,
                Vote.mode == VoteMode.BUTTONS,
            )
        )
    ).first()
    if vote is not None:
        item = await session.get(AgendaItem, vote.item_id)
        sent += await tell(
            session,
            seats,
            [person_id],
            kind="vote_ballot",
            key=f"vote:{vote.id}",
            now=now,
            payload={
                "vote_id": vote.id,
                "question": vote.question,
                "item": item.title if item else "",
            },
        )
    rounds = await session.exec(
        select(ElectionRound, Election)
        .join(Election, col(Election.id) == col(ElectionRound.election_id))
        .where(
            Election.meeting_id == seats.meeting.id,
            Election.status == ElectionStatus.OPEN,
            col(ElectionRound.closed_at).is_(None),
            ElectionRound.mode == VoteMode.BUTTONS,
        )
    )
    for ballot_round, election in rounds.all():
        sent += await tell(
            session,
            seats,
            [person_id],
            kind="election_ballot",
            key=f"election-round:{ballot_round.id}",
            now=now,
            payload=await ballot_payload(session, election, ballot_round),
        )
    return sent
