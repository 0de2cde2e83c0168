"""R-D1 after a move: until the agenda goes out, lateness is judged against the meeting's current
date. Moved later, a late proposal becomes on time (waiting, taken in or declined alike) and its
proposer is told; moved earlier, no on-time proposal becomes late."""

from __future__ import annotations

from datetime import UTC, datetime

from models.db import SessionFactory
from models.enums import ItemStatus
from models.tables import AgendaItem, Council
from services.agenda_prep import approve_agenda, reject_item, take_in_late
from services.meeting_plan import move_meeting
from tests.integration.agenda_helpers import CHAIR, MEMBER, actor, meeting_at, notices, propose
from tests.integration.conftest import person_id

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # R-D1: on time until 28 February
LATE_PROPOSAL = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
LATER = datetime(2027, 3, 15, 9, 0, tzinfo=UTC)  # R-D1: on time until 5 March
EARLIER = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)  # R-D1: on time until 23 February


async def _move(sessions: SessionFactory, meeting: int, to: datetime, now: datetime) -> None:
    async with sessions() as session, session.begin():
        await move_meeting(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, starts_at=to, now=now
        )


async def _item(sessions: SessionFactory, item_id: int) -> AgendaItem:
    async with sessions() as session:
        item = await session.get(AgendaItem, item_id)
    assert item is not None
    return item


async def test_a_late_proposal_is_on_time_when_the_meeting_moves_later(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    late = await propose(sessions, await actor(sessions, MEMBER), meeting, LATE_PROPOSAL)
    assert (await _item(sessions, late.item.id)).status == ItemStatus.LATE
    await _move(sessions, meeting, LATER, LATE_PROPOSAL)
    item = await _item(sessions, late.item.id)
    assert (item.status, item.late) == (ItemStatus.PROPOSED, False)
    [told] = await notices(sessions, "proposal_on_time")
    assert told.person_id == await person_id(sessions, MEMBER)


async def test_a_late_proposal_taken_in_or_declined_is_on_time_after_the_move(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    member, chair = await actor(sessions, MEMBER), await actor(sessions, CHAIR)
    taken = await propose(sessions, member, meeting, LATE_PROPOSAL, title="Taget ind")
    declined = await propose(sessions, member, meeting, LATE_PROPOSAL, title="Afvist")
    async with sessions() as session, session.begin():
        await take_in_late(session, actor=chair, item_id=taken.item.id, now=LATE_PROPOSAL)
    async with sessions() as session, session.begin():
        await reject_item(
            session, actor=chair, item_id=declined.item.id, reason="for sent", now=LATE_PROPOSAL
        )
    await _move(sessions, meeting, LATER, LATE_PROPOSAL)
    taken_now, declined_now = (
        await _item(sessions, taken.item.id),
        await _item(sessions, declined.item.id),
    )
    assert (taken_now.status, taken_now.late) == (ItemStatus.ACCEPTED, False)
    assert (declined_now.status, declined_now.late) == (ItemStatus.PROPOSED, False)
    assert declined_now.rejection_reason is None
    assert len(await notices(sessions, "proposal_on_time")) == 2


async def test_the_move_that_puts_a_proposal_on_the_agenda_ends_the_approval(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now, title="Rettidigt")
    await propose(sessions, await actor(sessions, MEMBER), meeting, LATE_PROPOSAL)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=LATE_PROPOSAL
        )
    await _move(sessions, meeting, LATER, LATE_PROPOSAL)
    assert await notices(sessions, "agenda_approval_lapsed"), "the chair approves again"


async def test_moving_earlier_makes_no_on_time_proposal_late(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    on_day = datetime(2027, 2, 25, 12, 0, tzinfo=UTC)  # on time for 10 March, not for 5 March
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, on_day)
    await _move(sessions, meeting, EARLIER, on_day)
    item = await _item(sessions, proposal.item.id)
    assert (item.status, item.late) == (ItemStatus.PROPOSED, False)
    assert await notices(sessions, "proposal_on_time") == []
