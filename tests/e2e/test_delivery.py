"""Delivery under Telegram's flood control and outages (issue 16): nothing lost, nothing doubled,
nothing given up on Telegram's account. One agenda (its text and PDF) to 46 people, through the
emulator's faults."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot import delivery
from bot.app import build_application
from bot.settings import Settings
from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade
from models.tables import Meeting, Membership, Notice, Person
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person, secretariat_actor
from services.agenda import propose_item
from services.agenda_delivery import distribute_agenda
from services.councils import create_council
from services.invites import issue_invites, redeem_invite
from services.meetings import add_meeting
from services.members import import_members, parse_members_csv
from services.outbox import NOT_DELIVERED
from telegram_emulator.client import EmulatorClient
from telegram_emulator.server import EmulatorServer
from telegram_emulator.testing import polling
from tests.e2e.conftest import START, FakeClock

TOKEN = "4343:DELIVERY"
RECIPIENTS = 46  # 44 mayors and 2 secretaries
FIRST_USER = 50_000
SEND_METHODS = ("sendMessage", "sendDocument")


def members_csv() -> str:
    lines = ["name,role,municipality,party,substitute_for,office,language"]
    for n in range(RECIPIENTS - 2):
        lines.append(f"Member {n:03},mayor,Kommune {n:03},A,,{'chair' if n == 0 else ''},da")
    lines += ["Secretary 1,secretariat,,,,,da", "Secretary 2,secretariat,,,,,da"]
    return "\n".join(lines) + "\n"


@dataclass
class Council:
    sim: EmulatorClient
    sessions: SessionFactory
    clock: FakeClock
    meeting_id: int
    users: list[int]

    async def distribute(self) -> None:
        async with unit_of_work(self.sessions) as session:
            chair_id = (
                await session.exec(select(Person.id).where(Person.name == "Member 000"))
            ).one()
            chair = await actor_for_person(session, chair_id or 0)
            await propose_item(
                session,
                actor=chair,  # type: ignore[arg-type]
                meeting_id=self.meeting_id,
                title="Regional trafikplan 2027",
                description="Forslag til fælles prioritering af busruter.",
                material=[],
                now=self.clock(),
            )
        async with unit_of_work(self.sessions) as session:
            await distribute_agenda(
                session, actor=chair, meeting_id=self.meeting_id, now=self.clock()
            )

    async def agendas(self) -> dict[int, Counter[str]]:
        """Per user: the agenda messages received (text, PDF), counted."""
        return {user: await self._agenda_of(user) for user in self.users}

    async def _agenda_of(self, user: int) -> Counter[str]:
        kinds: Counter[str] = Counter()
        for message in await self.sim.messages(user):
            if message.document and message.document["file_name"].startswith("dagsorden-"):
                kinds["pdf"] += 1
            elif message.text and "Dagsorden for mødet" in message.text:
                kinds["text"] += 1
        return kinds

    async def wait_for_agendas(self, timeout: float) -> dict[int, Counter[str]]:
        """Until everyone has the agenda and its PDF; between looks, only the chats with new
        messages are read again (one request a look, not one per member)."""
        deadline = asyncio.get_running_loop().time() + timeout
        got: dict[int, Counter[str]] = {}
        read_at: dict[int, int] = {}  # user -> how many bot messages their chat had when read
        while True:
            sent = {chat["id"]: chat["bot_messages"] for chat in await self.sim.chats()}
            for user in self.users:
                if user not in got or read_at[user] != sent.get(user, 0):
                    read_at[user] = sent.get(user, 0)
                    got[user] = await self._agenda_of(user)
            if all(c["text"] >= 1 and c["pdf"] >= 1 for c in got.values()):
                await asyncio.sleep(0.5)  # a straggler would show up as a duplicate
                return await self.agendas()
            if asyncio.get_running_loop().time() > deadline:
                return got
            await asyncio.sleep(0.25)

    async def reports_sent(self) -> list[tuple[str, int]]:
        """The secretariat's "could not be delivered" notices sent: (what, which notice)."""
        async with self.sessions() as session:
            rows = (
                await session.exec(
                    select(Notice).where(Notice.kind == NOT_DELIVERED, Notice.status == "sent")
                )
            ).all()
        return [(n.payload["what"], n.payload["notice_id"] * 1000 + n.person_id) for n in rows]

    async def wait_until_tried(self, times: int, *, timeout: float = 60) -> None:
        """Until every pending notice has met Telegram `times` times and none is in flight.

        The fake clock stands still between the test's steps: a try still in flight when the
        test moves it would be rescheduled after the new time and never come due again. (The
        emulator's call log cannot say this: it also holds the greetings of the fixture.)"""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            async with self.sessions() as session:
                pending = (
                    await session.exec(select(Notice).where(Notice.status == "pending"))
                ).all()
            if all(n.attempts >= times and n.claimed_by is None for n in pending):
                return
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(
                    f"not all tried {times} times: {Counter(n.attempts for n in pending)}"
                )
            await asyncio.sleep(0.1)

    async def statuses(self, kind: str = "agenda") -> Counter[str]:
        async with self.sessions() as session:
            rows = (await session.exec(select(Notice.status).where(Notice.kind == kind))).all()
        return Counter(rows)


