"""Benchmark (issue 12): 60 members vote on their private ballots within 2 seconds; every vote is
counted exactly once; the result is shown to the room within 2 seconds after the chair closes.

    PYTHONPATH=. .venv/bin/python bench/votes.py [--members 60] [--runs 3] [--profile]
                                                 [--database-url URL]

Three parties, each in a process of its own: the Bot API emulator (bench/quorum_live.py's
EmulatorProcess), the real bot (bot.app's production wiring, `--serve`), and this process, which
plays the people: the chair and the voting members, all through Telegram updates. Setup (people,
links, the opened meeting, check-ins) goes straight to the database before the bot starts. Each run
is one vote on the next item: the chair's /punkt næste and /afstemning, every member's press of For
or Imod under the ballot the bot sent them (all at once), then the chair's press of "Afslut
afstemningen"; the result counts as shown when the council group's pinned message shows the counts.
`--profile` makes the bot count its SQL statements and their time per kind of update.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlmodel import SQLModel, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import itertools

from bench.quorum_live import (
    FIRST_USER,
    TOKEN,
    BenchClock,
    EmulatorProcess,
    pinned_message,
    seed,
    until_shown,
)
from models.enums import ItemStatus, NoticeStatus
from models.meeting_room import Ballot
from models.tables import AgendaItem, Meeting, Notice, Person
from services.actors import actor_for_person
from services.meeting_day import check_in, open_meeting
from telegram_emulator.client import EmulatorClient

QUESTION = "Spørgsmål %d: skal budgettet godkendes?"
TARGET_VOTES_S = 2.0
TARGET_SHOWN_S = 2.0


# --- the bot's process ----------------------------------------------------------------------------


def serve(base_url: str, file_url: str, database: str, clock_base: str, profile: str) -> None:
    """Run the bot until SIGTERM (the child process); with `profile`, write its SQL figures there."""
    from bot.app import build_application
    from bot.settings import Settings
    from models.db import make_engine, make_session_factory
    from telegram_emulator.testing import polling

    clock = BenchClock()
    clock.base = datetime.fromisoformat(clock_base)
    statements: Counter[str] = Counter()
    seconds: defaultdict[str, float] = defaultdict(float)

    async def run() -> None:
        engine = make_engine(database)
        if profile:
            _count_statements(engine.sync_engine, statements, seconds)
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=base_url,
            telegram_base_file_url=file_url,
            database_url=database,
            sweep_interval=3600,
            delivery_interval=1.0,  # production's (the ballots are out before the burst)
            live_interval=1.0,  # production's debounce of the pinned message
        )
        app = build_application(settings, make_session_factory(engine), clock=clock)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        if profile:  # the people's process brackets each burst with SIGUSR1 / SIGUSR2
            import cProfile

            profiler = cProfile.Profile()
            loop.add_signal_handler(signal.SIGUSR1, profiler.enable)
            loop.add_signal_handler(signal.SIGUSR2, profiler.disable)
        try:
            async with polling(app):
                await stop.wait()
        finally:
            await engine.dispose()
            if profile:
                figures = {"statements": dict(statements), "seconds": dict(seconds)}
                Path(profile).write_text(json.dumps(figures))
                profiler.dump_stats(profile + ".prof")

    asyncio.run(run())


def _count_statements(
    engine: Any, statements: Counter[str], seconds: defaultdict[str, float]
) -> None:
    """Count each SQL statement by its first words and table, with the time it took."""

    @event.listens_for(engine, "connect")
    def connected(*_args: Any) -> None:
        statements["(new connection)"] += 1

    @event.listens_for(engine, "before_cursor_execute")
    def before(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        conn.info.setdefault("started", []).append(time.perf_counter())

    @event.listens_for(engine, "after_cursor_execute")
    def after(conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        started = conn.info["started"].pop()
        words = statement.split()
        table = next(
            (w for a, w in itertools.pairwise(words) if a in ("FROM", "INTO", "UPDATE")),
            "",
        )
        key = f"{words[0]} {table}".strip() if words else "?"
        statements[key] += 1
        seconds[key] += time.perf_counter() - started


class BotProcess:
    """The bot in a process of its own, so the people pressing never take its CPU."""

    def __init__(self, emulator: EmulatorProcess, database: str, clock: BenchClock, profile: str):
        self.command = [
            sys.executable,
            __file__,
            "--serve",
            emulator.base_url,
            emulator.base_file_url,
            database,
            clock.base.isoformat(),
            profile,
        ]
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> BotProcess:
        env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
        self.process = subprocess.Popen(self.command, env=env)
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def signal(self, number: int) -> None:
        """Start (SIGUSR1) or stop (SIGUSR2) the bot's profiler — only when it has one."""
        assert self.process is not None
        if self.command[-1]:
            self.process.send_signal(number)

    def cpu_seconds(self) -> float:
        assert self.process is not None
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- the people's process (this one) ---------------------------------------------------------------


