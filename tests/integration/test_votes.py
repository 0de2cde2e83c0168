"""R-Q3 votes: one per seat, changeable until closed, ties broken by the acting chair, quorum."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.meeting_room import Ballot, Decision
from services.errors import Refused
from services.meeting_room import next_item
from services.votes import cancel_vote, cast_vote, close_vote, put_to_vote
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    SECRETARY,
    VICE,
    Council_,
)
from tests.integration.room_helpers import MEMBERS, absent, add_items, day, leave, open_with
from tests.refusals import refused_with

TWELVE = MEMBERS[:12]


async def _as(kkr: Council_, service: object, by: str, **kwargs: object) -> object:
    return await kkr.run(service, actor=await kkr.actor(by), now=await day(kkr), **kwargs)


async def _vote(kkr: Council_, by: str = CHAIR, **kwargs: object) -> int:
    await _as(kkr, next_item, by)
    vote = await _as(kkr, put_to_vote, by, question="Shall the budget be approved?", **kwargs)
    return vote.id


async def _cast(kkr: Council_, vote_id: int, choices: dict[str, str]) -> None:
    for name, choice in choices.items():
        await _as(kkr, cast_vote, name, vote_id=vote_id, choice=choice)


async def test_a_tie_is_broken_by_the_acting_chair_who_is_the_vice_chair_when_the_chair_is_absent(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget")
    await absent(kkr, CHAIR)
    present = MEMBERS[1:13]  # twelve, the vice chair among them
    await open_with(kkr, *present, by=VICE)
    vote_id = await _vote(kkr, by=VICE)
    yes, no = present[:6], present[6:]
    assert VICE in yes
    await _cast(kkr, vote_id, {n: "yes" for n in yes} | {n: "no" for n in no})
    result = await _as(kkr, close_vote, VICE, vote_id=vote_id)
    assert (result.yes, result.no, result.abstain) == (6, 6, 0)
    assert result.outcome == "adopted" and result.casting_vote_used
    async with kkr.sessions() as session:
        decision = (await session.exec(select(Decision))).one()
    assert decision.vote_id == vote_id and decision.outcome == "adopted"
    assert decision.casting_vote == "yes"
    assert decision.casting_vote_by_id == await kkr.person_id(VICE)
    assert decision.text == "Vedtaget: Shall the budget be approved?"


async def test_an_acting_chair_who_abstained_is_asked_for_the_casting_vote(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    others = TWELVE[1:]
    await _cast(
        kkr,
        vote_id,
        {CHAIR: "abstain"} | {n: "yes" for n in others[:5]} | {n: "no" for n in others[5:10]},
    )
    asked = await _as(kkr, close_vote, CHAIR, vote_id=vote_id)
    assert asked.awaiting_casting and asked.outcome is None
    assert await kkr.notice_names("vote_casting") == [CHAIR]
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, others[10], vote_id=vote_id, choice="yes")
    assert refused.value.code == "vote_closed"  # no ballot after the tie was found
    result = await _as(kkr, close_vote, CHAIR, vote_id=vote_id, casting_vote="no")
    assert result.outcome == "rejected" and result.casting_vote_used
    assert (result.yes, result.no, result.abstain) == (5, 5, 1)


async def test_a_vote_is_refused_when_quorum_is_lost_before_the_close(kkr: Council_) -> None:
    await add_items(kkr, "Budget", "Roads")
    await open_with(kkr, *MEMBERS[:11])
    vote_id = await _vote(kkr)
    await _cast(kkr, vote_id, {n: "yes" for n in MEMBERS[:11]})
    await leave(kkr, MEMBERS[10])
    with pytest.raises(Refused) as refused:
        await _as(kkr, close_vote, CHAIR, vote_id=vote_id)
    assert refused.value.code == "not_quorate"
    async with kkr.sessions() as session:
        assert (await session.exec(select(Decision))).first() is None
    # The chair withdraws the vote; the item can be taken up again once the meeting is quorate.
    cancelled = await _as(kkr, cancel_vote, CHAIR, vote_id=vote_id)
    assert cancelled.status == "cancelled"
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, MEMBERS[0], vote_id=vote_id, choice="no")
    assert refused.value.code == "vote_closed"
    await _as(kkr, next_item, CHAIR)  # no vote open any more


async def test_a_substitute_votes_for_their_member_and_the_members_own_vote_is_refused(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget")
    await absent(kkr, MAYOR, substitute_comes=True)
    others = [m for m in TWELVE if m != MAYOR]
    await open_with(kkr, *others, MAYOR_SUBSTITUTE)
    vote_id = await _vote(kkr)
    cast = await _as(kkr, cast_vote, MAYOR_SUBSTITUTE, vote_id=vote_id, choice="no")
    assert cast.seat == MAYOR and not cast.changed
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, MAYOR, vote_id=vote_id, choice="yes")
    assert refused.value.code == "substitute_stands_in"
    assert refused.value.params == {"substitute": MAYOR_SUBSTITUTE}
    async with kkr.sessions() as session:
        (ballot,) = (await session.exec(select(Ballot))).all()
    assert ballot.seat_member_id == await kkr.person_id(MAYOR)
    assert ballot.cast_by_id == await kkr.person_id(MAYOR_SUBSTITUTE)


async def test_a_vote_changed_before_closing_counts_once_as_the_last_choice(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr, named=True)
    first = await _as(kkr, cast_vote, MEMBERS[5], vote_id=vote_id, choice="yes")
    again = await _as(kkr, cast_vote, MEMBERS[5], vote_id=vote_id, choice="no")
    assert not first.changed and again.changed
    await _cast(kkr, vote_id, {n: "yes" for n in TWELVE[:4]})
    result = await _as(kkr, close_vote, CHAIR, vote_id=vote_id)
    assert (result.yes, result.no, result.abstain) == (4, 1, 0)
    async with kkr.sessions() as session:
        decision = (await session.exec(select(Decision))).one()
    named = {b["seat_member_id"]: b["choice"] for b in decision.named_ballots or []}
    assert named[await kkr.person_id(MEMBERS[5])] == "no" and len(named) == 5
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, MEMBERS[5], vote_id=vote_id, choice="yes")
    assert refused.value.code == "vote_closed"


async def test_the_secretariat_and_the_absent_cannot_vote(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    with refused_with("not_allowed"):
        await _as(kkr, cast_vote, SECRETARY, vote_id=vote_id, choice="yes")
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, MEMBERS[20], vote_id=vote_id, choice="yes")
    assert refused.value.code == "not_present"


async def test_the_secretariat_enters_the_counts_of_a_show_of_hands(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *MEMBERS[:19])
    vote_id = await _vote(kkr, by=SECRETARY, mode="counts")
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_vote, MEMBERS[3], vote_id=vote_id, choice="yes")
    assert refused.value.code == "vote_by_counts"
    with pytest.raises(Refused) as refused:
        await _as(kkr, close_vote, SECRETARY, vote_id=vote_id, yes=12, no=5, abstain=3)
    assert refused.value.code == "counts_invalid"  # 20 votes from 19 present
    result = await _as(kkr, close_vote, SECRETARY, vote_id=vote_id, yes=12, no=5, abstain=2)
    assert result.outcome == "adopted" and (result.yes, result.no, result.abstain) == (12, 5, 2)
    async with kkr.sessions() as session:
        decision = (await session.exec(select(Decision))).one()
    assert decision.on_behalf_of_id == await kkr.person_id(CHAIR)
    assert (decision.votes_for, decision.votes_against, decision.votes_abstain) == (12, 5, 2)


async def test_the_item_cannot_change_while_its_vote_is_open(kkr: Council_) -> None:
    await add_items(kkr, "Budget", "Roads")
    await open_with(kkr, *TWELVE)
    await _vote(kkr)
    with pytest.raises(Refused) as refused:
        await _as(kkr, next_item, CHAIR)
    assert refused.value.code == "vote_open"


async def test_the_pinned_message_shows_how_many_voted_never_how_then_the_result(
    kkr: Council_,
) -> None:
    from bot.live import quorum_text
    from services.live import dirty_messages, link_group

    await add_items(kkr, "Budget")
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=-100, now=await day(kkr))
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    await _cast(kkr, vote_id, {TWELVE[1]: "yes", TWELVE[2]: "no", TWELVE[3]: "no"})
    async with kkr.sessions() as session:
        (shown,) = await dirty_messages(session)
    text = quorum_text(shown.view, "da")
    assert "Punkt 1. Budget" in text and "3 af 12 har stemt" in text
    assert "For" not in text.replace("Formand", "")  # how they voted is never shown
    await _as(kkr, close_vote, CHAIR, vote_id=vote_id)
    async with kkr.sessions() as session:
        (shown,) = await dirty_messages(session)
    text = quorum_text(shown.view, "da")
    assert "Beslutning: Forkastet: Shall the budget be approved?" in text
    assert "For 1, imod 2, undlod 0" in text and "har stemt" not in text


async def test_a_vote_is_one_write_and_the_editor_counts_while_the_vote_is_open(
    kkr: Council_,
) -> None:
    from services.live import dirty_messages, link_group, mark_rendered
    from services.meeting_day import close_meeting

    await add_items(kkr, "Budget")
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=-100, now=await day(kkr))
    await open_with(kkr, *TWELVE)
    vote_id = await _vote(kkr)
    async with kkr.sessions() as session, session.begin():
        (shown,) = await dirty_messages(session)
        await mark_rendered(
            session, live_id=shown.live_id, changes=shown.changes, message_id=1, text="x",
            now=await day(kkr),
        )  # fmt: skip
    await _cast(kkr, vote_id, {TWELVE[1]: "yes"})
    async with kkr.sessions() as session:
        (again,) = await dirty_messages(session)  # not marked by the vote: counted while open
    assert again.changes == shown.changes and again.view.floor.voted == 1
    await _as(kkr, close_vote, CHAIR, vote_id=vote_id)
    await _as(kkr, close_meeting, CHAIR)
    async with kkr.sessions() as session, session.begin():
        for render in await dirty_messages(session):
            await mark_rendered(
                session, live_id=render.live_id, changes=render.changes, message_id=1,
                text="y", now=await day(kkr),
            )  # fmt: skip
    async with kkr.sessions() as session:
        assert await dirty_messages(session) == []  # nothing open: nothing to count


async def test_a_show_of_hands_is_put_and_closed_at_once(kkr: Council_) -> None:
    from services.votes import record_show_of_hands

    await add_items(kkr, "Budget", "Roads")
    await open_with(kkr, *MEMBERS[:19])
    await _as(kkr, next_item, SECRETARY)
    result = await _as(
        kkr, record_show_of_hands, SECRETARY, question="Budget", yes=12, no=5, abstain=2
    )
    assert result.outcome == "adopted" and result.decision_id is not None
    with pytest.raises(Refused) as refused:
        await _as(kkr, record_show_of_hands, SECRETARY, question="Again", yes=1, no=0, abstain=0)
    assert refused.value.code == "already_decided"
    await _as(kkr, next_item, SECRETARY)
    tie = await _as(kkr, record_show_of_hands, SECRETARY, question="Roads", yes=5, no=5, abstain=0)
    assert tie.awaiting_casting and tie.outcome is None
    decided = await _as(kkr, close_vote, CHAIR, vote_id=tie.vote_id, casting_vote="yes")
    assert decided.outcome == "adopted" and decided.casting_vote_used