@pytest.fixture
async def council(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[Council]:
    # Telegram's pace of a message a second per chat is the pacer's own test (test_pacing.py);
    # here it would only make the secretaries' 92 reports of the outage take 46 s of real time.
    monkeypatch.setattr(delivery.PACER, "burst", 1000.0)
    monkeypatch.setattr(delivery.PACER, "_buckets", {})
    clock = FakeClock()
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'delivery.db'}")
    await upgrade(engine)
    sessions = make_session_factory(engine)
    async with unit_of_work(sessions) as session:
        created = await create_council(
            session, name="KKR Levering", region="Test", municipalities=RECIPIENTS, now=clock()
        )
        await import_members(
            session, council=created, rows=parse_members_csv(members_csv()), now=clock()
        )
        meeting = await add_meeting(
            session,
            council=created,
            starts_at=START + timedelta(days=20),
            place="Rådhuset",
            now=clock(),
            actor=await secretariat_actor(session, created.id or 0),
        )
        invites = await issue_invites(session, council=created, now=clock(), ttl=timedelta(days=1))
        users = []
        for number, invite in enumerate(invites):
            await redeem_invite(
                session,
                token=invite.token,
                telegram_user_id=FIRST_USER + number,
                chat_id=FIRST_USER + number,
                now=clock(),
            )
            users.append(FIRST_USER + number)
    async with EmulatorServer(bot_token=TOKEN) as emulator:
        sim = EmulatorClient(emulator.sim_url)
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            database_url=str(engine.url),
            sweep_interval=3600,
            delivery_interval=0.1,
            instance="delivery-test",
        )
        app = build_application(settings, sessions, clock=clock)
        try:
            async with polling(app):
                for user in users:
                    await sim.add_user(user, f"User {user}", language_code="da")
                    await sim.send(user, "hej")  # a user who never wrote cannot be written to
                await asyncio.gather(*(sim.wait_for_messages(u, 1, timeout=30) for u in users))
                yield Council(sim, sessions, clock, meeting.id or 0, users)
        finally:
            await sim.aclose()
            await engine.dispose()


async def test_a_429_storm_of_20_seconds_delays_the_agenda_but_loses_and_doubles_nothing(
    council: Council,
) -> None:
    for method in SEND_METHODS:
        await council.sim.inject_fault(method, "retry_after", count=None, retry_after=2, seconds=20)
    await council.distribute()
    got = await council.wait_for_agendas(timeout=60)
    assert {user: dict(c) for user, c in got.items()} == {
        user: {"text": 1, "pdf": 1} for user in council.users
    }
    assert await council.statuses() == Counter({"sent": RECIPIENTS})
    limited = [c for c in await council.sim.calls("sendMessage") if c.status == 429]
    assert limited, "the storm hit"
    # No send started inside a pause Telegram asked for (2 s from each 429's arrival).
    calls = sorted(
        await council.sim.calls("sendMessage") + await council.sim.calls("sendDocument"),
        key=lambda c: c.seq,
    )
    pauses = [c.time + 2 for c in calls if c.status == 429]
    assert not [
        c for c in calls if c.status != 429 and any(p - 2 < c.time < p - 0.05 for p in pauses)
    ]


