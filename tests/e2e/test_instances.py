"""Two instances of the bot on one PostgreSQL database (issue 16): one polls, the other stands by
and takes over within seconds when the first stops; every update is answered exactly once."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import KKRApplication, build_application
from bot.leader import Leadership
from bot.main import STANDBY_CHECK, serve
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from services.demo_seed import DemoCouncil, seed_demo
from telegram_emulator.client import EmulatorClient
from telegram_emulator.server import EmulatorServer
from tests.e2e.conftest import FakeClock

TOKEN = "4545:TWO-INSTANCES"
MEMBER = "Anne Rasmussen"


@dataclass
class Instance:
    name: str
    app: KKRApplication
    leadership: Leadership
    stop: asyncio.Event
    task: asyncio.Task[None]
    engine: AsyncEngine


@pytest.fixture
async def pair(
    engine: AsyncEngine, database_url: str
) -> AsyncIterator[tuple[EmulatorClient, list[Instance], DemoCouncil]]:
    if engine.dialect.name != "postgresql":
        pytest.skip("several instances share a PostgreSQL database")
    clock = FakeClock()
    council = await seed_demo(make_session_factory(engine), clock())
    async with EmulatorServer(bot_token=TOKEN) as emulator:
        sim = EmulatorClient(emulator.sim_url)
        instances = []
        for name in ("a", "b"):
            own = make_engine(database_url)
            settings = Settings(
                telegram_token=TOKEN,
                telegram_base_url=emulator.base_url,
                telegram_base_file_url=emulator.base_file_url,
                database_url=database_url,
                sweep_interval=3600,
                delivery_interval=0.2,
                instance=name,
            )
            app = build_application(settings, make_session_factory(own), clock=clock)
            leadership, stop = Leadership(own), asyncio.Event()
            task = asyncio.create_task(serve(app, leadership, stop))
            instances.append(Instance(name, app, leadership, stop, task, own))
            await asyncio.sleep(0.5)  # "a" starts first and leads
        try:
            yield sim, instances, council
        finally:
            for instance in instances:
                instance.stop.set()
            for instance in instances:
                await instance.task
                await instance.engine.dispose()
            await sim.aclose()


async def test_one_instance_polls_and_the_other_takes_over_when_it_stops(
    pair: tuple[EmulatorClient, list[Instance], DemoCouncil], caplog: pytest.LogCaptureFixture
) -> None:
    sim, (first, second), council = pair
    assert first.leadership.leading and not second.leadership.leading
    user = 20_001
    await sim.add_user(user, "Anne", language_code="da")
    await sim.send(user, f"/start {council.invites[MEMBER]}")
    await sim.wait_for_messages(user, 1, timeout=10)
    for _ in range(5):
        await sim.send(user, "/moeder")
    await sim.wait_for_messages(user, 6, timeout=10)
    await asyncio.sleep(1.0)  # a second answer to any of them would arrive meanwhile
    assert len(await sim.messages(user)) == 6

    first.stop.set()
    await first.task
    stopped = time.monotonic()
    await sim.send(user, "/moeder")
    await sim.wait_for_messages(user, 7, timeout=STANDBY_CHECK * 3)
    takeover = time.monotonic() - stopped
    assert second.leadership.leading and takeover < STANDBY_CHECK * 3
    await asyncio.sleep(0.5)
    assert len(await sim.messages(user)) == 7
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    conflicts = [r for r in caplog.records if "409" in r.getMessage()]
    assert len(conflicts) <= 2
