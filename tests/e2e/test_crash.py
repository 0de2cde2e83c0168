"""kill -9 and SIGTERM in the middle of a broadcast (issue 16): `kkrbot run` in a process of its
own, the emulator in another, one agenda (its text and PDF) to 46 people. After a kill -9 and a
restart everyone has the agenda, each message at most once more than once for the messages that
were in flight, and delivery resumes within 5 s; after SIGTERM nothing is repeated at all."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from bot.delivery import CONCURRENCY
from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade
from telegram_emulator.client import EmulatorClient
from tests.e2e.processes import (
    BotProcess,
    EmulatorProcess,
    agenda_messages,
    distribute,
    notice_states,
    seed_linked_council,
    until_everyone_has_the_agenda,
)

TOKEN = "4646:CRASH"
RECIPIENTS = 46
SEND_METHODS = ("sendMessage", "sendDocument")
RESUME_WITHIN = 5.0


@dataclass
class Broadcast:
    sim: EmulatorClient
    sessions: SessionFactory
    bot: BotProcess
    meeting_id: int
    users: list[int]
    tmp: Path

    async def start_sending_slowly(self) -> None:
        """Every send takes 0.4 s at Telegram, so a broadcast lasts long enough to be cut."""
        for method in SEND_METHODS:
            await self.sim.inject_fault(method, "latency", count=None, latency_ms=400)
        await distribute(self.sessions, self.meeting_id)
        deadline = time.monotonic() + 60
        while sum(c["text"] for c in (await agenda_messages(self.sim, self.users)).values()) < 8:
            assert time.monotonic() < deadline, "the broadcast did not begin"
            await asyncio.sleep(0.05)

    async def restart(self) -> BotProcess:
        self.bot = BotProcess(
            TOKEN, self.bot.database_url, self.bot.emulator, self.tmp / "bot-after.log"
        )
        await self.bot.start()
        return self.bot


@pytest.fixture
async def broadcast(tmp_path: Path) -> AsyncIterator[Broadcast]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'crash.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    sessions = make_session_factory(engine)
    meeting_id, users = await seed_linked_council(sessions, RECIPIENTS)
    emulator = EmulatorProcess(TOKEN, tmp_path / "emulator.log")
    sim = await emulator.start()
    bot = BotProcess(TOKEN, url, emulator, tmp_path / "bot.log")
    running = Broadcast(sim, sessions, bot, meeting_id, users, tmp_path)
    try:
        await bot.start()
        for user in users:
            await sim.add_user(user, f"User {user}", language_code="da")
            await sim.send(user, "hej")  # a user who never wrote cannot be written to
        await asyncio.gather(*(sim.wait_for_messages(u, 1, timeout=60) for u in users))
        yield running
    finally:
        running.bot.stop()
        emulator.stop()
        await sim.aclose()
        await engine.dispose()


async def test_kill_9_during_a_broadcast_repeats_at_most_the_messages_in_flight(
    broadcast: Broadcast,
) -> None:
    await broadcast.start_sending_slowly()
    broadcast.bot.kill()
    killed_at = time.time()
    await broadcast.sim.clear_faults()
    restarted = await broadcast.restart()
    ready_after = time.monotonic() - restarted.started_at
    ready_at = time.time()
    got = await until_everyone_has_the_agenda(broadcast.sim, broadcast.users, timeout=120)
    # The sends begun after the kill (those in flight at the kill still end at the emulator).
    sends = [
        c for c in await broadcast.sim.calls() if c.method in SEND_METHODS and c.time > killed_at
    ]
    resumed = min(c.time for c in sends) - ready_at
    extra = sum(n - 1 for c in got.values() for n in c.values() if n > 1)
    print(
        f"\nkill -9: lost {sum(1 for c in got.values() if not c['text'] or not c['pdf'])},"
        f" duplicated {extra}, ready {ready_after:.1f} s after the restart (start-up),"
        f" first send {resumed:+.1f} s after ready ({ready_after + resumed:.1f} s after the restart)"
    )
    assert all(c["text"] >= 1 and c["pdf"] >= 1 for c in got.values()), got
    assert all(n <= 2 for c in got.values() for n in c.values()), got
    assert extra <= CONCURRENCY
    assert resumed <= RESUME_WITHIN
    assert {n.status for n in await notice_states(broadcast.sessions)} == {"sent"}


async def test_sigterm_during_a_broadcast_finishes_what_is_in_flight_and_repeats_nothing(
    broadcast: Broadcast,
) -> None:
    await broadcast.start_sending_slowly()
    status, took = broadcast.bot.terminate()
    assert status == 0
    assert took < 20
    held = [n for n in await notice_states(broadcast.sessions) if n.status == "pending"]
    assert all(n.claimed_by is None for n in held)  # given back, due at once for anyone
    await broadcast.sim.clear_faults()
    await broadcast.restart()
    got = await until_everyone_has_the_agenda(broadcast.sim, broadcast.users, timeout=120)
    print(f"\nSIGTERM: stopped in {took:.1f} s, {len(held)} notices given back")
    assert {user: dict(c) for user, c in got.items()} == {
        user: {"text": 1, "pdf": 1} for user in broadcast.users
    }
    assert {n.status for n in await notice_states(broadcast.sessions)} == {"sent"}