async def test_an_outage_of_502s_is_waited_out_and_everyone_gets_the_agenda_once(
    council: Council,
) -> None:
    for method in SEND_METHODS:
        await council.sim.inject_fault(method, "502", count=None)
    await council.distribute()
    await council.wait_until_tried(1)
    for hour in range(3):  # three hours of outage: each notice tried again and again
        council.clock.advance(timedelta(hours=1))
        await council.wait_until_tried(2 + hour)
    assert await council.statuses() == Counter({"pending": RECIPIENTS})
    await council.sim.clear_faults()
    council.clock.advance(timedelta(minutes=10))
    got = await council.wait_for_agendas(timeout=60)
    assert all(dict(c) == {"text": 1, "pdf": 1} for c in got.values()), got
    assert await council.statuses() == Counter({"sent": RECIPIENTS})


async def test_an_outage_until_the_meeting_holds_the_agenda_and_tells_the_secretariat(
    council: Council,
) -> None:
    for method in SEND_METHODS:
        await council.sim.inject_fault(method, "502", count=None)
    await council.distribute()
    await council.wait_until_tried(1)
    async with council.sessions() as session:
        starts_at = (await session.exec(select(Meeting.starts_at))).one()
    council.clock.now = starts_at + timedelta(minutes=1)
    for _ in range(300):
        if (await council.statuses())["held"] == RECIPIENTS:
            break
        await asyncio.sleep(0.2)
    assert await council.statuses() == Counter({"held": RECIPIENTS})
    await council.wait_until_tried(1)  # the reports, too, met the outage once
    await council.sim.clear_faults()
    council.clock.advance(timedelta(minutes=10))  # the reports' own backoff is over
    async with council.sessions() as session:
        staff = (
            await session.exec(select(Membership.person_id).where(Membership.role == "secretariat"))
        ).all()
    for _ in range(300):
        reports = await council.reports_sent()
        if Counter(what for what, _ in reports)["agenda"] >= RECIPIENTS * len(staff):
            break
        await asyncio.sleep(0.2)
    reports = await council.reports_sent()
    assert Counter(what for what, _ in reports)["agenda"] == RECIPIENTS * len(staff)
    assert len(set(reports)) == len(reports)  # each held notice reported once to each secretary


async def test_a_send_whose_answer_is_lost_is_repeated_at_most_once_and_nothing_fails(
    council: Council,
) -> None:
    # effect=True: Telegram takes the message, the bot hears a 500 (the answer lost). Telegram has
    # no idempotency key, so that one message may arrive twice — never more, and nothing is lost.
    await council.sim.inject_fault("sendMessage", "500", count=3, effect=True)
    await council.sim.inject_fault("sendDocument", "500", count=2, effect=True)
    await council.distribute()
    await council.wait_until_tried(1)
    council.clock.advance(timedelta(minutes=1))  # the retries' backoff
    got = await council.wait_for_agendas(timeout=60)
    assert all(c["text"] >= 1 and c["pdf"] >= 1 for c in got.values()), got
    extra = Counter({kind: n - 1 for c in got.values() for kind, n in c.items() if n > 1})
    assert sum(c["text"] for c in got.values()) - RECIPIENTS <= 3
    assert sum(c["pdf"] for c in got.values()) - RECIPIENTS <= 2
    assert all(n <= 2 for c in got.values() for n in c.values()), extra
    assert await council.statuses() == Counter({"sent": RECIPIENTS})
