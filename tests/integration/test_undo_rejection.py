"""A rejection can be taken back by the person who made it, until the agenda goes out (issue 17).
Only a late proposal can be declined (R-D1), so the meeting is eight days ahead."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.db import SessionFactory
from models.enums import ItemStatus
from models.tables import AgendaItem, Council
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import reject_item, take_in_late, undo_rejection
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    SECRETARY,
    actor,
    meeting_at,
    notices,
    propose,
)
from tests.refusals import refused_with

MEETING_AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # NOW + 8 days: proposals are late


async def _rejected(sessions: SessionFactory, council: Council, now: datetime) -> tuple[int, int]:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await reject_item(
            session,
            actor=await actor(sessions, CHAIR),
            item_id=proposal.item.id,
            reason="Ikke af tværkommunal karakter",
            now=now,
        )
    return meeting, proposal.item.id


async def _undo(sessions: SessionFactory, who: str, item_id: int, now: datetime):  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await undo_rejection(
            session, actor=await actor(sessions, who), item_id=item_id, now=now
        )


async def test_the_chair_takes_a_rejection_back_and_the_proposal_is_as_before(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    _meeting, item_id = await _rejected(sessions, council, now)
    shown = await _undo(sessions, CHAIR, item_id, now + timedelta(minutes=1))
    assert shown.status == ItemStatus.LATE and shown.rejection_reason is None
    [told] = await notices(sessions, "rejection_undone")
    assert told.payload["title"] == shown.title
    # Rejected again, the proposer is told again.
    async with sessions() as session, session.begin():
        await reject_item(
            session,
            actor=await actor(sessions, CHAIR),
            item_id=item_id,
            reason="Alligevel ikke",
            now=now + timedelta(minutes=2),
        )
    assert len(await notices(sessions, "proposal_rejected")) == 2


async def test_only_the_person_who_rejected_can_take_it_back(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    _meeting, item_id = await _rejected(sessions, council, now)
    with refused_with("rejection_not_undoable"):
        await _undo(sessions, SECRETARY, item_id, now)
    async with sessions() as session:
        item = await session.get(AgendaItem, item_id)
    assert item is not None and item.status == ItemStatus.REJECTED


async def test_a_rejection_cannot_be_taken_back_once_the_agenda_has_gone_out(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting, item_id = await _rejected(sessions, council, now)
    other = await propose(
        sessions, await actor(sessions, MEMBER), meeting, now, title="Andet punkt"
    )
    async with sessions() as session, session.begin():
        chair = await actor(sessions, CHAIR)
        await take_in_late(session, actor=chair, item_id=other.item.id, now=now)
    async with sessions() as session, session.begin():
        await distribute_agenda(
            session,
            actor=await actor(sessions, CHAIR),
            meeting_id=meeting,
            now=now + timedelta(minutes=5),
        )
    assert other
    with refused_with("rejection_not_undoable"):
        await _undo(sessions, CHAIR, item_id, now + timedelta(minutes=6))
