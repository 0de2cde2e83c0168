"""R-Q3/R-E1: arriving during a vote brings the ballot at once; leaving ends one's voting (the
ballot already cast stands); one vote per seat holds when member and substitute pass each other."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.meeting_room import Ballot
from models.tables import Council
from services.councillors import import_councillors, parse_councillors_csv
from services.elections import (
    cast_election_ballot,
    open_round,
    propose_candidate,
    start_election,
)
from services.errors import Refused
from services.meeting_day import check_in, check_out
from services.meeting_room import next_item
from services.votes import cast_vote, close_vote, put_to_vote
from tests.integration.conftest import CHAIR, MAYOR, MAYOR_SUBSTITUTE, Council_
from tests.integration.room_helpers import MEMBERS, absent, add_items, day, open_with

TWELVE = MEMBERS[:12]
LATE = MEMBERS[12]


async def _as(
    kkr: Council_, service: object, by: str, minutes: int = 0, **kwargs: object
) -> object:
    now = await day(kkr, timedelta(minutes=minutes))
    return await kkr.run(service, actor=await kkr.actor(by), now=now, **kwargs)


async def _vote(kkr: Council_) -> int:
    await _as(kkr, next_item, CHAIR)
    vote = await _as(kkr, put_to_vote, CHAIR, question="Shall the budget be approved?")
    return vote.id


async def _ballots_to(kkr: Council_, name: str, kind: str = "vote_ballot") -> int:
    person_id = await kkr.person_id_any(name)
    return sum(1 for n in await kkr.notices(kind) if n.person_id == person_id)


async def test_a_member_who_arrives_during_a_vote_gets_the_ballot_at_once_and_votes(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    assert await _ballots_to(kkr, LATE) == 0
    await _as(kkr, check_in, LATE, minutes=5, meeting_id=kkr.meetings[0])
    assert await _ballots_to(kkr, LATE) == 1
    cast = await _as(kkr, cast_vote, LATE, minutes=6, vote_id=vote_id, choice="yes")
    assert cast.seat == LATE and not cast.changed
    # Leaving and coming back sends no second ballot: the first one still works.
    await _as(kkr, check_out, LATE, minutes=7, meeting_id=kkr.meetings[0])
    await _as(kkr, check_in, LATE, minutes=8, meeting_id=kkr.meetings[0])
    assert await _ballots_to(kkr, LATE) == 1


async def test_a_member_who_leaves_during_a_vote_cannot_vote_again_and_their_ballot_stands(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    leaver = TWELVE[4]
    await _as(kkr, cast_vote, leaver, minutes=1, vote_id=vote_id, choice="no")
    await _as(kkr, check_out, leaver, minutes=2, meeting_id=kkr.meetings[0])
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, leaver, minutes=3, vote_id=vote_id, choice="yes")
    assert refused.value.code == "not_present"
    for name in TWELVE[:3]:
        await _as(kkr, cast_vote, name, minutes=3, vote_id=vote_id, choice="yes")
    result = await _as(kkr, close_vote, CHAIR, minutes=4, vote_id=vote_id)
    assert (result.yes, result.no, result.abstain) == (3, 1, 0)


async def test_a_member_who_arrives_after_their_substitute_voted_and_left_holds_one_vote(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget")
    await absent(kkr, MAYOR, substitute_comes=True)
    others = [m for m in TWELVE if m != MAYOR]
    await open_with(kkr, *others, MAYOR_SUBSTITUTE)
    vote_id = await _vote(kkr)
    await _as(kkr, cast_vote, MAYOR_SUBSTITUTE, minutes=1, vote_id=vote_id, choice="no")
    # While the substitute sits in the seat, the member cannot take it.
    with pytest.raises(Refused) as refused:
        await _as(kkr, check_in, MAYOR, minutes=2, meeting_id=kkr.meetings[0])
    assert refused.value.code == "substitute_stands_in"
    await _as(kkr, check_out, MAYOR_SUBSTITUTE, minutes=3, meeting_id=kkr.meetings[0])
    await _as(kkr, check_in, MAYOR, minutes=4, meeting_id=kkr.meetings[0])
    assert await _ballots_to(kkr, MAYOR) == 1
    with pytest.raises(Refused):
        await _as(kkr, cast_vote, MAYOR_SUBSTITUTE, minutes=5, vote_id=vote_id, choice="yes")
    cast = await _as(kkr, cast_vote, MAYOR, minutes=5, vote_id=vote_id, choice="yes")
    assert cast.seat == MAYOR and cast.changed
    async with kkr.sessions() as session:
        (ballot,) = (await session.exec(select(Ballot))).all()
    assert ballot.choice == "yes" and ballot.cast_by_id == await kkr.person_id(MAYOR)


async def test_a_member_who_arrives_during_a_round_gets_its_ballot(kkr: Council_) -> None:
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        rows = parse_councillors_csv(
            "name,municipality,party,region\nMaja Holm,Aalborg,A,\nJens Kofoed,Thisted,V,\n"
        )
        await import_councillors(session, council=council, rows=rows, now=await day(kkr))
    await add_items(kkr, "Udpegning")
    await open_with(kkr, *TWELVE)
    await _as(kkr, next_item, CHAIR)
    election = await _as(kkr, start_election, CHAIR, title="Repræsentant")
    for name in ("Maja Holm", "Jens Kofoed"):
        await _as(kkr, propose_candidate, CHAIR, election_id=election.id, name=name)
    ballot_round = await _as(kkr, open_round, CHAIR, election_id=election.id)
    await _as(kkr, check_in, LATE, minutes=5, meeting_id=kkr.meetings[0])
    [notice] = [
        n for n in await kkr.notices("election_ballot") if n.person_id == await kkr.person_id(LATE)
    ]
    assert [name for _id, name in notice.payload["candidates"]] == ["Maja Holm", "Jens Kofoed"]
    assert not await _as(
        kkr,
        cast_election_ballot,
        LATE,
        minutes=6,
        round_id=ballot_round.id,
        candidate_id=notice.payload["candidates"][0][0],
    )
