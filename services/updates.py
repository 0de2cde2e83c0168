"""Each Telegram update handled once (issue 16): however many instances poll or receive webhooks,
and after a restart that is given the same updates again."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import TextClause, bindparam, text
from sqlmodel import col, delete
from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.data_version import TOKEN, Kept, KeptReads
from models.reliable import HandledUpdate
from models.types import UTCDateTime
from services.actors import Actor, actors_as_of, actors_for_telegram
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
    writes again made reachable. One answer per arrival, in order; one statement for the lot when
    the writers were looked up before under the data version the database still shows."""
    taken, token = await take_updates(session, arrivals)
    writers = {
        a.telegram_user_id
        for a in arrivals
        if a.update_id in taken and a.telegram_user_id is not None
    }
    actors = await _actors(session, writers, token, arrivals) if writers else {}
    admitted, changed = [], False
    for arrival in arrivals:
        first_time = arrival.update_id in taken
        taken.discard(arrival.update_id)  # the same update twice in a burst: the second is a repeat
        actor = None
        if first_time and arrival.telegram_user_id is not None:
            actor = actors.get(arrival.telegram_user_id)
            if actor is not None and actor.unreachable:
                await mark_reachable(
                    session, telegram_user_id=arrival.telegram_user_id, now=arrival.now
                )
                actor = actors[arrival.telegram_user_id] = replace(actor, unreachable=False)
                changed = True
        admitted.append(Admitted(first_time, replace(actor, as_of=token) if actor else None))
    if not changed:
        changes.bookkeeping(session)  # only updates recorded: what was read before still holds
    return admitted


# Who wrote, by (database, Telegram account), with the data version they were read under (None: a
# stranger). The gate reads the version in the statement that records the updates, and an entry is
# used only while the database shows the version it was read under.
_WRITERS: KeptReads[tuple[int, int], Actor | None] = KeptReads(local_writes=False)


async def _actors(
    session: AsyncSession, writers: set[int], token: int | None, arrivals: list[Arrival]
) -> dict[int, Actor]:
    """actors_for_telegram, from what was kept under `token` where it can be."""
    if token is None:  # the data version's row is missing: nothing is kept
        return await actors_for_telegram(session, writers)
    database, now = id(session.bind), arrivals[0].now
    actors: dict[int, Actor] = {}
    unknown = set()
    for user in writers:
        kept = _WRITERS.get((database, user), token, now)
        if kept is None:
            unknown.add(user)
        elif kept.value is not None:
            actors[user] = kept.value
    if unknown:
        found, read_under = await actors_as_of(session, unknown)
        if read_under is not None:  # someone found: the version the whole answer was read under
            for user in unknown:
                _WRITERS.put((database, user), Kept(read_under, 0, now, found.get(user)))
        actors.update(found)
    return actors


async def take_updates(
    session: AsyncSession, arrivals: list[Arrival]
) -> tuple[set[int], int | None]:
    """take_update for several updates in one statement: the ids recorded now (not before), and
    the data version the database showed (None when nothing was recorded)."""
    connection = await session.connection()
    taken: set[int] = set()
    token = None
    for start in range(0, len(arrivals), TAKE_AT_ONCE):
        chunk = arrivals[start : start + TAKE_AT_ONCE]
        values: dict[str, object] = {}
        for n, arrival in enumerate(chunk):
            values[f"u{n}"], values[f"t{n}"] = arrival.update_id, arrival.now
        for update_id, seen in await connection.execute(_take_updates(len(chunk)), values):
            taken.add(update_id)
            token = seen if token is None else token  # the first chunk's: seen before any read
    return taken, token


TAKE_AT_ONCE = 100  # rows per statement (a burst of 200 is two)


@cache
def _take_updates(rows: int) -> TextClause:
    """TAKE_UPDATE for `rows` updates, naming those it recorded with the data version (the same
    SQL on SQLite and PostgreSQL); one text per row count, compiled once."""
    values = ", ".join(f"(:u{n}, :t{n})" for n in range(rows))
    return text(
        f"INSERT INTO handled_update (update_id, handled_at) VALUES {values}"
        f" ON CONFLICT (update_id) DO NOTHING RETURNING update_id, {TOKEN}"
    ).bindparams(*(bindparam(f"t{n}", type_=UTCDateTime()) for n in range(rows)))
