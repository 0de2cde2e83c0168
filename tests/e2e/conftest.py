"""The real bot over HTTP against the local Bot API emulator, with a seeded council and a settable clock."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from bot.app import KKRApplication, build_application
from bot.settings import Settings
from models.db import SessionFactory, make_session_factory
from scheduler.jobs import run_sweep
from services.demo_seed import DemoCouncil, seed_demo
from telegram_emulator.client import BotMessage, EmulatorClient
from telegram_emulator.server import EmulatorServer
from telegram_emulator.testing import polling
from tests.conftest import Templates, copy_sqlite

TOKEN = "4242:TEST-TOKEN"
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@dataclass
class FakeClock:
    """Time that moves only when the test says so."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@dataclass
class World:
    """One running bot, its emulator, its database and its demo council."""

    app: KKRApplication
    sim: EmulatorClient
    sessions: SessionFactory
    clock: FakeClock
    council: DemoCouncil
    settings: Settings
    running: AsyncExitStack
    user_ids: dict[str, int] = field(default_factory=dict)

    async def restart(self) -> None:
        """Stop the bot and start a new one on the same database (what a deploy does): nothing
        held in the old process's memory survives."""
        await self.running.aclose()
        self.app = build_application(self.settings, self.sessions, clock=self.clock)
        self.running = AsyncExitStack()
        await self.running.enter_async_context(polling(self.app))

    async def add_person(self, name: str, *, language_code: str = "da") -> int:
        """A Telegram user for one of the council's people (not linked yet)."""
        user_id = 10_000 + len(self.user_ids)
        await self.sim.add_user(
            user_id,
            first_name=name.split()[0],
            last_name=name.split()[-1],
            language_code=language_code,
        )
        self.user_ids[name] = user_id
        return user_id

    async def link(self, name: str) -> int:
        """A person who has opened their invitation: `/start <token>`, greeting received."""
        user_id = await self.add_person(name)
        await self.say(user_id, f"/start {self.council.invites[name]}")
        return user_id

    async def say(self, user_id: int, text: str, *, replies: int = 1) -> list[dict]:
        """Send `text` as the user in their private chat; wait for `replies` new bot messages."""
        before = len(await self.sim.messages(user_id))
        await self.sim.send(user_id, text)
        messages = await self.sim.wait_for_messages(user_id, before + replies, timeout=10)
        return messages[before:]

    async def sweep(self) -> None:
        await run_sweep(self.sessions, self.clock())


async def ask(world: World, user: int, text: str, expect: str) -> BotMessage:
    """Send `text` and wait for the bot's message containing `expect` (notices may come between)."""
    before = len(await world.sim.messages(user))
    await world.sim.send(user, text)
    return await reply_containing(world, user, before, expect)


async def reply_containing(world: World, user: int, before: int, expect: str) -> BotMessage:
    for count in range(before + 1, before + 10):
        messages = await world.sim.wait_for_messages(user, count, timeout=10)
        found = [m for m in messages[before:] if expect in (m.text or "")]
        if found:
            return found[0]
    raise AssertionError(f"no reply with {expect!r}")


@pytest.fixture
def live_interval() -> float:
    """The live editor's debounce; a test may ask for production's 1 s (parametrize it)."""
    return 0.2


async def seed_world(sessions: SessionFactory) -> DemoCouncil:
    return await seed_demo(sessions, START)


@pytest.fixture
async def world(live_interval: float, templates: Templates) -> AsyncIterator[World]:
    clock = FakeClock()
    # The demo is migrated and seeded once per session; each world starts from a copy of that file.
    template, seeded = templates.sqlite_template("e2e-demo", seed_world)
    assert isinstance(seeded, DemoCouncil)
    council = copy.deepcopy(seeded)  # a test may not change what the next one sees
    database = templates.folder / "e2e.db"  # one file and engine per session, copied afresh
    copy_sqlite(template, database)
    async with EmulatorServer() as emulator:
        sim = EmulatorClient(emulator.sim_url)
        engine = templates.engine(f"sqlite+aiosqlite:///{database}")
        sessions = make_session_factory(engine)
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            database_url=str(engine.url),
            sweep_interval=3600,  # tests sweep explicitly with the fake clock
            delivery_interval=0.1,
            live_interval=live_interval,  # the debounce: one edit per interval per message at most
        )
        app = build_application(settings, sessions, clock=clock)
        world = World(app, sim, sessions, clock, council, settings, AsyncExitStack())
        try:
            await world.running.enter_async_context(polling(app))
            yield world
            await world.running.aclose()
            await assert_every_text_fits(sim)
        finally:
            await world.running.aclose()
            await sim.aclose()
            await engine.dispose()


# Telegram's limits (issue 17): a longer text is refused, and the person sees nothing.
LIMITS = {"text": 4096, "caption": 1024}
ALERT_LIMIT = 200


async def assert_every_text_fits(sim: EmulatorClient) -> None:
    """Every text the bot sent or edited, every caption and every alert was within Telegram's
    limits — checked after every e2e test, on the emulator's whole call log."""
    too_long = []
    for call in await sim.calls():
        for key, limit in LIMITS.items():
            value = call.params.get(key)
            if isinstance(value, str) and len(value) > limit:
                too_long.append((call.method, key, len(value)))
        shown = call.params.get("text")
        alert = call.method == "answerCallbackQuery" and isinstance(shown, str)
        if alert and len(str(shown)) > ALERT_LIMIT:
            too_long.append((call.method, "text", len(str(shown))))
    assert too_long == [], f"texts over Telegram's limits: {too_long}"
