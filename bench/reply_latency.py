"""Reply latency: N members send /meetings at once through the emulator (issue 2, item 12).

Prints p50/p95 latency and replies per second for kkrbot and, in the same run and against the same
emulator, for a bare python-telegram-bot echo bot (the floor). Target: kkrbot's p95 within 1.5x of
the echo bot's.

    .venv/bin/python bench/reply_latency.py [--members 50] [--rounds 5]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

from bot.app import build_application
from bot.settings import Settings
from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade
from services.councils import create_council
from services.invites import issue_invites, redeem_invite
from services.meetings import add_meeting
from services.members import import_members, parse_members_csv
from telegram_emulator.client import EmulatorClient
from telegram_emulator.server import EmulatorServer
from telegram_emulator.testing import polling

KKRBOT_TOKEN = "7001:BENCH-KKRBOT"
ECHO_TOKEN = "7002:BENCH-ECHO"
FIRST_USER = 50_000


@dataclass
class Figures:
    latencies: list[float]
    wall: float

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p95 = ordered[max(0, round(0.95 * len(ordered)) - 1)]
        return (
            f"{name:<8} replies={len(ordered):>4}  p50={statistics.median(ordered) * 1000:7.1f} ms"
            f"  p95={p95 * 1000:7.1f} ms  throughput={len(ordered) / self.wall:7.1f} replies/s"
        )

    @property
    def p95(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def members_csv(count: int) -> str:
    """A council of `count` mayors, one per municipality, each with a substitute."""
    lines = ["name,role,municipality,party,substitute_for,office,language"]
    for n in range(count):
        lines.append(f"Member {n:03},mayor,Kommune {n:03},A,,{'chair' if n == 0 else ''},da")
        lines.append(f"Substitute {n:03},substitute,Kommune {n:03},A,Member {n:03},,da")
    return "\n".join(lines) + "\n"


async def seed(sessions: SessionFactory, members: int, now: datetime) -> list[int]:
    """A council whose `members` mayors are linked to Telegram users FIRST_USER, FIRST_USER+1, …"""
    async with sessions() as session, session.begin():
        council = await create_council(
            session, name="KKR Bench", region="Bench", municipalities=members, now=now
        )
        await import_members(
            session, council=council, rows=parse_members_csv(members_csv(members)), now=now
        )
        for days in (20, 60):
            await add_meeting(
                session,
                council=council,
                starts_at=now + timedelta(days=days),
                place="Rådhuset",
                now=now,
            )
        invites = await issue_invites(session, council=council, now=now, ttl=timedelta(days=1))
        users = []
        for invite in invites:
            if invite.person_name.startswith("Member"):
                user = FIRST_USER + int(invite.person_name.split()[-1])
                await redeem_invite(
                    session, token=invite.token, telegram_user_id=user, chat_id=user, now=now
                )
                users.append(user)
    return users


async def burst(sim: EmulatorClient, users: list[int], text: str) -> Figures:
    """Every user sends `text` at the same moment; each latency runs until their reply arrives."""
    before = {user: len(await sim.messages(user)) for user in users}

    async def one(user: int) -> float:
        started = time.perf_counter()
        await sim.send(user, text)
        await sim.wait_for_messages(user, before[user] + 1, timeout=60)
        return time.perf_counter() - started

    started = time.perf_counter()
    latencies = await asyncio.gather(*(one(user) for user in users))
    return Figures(list(latencies), time.perf_counter() - started)


async def add_users(sim: EmulatorClient, users: list[int]) -> None:
    for user in users:
        await sim.add_user(user, f"Member {user - FIRST_USER:03}", language_code="da")


async def measure_echo(emulator: EmulatorServer, users: list[int], rounds: int) -> Figures:
    async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        await update.effective_message.reply_text("meetings")

    app: Any = ApplicationBuilder().token(ECHO_TOKEN).base_url(emulator.base_url).build()
    app.add_handler(CommandHandler("meetings", echo))
    async with EmulatorClient(emulator.sim_url, bot_id=7002) as sim, polling(app):
        await add_users(sim, users)
        return await rounds_of(sim, users, rounds)


async def measure_kkrbot(
    emulator: EmulatorServer, users: list[int], rounds: int, database: str
) -> Figures:
    engine = make_engine(database)
    settings = Settings(
        telegram_token=KKRBOT_TOKEN,
        telegram_base_url=emulator.base_url,
        database_url=database,
        sweep_interval=3600,
        delivery_interval=1.0,
    )
    app = build_application(settings, make_session_factory(engine))
    try:
        async with EmulatorClient(emulator.sim_url, bot_id=7001) as sim, polling(app):
            await add_users(sim, users)
            return await rounds_of(sim, users, rounds)
    finally:
        await engine.dispose()


async def rounds_of(sim: EmulatorClient, users: list[int], rounds: int) -> Figures:
    await burst(sim, users, "/meetings")  # warm-up: connections, caches, first queries
    latencies: list[float] = []
    wall = 0.0
    for _ in range(rounds):
        figures = await burst(sim, users, "/meetings")
        latencies += figures.latencies
        wall += figures.wall
    return Figures(latencies, wall)


async def main(members: int, rounds: int) -> None:
    database = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(database)
    await upgrade(engine)
    users = await seed(make_session_factory(engine), members, datetime.now(UTC))
    await engine.dispose()
    async with EmulatorServer(in_thread=True) as emulator:
        echo = await measure_echo(emulator, users, rounds)
        kkrbot = await measure_kkrbot(emulator, users, rounds, database)
    print(
        f"{members} members send /meetings at once, {rounds} rounds (SQLite, emulator on loopback)"
    )
    print(echo.line("echo"))
    print(kkrbot.line("kkrbot"))
    ratio = kkrbot.p95 / echo.p95
    print(
        f"p95 ratio kkrbot/echo = {ratio:.2f} (target <= 1.5): {'met' if ratio <= 1.5 else 'NOT met'}"
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=5)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.members, arguments.rounds))
