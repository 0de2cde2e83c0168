"""Each Telegram update is handled once, whichever instance takes it first (issue 16)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.tables import Council, TelegramLink
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person, actors_for_telegram
from services.updates import KEEP, Arrival, admit, forget_old_updates, take_update
from tests.integration.test_invites import issue, redeem

GORM, MADS, STRANGER = 1001, 5005, 6006


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


async def test_a_burst_is_admitted_in_order_each_update_once_each_writer_known(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    await redeem(sessions, tokens["Mads Brandt"], MADS, now)
    await take(sessions, 7, now)  # seen before the burst
    burst = [
        Arrival(5, GORM, now),
        Arrival(6, STRANGER, now),
        Arrival(5, GORM, now),  # the same update again within the burst
        Arrival(7, MADS, now),
        Arrival(8, MADS, now),
        Arrival(9, None, now),  # an update nobody wrote (a channel post)
    ]
    async with unit_of_work(sessions) as session:
        admitted = await admit(session, burst)
    assert [a.first_time for a in admitted] == [True, True, False, False, True, True]
    names = [a.actor.name if a.actor else None for a in admitted]
    assert names == ["Gorm Iversen", None, None, None, "Mads Brandt", None]


async def test_the_writer_found_at_the_gate_is_the_person_as_the_services_know_them(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    linked = await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    async with sessions() as session:
        found = await actors_for_telegram(session, [GORM, STRANGER])
        by_person = await actor_for_person(session, linked.person_id)  # type: ignore[attr-defined]
    assert found == {GORM: by_person}


async def test_a_person_who_had_blocked_the_bot_and_writes_again_is_reachable(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    async with unit_of_work(sessions) as session:
        link = (
            await session.exec(select(TelegramLink).where(TelegramLink.telegram_user_id == GORM))
        ).one()
        link.unreachable_since = now
        session.add(link)
    async with unit_of_work(sessions) as session:
        first, again = await admit(session, [Arrival(1, GORM, now), Arrival(2, GORM, now)])
    assert first.actor is not None and again.actor is not None
    assert not first.actor.unreachable and not again.actor.unreachable
    async with sessions() as session:
        link = (
            await session.exec(select(TelegramLink).where(TelegramLink.telegram_user_id == GORM))
        ).one()
    assert link.unreachable_since is None
