"""Dialogues: what a person's next message in a chat answers, kept in the database.

A flow of several steps (proposing an item, a rejection's reason, …) starts a dialogue with a kind
and a small JSON state; each answer reads it, changes it and keeps it (or ends it) in one unit of
work. One row per person and chat, so a restart or a second instance on the same PostgreSQL answers
the next message the same way. A dialogue not answered within its time to live expires: the person
is told when they next write, and nothing half-made is kept (the state is all there was).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.dialogues import Dialogue
from services.actors import Actor

DEFAULT_TTL = timedelta(minutes=30)
FORGET_AFTER = timedelta(days=30)  # an expired dialogue's bare kind, kept to tell the person
PROMPT = "_prompt"  # the state's key for the message that carries the dialogue's buttons


@dataclass(frozen=True)
class OpenDialogue:
    """A dialogue as the bot sees it; `expired` ones are already gone from the database."""

    id: int
    kind: str
    state: dict[str, Any]
    answered_at: datetime
    expired: bool = False


async def start(
    session: AsyncSession,
    *,
    actor: Actor,
    chat_id: int,
    kind: str,
    state: dict[str, Any],
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> int:
    """Open a dialogue in the chat, replacing whatever was open there; its id (a new one each time,
    so a button of an earlier dialogue never acts on this one)."""
    old = await _row(session, actor.person_id, chat_id, lock=True)
    if old is not None:
        await session.delete(old)
        await session.flush()
    row = Dialogue(
        person_id=actor.person_id,
        chat_id=chat_id,
        kind=kind,
        state=dict(state),
        started_at=now,
        answered_at=now,
        expires_at=now + ttl,
    )
    session.add(row)
    await session.flush()
    assert row.id is not None
    return row.id


async def current(
    session: AsyncSession, *, actor: Actor, chat_id: int, now: datetime, lock: bool = False
) -> OpenDialogue | None:
    """The open dialogue in the chat, if any; an expired one is deleted and given with `expired`."""
    row = await _row(session, actor.person_id, chat_id, lock=lock)
    if row is None:
        return None
    assert row.id is not None
    shown = OpenDialogue(
        row.id, row.kind, dict(row.state), row.answered_at, expired=row.expires_at <= now
    )
    if shown.expired:
        await session.delete(row)
        await session.flush()
    return shown


async def answer(
    session: AsyncSession,
    *,
    actor: Actor,
    chat_id: int,
    kind: str,
    state: dict[str, Any],
    now: datetime,
    ttl: timedelta = DEFAULT_TTL,
) -> bool:
    """Keep the state after a step (the time to live starts again); False if it is no longer open."""
    row = await _row(session, actor.person_id, chat_id, lock=True)
    if row is None or row.kind != kind or row.expires_at <= now:
        return False
    row.state, row.answered_at, row.expires_at = dict(state), now, now + ttl
    session.add(row)
    await session.flush()
    return True


async def note(
    session: AsyncSession,
    *,
    actor: Actor,
    chat_id: int,
    dialogue_id: int,
    key: str,
    value: Any,
    now: datetime,
) -> Any:
    """Set one key of the state of that dialogue, if it is still the open one (its time to live
    does not change: a note is no answer); the key's previous value."""
    row = await _row(session, actor.person_id, chat_id, lock=True)
    if row is None or row.id != dialogue_id:
        return None
    previous = row.state.get(key)
    row.state = {**row.state, key: value}
    session.add(row)
    await session.flush()
    return previous


async def end(session: AsyncSession, *, actor: Actor, chat_id: int, now: datetime) -> str | None:
    """Close the dialogue in the chat (done or cancelled); the kind it was, or None."""
    row = await _row(session, actor.person_id, chat_id, lock=True)
    if row is None:
        return None
    await session.delete(row)
    await session.flush()
    return None if row.expires_at <= now else row.kind


async def cancel(session: AsyncSession, *, actor: Actor, now: datetime) -> list[str]:
    """End every open dialogue of the person, in every chat; the kinds that were still open."""
    rows = list(
        await session.exec(select(Dialogue).where(col(Dialogue.person_id) == actor.person_id))
    )
    for row in rows:
        await session.delete(row)
    await session.flush()
    return [row.kind for row in rows if row.expires_at > now]


async def expire(session: AsyncSession, *, now: datetime, grace: timedelta = FORGET_AFTER) -> int:
    """The sweep's purge: what an expired dialogue held is dropped at once (nothing half-made is
    kept), leaving only its kind, so the person is still told when they next write; a dialogue
    expired more than `grace` ago is forgotten (the person has long been told or gone). How many
    rows were purged or forgotten."""
    purged = 0  # one SELECT when nothing has expired (the sweep's idle cost)
    for row in await session.exec(select(Dialogue).where(col(Dialogue.expires_at) <= now)):
        kept = {PROMPT: row.state[PROMPT]} if PROMPT in row.state else {}
        if row.expires_at <= now - grace:
            await session.delete(row)
        elif row.state != kept:
            row.state = kept
            session.add(row)
        else:
            continue
        purged += 1
    await session.flush()
    return purged


async def _row(
    session: AsyncSession, person_id: int, chat_id: int, *, lock: bool
) -> Dialogue | None:
    query = select(Dialogue).where(
        col(Dialogue.person_id) == person_id, col(Dialogue.chat_id) == chat_id
    )
    if lock:  # a second instance answering the same person waits for this one (PostgreSQL)
        query = query.with_for_update()
    return (await session.exec(query)).first()
