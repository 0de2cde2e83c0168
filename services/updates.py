"""Each Telegram update handled once (issue 16): however many instances poll or receive webhooks,
and after a restart that is given the same updates again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models.reliable import HandledUpdate

# Telegram keeps an unconfirmed update for 24 hours; a record older than that can never match again.
KEEP = timedelta(days=2)


async def take_update(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Record that this instance handles the update; False when someone recorded it before."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    result = await session.exec(
        insert(HandledUpdate)
        .values(update_id=update_id, handled_at=now)
        .on_conflict_do_nothing(index_elements=["update_id"])
    )
    return bool(result.rowcount)


async def forget_old_updates(session: AsyncSession, *, now: datetime) -> int:
    """Drop records no update can match any more (the sweep calls this)."""
    result = await session.exec(
        delete(HandledUpdate).where(col(HandledUpdate.handled_at) < now - KEEP)
    )
    return int(result.rowcount or 0)
