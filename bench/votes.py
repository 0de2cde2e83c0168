"""Benchmark (issue 12): 60 members vote on their private ballots within 2 seconds; every vote is
counted exactly once; the result is shown to the room within 2 seconds after the chair closes.

    PYTHONPATH=. .venv/bin/python bench/votes.py [--members 60] [--database-url URL]

The real bot (bot.app's production wiring) runs in this process against the Bot API emulator in a
process of its own (bench/quorum_live.py's EmulatorProcess). Setup (people, links, the opened
meeting, check-ins) goes straight to the database; everything measured goes through Telegram
updates: the chair's /punkt and /afstemning, each member's press of For or Imod under the ballot
the bot sent them, and the chair's press of "Afslut afstemningen". The result counts as shown when
the council group's pinned message shows the counts.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import SQLModel, col, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.quorum_live import (
    FIRST_USER,
    TOKEN,
    BenchClock,
    EmulatorProcess,
    pinned_message,
    seed,
    until_shown,
)
from bot.app import build_application
from bot.settings import Settings
from models.enums import ItemStatus
from models.meeting_room import Ballot
from models.tables import AgendaItem, Meeting, Person
from services.actors import actor_for_person
from services.meeting_day import check_in, open_meeting
from telegram_emulator.client import EmulatorClient
from telegram_emulator.testing import polling

QUESTION = "Skal budgettet godkendes?"
TARGET_VOTES_S = 2.0
TARGET_SHOWN_S = 2.0


async def open_and_check_in(sessions: Any, clock: BenchClock) -> None:
    """The chair opens the meeting with one item on the agenda; every member checks in."""
    async with sessions() as session, session.begin():
        meeting = (await session.exec(select(Meeting))).one()
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                position=1,
                title="Budget",
                submitted_at=clock(),
                status=ItemStatus.ACCEPTED,
            )
        )
        people = (await session.exec(select(Person).order_by(col(Person.id)))).all()
        actors = [await actor_for_person(session, p.id or 0) for p in people]
        chair = next(a for a in actors if a is not None and a.office == "chair")
        await open_meeting(session, actor=chair, now=clock(), meeting_id=meeting.id)
        for actor in actors:
            if actor is not None and actor.role in ("mayor", "member"):
                await check_in(session, actor=actor, now=clock(), meeting_id=meeting.id)


async def ballot_message(sim: EmulatorClient, user: int, timeout: float) -> Any:
    """The member's ballot (the bot's message with the question), once the outbox sent it."""
    deadline = time.monotonic() + timeout
    count = 1
    while True:
        messages = await sim.wait_for_messages(
            user, count, timeout=max(0.1, deadline - time.monotonic())
        )
        found = [m for m in messages if f"Afstemning: {QUESTION}" in (m.text or "")]
        if found:
            return found[-1]
        count = len(messages) + 1


async def counted(sessions: Any) -> tuple[int, int]:
    """(ballot rows, distinct seats) of every vote."""
    async with sessions() as session:
        rows = (await session.exec(select(func.count()).select_from(Ballot))).one()
        seats = (await session.exec(select(func.count(func.distinct(Ballot.seat_member_id))))).one()
    return int(rows), int(seats)


async def run(members: int, database_url: str | None) -> dict[str, Any]:
    clock = BenchClock()
    clock.base = clock.base + timedelta(minutes=5)  # on the meeting's day: it may be opened
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess() as emulator:
        url = database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        if database_url:
            await _reset(database_url)
        (engine, sessions), names = await seed(url, members, clock)
        await open_and_check_in(sessions, clock)
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            database_url=url,
            sweep_interval=3600,
            delivery_interval=0.2,
            live_interval=1.0,  # production's debounce of the pinned message
        )
        app = build_application(settings, sessions, clock=clock)
        sim = EmulatorClient(emulator.sim_url)
        try:
            users = {name: FIRST_USER + i for i, name in enumerate(names)}
            for name, user_id in users.items():
                await sim.add_user(user_id, first_name=name.split()[0], last_name=name.split()[-1])
            voters = [users[n] for n in names if n.startswith("Medlem")][:members]
            secretary, chair = users["Sekretær Sand"], users["Medlem 01"]
            async with polling(app):
                group = (await sim.add_bot_to_group(secretary, "KKR Benchmark", admin=True))["id"]
                await sim.send(secretary, "/tilknytgruppe", chat_id=group)
                pinned = await pinned_message(sim, group)
                # Each member has written to the bot before (Telegram lets a bot write only then).
                await asyncio.gather(*(sim.ask(u, "/hjaelp", timeout=30) for u in voters))
                await sim.ask(chair, "/punkt næste", timeout=10)
                opened = await sim.ask(chair, f"/afstemning {QUESTION}", timeout=10)
                ballots = await asyncio.gather(*(ballot_message(sim, u, 60) for u in voters))
                # The burst: every member presses For (the first half and one) or Imod at once.
                yes = members // 2 + 1
                labels = ["For" if i < yes else "Imod" for i in range(members)]
                first = time.monotonic()
                queries = await asyncio.gather(
                    *(
                        sim.press(u, u, b["message_id"], label=label)
                        for u, b, label in zip(voters, ballots, labels, strict=True)
                    )
                )
                answers = await asyncio.gather(
                    *(sim.wait_for_answer(q, timeout=30) for q in queries)
                )
                all_answered = time.monotonic() - first
                refused = [a["text"] for a in answers if a["show_alert"]]
                rows, seats = await counted(sessions)
                # The chair closes the vote; the room sees the counts on the pinned message.
                closed_at = time.monotonic()
                await sim.press(chair, chair, opened["message_id"], label="Afslut afstemningen")
                shown_text = f"For {yes}, imod {members - yes}, undlod 0"
                _, seen = await until_shown(sim, group, pinned["message_id"], shown_text, 30)
        finally:
            await sim.aclose()
            await engine.dispose()
    return {
        "members": members,
        "all_votes_answered_s": all_answered,
        "refused": refused,
        "ballot_rows": rows,
        "distinct_seats": seats,
        "result_shown_after_close_s": seen - closed_at,
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument(
        "--database-url", help="e.g. postgresql+asyncpg://… (emptied first!) [default: SQLite]"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    result = asyncio.run(run(args.members, args.database_url))
    members = result["members"]
    votes_s, shown_s = result["all_votes_answered_s"], result["result_shown_after_close_s"]
    once = result["ballot_rows"] == members and result["distinct_seats"] == members
    votes_met = votes_s <= TARGET_VOTES_S and not result["refused"]
    shown_met = shown_s <= TARGET_SHOWN_S
    print(f"members voting:                          {members}")
    print(
        f"all {members} votes recorded and answered:  {votes_s:.3f} s"
        f"  (target <= {TARGET_VOTES_S:.0f} s: {verdict(votes_met)})"
    )
    print(f"votes refused:                           {len(result['refused'])}")
    print(
        f"ballots stored / distinct seats:         {result['ballot_rows']} / "
        f"{result['distinct_seats']}  (every vote once: {verdict(once)})"
    )
    print(
        f"result shown in the group after close:   {shown_s:.3f} s"
        f"  (target <= {TARGET_SHOWN_S:.0f} s: {verdict(shown_met)})"
    )
    met = votes_met and once and shown_met
    print("ALL TARGETS MET" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
