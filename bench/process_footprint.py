"""Process footprint (issue 15): the memory of `kkrbot run` after it has sent an agenda, and the CPU
it uses while idle.

`kkrbot run` runs as in production, a process of its own, against the emulator (another process)
with a SQLite database. This process seeds the council, waits for the bot to connect, distributes
an agenda (the bot renders its PDF and sends it to everyone) and reads the bot's /proc entries.

Targets: RSS < 120 MB after sending one agenda (WeasyPrint must not stay resident), idle CPU
< 0.5 % of a core. Each run starts everything afresh; min / median / max of the runs.

    .venv/bin/python bench/process_footprint.py [--runs 3] [--members 20] [--idle 20]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, by file name

from quorum_live import EmulatorProcess
from reply_latency import FIRST_USER, burst, seed
from sqlmodel import col, func, select

from models.db import SessionFactory, make_engine, make_session_factory
from models.enums import NoticeStatus
from models.migrate import upgrade
from models.tables import Meeting, Membership, Notice, TelegramLink
from services.actors import actor_for_person
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import add_own_item, approve_agenda
from telegram_emulator.client import EmulatorClient

TOKEN = "7003:BENCH-FOOTPRINT"
RSS_TARGET_MB = 120.0
IDLE_TARGET = 0.5  # % of one core


@dataclass
class Run:
    rss_idle_mb: float
    rss_after_mb: float
    pango_resident: bool
    idle_cpu_percent: float
    seconds_to_send: float


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pango_loaded(pid: int) -> bool:
    """Whether WeasyPrint's libraries are mapped into the process."""
    return "libpango" in Path(f"/proc/{pid}/maps").read_text()


async def distribute(sessions: SessionFactory, now: datetime) -> int:
    """The chair puts an item on the first meeting's agenda, approves and distributes it."""
    async with sessions() as session, session.begin():
        chair = (
            await session.exec(select(Membership.person_id).where(Membership.office == "chair"))
        ).one()
        meeting = (await session.exec(select(Meeting.id).order_by(col(Meeting.starts_at)))).first()
        actor = await actor_for_person(session, chair)
        assert actor is not None and meeting is not None
        await add_own_item(
            session,
            actor=actor,
            meeting_id=meeting,
            title="Budget 2027",
            description="The region's budget for next year, for the council's decision.",
            material=[],
            now=now,
        )
        await approve_agenda(session, actor=actor, meeting_id=meeting, now=now)
        distribution = await distribute_agenda(session, actor=actor, meeting_id=meeting, now=now)
    return distribution.recipients


async def pending(sessions: SessionFactory) -> int:
    """Agenda notices still to send to people on Telegram (the secretariat's seeded members have
    no link: theirs wait for one and are not the bot's to send yet)."""
    async with sessions() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(Notice)
                .join(TelegramLink, col(TelegramLink.person_id) == col(Notice.person_id))
                .where(Notice.kind == "agenda", Notice.status == NoticeStatus.PENDING)
            )
        ).one()


async def sent(sessions: SessionFactory) -> int:
    async with sessions() as session:
        return (
            await session.exec(
                select(func.count())
                .select_from(Notice)
                .where(Notice.kind == "agenda", Notice.status == NoticeStatus.SENT)
            )
        ).one()


async def wait_connected(sim: EmulatorClient, bot_id: int, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if bot_id in {int(bot["id"]) for bot in await sim.bots()}:
                return
        except Exception:
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError("kkrbot did not connect to the emulator")


async def one_run(members: int, idle: float) -> Run:
    database = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'footprint.db'}"
    engine = make_engine(database)
    await upgrade(engine)
    sessions = make_session_factory(engine)
    now = datetime.now(UTC)
    users = await seed(sessions, members, now - timedelta(minutes=5))
    with EmulatorProcess() as emulator:
        env = {
            **os.environ,
            "KKRBOT_TELEGRAM_TOKEN": TOKEN,
            "KKRBOT_TELEGRAM_BASE_URL": emulator.base_url,
            "KKRBOT_TELEGRAM_BASE_FILE_URL": emulator.base_file_url,
            "KKRBOT_DATABASE_URL": database,
            "KKRBOT_LOG_LEVEL": os.environ.get("KKRBOT_LOG_LEVEL", "WARNING"),
        }
        bot = subprocess.Popen([sys.executable, "-m", "bot.cli", "run"], env=env)
        try:
            async with EmulatorClient(emulator.sim_url, bot_id=int(TOKEN.split(":")[0])) as sim:
                await wait_connected(sim, int(TOKEN.split(":")[0]))
                for user in users:
                    await sim.add_user(user, f"Member {user - FIRST_USER:03}", language_code="da")
                await burst(
                    sim, users, "/meetings"
                )  # each has written to the bot (Telegram's rule)
            await asyncio.sleep(5)  # settle after start-up
            rss_idle = rss_mb(bot.pid)
            started = time.monotonic()
            await distribute(sessions, datetime.now(UTC))
            while await pending(sessions):
                if time.monotonic() - started > 90:
                    raise RuntimeError("the agenda was not sent within 90 s")
                await asyncio.sleep(0.5)
            seconds_to_send = time.monotonic() - started
            if await sent(sessions) == 0:
                raise RuntimeError("no agenda was sent")
            await asyncio.sleep(3)  # the render worker has exited; let the allocator settle
            rss_after, pango = rss_mb(bot.pid), pango_loaded(bot.pid)
            before = cpu_seconds(bot.pid)
            await asyncio.sleep(idle)
            idle_cpu = (cpu_seconds(bot.pid) - before) / idle * 100
        finally:
            bot.terminate()
            bot.wait(timeout=20)
            await engine.dispose()
    return Run(rss_idle, rss_after, pango, idle_cpu, seconds_to_send)


def spread(values: list[float], unit: str) -> str:
    return (
        f"{min(values):.1f} / {statistics.median(values):.1f} / {max(values):.1f} {unit}"
        " (min / median / max)"
    )


async def main(runs: int, members: int, idle: float) -> None:
    load = Path("/proc/loadavg").read_text().split()[:3]
    results = [await one_run(members, idle) for _ in range(runs)]
    after = [r.rss_after_mb for r in results]
    cpu = [r.idle_cpu_percent for r in results]
    print(f"process_footprint: kkrbot run, {members} members, {runs} runs; load {load}")
    print(f"  RSS idle before the agenda     {spread([r.rss_idle_mb for r in results], 'MB')}")
    print(f"  RSS after sending one agenda   {spread(after, 'MB')}")
    print(f"  agenda sent to all in          {spread([r.seconds_to_send for r in results], 's')}")
    print(f"  WeasyPrint (pango) resident:   {[r.pango_resident for r in results]}")
    print(f"  idle CPU over {idle:.0f} s            {spread(cpu, '% of a core')}")
    rss_met = statistics.median(after) < RSS_TARGET_MB
    cpu_met = statistics.median(cpu) < IDLE_TARGET
    print(f"RSS after an agenda < {RSS_TARGET_MB:.0f} MB: {'MET' if rss_met else 'NOT MET'}")
    print(f"idle CPU < {IDLE_TARGET} % of a core: {'MET' if cpu_met else 'NOT MET'}")
    print(f"load after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument("--idle", type=float, default=20.0)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.runs, arguments.members, arguments.idle))
