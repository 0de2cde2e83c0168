"""What the sweep asks the database (issue 15): the planned meetings near enough to have anything
due, with what each reminder task already did for them, in one statement.

The horizon comes from the councils' settings: no meeting further off than the proposal deadline
plus its earliest reminder (R-D1, R-D4), the distribution deadline plus its earliest reminder
(R-D2, R-D4) or the meeting reminder (R-D4) can have anything due, so the cost of a sweep grows
with what is near, never with what is stored. A reminder that went out is recorded in
`sweep_mark` with the moment it was for, so the next sweep does not offer it again.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar

from sqlalchemy import and_, bindparam, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import col
from sqlmodel import select as model_select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.sweep import SweepMark
from models.tables import Council, Meeting
from procedure.deadlines import DISTRIBUTION_DAYS

# The reminder tasks whose sent moment is recorded per meeting (read with the meetings).
PROPOSAL_REMINDER = "proposal_reminder"
AGENDA_REMINDER = "agenda_reminder"
NOT_APPROVED = "agenda_not_approved"
MEETING_REMINDER = "meeting_reminder"
ADDENDUM_REMINDER = "addendum_reminder"
SUMMONS_REMINDER = "summons_reminder"
MARKED = (PROPOSAL_REMINDER, AGENDA_REMINDER, NOT_APPROVED, MEETING_REMINDER)
# A local day is at most 25 hours and a reminder goes out at any time of its day: a day of slack
# on each side keeps the horizon safe across time zones and clock changes.
SLACK = timedelta(days=2)
_SHARED = "kkrbot.sweep.shared"
T = TypeVar("T")


@dataclass(frozen=True)
class Coming:
    """A planned meeting within the horizon: the columns the tasks read, not an ORM object."""

    id: int
    council_id: int
    kind: str
    starts_at: datetime
    place: str
    agenda_version: int
    agenda_approved_at: datetime | None
    proposals_closed_at: datetime | None
    done: dict[str, datetime] = field(default_factory=dict)  # task -> moment already done

    def done_for(self, task: str, moment: datetime) -> bool:
        """Whether `task` already acted for this moment (or a later one)."""
        done = self.done.get(task)
        return done is not None and done >= moment


@dataclass(frozen=True)
class Near:
    """The councils and the planned meetings near enough to have anything due at `now`."""

    now: datetime
    councils: dict[int, Council]
    meetings: Sequence[Coming]


def horizon(council: Council) -> timedelta:
    """How far ahead a meeting of this council can have a deadline task due (R-D1, R-D2, R-D4)."""
    days = max(
        council.proposal_deadline_days + max(council.proposal_reminder_days, default=0),
        DISTRIBUTION_DAYS + max(council.agenda_reminder_days, default=0),
    )
    return max(timedelta(days=days) + SLACK, timedelta(hours=council.meeting_reminder_hours))


@asynccontextmanager
async def shared_reads(session: AsyncSession) -> AsyncIterator[None]:
    """Within the block, the tasks of one sweep share one read of the near meetings.

    Safe because each task reads only the state its own action changes (a deadline closed, an
    agenda sent, its own mark) and the tasks that depend on each other look at disjoint states."""
    session.info[_SHARED] = {}
    try:
        yield
    finally:
        session.info.pop(_SHARED, None)


async def read_once(
    session: AsyncSession, name: str, now: datetime, read: Callable[[], Awaitable[T]]
) -> T:
    """`read()`, done once per name and moment within `shared_reads` (each time outside it)."""
    shared: dict[tuple[str, datetime], Any] | None = session.info.get(_SHARED)
    if shared is None:
        return await read()
    if (name, now) not in shared:
        shared[name, now] = await read()
    value: T = shared[name, now]
    return value


async def near_meetings(session: AsyncSession, now: datetime) -> Near:
    """The councils and the planned meetings within their horizon, soonest first (two statements;
    none again within `shared_reads`)."""
    return await read_once(session, "near_meetings", now, lambda: _read(session, now))


async def _read(session: AsyncSession, now: datetime) -> Near:
    councils = {c.id or 0: c for c in (await session.exec(_COUNCILS)).all()}
    if not councils:
        return Near(now, councils, [])
    until = now + max(horizon(c) for c in councils.values())
    rows = await session.exec(_near_statement(), params={"now": now, "until": until})
    return Near(now, councils, [_coming(row) for row in rows.all()])


_COUNCILS = model_select(Council)


@cache
def _near_statement() -> Any:
    """Built once: the statement's cache key is then computed once, not on every sweep."""
    marks = {task: aliased(SweepMark, name=f"mark_{task}") for task in MARKED}
    statement = select(
        col(Meeting.id),
        col(Meeting.council_id),
        col(Meeting.kind),
        col(Meeting.starts_at),
        col(Meeting.place),
        col(Meeting.agenda_version),
        col(Meeting.agenda_approved_at),
        col(Meeting.proposals_closed_at),
        *(mark.done_for for mark in marks.values()),
    ).select_from(Meeting)
    for task, mark in marks.items():
        statement = statement.outerjoin(
            mark, and_(col(mark.task) == task, col(mark.subject_id) == col(Meeting.id))
        )
    return statement.where(
        col(Meeting.status) == MeetingStatus.PLANNED,
        col(Meeting.starts_at) > bindparam("now"),
        col(Meeting.starts_at) <= bindparam("until"),
    ).order_by(col(Meeting.starts_at))


def _coming(row: Any) -> Coming:
    id, council_id, kind, starts_at, place, version, approved_at, closed_at, *marks = row
    done = {task: moment for task, moment in zip(MARKED, marks, strict=True) if moment is not None}
    return Coming(id, council_id, kind, starts_at, place, version, approved_at, closed_at, done)


async def mark_done(session: AsyncSession, task: str, subject_id: int, moment: datetime) -> None:
    """Record that `task` acted for `subject_id` at `moment` (replacing an earlier moment)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(SweepMark)
        .values(task=task, subject_id=subject_id, done_for=moment)
        .on_conflict_do_update(index_elements=["task", "subject_id"], set_={"done_for": moment})
    )
    await session.exec(statement)
