"""Issue 15: the delivery job reads the outbox only when something may be due — a notice added in
this process, the earliest waiting notice's moment, or the slow fallback for other processes."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlmodel import update

from models.db import SessionFactory
from models.tables import Council, Notice
from models.unit_of_work import unit_of_work
from scheduler.jobs import OutboxWatch
from services.outbox import enqueue
from tests.integration.conftest import link, person_id


@pytest.fixture
async def gorm(sessions: SessionFactory, council: Council, now: datetime) -> int:
    await link(sessions, council, "Gorm Iversen", 1001, now)
    return await person_id(sessions, "Gorm Iversen")


class Ticks:
    t = 100.0

    def __call__(self) -> float:
        return self.t


async def _enqueue(sessions: SessionFactory, person: int, now: datetime, due: datetime) -> None:
    async with unit_of_work(sessions) as session:
        await enqueue(
            session, person_id=person, kind="meeting_reminder", dedupe_key=str(due), now=now,
            payload={}, due_at=due,
        )  # fmt: skip


async def test_the_outbox_is_read_when_a_notice_is_added_or_falls_due_and_else_rarely(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    ticks = Ticks()
    watch = OutboxWatch(fallback=5.0, monotonic=ticks)
    delivered: list[datetime] = []

    async def deliver(moment: datetime) -> None:
        delivered.append(moment)

    assert watch.wanted(now), "the first tick looks"
    await watch.deliver(sessions, deliver, now)
    assert not watch.wanted(now), "nothing waits: the next tick does not read the outbox"
    await _enqueue(sessions, gorm, now, now)
    assert watch.wanted(now), "a notice added in this process wakes the worker"
    await watch.deliver(sessions, deliver, now)  # (the fake worker leaves it pending)
    assert watch.wanted(now), "a notice due and not sent is looked at again"
    later = now + timedelta(hours=1)
    async with sessions() as session, session.begin():
        await session.exec(update(Notice).values(due_at=later))
    await watch.deliver(sessions, deliver, now)
    assert not watch.wanted(now + timedelta(seconds=0.5)), "a retry in an hour: not before"
    assert watch.wanted(later), "its moment has come"
    assert watch.wanted(now + timedelta(minutes=10)), "the clock set forward: the outbox is read"
    ticks.t += 5.0
    assert watch.wanted(now), "another process's notices: the slow fallback looks"
    assert len(delivered) == 3
