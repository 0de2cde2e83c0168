"""A meeting's cancellation can be taken back by the person who made it until it has gone out
(issue 17): its notices wait out the hold; taken back, they are withdrawn and nobody is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from models.db import SessionFactory
from models.enums import MeetingStatus, NoticeStatus
from models.tables import Council, Meeting
from services.meeting_plan import cancel_meeting, undo_cancellation
from services.outbox import claim_due
from tests.integration.agenda_helpers import (
    CHAIR,
    RECIPIENTS,
    SECRETARY,
    actor,
    meeting_at,
    notices,
)
from tests.integration.conftest import link
from tests.refusals import refused_with

MEETING_AT = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
HOLD = timedelta(minutes=5)


async def _cancel(
    sessions: SessionFactory, meeting_id: int, now: datetime, who: str = CHAIR
) -> None:
    async with sessions() as session, session.begin():
        await cancel_meeting(
            session,
            actor=await actor(sessions, who),
            meeting_id=meeting_id,
            now=now,
            reason="Ingen sager",
            hold=HOLD,
        )


async def _undo(sessions: SessionFactory, who: str, meeting_id: int, now: datetime):  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await undo_cancellation(
            session, actor=await actor(sessions, who), meeting_id=meeting_id, now=now
        )


async def _status(sessions: SessionFactory, meeting_id: int) -> str:
    async with sessions() as session:
        meeting = await session.get(Meeting, meeting_id)
    assert meeting is not None
    return meeting.status


async def test_the_cancellations_notices_wait_for_the_hold(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting_id = await meeting_at(sessions, council, now, MEETING_AT)
    await link(sessions, council, CHAIR, 5001, now)
    await _cancel(sessions, meeting_id, now)
    async with sessions() as session, session.begin():
        assert await claim_due(session, now=now + HOLD - timedelta(seconds=1)) == []
    assert len(await notices(sessions, "meeting_cancelled")) == RECIPIENTS


async def test_taken_back_before_it_goes_out_the_meeting_is_planned_and_nobody_is_told(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting_id = await meeting_at(sessions, council, now, MEETING_AT)
    await _cancel(sessions, meeting_id, now)
    shown = await _undo(sessions, CHAIR, meeting_id, now + timedelta(minutes=1))
    assert shown.recipients == RECIPIENTS
    assert await _status(sessions, meeting_id) == MeetingStatus.PLANNED
    withdrawn = await notices(sessions, "meeting_cancelled")
    assert {n.status for n in withdrawn} == {NoticeStatus.WITHDRAWN}
    async with sessions() as session, session.begin():
        assert await claim_due(session, now=now + HOLD * 2) == []
    # Cancelled again later, the new cancellation has notices of its own.
    await _cancel(sessions, meeting_id, now + timedelta(minutes=2))
    pending = [n for n in await notices(sessions, "meeting_cancelled") if n.status == "pending"]
    assert len(pending) == RECIPIENTS


async def test_only_the_person_who_cancelled_takes_it_back(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting_id = await meeting_at(sessions, council, now, MEETING_AT)
    await _cancel(sessions, meeting_id, now, who=SECRETARY)
    with refused_with("cancellation_not_undoable"):
        await _undo(sessions, CHAIR, meeting_id, now)
    assert await _status(sessions, meeting_id) == MeetingStatus.CANCELLED


async def test_once_a_notice_is_claimed_for_sending_it_cannot_be_taken_back(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await link(sessions, council, CHAIR, 5001, now)
    meeting_id = await meeting_at(sessions, council, now, MEETING_AT)
    await _cancel(sessions, meeting_id, now)
    async with sessions() as session, session.begin():
        assert await claim_due(session, now=now + HOLD, limit=1, worker="w1")
    with refused_with("cancellation_not_undoable"):
        await _undo(sessions, CHAIR, meeting_id, now + HOLD)
    assert await _status(sessions, meeting_id) == MeetingStatus.CANCELLED


async def test_a_planned_meeting_has_no_cancellation_to_take_back(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting_id = await meeting_at(sessions, council, now, MEETING_AT)
    with refused_with("cancellation_not_undoable"):
        await _undo(sessions, CHAIR, meeting_id, now)
