"""The bot as production runs it — `kkrbot run` in a process of its own — against the emulator in
another process (issue 16: kill -9, SIGTERM, webhook mode). The test drives both over HTTP and
writes the council's changes straight into the shared SQLite file."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlmodel import select

from models.db import SessionFactory
from models.tables import Notice, Person
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person, secretariat_actor
from services.agenda import propose_item
from services.agenda_delivery import distribute_agenda
from services.councils import create_council
from services.invites import issue_invites, redeem_invite
from services.meetings import add_meeting
from services.members import import_members, parse_members_csv
from telegram_emulator.client import EmulatorClient
from tests.e2e.serving import free_port

ROOT = Path(__file__).resolve().parents[2]
FIRST_USER = 70_000


def members_csv(recipients: int) -> str:
    lines = ["name,role,municipality,party,substitute_for,office,language"]
    for n in range(recipients - 2):
        lines.append(f"Member {n:03},mayor,Kommune {n:03},A,,{'chair' if n == 0 else ''},da")
    lines += ["Secretary 1,secretariat,,,,,da", "Secretary 2,secretariat,,,,,da"]
    return "\n".join(lines) + "\n"


async def seed_linked_council(sessions: SessionFactory, recipients: int) -> tuple[int, list[int]]:
    """A council of `recipients` people, each linked to a Telegram user; its meeting in 20 days."""
    now = datetime.now(UTC)
    async with unit_of_work(sessions) as session:
        council = await create_council(
            session, name="KKR Proces", region="Test", municipalities=recipients, now=now
        )
        rows = parse_members_csv(members_csv(recipients))
        await import_members(session, council=council, rows=rows, now=now)
        meeting = await add_meeting(
            session,
            actor=await secretariat_actor(session, council.id or 0),
            council=council,
            starts_at=now + timedelta(days=20),
            place="Rådhuset",
            now=now,
        )
        users = []
        invites = await issue_invites(session, council=council, now=now, ttl=timedelta(days=1))
        for number, invite in enumerate(invites):
            user = FIRST_USER + number
            await redeem_invite(
                session, token=invite.token, telegram_user_id=user, chat_id=user, now=now
            )
            users.append(user)
    return meeting.id or 0, users


async def distribute(sessions: SessionFactory, meeting_id: int) -> None:
    """The chair proposes an item and sends the agenda out now (what /udsend does)."""
    now = datetime.now(UTC)
    async with unit_of_work(sessions) as session:
        chair_id = (await session.exec(select(Person.id).where(Person.name == "Member 000"))).one()
        chair = await actor_for_person(session, chair_id or 0)
        assert chair is not None
        await propose_item(
            session,
            actor=chair,
            meeting_id=meeting_id,
            title="Regional trafikplan 2027",
            description="Forslag til fælles prioritering af busruter.",
            material=[],
            now=now,
        )
    async with unit_of_work(sessions) as session:
        await distribute_agenda(session, actor=chair, meeting_id=meeting_id, now=now)


async def notice_states(sessions: SessionFactory, kind: str = "agenda") -> list[Notice]:
    async with sessions() as session:
        return list((await session.exec(select(Notice).where(Notice.kind == kind))).all())


def _python_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KKRBOT_")}
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


async def _until(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if await check():  # type: ignore[operator]
                return
        except httpx.HTTPError:
            pass
        await asyncio.sleep(0.1)
    raise AssertionError(f"{what} within {timeout} s")


@dataclass
class EmulatorProcess:
    """`python -m telegram_emulator` on a free port."""

    token: str
    log: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def sim_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sim"

    async def start(self) -> EmulatorClient:
        command = [sys.executable, "-m", "telegram_emulator", "--port", str(self.port)]
        command += ["--token", self.token, "--log-level", "warning"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                command, cwd=ROOT, env=_python_env(), stdout=out, stderr=out
            )

        async def up() -> bool:
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{self.sim_url}/health")).status_code == 200

        await _until(up, 30, "the emulator did not start")
        return EmulatorClient(self.sim_url)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@dataclass
class BotProcess:
    """`kkrbot run` (optionally `--webhook URL`) with its settings in the environment."""

    token: str
    database_url: str
    emulator: EmulatorProcess
    log: Path
    instance: str = "ops-test"
    webhook: str | None = None
    web_port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    started_at: float = 0.0

    @property
    def web_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    async def start(self) -> None:
        env = _python_env(
            KKRBOT_TELEGRAM_TOKEN=self.token,
            KKRBOT_TELEGRAM_BASE_URL=self.emulator.base_url,
            KKRBOT_DATABASE_URL=self.database_url,
            KKRBOT_WEB_PORT=str(self.web_port),
            KKRBOT_INSTANCE=self.instance,
            KKRBOT_DELIVERY_INTERVAL="0.2",
            KKRBOT_SWEEP_INTERVAL="3600",
            KKRBOT_LOG_LEVEL="INFO",
        )
        command = [sys.executable, "-c", "from bot.cli import main; main()", "run"]
        if self.webhook:
            command += ["--webhook", self.webhook]
        self.started_at = time.monotonic()
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)

        async def ready() -> bool:
            assert self.process is not None
            if self.process.poll() is not None:
                raise AssertionError(f"the bot exited ({self.process.returncode}): {self.log}")
            async with httpx.AsyncClient() as http:
                return (await http.get(f"{self.web_url}/readyz")).status_code == 200

        await _until(ready, 60, "the bot did not become ready")

    def kill(self) -> None:
        """kill -9: no clean-up of any kind."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(10)

    def terminate(self, timeout: float = 30) -> tuple[int, float]:
        """SIGTERM; (exit status, seconds until it exited)."""
        assert self.process is not None
        started = time.monotonic()
        self.process.send_signal(signal.SIGTERM)
        status = self.process.wait(timeout)
        return status, time.monotonic() - started

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)


async def agenda_messages(sim: EmulatorClient, users: list[int]) -> dict[int, Counter[str]]:
    """Per user: the agenda's messages received (its text, its PDF), counted."""
    received: dict[int, Counter[str]] = {}
    for user in users:
        kinds: Counter[str] = Counter()
        for message in await sim.messages(user):
            if message.document and message.document["file_name"].startswith("dagsorden-"):
                kinds["pdf"] += 1
            elif message.text and "Dagsorden for mødet" in message.text:
                kinds["text"] += 1
        received[user] = kinds
    return received


async def until_everyone_has_the_agenda(
    sim: EmulatorClient, users: list[int], timeout: float
) -> dict[int, Counter[str]]:
    deadline = time.monotonic() + timeout
    while True:
        got = await agenda_messages(sim, users)
        if all(c["text"] >= 1 and c["pdf"] >= 1 for c in got.values()):
            await asyncio.sleep(1.0)  # a straggler would show up as a duplicate
            return await agenda_messages(sim, users)
        if time.monotonic() > deadline:
            return got
        await asyncio.sleep(0.25)
