"""Each Telegram update is handled once, whichever instance takes it first (issue 16)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.updates import KEEP, forget_old_updates, take_update


async def take(sessions: SessionFactory, update_id: int, now: datetime) -> bool:
    async with sessions() as session, session.begin():
        return await take_update(session, update_id=update_id, now=now)


async def test_an_update_is_taken_once(sessions: SessionFactory, now: datetime) -> None:
    assert await take(sessions, 2**40, now) is True
    assert await take(sessions, 2**40, now) is False
    assert await take(sessions, 2**40 + 1, now) is True


async def test_two_instances_racing_for_the_same_updates_take_each_once(
    sessions: SessionFactory, now: datetime
) -> None:
    taken = await asyncio.gather(*(take(sessions, n % 25, now) for n in range(50)))
    assert sum(taken) == 25


async def test_records_older_than_telegram_keeps_updates_are_forgotten(
    sessions: SessionFactory, now: datetime
) -> None:
    await take(sessions, 1, now)
    await take(sessions, 2, now + KEEP)
    async with unit_of_work(sessions) as session:
        assert await forget_old_updates(session, now=now + KEEP + timedelta(seconds=1)) == 1
    assert await take(sessions, 1, now) is True
    assert await take(sessions, 2, now) is False
