"""R-K1/R-K2 from the chat and the meeting room: the convener sees the 31 January deadline and what
a call would do before confirming it; at the constituent meeting the chair and vice chair are
elected by d'Hondt on the parties' votes (alliances together) and the offices set from the result."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from models.term import Term
from services.chair_election import name_officer, start_chair_election
from services.constituent_call import constituent_status, preview_call
from services.constitution import notify_alliance
from services.errors import Refused
from services.meeting_day import check_in, open_meeting
from tests.integration.conftest import Council_
from tests.integration.room_helpers import MEMBERS
from tests.integration.test_constitution import AFTER_ELECTION, _call, elected

__all__ = ["elected"]

AT = datetime(2026, 1, 20, 14, 0)  # local
IN_THE_ROOM = datetime(2026, 1, 20, 13, 5, tzinfo=UTC)  # 14.05 in Copenhagen
SECRETARY = "Kirsten Holm-Jensen"


async def test_the_convener_sees_the_deadline_and_what_a_call_would_do(elected: Council_) -> None:
    ole = await elected.actor("Ole Lindholm")
    status = await elected.run(constituent_status, actor=ole, now=AFTER_ELECTION)
    assert (status.convener, status.deadline, status.may_call) == (
        "Ole Lindholm",
        date(2026, 1, 31),
        True,
    )
    gorm = await elected.run(
        constituent_status, actor=await elected.actor("Gorm Iversen"), now=AFTER_ELECTION
    )
    assert not gorm.may_call
    shown = await elected.run(
        preview_call, actor=ole, starts_at=AT, place=" Aalborg  Rådhus ", now=AFTER_ELECTION
    )
    assert (shown.place, shown.alliance_deadline, shown.told) == (
        "Aalborg Rådhus",
        date(2026, 1, 15),
        46,
    )
    assert len(await elected.notices("constituent_called")) == 0  # a preview writes nothing
    with pytest.raises(Refused) as late:
        await elected.run(
            preview_call,
            actor=ole,
            starts_at=datetime(2026, 2, 2, 14, 0),
            place="Aalborg",
            now=AFTER_ELECTION,
        )
    assert late.value.code == "constituent_too_late"


async def test_the_constituent_meeting_is_called_once(elected: Council_) -> None:
    await _call(elected, AT)
    ole = await elected.actor("Ole Lindholm")
    status = await elected.run(constituent_status, actor=ole, now=AFTER_ELECTION)
    assert status.called is not None and not status.may_call
    with pytest.raises(Refused) as again:
        await elected.run(
            preview_call, actor=ole, starts_at=AT, place="Aalborg", now=AFTER_ELECTION
        )
    assert again.value.code == "constituent_called_already"


async def _in_session(kkr: Council_, present: int = 14) -> None:
    """The constituent meeting called, opened by the secretariat, `present` members checked in."""
    meeting_id = await _call(kkr, AT)
    await kkr.run(
        open_meeting, actor=await kkr.actor("Gorm Iversen"), now=IN_THE_ROOM, meeting_id=meeting_id
    )
    for name in MEMBERS[1:present]:
        await kkr.run(check_in, actor=await kkr.actor(name), now=IN_THE_ROOM, meeting_id=meeting_id)


async def test_the_room_elects_the_chair_and_vice_and_sets_the_offices(elected: Council_) -> None:
    await _in_session(elected)
    secretary = await elected.actor(SECRETARY)
    shared = await elected.run(start_chair_election, actor=secretary, now=IN_THE_ROOM)
    assert [(s.office, s.group) for s in shared.seats] == [("chair", "A"), ("vice_chair", "V")]
    assert shared.groups["A"] > shared.groups["V"] > shared.groups["C"]
    with pytest.raises(Refused, match="not of the group A"):
        await elected.run(
            name_officer, actor=secretary, now=IN_THE_ROOM, office="chair", name="Ole Lindholm"
        )
    first = await elected.run(
        name_officer, actor=secretary, now=IN_THE_ROOM, office="chair", name="Gorm Iversen"
    )
    assert not first.done
    done = await elected.run(
        name_officer, actor=secretary, now=IN_THE_ROOM, office="vice_chair", name="Pia Lund"
    )
    assert done.done and [s.holder for s in done.seats] == ["Gorm Iversen", "Pia Lund"]
    assert (await elected.actor("Gorm Iversen")).office == "chair"
    assert (await elected.actor("Pia Lund")).office == "vice_chair"
    assert (await elected.actor("Ole Lindholm")).office is None  # the old term's vice chair
    async with elected.sessions() as session:
        terms = (await session.exec(select(Term).order_by(Term.election_day))).all()  # type: ignore[arg-type]
    assert terms[0].archived_at is not None and terms[1].constituted_at is not None
    told = await elected.notices("officers_elected")
    assert len(told) == 46 and told[0].payload["vice_chair"] == "Pia Lund"
    with pytest.raises(Refused) as again:
        await elected.run(start_chair_election, actor=secretary, now=IN_THE_ROOM)
    assert again.value.code == "already_constituted"


async def test_an_alliance_takes_the_chair_in_the_room(elected: Council_) -> None:
    await _call(elected, AT)
    await elected.run(
        notify_alliance,
        actor=await elected.actor("Ole Lindholm"),
        parties=["V", "C"],
        now=datetime(2026, 1, 10, tzinfo=UTC),
    )
    meeting_id = await _term_meeting(elected)
    await elected.run(
        open_meeting,
        actor=await elected.actor("Gorm Iversen"),
        now=IN_THE_ROOM,
        meeting_id=meeting_id,
    )
    for name in MEMBERS[1:14]:
        await elected.run(
            check_in, actor=await elected.actor(name), now=IN_THE_ROOM, meeting_id=meeting_id
        )
    secretary = await elected.actor(SECRETARY)
    shared = await elected.run(start_chair_election, actor=secretary, now=IN_THE_ROOM)
    assert [(s.office, s.group) for s in shared.seats] == [("chair", "V+C"), ("vice_chair", "A")]
    await elected.run(
        name_officer, actor=secretary, now=IN_THE_ROOM, office="chair", name="Nanna Mose"
    )
    assert (await elected.actor("Nanna Mose")).office is None  # set once both are named


async def _term_meeting(kkr: Council_) -> int:
    async with kkr.sessions() as session:
        term = (
            await session.exec(select(Term).where(Term.election_day == date(2025, 11, 18)))
        ).one()
    return term.constituent_meeting_id or 0


async def test_only_those_leading_a_quorate_constituent_meeting_share_the_seats(
    elected: Council_,
) -> None:
    await _in_session(elected, present=5)
    with pytest.raises(Refused) as member:
        await elected.run(
            start_chair_election, actor=await elected.actor("Anne Rasmussen"), now=IN_THE_ROOM
        )
    assert member.value.code == "not_allowed"
    with pytest.raises(Refused) as few:
        await elected.run(
            start_chair_election, actor=await elected.actor(SECRETARY), now=IN_THE_ROOM
        )
    assert few.value.code == "not_quorate"


async def test_a_constituent_meeting_in_december_is_the_new_terms_and_can_be_closed(
    elected: Council_,
) -> None:
    from services.meeting_day import close_meeting

    in_december = datetime(2025, 12, 15, 13, 5, tzinfo=UTC)
    meeting_id = await _call(elected, datetime(2025, 12, 15, 14, 0))
    await elected.run(
        open_meeting,
        actor=await elected.actor("Gorm Iversen"),
        now=in_december,
        meeting_id=meeting_id,
    )
    for name in MEMBERS[1:14]:
        await elected.run(
            check_in, actor=await elected.actor(name), now=in_december, meeting_id=meeting_id
        )
    secretary = await elected.actor(SECRETARY)
    await elected.run(start_chair_election, actor=secretary, now=in_december)
    await elected.run(
        name_officer, actor=secretary, now=in_december, office="chair", name="Gorm Iversen"
    )
    await elected.run(
        name_officer, actor=secretary, now=in_december, office="vice_chair", name="Pia Lund"
    )
    await elected.run(
        close_meeting,
        actor=await elected.actor("Gorm Iversen"),
        now=in_december,
        meeting_id=meeting_id,
    )
    async with elected.sessions() as session:
        old = (
            await session.exec(select(Term).where(Term.election_day == date(2021, 11, 16)))
        ).one()
    assert old.ends_on == date(2025, 12, 15)  # archived from the constituent meeting on
