"""Each Telegram update handled once (issue 16): however many instances poll or receive webhooks,
and after a restart that is given the same updates again."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models.reliable import HandledUpdate
from models.types import UTCDateTime

# Telegram keeps an unconfirmed update for 24 hours; a record older than that can never match again.
KEEP = timedelta(days=2)


# Compiled once and cached (a dialect insert with ON CONFLICT is compiled on every call, and this
# runs for every update); the same SQL on SQLite and PostgreSQL.
TAKE_UPDATE = text(
    "INSERT INTO handled_update (update_id, handled_at) VALUES (:update_id, :now)"
    " ON CONFLICT (update_id) DO NOTHING"
).bindparams(bindparam("now", type_=UTCDateTime()))


async def take_update(session: AsyncSession, *, update_id: int, now: datetime) -> bool:
    """Record that this instance handles the update; False when someone recorded it before."""
    connection = await session.connection()  # the session's own transaction
    result = await connection.execute(TAKE_UPDATE, {"update_id": update_id, "now": now})
    return bool(result.rowcount)


async def forget_old_updates(session: AsyncSession, *, now: datetime) -> int:
    """Drop records no update can match any more (the sweep calls this)."""
    result = await session.exec(
        delete(HandledUpdate).where(col(HandledUpdate.handled_at) < now - KEEP)
    )
    return int(result.rowcount or 0)
