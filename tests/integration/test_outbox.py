"""The outbox: a notice is created once, claimed when due, reported back; nothing lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from models.db import SessionFactory
from models.enums import NoticeStatus
from models.tables import AuditEvent, Council, Notice, TelegramLink
from services.outbox import (
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    claim_due,
    enqueue,
    mark_reachable,
    mark_retry,
    mark_sent,
    mark_unreachable,
)
from tests.integration.conftest import link, person_id

GORM_USER = 1001
SECRETARIAT_USERS = {"Kirsten Holm-Jensen": 7001, "Mads Brandt": 7002}


async def put(
    sessions: SessionFactory,
    person: int,
    key: str,
    now: datetime,
    due_at: datetime | None = None,
) -> bool:
    async with sessions() as session, session.begin():
        return await enqueue(
            session,
            person_id=person,
            kind="meeting_reminder",
            dedupe_key=key,
            now=now,
            payload={"place": "Aalborg"},
            due_at=due_at,
        )


async def claim(sessions: SessionFactory, now: datetime, limit: int = 50) -> list[int]:
    async with sessions() as session, session.begin():
        return [d.notice_id for d in await claim_due(session, now=now, limit=limit)]


async def notices(sessions: SessionFactory) -> list[Notice]:
    async with sessions() as session:
        return list((await session.exec(select(Notice).order_by(Notice.id))).all())  # type: ignore[arg-type]


@pytest.fixture
async def gorm(sessions: SessionFactory, council: Council, now: datetime) -> int:
    """The chair, linked to Telegram."""
    await link(sessions, council, "Gorm Iversen", GORM_USER, now)
    return await person_id(sessions, "Gorm Iversen")


async def test_a_notice_with_the_same_dedupe_key_is_created_once(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    assert await put(sessions, gorm, "reminder:1:gorm", now) is True
    assert await put(sessions, gorm, "reminder:1:gorm", now + timedelta(minutes=5)) is False
    assert [n.dedupe_key for n in await notices(sessions)] == ["reminder:1:gorm"]


async def test_a_claimed_notice_carries_what_the_worker_needs(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    async with sessions() as session, session.begin():
        (delivery,) = await claim_due(session, now=now)
    assert (delivery.person_id, delivery.chat_id, delivery.language) == (gorm, GORM_USER, "da")
    assert (delivery.kind, delivery.payload, delivery.attempts) == (
        "meeting_reminder",
        {"place": "Aalborg"},
        1,
    )


async def test_claim_due_takes_only_due_notices_of_linked_people_in_order(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    unlinked = await person_id(sessions, "Pia Lund")
    await put(sessions, gorm, "later", now, due_at=now + timedelta(hours=1))
    await put(sessions, gorm, "second", now, due_at=now - timedelta(minutes=1))
    await put(sessions, gorm, "first", now, due_at=now - timedelta(minutes=2))
    await put(sessions, unlinked, "unlinked", now)
    claimed = await claim(sessions, now)
    keys = {n.id: n.dedupe_key for n in await notices(sessions)}
    assert [keys[i] for i in claimed] == ["first", "second"]
    async with sessions() as session, session.begin():
        for notice_id in claimed:
            await mark_sent(session, notice_id=notice_id, message_id=None, now=now)
    assert [keys[i] for i in await claim(sessions, now + timedelta(hours=1))] == ["later"]


async def test_a_claimed_notice_is_hidden_for_the_lease_and_comes_back_if_never_reported(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    assert len(await claim(sessions, now)) == 1
    assert await claim(sessions, now + CLAIM_LEASE - timedelta(seconds=1)) == []
    assert len(await claim(sessions, now + CLAIM_LEASE)) == 1
    assert (await notices(sessions))[0].attempts == 2


async def test_claim_respects_the_limit(sessions: SessionFactory, gorm: int, now: datetime) -> None:
    for n in range(5):
        await put(sessions, gorm, f"k{n}", now)
    assert len(await claim(sessions, now, limit=3)) == 3
    assert len(await claim(sessions, now, limit=3)) == 2


async def test_a_sent_notice_records_the_message_id_and_is_never_claimed_again(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    (notice_id,) = await claim(sessions, now)
    async with sessions() as session, session.begin():
        await mark_sent(session, notice_id=notice_id, message_id=555, now=now)
    (notice,) = await notices(sessions)
    assert (notice.status, notice.telegram_message_id, notice.sent_at) == ("sent", 555, now)
    assert await claim(sessions, now + timedelta(days=1)) == []


async def test_a_retry_waits_as_told_and_gives_up_after_the_last_attempt(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    moment = now
    for attempt in range(1, MAX_ATTEMPTS + 1):
        (notice_id,) = await claim(sessions, moment)
        async with sessions() as session, session.begin():
            await mark_retry(
                session,
                notice_id=notice_id,
                now=moment,
                after=timedelta(seconds=30),
                error=f"429 #{attempt}",
            )
        if attempt == 1:
            assert await claim(sessions, moment + timedelta(seconds=29)) == []
        moment += timedelta(seconds=30)
    (notice,) = await notices(sessions)
    assert (notice.status, notice.attempts, notice.last_error) == (
        "failed",
        MAX_ATTEMPTS,
        f"429 #{MAX_ATTEMPTS}",
    )
    assert await claim(sessions, moment + timedelta(days=1)) == []


async def test_claim_due_skips_unreachable_people_and_mark_reachable_releases_them(
    sessions: SessionFactory, council: Council, gorm: int, now: datetime
) -> None:
    for name, user in SECRETARIAT_USERS.items():
        await link(sessions, council, name, user, now)
    await put(sessions, gorm, "blocked", now)
    (notice_id,) = await claim(sessions, now)
    async with sessions() as session, session.begin():
        await mark_unreachable(session, notice_id=notice_id, now=now, error="Forbidden: blocked")
    await put(sessions, gorm, "held back", now)
    # Only the secretariat's two notices about Gorm are claimable; Gorm's are held.
    by_id = {n.id: n for n in await notices(sessions)}
    claimed = [by_id[i] for i in await claim(sessions, now)]
    assert sorted(n.kind for n in claimed) == ["person_unreachable", "person_unreachable"]
    assert all(n.payload == {"name": "Gorm Iversen"} for n in claimed)
    assert by_id[notice_id].status == NoticeStatus.UNREACHABLE
    async with sessions() as session, session.begin():
        assert await mark_reachable(session, telegram_user_id=GORM_USER, now=now) is True
        assert await mark_reachable(session, telegram_user_id=GORM_USER, now=now) is False
        assert await mark_reachable(session, telegram_user_id=424242, now=now) is False
    released = {n.id: n.dedupe_key for n in await notices(sessions)}
    # Both are due at once: the one held back and the one that met the 403.
    assert sorted(released[i] for i in await claim(sessions, now)) == ["blocked", "held back"]


async def test_an_unreachable_person_is_reported_to_the_secretariat_once_a_day(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "a", now)
    await put(sessions, gorm, "b", now)
    first, second = await claim(sessions, now)
    async with sessions() as session, session.begin():
        await mark_unreachable(session, notice_id=first, now=now, error="Forbidden")
        await mark_unreachable(session, notice_id=second, now=now, error="Forbidden")
    async with sessions() as session:
        link_row = (
            await session.exec(select(TelegramLink).where(TelegramLink.person_id == gorm))
        ).one()
        audited = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "person.unreachable"))
        ).all()
    reports = [n for n in await notices(sessions) if n.kind == "person_unreachable"]
    assert len(reports) == 2  # one per secretary, not one per failed notice
    assert link_row.unreachable_since == now
    assert len(audited) == 2


@pytest.mark.postgres
async def test_two_workers_never_claim_the_same_notice(
    sessions: SessionFactory, gorm: int, now: datetime, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("concurrent claims with SKIP LOCKED are a PostgreSQL matter")
    for n in range(20):
        await put(sessions, gorm, f"k{n}", now)
    first_holds = asyncio.Event()
    release = asyncio.Event()

    async def worker(hold: bool) -> list[int]:
        async with sessions() as session, session.begin():
            claimed = [d.notice_id for d in await claim_due(session, now=now, limit=12)]
            if hold:
                first_holds.set()
                await release.wait()
            return claimed

    holding = asyncio.create_task(worker(hold=True))
    await first_holds.wait()
    second = await asyncio.wait_for(worker(hold=False), timeout=10)
    release.set()
    first = await holding
    assert (len(first), len(second)) == (12, 8)
    assert not set(first) & set(second)