async def open_and_check_in(sessions: Any, clock: BenchClock, items: int) -> None:
    """The chair opens the meeting with `items` items on the agenda; every member checks in."""
    async with sessions() as session, session.begin():
        meeting = (await session.exec(select(Meeting))).one()
        for position in range(1, items + 1):
            session.add(
                AgendaItem(
                    meeting_id=meeting.id,
                    position=position,
                    title=f"Budget {position}",
                    submitted_at=clock(),
                    status=ItemStatus.ACCEPTED,
                )
            )
        people = (await session.exec(select(Person).order_by(col(Person.id)))).all()
        actors = [await actor_for_person(session, p.id or 0) for p in people]
        chair = next(a for a in actors if a is not None and a.office == "chair")
        await open_meeting(session, actor=chair, now=clock(), meeting_id=meeting.id)
        for actor in actors:
            if actor is not None and actor.role in ("mayor", "member") and actor != chair:
                await check_in(session, actor=actor, now=clock(), meeting_id=meeting.id)


async def ballot_message(sim: EmulatorClient, user: int, question: str, timeout: float) -> Any:
    """The member's ballot (the bot's message with the question), once the outbox sent it."""
    deadline = time.monotonic() + timeout
    count = 1
    while True:
        messages = await sim.wait_for_messages(
            user, count, timeout=max(0.1, deadline - time.monotonic())
        )
        found = [m for m in messages if f"Afstemning: {question}" in (m.text or "")]
        if found:
            return found[-1]
        count = len(messages) + 1


async def counted(sessions: Any) -> dict[int, tuple[int, int]]:
    """Per vote: (ballot rows, distinct seats)."""
    async with sessions() as session:
        rows = await session.exec(
            select(
                Ballot.vote_id, func.count(), func.count(func.distinct(Ballot.seat_member_id))
            ).group_by(col(Ballot.vote_id))
        )
        return {int(v): (int(n), int(s)) for v, n, s in rows.all()}


