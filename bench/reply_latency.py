"""Reply latency (issue 15): N members send /meetings at once; how long until each has the answer.

kkrbot is compared with a bare python-telegram-bot echo bot with the same concurrency
(`concurrent_updates`), the floor. As in production, each party runs in a process of its own: the
emulator (Telegram), the echo bot, kkrbot (SQLite) and this measuring client. The two bots take
turns, burst for burst, so a change of the machine's load hits both alike.

Target: kkrbot's p95 at most 1.2 x the echo bot's, at 50 and at 200 members. Also printed: each
bot's CPU per update (from /proc, less sensitive to the load than the latencies) and kkrbot's SQL
statements and transactions per update.

    .venv/bin/python bench/reply_latency.py [--members 50,200] [--rounds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, by file name

from quorum_live import EmulatorProcess

from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade
from services.actors import secretariat_actor
from services.councils import create_council
from services.invites import issue_invites, redeem_invite
from services.meetings import add_meeting
from services.members import import_members, parse_members_csv
from telegram_emulator.client import EmulatorClient

BOTS = {"echo": "7002:BENCH-ECHO", "kkrbot": "7001:BENCH-KKRBOT"}
FIRST_USER = 50_000
TARGET = 1.2
WARM_UP = 3  # bursts per bot before measuring: the first two of a process ran up to 1.5 x slower


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


@dataclass
class Figures:
    """One bot's bursts: every reply's latency, and the p50/p95 of each burst."""

    latencies: list[float] = field(default_factory=list)
    burst_p50: list[float] = field(default_factory=list)
    burst_p95: list[float] = field(default_factory=list)
    cpu_ms_per_update: float = 0.0
    sql_per_update: tuple[float, float] | None = None  # statements, transactions

    def add(self, latencies: list[float]) -> None:
        self.latencies += latencies
        self.burst_p50.append(statistics.median(latencies))
        self.burst_p95.append(p95(latencies))

    def line(self, name: str) -> str:
        p50s = " / ".join(f"{v * 1000:.0f}" for v in _spread(self.burst_p50))
        p95s = " / ".join(f"{v * 1000:.0f}" for v in _spread(self.burst_p95))
        return (
            f"  {name:<7} p50 {p50s} ms   p95 {p95s} ms   (min / median / max of bursts)"
            f"   CPU {self.cpu_ms_per_update:.1f} ms/update"
            + (
                f", SQL {self.sql_per_update[0]:.2f} statements"
                f" and {self.sql_per_update[1]:.2f} transactions/update"
                if self.sql_per_update
                else ""
            )
        )


def _spread(values: list[float]) -> tuple[float, float, float]:
    return min(values), statistics.median(values), max(values)


def members_csv(count: int) -> str:
    """A council of `count` mayors, one per municipality, each with a substitute."""
    lines = ["name,role,municipality,party,substitute_for,office,language"]
    for n in range(count):
        lines.append(f"Member {n:03},mayor,Kommune {n:03},A,,{'chair' if n == 0 else ''},da")
        lines.append(f"Substitute {n:03},substitute,Kommune {n:03},A,Member {n:03},,da")
    lines.append("Secretary 1,secretariat,,,,,da")  # plans the meetings
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
                actor=await secretariat_actor(session, council.id or 0),
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


# --- the bots, each in a process of its own -------------------------------------------------------


def serve(kind: str, base_url: str, database: str) -> None:
    """Run one bot until terminated (the child process's side)."""
    from telegram_emulator.testing import polling

    async def run() -> None:
        app, engine = _bot(kind, base_url, database)
        if kind == "kkrbot":
            from bot.main import settle_heap

            settle_heap()  # as `kkrbot run` does after building the application
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        counted = _count_statements(engine) if engine is not None and PROFILE else None
        if engine is not None:
            _tell_counts_on_signal(engine, Path(database.split("///", 1)[1] + ".counts"))
        try:
            async with polling(app):
                await stop.wait()
        finally:
            if engine is not None:
                await engine.dispose()
        if counted is not None:
            _report_statements(kind, counted)

    if not PROFILE:
        asyncio.run(run())
        return
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(asyncio.run, run())
    profiler.dump_stats(f"{PROFILE}.{kind}")


def _tell_counts_on_signal(engine: Any, path: Path) -> None:
    """SQL statements and transactions so far, written to `path` on SIGUSR1 (the client asks
    before and after its bursts: how many per update)."""
    from sqlalchemy import event

    counts = [0, 0]

    def statement(*_args: Any) -> None:
        counts[0] += 1

    def begin(*_args: Any) -> None:
        counts[1] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "begin", begin)
    asyncio.get_running_loop().add_signal_handler(
        signal.SIGUSR1, lambda: path.write_text(f"{counts[0]} {counts[1]}")
    )


