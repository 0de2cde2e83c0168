"""The unit of work: one transaction per use case, and this process's writes one at a time."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlmodel import select

from models.db import SessionFactory
from models.tables import Council
from models.unit_of_work import together, unit_of_work, write_guard


async def test_a_write_waits_for_the_write_before_it_and_a_read_does_not(
    sessions: SessionFactory,
) -> None:
    order: list[str] = []
    first_in, read_done = asyncio.Event(), asyncio.Event()

    async def first() -> None:
        async with unit_of_work(sessions) as session:
            first_in.set()
            await read_done.wait()  # holds the guard until the read is through: it did not wait
            await session.exec(select(Council))
            order.append("first write")

    async def second() -> None:
        await first_in.wait()
        async with unit_of_work(sessions):
            order.append("second write")

    async def read() -> None:
        await first_in.wait()
        assert write_guard().locked()
        async with unit_of_work(sessions, write=False) as session:
            await session.exec(select(Council))
            order.append("read")
        read_done.set()

    await asyncio.wait_for(asyncio.gather(first(), second(), read()), timeout=10)
    assert order == ["read", "first write", "second write"]
    assert not write_guard().locked()


async def test_a_refusal_rolls_the_whole_unit_back_and_frees_the_guard(
    sessions: SessionFactory, now: datetime
) -> None:
    with pytest.raises(RuntimeError):
        async with unit_of_work(sessions) as session:
            session.add(
                Council(slug="x", name="X", region="Nord", municipalities=1, created_at=now)
            )
            await session.flush()
            raise RuntimeError("refused")
    assert not write_guard().locked()
    async with unit_of_work(sessions, write=False) as session:
        assert (await session.exec(select(Council).where(Council.slug == "x"))).first() is None


async def test_while_items_keep_coming_one_waits_for_those_right_behind_it(
    sessions: SessionFactory,
) -> None:
    bursts: list[list[int]] = []

    async def apply(_session: object, items: list[int]) -> list[int]:
        bursts.append(items)
        return items

    async def arrive(item: int, after: float) -> int:
        await asyncio.sleep(after)
        return await together(sessions, "arrivals", item, apply, gather=0.05)

    assert await arrive(1, 0) == 1  # on its own: at once, alone
    # The next comes while they keep coming: it waits a moment, and the one right behind joins.
    assert await asyncio.gather(arrive(2, 0), arrive(3, 0.01)) == [2, 3]
    assert bursts == [[1], [2, 3]]
