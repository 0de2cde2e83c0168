"""Benchmark (issue 15): one scheduler sweep with 1k / 10k / 100k meetings stored, nearly all far in
the future ("future") or nearly all in the past ("past"), on SQLite and PostgreSQL.

Target: when nothing is due, a sweep takes < 20 ms and < 10 statements, at every size, on both.
The cost must grow with what is due, not with what is stored.

    .venv/bin/python bench/sweep_scale.py [--sizes 1000,10000,100000] [--backends sqlite,postgresql]
        [--runs 5] [--postgres-url postgresql+asyncpg://postgres@127.0.0.1:5432/kkrbot_perf]
        [--explain]

Each case starts from an empty database (a temporary SQLite file; the PostgreSQL database's public
schema dropped and re-created, so give it a database of its own), migrated, with the demo council
and its two coming meetings, then the bulk meetings (Core executemany) and three attendance rows
per meeting. No ANALYZE is run: the plans must be good without statistics. The first sweep does
what is due (the demo meetings' reminders); the next ones find nothing due and are the measure.
Statements are counted with a `before_cursor_execute` event; wall times depend on the machine's
load, the statement count does not, and this process's CPU time (SQLite included, PostgreSQL's
server not) much less (the load is printed).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import make_engine, make_session_factory
from models.enums import AttendanceStatus, MeetingKind, MeetingStatus
from models.migrate import upgrade
from models.tables import Attendance, Meeting, Membership
from scheduler.jobs import run_sweep
from services.demo_seed import seed_demo

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, by file name
from databases import ensure_database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
TARGET_MS = 20.0
TARGET_STATEMENTS = 10
CHUNK = 5_000
FIRST_ID = 1_000  # bulk meetings get explicit ids above the demo's own
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/kkrbot_perf"


@dataclass
class Counter:
    """Statements sent to the database; optionally the statements themselves, for EXPLAIN."""

    count: int = 0
    capture: list[tuple[str, Any]] | None = None

    def __call__(self, _conn: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> None:
        self.count += 1
        if self.capture is not None:
            self.capture.append((statement, params))


@dataclass
class Result:
    backend: str
    shape: str
    size: int
    seed_s: float
    first_ms: float
    first_statements: int
    first_added: int
    times_ms: list[float]
    cpu_ms: list[float]
    statements: list[int]
    added: list[int]

    @property
    def met(self) -> bool:
        return (
            statistics.median(self.times_ms) < TARGET_MS
            and max(self.statements) < TARGET_STATEMENTS
            and not any(self.added)
        )


async def fresh_engine(backend: str, postgres_url: str, workdir: Path) -> AsyncEngine:
    if backend == "sqlite":
        path = workdir / "sweep.sqlite"
        for leftover in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            leftover.unlink(missing_ok=True)
        return make_engine(f"sqlite+aiosqlite:///{path}")
    await ensure_database(postgres_url)
    engine = make_engine(postgres_url)
    async with engine.begin() as connection:
        await connection.execute(text("DROP SCHEMA public CASCADE"))
        await connection.execute(text("CREATE SCHEMA public"))
    return engine


def meeting_rows(council_id: int, size: int, shape: str) -> list[dict[str, Any]]:
    """`size` meetings an hour apart: 99 % on the shape's side of now, 1 % on the other, none
    within two months of now but one tomorrow (that and the demo's two meetings are what is near)."""
    rows = []
    for n in range(size):
        future = (n % 100 != 0) == (shape == "future")
        offset = timedelta(days=60, hours=n)
        starts_at = NOW + offset if future else NOW - offset
        if n == 1:
            future, starts_at = True, NOW + timedelta(hours=12)  # due: its meeting reminder
        rows.append(
            {
                "id": FIRST_ID + n,
                "council_id": council_id,
                "kind": MeetingKind.ORDINARY if n % 10 else MeetingKind.EXTRAORDINARY,
                "starts_at": starts_at,
                "place": "Aalborg Rådhus",
                "status": MeetingStatus.PLANNED if future else MeetingStatus.CLOSED,
                "created_at": NOW - timedelta(days=400),
                "agenda_version": 0 if future else 1,
            }
        )
    return rows


async def seed(engine: AsyncEngine, size: int, shape: str, per_meeting: int) -> None:
    await upgrade(engine)
    sessions = make_session_factory(engine)
    await seed_demo(sessions, NOW)
    async with engine.begin() as connection:
        council_id, *_ = (await connection.execute(select(Membership.council_id))).first() or (1,)
        members = [
            r[0]
            for r in await connection.execute(
                select(Membership.person_id).where(Membership.role == "member").limit(per_meeting)
            )
        ]
        meetings = meeting_rows(council_id, size, shape)
        for start in range(0, size, CHUNK):
            await connection.execute(insert(Meeting), meetings[start : start + CHUNK])
        attendance = [
            {
                "meeting_id": m["id"],
                "person_id": person,
                "status": AttendanceStatus.PRESENT
                if m["status"] == MeetingStatus.CLOSED
                else AttendanceStatus.EXPECTED,
                "substitute_answer": "not_summoned",
            }
            for m in meetings
            for person in members
        ]
        for start in range(0, len(attendance), CHUNK * 2):
            await connection.execute(insert(Attendance), attendance[start : start + CHUNK * 2])
        if engine.dialect.name == "postgresql":
            await connection.execute(
                text("SELECT setval('meeting_id_seq', (SELECT max(id) FROM meeting))")
            )


async def measure(
    backend: str, size: int, shape: str, args: argparse.Namespace, workdir: Path
) -> Result:
    engine = await fresh_engine(backend, args.postgres_url, workdir)
    try:
        started = time.perf_counter()
        await seed(engine, size, shape, args.attendance)
        seed_s = time.perf_counter() - started
        sessions = make_session_factory(engine)
        counter = Counter()
        event.listen(engine.sync_engine, "before_cursor_execute", counter)
        started = time.perf_counter()
        first = await run_sweep(sessions, NOW)
        first_ms = (time.perf_counter() - started) * 1000
        first_statements = counter.count
        times, cpu, statements, added = [], [], [], []
        for run in range(args.runs):
            counter.count = 0
            started, started_cpu = time.perf_counter(), time.process_time()
            report = await run_sweep(sessions, NOW + timedelta(seconds=run + 1))
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
            statements.append(counter.count)
            added.append(report.total)
        if args.explain:
            await explain(engine, sessions, counter)
        return Result(
            backend,
            shape,
            size,
            seed_s,
            first_ms,
            first_statements,
            first.total,
            times,
            cpu,
            statements,
            added,
        )
    finally:
        await engine.dispose()


async def explain(engine: AsyncEngine, sessions: Any, counter: Counter) -> None:
    """The plan of every statement of one sweep with nothing due."""
    counter.capture = []
    await run_sweep(sessions, NOW + timedelta(minutes=5))
    captured, counter.capture = counter.capture, None
    prefix = "EXPLAIN QUERY PLAN " if engine.dialect.name == "sqlite" else "EXPLAIN "
    async with engine.connect() as connection:
        for statement, params in captured:
            if not statement.lstrip().upper().startswith("SELECT"):
                continue
            plan = await connection.exec_driver_sql(prefix + statement, params)
            print("   ", " ".join(statement.split())[:160], "...")
            for row in plan:
                print("       ", row[-1])


def load() -> str:
    try:
        return Path("/proc/loadavg").read_text().split(" ", 3)[:3].__str__()
    except OSError:
        return "?"


def ms(values: list[float]) -> str:
    return f"{min(values):7.1f} / {statistics.median(values):7.1f} / {max(values):7.1f}"


async def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--shapes", default="future,past")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--attendance", type=int, default=3, help="attendance rows per meeting")
    parser.add_argument("--postgres-url", default=DEFAULT_PG)
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"sweep_scale: {args.runs} sweeps with nothing due per case; load {load()}")
    print(
        f"{'backend':10} {'shape':6} {'meetings':>8} {'seed s':>6} | {'first sweep':>22} |"
        f" {'nothing due: ms min / median / max':>34} {'CPU ms (median)':>15} {'stmts':>5} | target"
    )
    all_met = True
    with tempfile.TemporaryDirectory(prefix="kkrbot-sweep-") as tmp:
        for backend in args.backends.split(","):
            for shape in args.shapes.split(","):
                for size in sizes:
                    r = await measure(backend, size, shape, args, Path(tmp))
                    all_met &= r.met
                    first = f"{r.first_ms:7.1f} ms {r.first_statements:3} st +{r.first_added:<3}"
                    print(
                        f"{r.backend:10} {r.shape:6} {r.size:8} {r.seed_s:6.1f} | {first:>22} |"
                        f" {ms(r.times_ms):>34} {statistics.median(r.cpu_ms):15.1f}"
                        f" {max(r.statements):5} |"
                        f" {'MET' if r.met else 'NOT MET'} (<{TARGET_MS:.0f} ms,"
                        f" <{TARGET_STATEMENTS} statements)",
                        flush=True,
                    )
    print(f"load after: {load()}")
    print(f"sweep at any size: {'MET' if all_met else 'NOT MET'}")
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1:])))
