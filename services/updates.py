"""Each Telegram update handled once (issue 16): however many instances poll or receive webhooks,
and after a restart that is given the same updates again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, text
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models.reliable import HandledUpdate
from models.types import UTCDateTime
from services.actors import Actor, actor_for_telegram
from services.outbox import mark_reachable

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


@dataclass(frozen=True)
class Arrival:
    """An update at the gate: its id, who wrote it (None: nobody), and when."""

    update_id: int
    telegram_user_id: int | None
    now: datetime


@dataclass(frozen=True)
class Admitted:
    """The gate's answer: whether the update is new here, and the person who wrote it."""

    first_time: bool
    actor: Actor | None


async def admit(session: AsyncSession, arrivals: list[Arrival]) -> list[Admitted]:
    """The gate's work for updates arriving together, in one transaction (issue 15): each update
    recorded once (take_update), its writer looked up, and a person who had blocked the bot and
    writes again made reachable. One answer per arrival, in order."""
    admitted = []
    for arrival in arrivals:
        first_time = await take_update(session, update_id=arrival.update_id, now=arrival.now)
        actor = None
        if first_time and arrival.telegram_user_id is not None:
            actor = await actor_for_telegram(session, arrival.telegram_user_id)
            if actor is not None and actor.unreachable:
                await mark_reachable(
                    session, telegram_user_id=arrival.telegram_user_id, now=arrival.now
                )
        admitted.append(Admitted(first_time, actor))
    return admitted
