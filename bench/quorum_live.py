"""Benchmark (issue 5): 60 members check in within one second through the emulator; how long until
the pinned quorum message in the council's group shows the final count, and how many edits it took.

Target: the final count shown within 1.5 s of the last check-in (issue 15), at most one edit per
second. Three runs by default; min / median / max.

    .venv/bin/python bench/quorum_live.py [--members 60] [--live-interval 1.0] [--runs 3]

The real bot (PTB v22, the production wiring of bot.app) runs against the emulator over HTTP with a
SQLite database in a temporary directory; the emulator serves from a process of its own. Setup links the
people directly in the database (invitations are not what is measured); everything measured goes
through Telegram updates: each member presses "Tjek ind" under the pinned group message.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.app import build_application
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from models.enums import MeetingKind
from models.migrate import upgrade
from models.tables import Person, TelegramLink
from services.actors import secretariat_actor
from services.councils import create_council
from services.meetings import add_meeting
from services.members import import_members, parse_members_csv
from telegram_emulator.client import EmulatorClient, WaitTimeout
from telegram_emulator.testing import polling

TOKEN = "4242:BENCH"
MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen
FIRST_USER = 50_000


class EmulatorProcess:
    """The emulator in a process of its own, as Telegram is never on the bot's CPU in production:
    in a thread of the bot's process it would take the GIL from the bot it is measuring."""

    def __init__(self) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.base_url, self.base_file_url = f"{self.url}/bot", f"{self.url}/file/bot"
        self.sim_url = f"{self.url}/sim"
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> EmulatorProcess:
        command = [sys.executable, "-m", "telegram_emulator", "--port", str(self.port)]
        self._process = subprocess.Popen([*command, "--log-level", "warning"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("the emulator did not start")

    def __exit__(self, *_exc: object) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=10)


class BenchClock:
    """The meeting's morning, moving with the wall clock (timestamps only; edits are wall-paced)."""

    def __init__(self) -> None:
        self.start = time.monotonic()
        self.base = MEETING_AT - timedelta(minutes=10)

    def __call__(self) -> datetime:
        return self.base + timedelta(seconds=time.monotonic() - self.start)


def council_csv(members: int) -> str:
    """`members` people (half mayors, half elected), the first mayor chair, and a secretary."""
    municipalities = (members + 1) // 2
    lines = ["name,role,municipality,party,substitute_for,office,language"]
    for i in range(members):
        municipality = f"Kommune {i % municipalities + 1:02d}"
        role = "mayor" if i < municipalities else "member"
        office = "chair" if i == 0 else ""
        lines.append(f"Medlem {i + 1:02d},{role},{municipality},A,,{office},da")
    lines.append("Sekretær Sand,secretariat,,,,,da")
    return "\n".join(lines) + "\n"


async def seed(database_url: str, members: int, clock: BenchClock) -> tuple[Any, list[str]]:
    engine = make_engine(database_url)
    await upgrade(engine)
    sessions = make_session_factory(engine)
    setup_time = clock.base - timedelta(days=1)
    async with sessions() as session, session.begin():
        council = await create_council(
            session,
            name="KKR Benchmark",
            region="Bench",
            municipalities=(members + 1) // 2,
            now=setup_time,
        )
        await import_members(
            session, council=council, rows=parse_members_csv(council_csv(members)), now=setup_time
        )
        await add_meeting(
            session,
            council=council,
            starts_at=MEETING_AT,
            place="Rådhuset",
            now=setup_time,
            kind=MeetingKind.ORDINARY,
            actor=await secretariat_actor(session, council.id or 0),
        )
        people = (await session.exec(select(Person))).all()
        names = []
        for index, person in enumerate(sorted(people, key=lambda p: p.id or 0)):
            user_id = FIRST_USER + index
            session.add(
                TelegramLink(
                    person_id=person.id,
                    telegram_user_id=user_id,
                    chat_id=user_id,
                    linked_at=setup_time,
                )
            )
            names.append(person.name)
    return (engine, sessions), names


async def pinned_message(sim: EmulatorClient, group: int, timeout: float = 10) -> Any:
    await sim.wait_for_calls("pinChatMessage", 1, chat_id=group, timeout=timeout)
    [pinned] = [m for m in await sim.messages(group) if m["pinned"]]
    return pinned


async def until_shown(
    sim: EmulatorClient, group: int, message_id: int, text: str, timeout: float
) -> tuple[Any, float]:
    """Wait on the emulator until the message shows `text`; returns it and the moment seen."""
    deadline = time.monotonic() + timeout
    message = await sim.message(group, message_id)
    while text not in message["text"]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"{text!r} not shown in {timeout}s; last: {message['text']}")
        try:
            message = await sim.wait_for_edits(
                group, message_id, message["edit_count"] + 1, timeout=left
            )
        except WaitTimeout as error:
            raise TimeoutError(f"{text!r} not shown; last: {message['text']}") from error
    return message, time.monotonic()


def max_per_second(times: list[float]) -> int:
    """The most events in any window of one second."""
    ordered = sorted(times)
    best, start = 0, 0
    for end, moment in enumerate(ordered):
        while moment - ordered[start] >= 1.0:
            start += 1
        best = max(best, end - start + 1)
    return best