# KKRBOT_BENCH_PROFILE=<prefix>: each bot runs under cProfile (stats in <prefix>.echo, <prefix>.kkrbot)
# and kkrbot prints the SQL statements and transactions it ran, start-up and warm-up included:
# where its time per update goes (the figures printed are then not comparable).
PROFILE = os.environ.get("KKRBOT_BENCH_PROFILE", "")


def _count_statements(engine: Any) -> Counter[str]:
    from sqlalchemy import event

    counted: Counter[str] = Counter()

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        counted[" ".join(sql.split())[:90]] += 1

    def begin(_conn: Any) -> None:
        counted["(transaction)"] += 1

    event.listen(engine.sync_engine, "before_cursor_execute", statement)
    event.listen(engine.sync_engine, "begin", begin)
    return counted


def _report_statements(kind: str, counted: Counter[str]) -> None:
    print(f"{kind}: {counted.total()} statements and transactions", file=sys.stderr)
    for sql, count in counted.most_common(25):
        print(f"  {count:6}  {sql}", file=sys.stderr)


def _bot(kind: str, base_url: str, database: str) -> tuple[Any, Any]:
    if kind == "echo":
        from telegram import Update
        from telegram.ext import ApplicationBuilder, CommandHandler, ContextTypes

        async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
            assert update.effective_message is not None
            await update.effective_message.reply_text("meetings")

        app = (
            ApplicationBuilder()
            .token(BOTS["echo"])
            .base_url(base_url)
            .concurrent_updates(True)  # the same concurrency as kkrbot's
            .build()
        )
        app.add_handler(CommandHandler("meetings", echo))
        return app, None
    from bot.app import build_application
    from bot.settings import Settings

    settings = Settings(
        telegram_token=BOTS["kkrbot"],
        telegram_base_url=base_url,
        database_url=database,
        sweep_interval=3600,
        delivery_interval=1.0,
    )
    engine = make_engine(database)
    return build_application(settings, make_session_factory(engine)), engine


class BotProcess:
    def __init__(self, kind: str, base_url: str, database: str) -> None:
        self.command = [sys.executable, __file__, "--serve", kind, base_url, database]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BotProcess:
        self.process = subprocess.Popen(self.command)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=20)

    async def sql_counts(self, database: str) -> tuple[int, int]:
        """The bot's SQL statements and transactions so far (kkrbot only)."""
        assert self.process is not None
        path = Path(database.split("///", 1)[1] + ".counts")
        path.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if path.exists() and path.read_text():
                statements, transactions = path.read_text().split()
                return int(statements), int(transactions)
        raise RuntimeError("kkrbot did not tell its SQL counts")

    def cpu_seconds(self) -> float:
        """User + system CPU of the bot process so far (Linux /proc)."""
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the measuring client -------------------------------------------------------------------------


