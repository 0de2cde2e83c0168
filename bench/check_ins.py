"""Check-ins per second (issue 15): 60 members press "Tjek ind" at once; how fast the bot records
them, on SQLite and on PostgreSQL.

The 60 requests go the way the button's handler sends them (bot.handlers.attendance: a burst is
applied in few transactions, models.unit_of_work.together) and, for comparison, the way every
other use case goes (one unit of work each, holding the process's write guard). Printed per run:
check-ins per second (wall), the process's CPU per check-in, transactions and SQL statements.
No Telegram is involved: this is the database side of the burst.

Target: >= 100 check-ins/s on SQLite and on PostgreSQL.

    .venv/bin/python bench/check_ins.py [--runs 3] [--members 60] [--postgres URL]
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
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the other benches, by file name

from databases import ensure_database
from quorum_live import MEETING_AT, BenchClock, seed
from sqlalchemy import event
from sqlmodel import select

from models.tables import Membership, Person
from models.unit_of_work import together, unit_of_work
from services.actors import Actor, actor_for_person
from services.meeting_day import PresenceRequest, check_in, open_meeting, set_presences

TARGET = 100.0
DEFAULT_PG = "postgresql+asyncpg://postgres@127.0.0.1:5432/kkrbot_perf_bench"


@dataclass
class Run:
    per_second: float
    cpu_ms: float
    transactions: int
    statements: int


async def one_run(url: str, members: int, burst: bool) -> Run:
    clock = BenchClock()
    (engine, sessions), _names = await seed(url, members, clock)
    try:
        at = MEETING_AT + timedelta(minutes=1)
        async with sessions() as session:
            people = (
                await session.exec(
                    select(Person.id, Membership.office)
                    .join(Membership, Membership.person_id == Person.id)
                    .where(Membership.role.in_(["mayor", "member"]))  # type: ignore[attr-defined]
                    .order_by(Person.id)
                )
            ).all()
            actors = [await actor_for_person(session, pid or 0) for pid, _ in people]
        chair = next(a for a, (_, office) in zip(actors, people, strict=True) if office == "chair")
        assert chair is not None
        async with unit_of_work(sessions) as session:
            view = await open_meeting(session, actor=chair, now=at)
        meeting_id = view.meeting.id
        others = [a for a in actors if a is not None and a.person_id != chair.person_id]
        counted = {"statements": 0, "transactions": 0}

        def statement(*_: Any) -> None:
            counted["statements"] += 1

        def commit(*_: Any) -> None:
            counted["transactions"] += 1

        event.listen(engine.sync_engine, "before_cursor_execute", statement)
        event.listen(engine.sync_engine, "commit", commit)
        cpu, started = time.process_time(), time.perf_counter()
        if burst:
            results = await asyncio.gather(
                *(
                    together(
                        sessions,
                        ("presence", meeting_id),
                        PresenceRequest(actor, meeting_id, True, at),
                        set_presences,
                    )
                    for actor in others
                )
            )
        else:
            results = await asyncio.gather(
                *(_alone(sessions, actor, meeting_id, at) for actor in others)
            )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        event.remove(engine.sync_engine, "before_cursor_execute", statement)
        event.remove(engine.sync_engine, "commit", commit)
        refused = [r for r in results if not hasattr(r, "present_count")]
        assert not refused, refused[:3]
        assert max(r.present_count for r in results) == len(others) + 1
        return Run(
            len(others) / elapsed,
            cpu * 1000 / len(others),
            counted["transactions"],
            counted["statements"],
        )
    finally:
        await engine.dispose()


async def _alone(sessions: Any, actor: Actor, meeting_id: int, at: Any) -> Any:
    async with unit_of_work(sessions) as session:
        return await check_in(session, actor=actor, now=at, meeting_id=meeting_id)


def fresh_postgres(url: str) -> None:
    """An empty database for each run (the bench's own database, never the tests')."""
    asyncio.run(ensure_database(url))
    name = url.rsplit("/", 1)[1]
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", name, "-q", "-c",
         "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
        check=True, capture_output=True,
    )  # fmt: skip


def spread(values: list[float], fmt: str = ".0f") -> str:
    return " / ".join(format(v, fmt) for v in (min(values), statistics.median(values), max(values)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--postgres", default=os.environ.get("KKRBOT_BENCH_PG_URL", DEFAULT_PG))
    args = parser.parse_args()
    met_all = True
    for database in ("sqlite", "postgresql"):
        for burst in (False, True):
            runs = []
            load = Path("/proc/loadavg").read_text().split()[:3]
            for _ in range(args.runs):
                if database == "sqlite":
                    url = f"sqlite+aiosqlite:///{Path(tempfile.mkdtemp()) / 'checkins.db'}"
                else:
                    url = args.postgres
                    fresh_postgres(url)
                runs.append(asyncio.run(one_run(url, args.members, burst)))
            how = "burst (as the button)" if burst else "one unit of work each"
            rate = [r.per_second for r in runs]
            print(
                f"{database:<10} {how:<22} check-ins/s {spread(rate)}"
                f"   CPU {spread([r.cpu_ms for r in runs], '.1f')} ms each"
                f"   transactions {spread([float(r.transactions) for r in runs])}"
                f"   statements {spread([float(r.statements) for r in runs])}"
                f"   (min / median / max of {args.runs}; load {load})",
                flush=True,
            )
            if burst:
                met = statistics.median(rate) >= TARGET
                met_all &= met
                print(f"{database}: >= {TARGET:.0f} check-ins/s: {'MET' if met else 'NOT MET'}")
    return 0 if met_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