async def run(members: int, live_interval: float) -> dict[str, float]:
    clock = BenchClock()
    with tempfile.TemporaryDirectory() as tmp, EmulatorProcess() as emulator:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        (engine, sessions), names = await seed(database_url, members, clock)
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            database_url=database_url,
            sweep_interval=3600,
            delivery_interval=1.0,
            live_interval=live_interval,
        )
        app = build_application(settings, sessions, clock=clock)
        sim = EmulatorClient(emulator.sim_url)
        try:
            users = {name: FIRST_USER + i for i, name in enumerate(names)}
            for name, user_id in users.items():
                await sim.add_user(user_id, first_name=name.split()[0], last_name=name.split()[-1])
            member_users = [users[n] for n in names if n.startswith("Medlem")][:members]
            secretary, chair = users["Sekretær Sand"], users["Medlem 01"]
            async with polling(app):
                group = (await sim.add_bot_to_group(secretary, "KKR Benchmark", admin=True))["id"]
                await sim.send(secretary, "/tilknytgruppe", chat_id=group)
                pinned = await pinned_message(sim, group)
                await sim.send(chair, "/aabn")
                # Opening checks the chair in (R-M5): the other members make the burst.
                shown, _ = await until_shown(
                    sim, group, pinned["message_id"], f"Fremmødt: 1 af {members}", 10
                )
                member_users = [user for user in member_users if user != chair]
                edits_before = shown["edit_count"]
                calls_before = (await sim.calls())[-1]["seq"]
                # The burst: every member presses "Tjek ind" within one second.
                first = time.monotonic()
                await asyncio.gather(
                    *(
                        sim.press(user, group, pinned["message_id"], label="Tjek ind")
                        for user in member_users
                    )
                )
                last_check_in = time.monotonic()
                last_check_in_wall = time.time()
                final, seen = await until_shown(
                    sim, group, pinned["message_id"], f"Fremmødt: {members} af {members}", 30
                )
                edits = await sim.calls("editMessageText", chat_id=group, since=calls_before)
                sends = await sim.calls("sendMessage", chat_id=group, since=calls_before)
                answers = await sim.calls("answerCallbackQuery", since=calls_before)
        finally:
            await sim.aclose()
            await engine.dispose()
    edit_times = [datetime.fromisoformat(c["time"]).timestamp() if isinstance(c["time"], str)
                  else float(c["time"]) for c in edits]  # fmt: skip
    return {
        "members": members,
        "burst_s": last_check_in - first,
        "final_shown_after_last_check_in_s": seen - last_check_in,
        "edits": final["edit_count"] - edits_before,
        "edit_calls": len(edits),
        "max_edits_in_any_second": max_per_second(edit_times),
        "new_messages_in_group": len(sends),
        # Where the time goes: the bot answering the last press, then the editor's edits.
        "last_press_answered_after_s": max(float(c["time"]) for c in answers) - last_check_in_wall,
        "edits_after_last_check_in_s": [round(t - last_check_in_wall, 3) for t in edit_times],
    }


TARGET_SHOWN_S = 1.5  # the final count shown within 1.5 s of the last check-in (issue 15)
TARGET_EDITS_PER_S = 1  # at most one edit of the pinned message in any second


def verdict(met: bool) -> str:
    return "MET" if met else "NOT MET"


def spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0]:.3f} / {ordered[len(ordered) // 2]:.3f} / {ordered[-1]:.3f}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=60)
    parser.add_argument("--live-interval", type=float, default=1.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    load = Path("/proc/loadavg").read_text().split()[:3]
    results = [asyncio.run(run(args.members, args.live_interval)) for _ in range(args.runs)]
    shown = [r["final_shown_after_last_check_in_s"] for r in results]
    per_second = max(r["max_edits_in_any_second"] for r in results)
    shown_met = max(shown) <= TARGET_SHOWN_S  # every run: a late one in three is a late quorum
    edits_met = per_second <= TARGET_EDITS_PER_S
    no_spam = all(r["new_messages_in_group"] == 0 for r in results)
    print(f"members checking in:                     {args.members}; {args.runs} runs; load {load}")
    print(f"burst (first to last check-in press):    {spread([r['burst_s'] for r in results])} s")
    print(
        "last press answered after last check-in: "
        f"{spread([r['last_press_answered_after_s'] for r in results])} s"
    )
    for r in results:
        print(f"edits at (s after last check-in):        {r['edits_after_last_check_in_s']}")
    print(
        f"new messages sent to the group:          {[r['new_messages_in_group'] for r in results]}"
    )
    print(
        f"final count shown after last check-in:   {spread(shown)} s (min / median / max)"
        f"  (target <= {TARGET_SHOWN_S} s: {verdict(shown_met)})"
    )
    print(
        f"most edits in any one second:            {per_second}"
        f"  (target <= {TARGET_EDITS_PER_S}: {verdict(edits_met)})"
    )
    print(f"no new message per change:               {verdict(no_spam)}")
    print(f"load after: {Path('/proc/loadavg').read_text().split()[:3]}")
    met = shown_met and edits_met and no_spam
    print("ALL TARGETS MET" if met else "TARGETS NOT MET")
    return 0 if met else 1


if __name__ == "__main__":
    raise SystemExit(main())
