"""The outbox (DESIGN.md): notices are rows written with the change that caused them; the delivery
worker claims due ones, sends them and reports back. Nothing lost, nothing sent twice."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole, NoticeStatus
from models.tables import Membership, Notice, Person, TelegramLink
from services import audit

# A claimed notice is hidden from other workers this long; if the worker dies it is tried again.
CLAIM_LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Delivery:
    """A notice claimed for sending, with what the worker needs to render and address it."""

    notice_id: int
    person_id: int
    chat_id: int
    language: str
    kind: str
    payload: dict[str, Any]
    attempts: int
    parts_sent: int = 0  # of a notice sent as several messages (text, then documents)


async def enqueue(
    session: AsyncSession,
    *,
    person_id: int,
    kind: str,
    dedupe_key: str,
    now: datetime,
    payload: dict[str, Any] | None = None,
    due_at: datetime | None = None,
    council_id: int | None = None,
) -> bool:
    """Add a notice unless one with the same dedupe key exists; True when it was added."""
    values = {
        "dedupe_key": dedupe_key,
        "council_id": council_id,
        "person_id": person_id,
        "kind": kind,
        "payload": payload or {},
        "status": NoticeStatus.PENDING,
        "created_at": now,
        "due_at": due_at or now,
        "attempts": 0,
    }
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Notice).values(**values).on_conflict_do_nothing(index_elements=["dedupe_key"])
    )
    result = await session.exec(statement)
    return bool(result.rowcount)


async def claim_due(session: AsyncSession, *, now: datetime, limit: int = 50) -> list[Delivery]:
    """Claim up to `limit` due notices of reachable, linked people (SKIP LOCKED on PostgreSQL)."""
    statement = (
        select(Notice, TelegramLink, Person)
        .join(TelegramLink, col(TelegramLink.person_id) == col(Notice.person_id))
        .join(Person, col(Person.id) == col(Notice.person_id))
        .where(
            Notice.status == NoticeStatus.PENDING,
            Notice.due_at <= now,
            col(TelegramLink.unreachable_since).is_(None),
        )
        .order_by(col(Notice.due_at), col(Notice.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Notice)
    )
    claimed = []
    for notice, link, person in await session.exec(statement):
        notice.attempts += 1
        notice.due_at = now + CLAIM_LEASE
        session.add(notice)
        claimed.append(
            Delivery(
                notice.id or 0,
                notice.person_id,
                link.chat_id,
                person.language,
                notice.kind,
                dict(notice.payload),
                notice.attempts,
                notice.parts_sent,
            )
        )
    return claimed


async def mark_sent(
    session: AsyncSession, *, notice_id: int, message_id: int | None, now: datetime
) -> None:
    """Record that Telegram accepted the notice, with the message id it gave."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.status, notice.sent_at = NoticeStatus.SENT, now
    notice.telegram_message_id = notice.telegram_message_id or message_id
    notice.last_error = None
    session.add(notice)


async def mark_part_sent(
    session: AsyncSession, *, notice_id: int, parts_sent: int, message_id: int | None
) -> None:
    """One more message of a several-part notice went out: a retry resumes after it, never repeats it."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.parts_sent = parts_sent
    if notice.telegram_message_id is None:
        notice.telegram_message_id = message_id
    session.add(notice)


async def mark_retry(
    session: AsyncSession, *, notice_id: int, now: datetime, after: timedelta, error: str
) -> None:
    """Try again after `after` (Telegram's retry_after, or a backoff); give up after MAX_ATTEMPTS."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.last_error = error[:1000]
    if notice.attempts >= MAX_ATTEMPTS:
        notice.status = NoticeStatus.FAILED
    else:
        notice.due_at = now + after
    session.add(notice)


async def mark_unreachable(
    session: AsyncSession, *, notice_id: int, now: datetime, error: str
) -> None:
    """Telegram said 403: the person blocked the bot. Stop sending and tell the secretariat."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.status, notice.last_error = NoticeStatus.UNREACHABLE, error[:1000]
    session.add(notice)
    link = (
        await session.exec(select(TelegramLink).where(TelegramLink.person_id == notice.person_id))
    ).first()
    if link is not None and link.unreachable_since is None:
        link.unreachable_since = now
        session.add(link)
    person = await session.get(Person, notice.person_id)
    if person is None:
        return
    audit.record(
        session,
        now=now,
        action="person.unreachable",
        council_id=person.council_id,
        actor_id=person.id,
    )
    await notify_secretariat(
        session,
        council_id=person.council_id,
        kind="person_unreachable",
        now=now,
        key=f"unreachable:{person.id}:{now:%Y%m%d}",
        payload={"name": person.name},
    )


async def mark_reachable(session: AsyncSession, *, telegram_user_id: int, now: datetime) -> bool:
    """The person wrote to the bot again: deliver what was held back, now. True when they were unreachable."""
    link = (
        await session.exec(
            select(TelegramLink).where(TelegramLink.telegram_user_id == telegram_user_id)
        )
    ).first()
    if link is None or link.unreachable_since is None:
        return False
    link.unreachable_since = None
    session.add(link)
    await session.exec(
        update(Notice)
        .where(
            col(Notice.person_id) == link.person_id, col(Notice.status) == NoticeStatus.UNREACHABLE
        )
        .values(status=NoticeStatus.PENDING, due_at=now)
    )
    return True


async def notify_secretariat(
    session: AsyncSession,
    *,
    council_id: int,
    kind: str,
    key: str,
    now: datetime,
    payload: dict[str, Any],
) -> int:
    """Enqueue one notice per secretariat member of the council; returns how many were new."""
    staff = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council_id,
            Membership.current(),
            Membership.role == MembershipRole.SECRETARIAT,
        )
    )
    added = 0
    for person_id in staff:
        added += await enqueue(
            session,
            person_id=person_id,
            kind=kind,
            dedupe_key=f"{key}:{person_id}",
            now=now,
            payload=payload,
            council_id=council_id,
        )
    return added
