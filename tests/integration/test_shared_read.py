"""Reads shared while in flight (issue 15): the same read asked for at once is done once, and
never hides a write committed here before it was asked for, nor a meeting still coming."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest

from models.db import SessionFactory
from models.shared_read import shared_read
from models.tables import Council
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person
from services.meetings import upcoming_meetings
from tests.integration.conftest import person_id
from tests.integration.test_meetings import add


class Reads:
    """A read that waits for `go` and counts how often it ran."""

    def __init__(self) -> None:
        self.count = 0
        self.go = asyncio.Event()

    async def __call__(self) -> int:
        self.count += 1
        await self.go.wait()
        return self.count


async def test_the_same_read_asked_for_while_it_runs_is_done_once(now: datetime) -> None:
    read = Reads()
    asking = [asyncio.create_task(shared_read("key", now, read)) for _ in range(5)]
    await asyncio.sleep(0)
    read.go.set()
    assert await asyncio.gather(*asking) == [1] * 5
    assert await shared_read("key", now, read) == 2  # over: the next asks anew


async def test_a_read_for_an_earlier_moment_or_another_key_is_not_joined(now: datetime) -> None:
    read = Reads()
    first = asyncio.create_task(shared_read("key", now, read))
    await asyncio.sleep(0)
    earlier = asyncio.create_task(shared_read("key", now - timedelta(seconds=1), read))
    other = asyncio.create_task(shared_read("other", now, read))
    await asyncio.sleep(0)
    read.go.set()
    assert sorted(await asyncio.gather(first, earlier, other)) == [3, 3, 3]
    assert read.count == 3


async def test_a_write_committed_meanwhile_is_not_hidden_from_who_asks_after_it(
    sessions: SessionFactory, now: datetime
) -> None:
    read = Reads()
    first = asyncio.create_task(shared_read("key", now, read))
    await asyncio.sleep(0)
    async with unit_of_work(sessions):
        pass  # a write transaction of this process commits
    after = asyncio.create_task(shared_read("key", now, read))
    await asyncio.sleep(0)
    read.go.set()
    await asyncio.gather(first, after)
    assert read.count == 2


async def test_when_the_shared_read_fails_each_who_joined_reads_on_their_own(
    now: datetime,
) -> None:
    go = asyncio.Event()

    async def failing() -> int:
        await go.wait()
        raise RuntimeError("the database went away")

    async def working() -> int:
        return 7

    first = asyncio.create_task(shared_read("key", now, failing))
    await asyncio.sleep(0)
    joined = asyncio.create_task(shared_read("key", now, working))
    await asyncio.sleep(0)
    go.set()
    with pytest.raises(RuntimeError):
        await first
    assert await joined == 7


async def test_members_asking_at_once_each_see_the_meetings_coming_at_their_moment(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    soon = await add(sessions, council, datetime(2027, 3, 10, 10, 0), now)
    later = await add(sessions, council, datetime(2027, 5, 1, 10, 0), now)
    async with sessions() as session:
        member = await actor_for_person(session, await person_id(sessions, "Poul Quist"))
    assert member is not None
    after_the_first = soon.starts_at + timedelta(minutes=1)

    async def ask(at: datetime) -> list[int]:
        async with unit_of_work(sessions, write=False) as session:
            return [m.id for m in await upcoming_meetings(session, actor=member, now=at)]

    seen = await asyncio.gather(ask(now), ask(after_the_first), ask(now))
    assert seen == [[soon.id, later.id], [later.id], [soon.id, later.id]]