async def burst(sim: EmulatorClient, users: list[int], text: str) -> list[float]:
    """Every user sends `text` at the same moment; each latency runs until their reply arrives."""
    before = {user: len(await sim.messages(user)) for user in users}

    async def one(user: int) -> float:
        started = time.perf_counter()
        await sim.send(user, text)
        await sim.wait_for_messages(user, before[user] + 1, timeout=120)
        return time.perf_counter() - started

    return list(await asyncio.gather(*(one(user) for user in users)))


async def connected(sim: EmulatorClient, bot_ids: list[int], timeout: float = 120) -> None:
    """Wait until both bot processes have started polling the emulator."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if set(bot_ids) <= {int(bot["id"]) for bot in await sim.bots()}:
            return
        await asyncio.sleep(0.2)
    raise RuntimeError("the bots did not connect to the emulator")


async def measure(members: int, rounds: int) -> tuple[Figures, Figures]:
    database = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = make_engine(database)
    await upgrade(engine)
    users = await seed(make_session_factory(engine), members, datetime.now(UTC))
    await engine.dispose()
    figures = {kind: Figures() for kind in BOTS}
    with (
        EmulatorProcess() as emulator,
        BotProcess("echo", emulator.base_url, database) as echo,
        BotProcess("kkrbot", emulator.base_url, database) as kkrbot,
    ):
        processes = {"echo": echo, "kkrbot": kkrbot}
        sims = {
            kind: EmulatorClient(emulator.sim_url, bot_id=int(token.split(":")[0]))
            for kind, token in BOTS.items()
        }
        try:
            await connected(sims["echo"], [int(t.split(":")[0]) for t in BOTS.values()])
            for sim in sims.values():
                for user in users:
                    await sim.add_user(user, f"Member {user - FIRST_USER:03}", language_code="da")
                for _ in range(WARM_UP):  # start-up, connections, caches, the first allocations
                    await burst(sim, users, "/meetings")
            cpu = {kind: processes[kind].cpu_seconds() for kind in BOTS}
            sql = await kkrbot.sql_counts(database)
            for _ in range(rounds):
                for kind, sim in sims.items():  # the bots take turns, burst for burst
                    figures[kind].add(await burst(sim, users, "/meetings"))
            for kind in BOTS:
                spent = processes[kind].cpu_seconds() - cpu[kind]
                figures[kind].cpu_ms_per_update = spent * 1000 / (rounds * len(users))
            statements, transactions = await kkrbot.sql_counts(database)
            figures["kkrbot"].sql_per_update = (
                (statements - sql[0]) / (rounds * len(users)),
                (transactions - sql[1]) / (rounds * len(users)),
            )
        finally:
            for sim in sims.values():
                await sim.aclose()
    return figures["echo"], figures["kkrbot"]


async def main(sizes: list[int], rounds: int) -> bool:
    met_all = True
    for members in sizes:
        load = Path("/proc/loadavg").read_text().split()[:3]
        echo, kkrbot = await measure(members, rounds)
        ratios = [k / e for k, e in zip(kkrbot.burst_p95, echo.burst_p95, strict=True)]
        ratio = p95(kkrbot.latencies) / p95(echo.latencies)
        met = ratio <= TARGET
        met_all &= met
        print(f"{members} members send /meetings at once, {rounds} bursts each; load {load}")
        print(echo.line("echo"))
        print(kkrbot.line("kkrbot"))
        low, middle, high = _spread(ratios)
        print(
            f"  p95 kkrbot/echo = {ratio:.2f} over all bursts (per burst {low:.2f} / {middle:.2f}"
            f" / {high:.2f}); target <= {TARGET}: {'MET' if met else 'NOT MET'}",
            flush=True,
        )
    return met_all


if __name__ == "__main__":
    if len(sys.argv) == 5 and sys.argv[1] == "--serve":
        serve(*sys.argv[2:5])
        sys.exit(0)
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", default="50,200")
    parser.add_argument("--rounds", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(main([int(m) for m in arguments.members.split(",")], arguments.rounds))
