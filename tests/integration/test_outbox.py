"""The outbox: a notice is created once, claimed when due, reported back; nothing lost or doubled."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlmodel import delete, select

from models.db import SessionFactory
from models.enums import AttendanceStatus, NoticeStatus, SubstituteAnswer
from models.tables import Attendance, AuditEvent, Council, Membership, Notice, TelegramLink
from services.actors import secretariat_actor
from services.meetings import add_meeting
from services.outbox import (
    CLAIM_LEASE,
    MATTERS_FOR,
    MAX_BACKOFF,
    NOT_DELIVERED,
    backoff,
    claim_due,
    enqueue,
    mark_failed,
    mark_reachable,
    mark_retry,
    mark_sent,
    mark_unreachable,
    not_delivered,
    reclaim_own,
    renew_claims,
    resend,
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


async def retry(sessions: SessionFactory, notice_id: int, moment: datetime, error: str) -> None:
    async with sessions() as session, session.begin():
        await mark_retry(session, notice_id=notice_id, now=moment, error=error)


async def test_a_failing_notice_backs_off_doubling_and_is_never_given_up_while_it_matters(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    moment, waits = now, []
    for attempt in range(1, 13):
        (notice_id,) = await claim(sessions, moment)
        await retry(sessions, notice_id, moment, f"502 #{attempt}")
        (notice,) = await notices(sessions)
        waits.append(notice.due_at - moment)
        assert await claim(sessions, notice.due_at - timedelta(seconds=1)) == []
        moment = notice.due_at
    assert waits[:4] == [backoff(1), backoff(2), backoff(3), backoff(4)]
    assert backoff(2) == 2 * backoff(1) and max(waits) == MAX_BACKOFF
    (notice,) = await notices(sessions)
    assert (notice.status, notice.last_error) == ("pending", "502 #12")


async def test_a_notice_that_no_longer_matters_is_held_and_the_secretariat_told(
    sessions: SessionFactory, council: Council, gorm: int, now: datetime
) -> None:
    for name, user in SECRETARIAT_USERS.items():
        await link(sessions, council, name, user, now)
    await put(sessions, gorm, "k", now)
    (notice_id,) = await claim(sessions, now)
    await retry(sessions, notice_id, now + MATTERS_FOR, "Bad Gateway")
    by_kind: dict[str, list[Notice]] = {}
    for notice in await notices(sessions):
        by_kind.setdefault(notice.kind, []).append(notice)
    assert by_kind["meeting_reminder"][0].status == NoticeStatus.HELD
    reports = by_kind[NOT_DELIVERED]
    assert len(reports) == 2  # one per secretary
    assert reports[0].payload == {
        "name": "Gorm Iversen",
        "what": "meeting_reminder",
        "notice_id": notice_id,
    }


async def test_a_400_fails_the_notice_reports_it_and_the_secretariat_can_resend_it(
    sessions: SessionFactory, council: Council, gorm: int, now: datetime
) -> None:
    for name, user in SECRETARIAT_USERS.items():
        await link(sessions, council, name, user, now)
    await put(sessions, gorm, "k", now)
    (notice_id,) = await claim(sessions, now)
    async with sessions() as session, session.begin():
        await mark_failed(session, notice_id=notice_id, now=now, error="chat not found")
    async with sessions() as session:
        listed = await not_delivered(session)
    assert [(n.id, n.status, n.last_error) for n in listed] == [
        (notice_id, "failed", "chat not found")
    ]
    assert len([n for n in await notices(sessions) if n.kind == NOT_DELIVERED]) == 2
    async with sessions() as session, session.begin():
        assert await resend(session, notice_ids=[notice_id], now=now) == 1
    assert notice_id in await claim(sessions, now)


async def test_a_restarted_worker_takes_back_its_own_claims_at_once_and_no_one_elses(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "mine", now)
    await put(sessions, gorm, "theirs", now)
    async with sessions() as session, session.begin():
        [mine] = await claim_due(session, now=now, limit=1, worker="a")
        [theirs] = await claim_due(session, now=now, limit=1, worker="b")
    later = now + timedelta(seconds=1)
    async with sessions() as session, session.begin():
        assert await reclaim_own(session, worker="a", now=later) == 1
    assert await claim(sessions, later) == [mine.notice_id]
    assert theirs.notice_id in await claim(sessions, now + CLAIM_LEASE)


async def test_a_heartbeat_keeps_a_slow_batch_from_being_claimed_by_another_worker(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "slow", now)
    (notice_id,) = await claim(sessions, now)
    moment = now
    for _ in range(10):  # a batch running ten leases long, renewed every half lease
        moment += CLAIM_LEASE / 2
        async with sessions() as session, session.begin():
            await renew_claims(session, notice_ids=[notice_id], now=moment)
        assert await claim(sessions, moment) == []


async def test_a_person_who_left_the_council_gets_no_more_notices(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "k", now)
    async with sessions() as session, session.begin():
        await session.exec(delete(Membership).where(Membership.person_id == gorm))  # type: ignore[call-overload]
    assert await claim(sessions, now) == []
    (notice,) = await notices(sessions)
    assert notice.status == NoticeStatus.WITHDRAWN


async def test_a_person_whose_membership_ended_gets_nothing_though_the_row_is_kept(
    sessions: SessionFactory, gorm: int, now: datetime
) -> None:
    await put(sessions, gorm, "after leaving", now)
    async with sessions() as session, session.begin():
        for membership in await session.exec(
            select(Membership).where(Membership.person_id == gorm)
        ):
            membership.ended_on, membership.end_reason = now.date(), "left"
            session.add(membership)
    assert await claim(sessions, now) == []
    (notice,) = await notices(sessions)
    assert notice.status == NoticeStatus.WITHDRAWN


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


async def test_a_substitute_released_after_the_summons_does_not_get_the_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await link(sessions, council, "Bo Christensen", 4242, now)
    mayor, substitute = (
        await person_id(sessions, "Pia Lund"),
        await person_id(sessions, "Bo Christensen"),
    )
    async with sessions() as session, session.begin():
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=now + timedelta(days=20),
            place="Aalborg",
            now=now,
            actor=await secretariat_actor(session, council.id or 0),
        )
        session.add(
            Attendance(
                meeting_id=meeting.id or 0,
                person_id=mayor,
                status=AttendanceStatus.ABSENT,
                substitute_id=substitute,
                substitute_answer=SubstituteAnswer.ACCEPTED,
            )
        )
        for key in ("before", "after"):
            await enqueue(
                session,
                person_id=substitute,
                kind="agenda",
                dedupe_key=key,
                now=now,
                payload={"meeting_id": meeting.id, "version": 1},
                council_id=council.id,
            )
    async with sessions() as session, session.begin():
        assert len(await claim_due(session, now=now, limit=1)) == 1  # claimed while summoned
    async with sessions() as session, session.begin():
        attendance = (await session.exec(select(Attendance))).one()
        attendance.substitute_answer = SubstituteAnswer.DECLINED  # released: the member attends
        session.add(attendance)
    assert await claim(sessions, now) == []
    statuses = {n.dedupe_key: n.status for n in await notices(sessions)}
    assert statuses == {"before": "pending", "after": NoticeStatus.WITHDRAWN}
