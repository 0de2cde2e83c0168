"""The sweep costs what is due (issue 15): a few statements when nothing is, however many meetings
are stored, and a reminder once sent is never offered to the outbox again."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import SessionFactory
from models.tables import Council
from scheduler.jobs import run_sweep
from services.actors import secretariat_actor
from services.meetings import add_meeting
from services.sweep import SweepReport, sweep

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split()))

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def run(sessions: SessionFactory, now: datetime) -> SweepReport:
    async with sessions() as session, session.begin():
        return await sweep(session, now)


async def add(sessions: SessionFactory, council: Council, now: datetime, at: datetime) -> None:
    async with sessions() as session, session.begin():
        await add_meeting(
            session,
            council=council,
            starts_at=at,
            place="Aalborg",
            now=now,
            actor=await secretariat_actor(session, council.id or 0),
        )


def engine_of(sessions: SessionFactory) -> AsyncEngine:
    engine = sessions.kw["bind"]
    assert isinstance(engine, AsyncEngine)
    return engine


async def test_a_sweep_with_nothing_due_sends_a_few_statements_however_many_meetings_lie_ahead(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    for week in range(40):
        await add(sessions, council, now, MEETING_AT + timedelta(weeks=week))
    with statements(engine_of(sessions)) as sent:
        report = await run_sweep(sessions, MEETING_AT - timedelta(days=60))  # the job, as it runs
    assert report.total == 0
    assert len(sent) < 10  # the advisory lock on PostgreSQL and the old updates' cleanup included
    assert not [s for s in sent if s.upper().startswith(("INSERT", "UPDATE"))]


async def test_a_reminder_once_sent_is_not_offered_to_the_outbox_again(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await add(sessions, council, now, MEETING_AT)
    assert (await run(sessions, MEETING_AT - timedelta(days=1))).total > 0
    for later in (timedelta(hours=20), timedelta(hours=2)):
        with statements(engine_of(sessions)) as sent:
            assert (await run(sessions, MEETING_AT - later)).total == 0
        assert not [s for s in sent if "INSERT" in s.upper()]
        assert len(sent) < 10


async def test_every_deadline_reminder_goes_once_and_is_then_recorded(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await add(sessions, council, now, MEETING_AT)
    # Through the proposal and agenda reminders, the alert and the meeting reminder, an hour at a
    # time: after each sweep that sent something, the next sends nothing and inserts nothing.
    moment, end = MEETING_AT - timedelta(days=16), MEETING_AT - timedelta(minutes=1)
    sent_any = 0
    while moment < end:
        added = (await run(sessions, moment)).total
        sent_any += added
        if added:
            with statements(engine_of(sessions)) as sent:
                assert (await run(sessions, moment + timedelta(seconds=1))).total == 0
            assert not [s for s in sent if "INSERT" in s.upper()], moment
        moment += timedelta(hours=1)
    assert sent_any > 0