async def outbox_quiet(sessions: Any, timeout: float = 60) -> None:
    """Wait until no ballot is pending (every one sent and recorded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with sessions() as session:
            pending = (
                await session.exec(
                    select(func.count())
                    .select_from(Notice)
                    .where(Notice.status == NoticeStatus.PENDING, Notice.kind == "vote_ballot")
                )
            ).one()
        if not pending:
            await asyncio.sleep(0.5)  # the worker's last bookkeeping commits
            return
        await asyncio.sleep(0.1)
    raise TimeoutError("the outbox did not finish sending the ballots")


async def one_vote(
    sim: EmulatorClient,
    sessions: Any,
    bot: BotProcess,
    chair: int,
    voters: list[int],
    group: int,
    pinned: int,
    run: int,
) -> dict[str, Any]:
    members = len(voters)
    question = QUESTION % run
    await sim.ask(chair, "/punkt næste", timeout=30)
    opened = await sim.ask(chair, f"/afstemning {question}", timeout=30)
    ballots = await asyncio.gather(*(ballot_message(sim, u, question, 120) for u in voters))
    # As in a room, the members read the question first: the outbox has finished recording the
    # ballots it sent (its bookkeeping is not what a vote costs) before anyone presses.
    await outbox_quiet(sessions)
    # The burst: every member presses For (the first half and one) or Imod at once.
    yes = members // 2 + 1
    labels = ["For" if i < yes else "Imod" for i in range(members)]
    cpu = bot.cpu_seconds()
    bot.signal(signal.SIGUSR1)
    first = time.monotonic()
    queries = await asyncio.gather(
        *(
            sim.press(u, u, b["message_id"], label=label)
            for u, b, label in zip(voters, ballots, labels, strict=True)
        )
    )
    answers = await asyncio.gather(*(sim.wait_for_answer(q, timeout=60) for q in queries))
    all_answered = time.monotonic() - first
    cpu = bot.cpu_seconds() - cpu
    bot.signal(signal.SIGUSR2)
    refused = [a["text"] for a in answers if a["show_alert"]]
    # The chair closes the vote; the room sees the counts on the pinned message.
    closed_at = time.monotonic()
    await sim.press(chair, chair, opened["message_id"], label="Afslut afstemningen")
    shown_text = f"For {yes}, imod {members - yes}, undlod 0"
    _, seen = await until_shown(sim, group, pinned, shown_text, 60)
    return {
        "votes_s": all_answered,
        "shown_s": seen - closed_at,
        "refused": refused,
        "cpu_ms_per_vote": cpu * 1000 / members,
    }


async def measure(
    members: int, runs: int, database_url: str | None, profile: bool
) -> dict[str, Any]:

    clock = BenchClock()
    clock.base = clock.base + timedelta(minutes=5)  # on the meeting's day: it may be opened
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess() as emulator:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if database_url:
            await _reset(database_url)
        (engine, sessions), names = await seed(url, members, clock)
        await open_and_check_in(sessions, clock, runs + 1)
        profile_file = str(Path(tmp) / "profile.json") if profile else ""
        sim = EmulatorClient(emulator.sim_url)
        results: list[dict[str, Any]] = []
        try:
            users = {name: FIRST_USER + i for i, name in enumerate(names)}
            for name, user_id in users.items():
                await sim.add_user(user_id, first_name=name.split()[0], last_name=name.split()[-1])
            voters = [users[n] for n in names if n.startswith("Medlem")][:members]
            secretary, chair = users["Sekretær Sand"], users["Medlem 01"]
            with BotProcess(emulator, url, clock, profile_file) as bot:
                await sim.ask(secretary, "/hjaelp", timeout=120)  # the bot is up
                group = (await sim.add_bot_to_group(secretary, "KKR Benchmark", admin=True))["id"]
                await sim.send(secretary, "/tilknytgruppe", chat_id=group)
                pinned = (await pinned_message(sim, group, timeout=30))["message_id"]
                # Each member has written to the bot before (Telegram lets a bot write only then).
                await asyncio.gather(*(sim.ask(u, "/hjaelp", timeout=120) for u in voters))
                cpu_before = bot.cpu_seconds()
                for run in range(1, runs + 1):
                    load = Path("/proc/loadavg").read_text().split()[:3]
                    results.append(
                        await one_vote(sim, sessions, bot, chair, voters, group, pinned, run)
                        | {"load": load}
                    )
                cpu = bot.cpu_seconds() - cpu_before
            once = await counted(sessions)
        finally:
            await sim.aclose()
            await engine.dispose()
        figures = json.loads(Path(profile_file).read_text()) if profile else None
        if profile:
            import pstats

            stats = pstats.Stats(profile_file + ".prof")
            stats.sort_stats("tottime").print_stats(25)
            stats.sort_stats("cumulative").print_stats(45)
    return {
        "members": members,
        "runs": results,
        "once": once,
        "bot_cpu_s": cpu,
        "profile": figures,
    }


async def _reset(database_url: str) -> None:
    from models.db import make_engine

    engine = make_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await engine.dispose()


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def spread(values: list[float]) -> str:
    return (
        f"min {min(values):.3f} s, median {statistics.median(values):.3f} s,"
        f" max {max(values):.3f} s"
    )


def report(result: dict[str, Any]) -> bool:
    members, runs = result["members"], result["runs"]
    votes = [r["votes_s"] for r in runs]
    shown = [r["shown_s"] for r in runs]
    refused = sum(len(r["refused"]) for r in runs)
    once = len(result["once"]) == len(runs) and all(
        n == members and s == members for n, s in result["once"].values()
    )
    votes_met = max(votes) <= TARGET_VOTES_S and not refused
    shown_met = max(shown) <= TARGET_SHOWN_S
    print(
        f"{members} members vote, {len(runs)} runs (one vote each); bot, emulator, people: 3 processes"
    )
    for n, r in enumerate(runs, start=1):
        print(
            f"  run {n}: votes answered {r['votes_s']:.3f} s, result shown {r['shown_s']:.3f} s,"
            f" bot CPU {r['cpu_ms_per_vote']:.1f} ms per vote, load {' '.join(r['load'])}"
        )
    print(f"all {members} votes recorded and answered:  {spread(votes)}")
    print(f"  (target <= {TARGET_VOTES_S:.0f} s in every run: {verdict(votes_met)})")
    print(f"result shown in the group after close:   {spread(shown)}")
    print(f"  (target <= {TARGET_SHOWN_S:.0f} s in every run: {verdict(shown_met)})")
    print(f"votes refused:                           {refused}")
    print(f"every vote counted once:                 {verdict(once)}  {result['once']}")
    print(f"bot CPU during the runs:                 {result['bot_cpu_s']:.2f} s")
    if result["profile"]:
        statements, seconds = result["profile"]["statements"], result["profile"]["seconds"]
        total = sum(statements.values())
        print(f"SQL statements of the bot (whole session): {total}")
        for key, count in sorted(statements.items(), key=lambda kv: -kv[1])[:15]:
            print(f"  {count:6d}  {seconds[key] * 1000:8.1f} ms  {key}")
    met = votes_met and once and shown_met
    print("ALL TARGETS MET" if met else "TARGETS NOT MET")
    return met


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--serve":
        serve(*sys.argv[2:7])
        return 0
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="count the bot's SQL statements")
    parser.add_argument(
        "--database-url", help="e.g. postgresql+asyncpg://… (emptied first!) [default: SQLite]"
    )
    args = parser.parse_args()
    result = asyncio.run(measure(args.members, args.runs, args.database_url, args.profile))
    return 0 if report(result) else 1


if __name__ == "__main__":
    raise SystemExit(main())
