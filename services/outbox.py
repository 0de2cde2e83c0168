"""The outbox (DESIGN.md): notices are rows written with the change that caused them; the delivery
worker claims due ones, sends them and reports back. Nothing lost, nothing sent twice."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, func, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.enums import MembershipRole, NoticeStatus
from models.tables import Meeting, Membership, Notice, Person, TelegramLink
from services import audit
from services.recipients import may_receive

# A claimed notice is hidden from other workers this long; the worker renews the lease while it
# sends (a heartbeat), so a slow batch is never taken over, and a dead worker's claims come back soon.
CLAIM_LEASE = timedelta(seconds=15)
# 5xx and network errors: wait 5 s, 10 s, 20 s … at most 10 minutes between tries, for as long as
# the notice still matters (MATTERS_FOR when nothing in it says until when).
FIRST_BACKOFF = timedelta(seconds=5)
MAX_BACKOFF = timedelta(minutes=10)
MATTERS_FOR = timedelta(days=3)
NOT_DELIVERED = "notice_not_delivered"  # what the secretariat is told; never itself reported


@dataclass(frozen=True)
class Delivery:
    """A notice claimed for sending, with what the worker needs to render and address it."""

    notice_id: int
    person_id: int
    chat_id: int  # always the person's private chat (R-P6)
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
    if result.rowcount:
        changes.note(session, changes.NOTICES)  # the outbox worker wakes when this commits
    return bool(result.rowcount)


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int = 50, worker: str = ""
) -> list[Delivery]:
    """Claim up to `limit` due notices of reachable, linked people (SKIP LOCKED on PostgreSQL).

    Each is checked once more here, just before it is sent (R-P6): a notice for someone who may no
    longer receive it (a released substitute, a person who left) is withdrawn, not sent.
    """
    statement = (
        select(Notice, TelegramLink, Person)
        .join(TelegramLink, col(TelegramLink.person_id) == col(Notice.person_id))
        .join(Person, col(Person.id) == col(Notice.person_id))
        .where(
            col(Notice.status) == NoticeStatus.PENDING,
            Notice.due_at <= now,
            col(TelegramLink.unreachable_since).is_(None),
        )
        .order_by(col(Notice.due_at), col(Notice.id))
        .limit(limit)
        .with_for_update(skip_locked=True, of=Notice)
    )
    claimed = []
    recipients: dict[int, Collection[int]] = {}  # a meeting's recipients, read once per claim
    for notice, link, person in (await session.exec(statement)).all():
        if not await may_receive(session, notice, recipients):
            notice.status, notice.claimed_by = NoticeStatus.WITHDRAWN, None
            notice.last_error = "no longer a recipient"
            session.add(notice)
            continue
        notice.attempts += 1
        notice.due_at, notice.claimed_by = now + CLAIM_LEASE, worker or None
        session.add(notice)
        claimed.append(
            Delivery(
                notice.id or 0,
                notice.person_id,
                # Telegram's private chat with a user has the user's id: never a group (R-P6).
                link.telegram_user_id,
                person.language,
                notice.kind,
                dict(notice.payload),
                notice.attempts,
                notice.parts_sent,
            )
        )
    return claimed


async def next_due(session: AsyncSession) -> datetime | None:
    """When the earliest notice claim_due could take falls due (None: nothing waits)."""
    statement = (
        select(func.min(Notice.due_at))
        .join(TelegramLink, col(TelegramLink.person_id) == col(Notice.person_id))
        .where(
            col(Notice.status) == NoticeStatus.PENDING,
            col(TelegramLink.unreachable_since).is_(None),
        )
    )
    return (await session.exec(statement)).one()


async def renew_claims(
    session: AsyncSession, *, notice_ids: Collection[int], now: datetime
) -> None:
    """The heartbeat: the worker still sends these; hide them for another lease."""
    if notice_ids:
        await session.exec(
            update(Notice)
            .where(col(Notice.id).in_(list(notice_ids)), col(Notice.status) == NoticeStatus.PENDING)
            .values(due_at=now + CLAIM_LEASE)
        )


async def reclaim_own(session: AsyncSession, *, worker: str, now: datetime) -> int:
    """A worker restarting takes back at once what it held when it stopped (no wait for the lease)."""
    result = await session.exec(
        update(Notice)
        .where(
            col(Notice.status) == NoticeStatus.PENDING,
            col(Notice.claimed_by) == worker,
            col(Notice.due_at) > now,
        )
        .values(due_at=now, claimed_by=None)
    )
    return int(result.rowcount or 0)


async def release(session: AsyncSession, *, notice_ids: Collection[int], now: datetime) -> None:
    """Give claims back unsent (shutdown, or Telegram asked to pause): due now, no attempt spent."""
    if notice_ids:
        await session.exec(
            update(Notice)
            .where(col(Notice.id).in_(list(notice_ids)), col(Notice.status) == NoticeStatus.PENDING)
            .values(due_at=now, claimed_by=None, attempts=col(Notice.attempts) - 1)
        )


async def begin_part(session: AsyncSession, *, notice_id: int, part: int) -> None:
    """Intent, recorded before the call: part `part` may be on its way to Telegram."""
    notice = await session.get(Notice, notice_id)
    if notice is not None:
        notice.sending_part = part
        session.add(notice)


async def mark_sent(
    session: AsyncSession, *, notice_id: int, message_id: int | None, now: datetime
) -> None:
    """Record that Telegram accepted the notice, with the message id it gave."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.status, notice.sent_at = NoticeStatus.SENT, now
    notice.telegram_message_id = notice.telegram_message_id or message_id
    notice.last_error, notice.sending_part, notice.claimed_by = None, None, None
    session.add(notice)


