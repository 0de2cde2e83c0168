"""R-D3 for a move: moving an ordinary meeting to a date whose distribution deadline has passed
makes its agenda late, so only the acting chair can do it, with a reason that the agenda and the
minutes show. The secretariat is told to ask the acting chair (or to choose a later date)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingKind
from models.tables import Council, Meeting
from procedure.deadlines import distribution_deadline, is_distribution_on_time
from procedure.permissions import Action
from services.actors import Actor
from services.agenda_prep import MAX_REASON
from services.errors import Refused
from services.seats import load_seats, require


def late_move_deadline(
    meeting: Meeting, council: Council, starts_at: datetime, now: datetime
) -> datetime | None:
    """The new date's R-D2 deadline (local) when the move makes the agenda late, else None. A move
    within the same day keeps the deadline it had, so it needs no reason of its own."""
    if meeting.kind != MeetingKind.ORDINARY:
        return None  # R-D5: an extraordinary meeting has no distribution deadline
    tz = ZoneInfo(council.timezone)
    old_day, new_day = meeting.starts_at.astimezone(tz).date(), starts_at.astimezone(tz).date()
    if new_day == old_day or is_distribution_on_time(now, new_day, tz):
        return None
    return distribution_deadline(new_day, tz).astimezone(tz)


async def require_reason_giver(
    session: AsyncSession, actor: Actor, meeting: Meeting, *, deadline: datetime, now: datetime
) -> None:
    """R-D3/R-P3: only the acting chair gives the reason; anyone else is told whom to ask."""
    seats = await load_seats(session, meeting, now)
    try:
        require(actor, seats, Action.RECORD_DEADLINE_EXCEPTION)
    except Refused as refused:
        leader = seats.acting_chair() or seats.chair
        raise Refused(
            "move_needs_chair_reason",
            "the move makes the agenda late: only the acting chair can give the reason (R-D3)",
            deadline=deadline.isoformat(),
            chair=seats.name(leader),
        ) from refused


async def require_move_reason(
    session: AsyncSession,
    actor: Actor,
    meeting: Meeting,
    council: Council,
    *,
    starts_at: datetime,
    now: datetime,
    reason: str | None,
) -> str | None:
    """R-D3/R-P3: the reason a late-making move needs, checked (None when it needs none)."""
    deadline = late_move_deadline(meeting, council, starts_at, now)
    if deadline is None:
        return None
    await require_reason_giver(session, actor, meeting, deadline=deadline, now=now)
    if reason is None:
        raise Refused(
            "exception_reason_required",
            "the move makes the agenda late",
            deadline=deadline.isoformat(),
        )
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise Refused(
            "exception_reason_length",
            f"the reason must be 1 to {MAX_REASON} characters",
            limit=MAX_REASON,
        )
    return reason
