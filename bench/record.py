"""The record at five years' size: a council with 25 meetings of 40 items each, every agenda
distributed and every meeting's minutes (40 decisions) approved and published.

Prints min/median/max over several runs of
- the public index page (the meeting plan), server time in-process through ASGI — target < 50 ms;
- one meeting's public page with its agenda and minutes;
- the minutes PDF of a 40-item meeting, rendered with WeasyPrint — target < 2 s.

Each line gives wall time and this process's CPU time; a target is judged on the median CPU time
(the server's own work; on a shared machine the wall time also counts waiting for a CPU) and
the line ends MET or NOT MET.

    .venv/bin/python bench/record.py [--runs 5]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import select

from models.db import SessionFactory, make_engine, make_session_factory
from models.enums import ItemStatus, MeetingStatus
from models.meeting_room import Decision
from models.migrate import upgrade
from models.record import MinutesVersion
from models.tables import AgendaItem, Council, Meeting
from services.actors import secretariat_actor
from services.agenda_delivery import distribute_agenda
from services.demo_seed import seed_demo
from services.minutes import draft_minutes
from templates.documents import render_minutes_pdf
from web.app import create_app

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
MEETINGS, ITEMS = 25, 40


async def seed(sessions: SessionFactory) -> tuple[str, int]:
    """The demo council with 25 held meetings of 40 items over five years; returns (slug, a meeting)."""
    await seed_demo(sessions, NOW)
    async with sessions() as session, session.begin():
        council = (await session.exec(select(Council))).one()
        first = NOW - timedelta(days=5 * 365)
        last_id = 0
        for n in range(MEETINGS):
            starts = first + timedelta(days=73 * n)
            meeting = Meeting(
                council_id=council.id or 0,
                starts_at=starts,
                place="Aalborg Rådhus, byrådssalen",
                created_at=starts - timedelta(days=60),
            )
            session.add(meeting)
            await session.flush()
            for i in range(ITEMS):
                session.add(
                    AgendaItem(
                        meeting_id=meeting.id or 0,
                        position=i,
                        title=f"Punkt {i + 1}: regionalt samarbejde om emne {i + 1}",
                        description="Indstilling: at rådet drøfter og godkender sagen. " * 3,
                        submitted_at=starts - timedelta(days=30),
                        status=ItemStatus.ACCEPTED,
                    )
                )
            await session.flush()
            await distribute_agenda(
                session,
                actor=await secretariat_actor(session, meeting.council_id),
                meeting_id=meeting.id or 0,
                now=starts - timedelta(days=8),
            )
            meeting.status = MeetingStatus.CLOSED
            meeting.opened_at, meeting.closed_at = starts, starts + timedelta(hours=3)
            session.add(meeting)
            items = (
                await session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id))
            ).all()
            for i, item in enumerate(items):
                session.add(
                    Decision(
                        meeting_id=meeting.id or 0,
                        item_id=item.id or 0,
                        text=f"Rådet godkendte indstillingen til punkt {i + 1}.",
                        decided_at=starts + timedelta(minutes=4 * i + 1),
                        votes_for=8,
                        votes_against=2,
                        votes_abstain=1,
                        outcome="adopted",
                    )
                )
            await session.flush()
            await draft_minutes(session, meeting=meeting, now=starts + timedelta(hours=3))
            version = (
                await session.exec(
                    select(MinutesVersion).where(MinutesVersion.meeting_id == meeting.id)
                )
            ).one()
            version.approved_at = starts + timedelta(days=7)
            version.snapshot = {**version.snapshot, "approved_at": version.approved_at.isoformat()}
            session.add(version)
            last_id = meeting.id or 0
        return council.slug, last_id


@dataclass
class Timings:
    """Wall time, and this process's CPU time (the server's own work: on a shared, loaded machine
    the wall time also holds the time spent waiting for a CPU)."""

    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


@contextmanager
def timed(into: Timings) -> Iterator[None]:
    wall, cpu = time.perf_counter(), time.process_time()
    yield
    into.wall.append(time.perf_counter() - wall)
    into.cpu.append(time.process_time() - cpu)


def _spread(seconds: list[float]) -> str:
    shown = (min(seconds), statistics.median(seconds), max(seconds))
    return "/".join(f"{s * 1000:.1f}" for s in shown)


def _line(name: str, timings: Timings, target: float | None = None) -> str:
    """min/median/max of wall and CPU time; a target is judged on the median CPU time."""
    line = (
        f"{name}: wall min/median/max {_spread(timings.wall)} ms, "
        f"CPU {_spread(timings.cpu)} ms over {len(timings.wall)} runs"
    )
    if target is None:
        return line
    met = statistics.median(timings.cpu) < target
    return f"{line} (target < {target * 1000:.0f} ms) {'MET' if met else 'NOT MET'}"


async def main(runs: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await upgrade(engine)
        sessions = make_session_factory(engine)
        started = time.perf_counter()
        slug, meeting_id = await seed(sessions)
        print(
            f"seeded {MEETINGS} meetings x {ITEMS} items in {time.perf_counter() - started:.1f} s"
        )
        app = create_app(sessions, clock=lambda: NOW)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await client.get(f"/{slug}/")  # templates compiled, catalogue loaded
            index, page = Timings(), Timings()
            for _ in range(runs):
                with timed(index):
                    answer = await client.get(f"/{slug}/")
                assert answer.status_code == 200 and answer.text.count("/moede/") == MEETINGS
                with timed(page):
                    answer = await client.get(f"/{slug}/moede/{meeting_id}/")
                assert answer.status_code == 200
        async with sessions() as session:
            snapshot = (
                (
                    await session.exec(
                        select(MinutesVersion).where(MinutesVersion.meeting_id == meeting_id)
                    )
                )
                .one()
                .snapshot
            )
        render_minutes_pdf(snapshot, "da")  # fonts loaded once, as in a running bot
        pdf = Timings()
        for _ in range(runs):
            with timed(pdf):
                content = render_minutes_pdf(snapshot, "da")
        await engine.dispose()
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(_line("public index page (25 meetings)", index, 0.050))
    print(_line("public meeting page (40 items, agenda and minutes)", page))
    print(_line(f"minutes PDF, 40 items ({len(content) // 1024} KB)", pdf, 2.0))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main(parser.parse_args().runs))