async def mark_part_sent(
    session: AsyncSession,
    *,
    notice_id: int,
    parts_sent: int,
    message_id: int | None,
    sending_next: bool = False,
) -> None:
    """One more message of a several-part notice went out: a retry resumes after it, never repeats it.
    With `sending_next` the next part's intent is recorded in the same transaction (begin_part)."""
    notice = await session.get(Notice, notice_id)
    if notice is None:
        return
    notice.parts_sent, notice.sending_part = parts_sent, parts_sent if sending_next else None
    if notice.telegram_message_id is None:
        notice.telegram_message_id = message_id
    session.add(notice)


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try (5xx, network): doubling, capped."""
    doubled: timedelta = FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 16)
    return min(MAX_BACKOFF, doubled)


async def mark_retry(
    session: AsyncSession,
    *,
    notice_id: int,
    now: datetime,
    error: str,
    after: timedelta | None = None,
) -> None:
    """Telegram failed for now (5xx, network): try again after a backoff while the notice still
    matters; once it no longer does it is held and the secretariat told, never dropped silently."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PENDING:
        return
    notice.last_error, notice.claimed_by = error[:1000], None
    if now >= await matters_until(session, notice):
        notice.status = NoticeStatus.HELD
        await report_not_delivered(session, notice, now=now)
    else:
        notice.due_at = now + (after if after is not None else backoff(notice.attempts))
    session.add(notice)


async def mark_failed(session: AsyncSession, *, notice_id: int, now: datetime, error: str) -> None:
    """Telegram refused the notice for good (a 400 that will never succeed): reported, with what it was."""
    notice = await session.get(Notice, notice_id)
    if notice is None or notice.status != NoticeStatus.PENDING:
        return
    notice.status, notice.last_error, notice.claimed_by = NoticeStatus.FAILED, error[:1000], None
    session.add(notice)
    await report_not_delivered(session, notice, now=now)


async def matters_until(session: AsyncSession, notice: Notice) -> datetime:
    """Until when a notice is worth sending: one about a meeting until the meeting begins."""
    meeting_id = notice.payload.get("meeting_id") if notice.payload else None
    if isinstance(meeting_id, int):
        meeting = await session.get(Meeting, meeting_id)
        if meeting is not None:
            return meeting.starts_at
    return notice.created_at + MATTERS_FOR


async def report_not_delivered(session: AsyncSession, notice: Notice, *, now: datetime) -> None:
    """Tell the council's secretariat which notice did not reach whom (the notice's kind, not its text)."""
    if notice.kind == NOT_DELIVERED:
        return  # a report that cannot be delivered is not reported again (no loop)
    person = await session.get(Person, notice.person_id)
    if person is None:
        return
    audit.record(
        session,
        now=now,
        action="notice.not_delivered",
        council_id=person.council_id,
        actor_id=None,
        subject=f"notice:{notice.id}",
    )
    await notify_secretariat(
        session,
        council_id=person.council_id,
        kind=NOT_DELIVERED,
        now=now,
        key=f"not-delivered:{notice.id}",
        payload={"name": person.name, "what": notice.kind, "notice_id": notice.id},
    )


async def not_delivered(
    session: AsyncSession, *, council_id: int | None = None, limit: int = 200
) -> list[Notice]:
    """Notices held back or failed (and those waiting for a person who blocked the bot)."""
    statement = select(Notice).where(
        col(Notice.status).in_([NoticeStatus.HELD, NoticeStatus.FAILED, NoticeStatus.UNREACHABLE])
    )
    if council_id is not None:
        statement = statement.where(Notice.council_id == council_id)
    rows = await session.exec(statement.order_by(col(Notice.id)).limit(limit))
    return list(rows.all())


async def resend(session: AsyncSession, *, notice_ids: Collection[int], now: datetime) -> int:
    """The secretariat sends held-back or failed notices again: due now, attempts from zero."""
    result = await session.exec(
        update(Notice)
        .where(
            col(Notice.id).in_(list(notice_ids)),
            col(Notice.status).in_([NoticeStatus.HELD, NoticeStatus.FAILED]),
        )
        .values(status=NoticeStatus.PENDING, due_at=now, attempts=0, claimed_by=None)
    )
    changes.note(session, changes.NOTICES)
    return int(result.rowcount or 0)


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
    changes.note(session, changes.NOTICES)
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


async def notice_counts(session: AsyncSession) -> list[tuple[str, str, int]]:
    """(kind, status, how many) over the whole outbox, for the operator's metrics."""
    rows = await session.exec(
        select(Notice.kind, Notice.status, func.count())
        .group_by(col(Notice.kind), col(Notice.status))
        .order_by(col(Notice.kind), col(Notice.status))
    )
    return [(kind, status, int(count)) for kind, status, count in rows.all()]


async def in_flight_for(session: AsyncSession, *, telegram_user_id: int, now: datetime) -> int:
    """How many notices to this Telegram user are due or being sent right now (the demo waits for
    them, so a document that takes a moment to render is shown with the answer it belongs to)."""
    due_or_claimed = (col(Notice.due_at) <= now) | col(Notice.claimed_by).is_not(None)
    query = (
        select(func.count())
        .select_from(Notice)
        .join(TelegramLink, col(TelegramLink.person_id) == Notice.person_id)
        .where(TelegramLink.telegram_user_id == telegram_user_id)
        .where(Notice.status == NoticeStatus.PENDING, due_or_claimed)
    )
    return int((await session.exec(query)).one())
