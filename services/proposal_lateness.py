"""R-D1 after a move: until the agenda is distributed, a proposal's lateness is judged against the
meeting's current date. A proposal late for the old date that is on time for the new one goes on
the agenda (R-D1: the chair must put it there) and its proposer is told. A move to an earlier date
makes no proposal late: the proposer met the deadline that stood when they wrote (README, the
agenda)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ItemStatus, MeetingKind
from models.tables import AgendaItem, Council, Meeting
from procedure.deadlines import is_proposal_on_time
from services import audit
from services.agenda import touch
from services.meetings import view
from services.outbox import enqueue

# A late proposal waiting, taken in (marked late) or declined for being late.
WAS_LATE = (ItemStatus.LATE, ItemStatus.ACCEPTED, ItemStatus.REJECTED)


async def rejudge_late_proposals(
    session: AsyncSession, meeting: Meeting, council: Council, *, now: datetime, by: int
) -> list[int]:
    """The ids of the proposals a move made on time (none once the agenda has gone out)."""
    if meeting.kind != MeetingKind.ORDINARY or meeting.agenda_version > 0:
        return []
    tz = ZoneInfo(council.timezone)
    day = meeting.starts_at.astimezone(tz).date()
    items = await session.exec(
        select(AgendaItem).where(
            AgendaItem.meeting_id == meeting.id,
            col(AgendaItem.late).is_(True),
            col(AgendaItem.proposed_by_id).is_not(None),
            col(AgendaItem.status).in_(WAS_LATE),
        )
    )
    on_time = [
        item
        for item in items
        if is_proposal_on_time(item.submitted_at, day, tz, council.proposal_deadline_days)
    ]
    shown = view(meeting, council)
    for item in on_time:
        item.late = False
        if item.status != ItemStatus.ACCEPTED:  # waiting or declined: on the agenda now (R-D1)
            item.status, item.rejection_reason = ItemStatus.PROPOSED, None
            item.decided_at, item.decided_by_id = None, None
        session.add(item)
        await enqueue(
            session,
            person_id=item.proposed_by_id or 0,
            kind="proposal_on_time",
            dedupe_key=f"proposal_on_time:{item.id}:{shown.starts_at.isoformat()}",
            now=now,
            payload={"title": item.title, "starts_at": shown.starts_at.isoformat()},
            council_id=council.id,
        )
    if on_time:
        await touch(meeting, session, now, by=by)  # the agenda changed: approval lapses (R-D2)
        audit.record(
            session,
            now=now,
            action="agenda.proposals_on_time",
            council_id=council.id,
            actor_id=by,
            subject=f"meeting:{meeting.id}",
            items=[item.id for item in on_time],
        )
    return [item.id or 0 for item in on_time]
