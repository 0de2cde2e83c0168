"""The unit of work: the one way into the database for a use case (handlers, jobs, the worker).

`async with unit_of_work(sessions) as session:` gives a session inside one transaction, committed
when the block ends and rolled back when it raises. Writes of one process go one at a time: SQLite
has a single writer, and on PostgreSQL the row locks then rarely wait. A pure read passes
`write=False` and skips the guard. Telegram round trips belong outside the block.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from contextlib import asynccontextmanager
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.db import SessionFactory

I = TypeVar("I")  # noqa: E741
R = TypeVar("R")

# One guard per event loop (an asyncio.Lock belongs to the loop that first waits on it; tests and
# the demo may run several loops in one process, one after the other).
_GUARDS: WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = WeakKeyDictionary()


def write_guard() -> asyncio.Lock:
    """The lock that makes this process's writes go one at a time (not re-entrant: never nest)."""
    loop = asyncio.get_running_loop()
    guard = _GUARDS.get(loop)
    if guard is None:
        guard = _GUARDS[loop] = asyncio.Lock()
    return guard


@asynccontextmanager
async def unit_of_work(
    sessions: SessionFactory, *, write: bool = True
) -> AsyncIterator[AsyncSession]:
    """A session in one transaction; with `write`, holding the write guard until it commits."""
    if not write:
        async with sessions() as session, session.begin():
            session.info[_READS_ONLY] = True
            yield session
        return
    async with write_guard(), sessions() as session:
        async with session.begin():
            yield session
        changes.announce(session)  # committed: wake the workers waiting for such changes


_READS_ONLY = "kkrbot.reads_only"


def reads_only(session: AsyncSession) -> bool:
    """Whether the session is a pure read (`write=False`): what it reads is committed data, which
    may be kept (models.data_version); a writer may be reading its own uncommitted rows."""
    return bool(session.info.get(_READS_ONLY, False))


class TryAlone(Exception):
    """Raised by a burst's `apply` when one item cannot share the transaction (it changed state and
    then was refused): the burst is rolled back and every item applied in a transaction of its own."""


_BURSTS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, list[tuple[Any, Any]]]] = (
    WeakKeyDictionary()
)


async def together(
    sessions: SessionFactory,
    key: Hashable,
    item: I,
    apply: Callable[[AsyncSession, list[I]], Awaitable[list[R]]],
    *,
    gather: float = 0.0,
) -> R:
    """Apply `item` in a transaction shared with the other items of `key` (one meeting) that arrive
    while the write guard is busy — a burst of 60 check-ins is a few transactions, not 60 (issue 15).
    `apply` takes the items in order of arrival and gives one result each. With `gather`, an item
    that comes while items of `key` keep coming (one was applied less than FLURRY seconds ago)
    waits `gather` seconds for the ones right behind it; an item on its own goes at once."""
    loop = asyncio.get_running_loop()
    queues = _BURSTS.get(loop)
    if queues is None:
        queues = _BURSTS[loop] = {}
    queue = queues.setdefault(key, [])
    future: asyncio.Future[R] = loop.create_future()
    queue.append((item, future))
    if len(queue) == 1:  # the first of a burst: a task of its own applies what has come by then
        wait = gather if _in_a_flurry(loop, key) else 0.0
        task = loop.create_task(_apply_burst(sessions, key, queues, queue, apply, wait))
        _RUNNING.add(task)
        task.add_done_callback(_RUNNING.discard)
    return await asyncio.shield(future)  # a caller gone does not undo the others' burst


_RUNNING: set[asyncio.Task[None]] = set()

FLURRY = 0.25  # seconds since the last burst of a key in which the next one gathers
_LAST_BURST: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, float]] = (
    WeakKeyDictionary()
)


def _in_a_flurry(loop: asyncio.AbstractEventLoop, key: Hashable) -> bool:
    """Whether a burst of `key` began less than FLURRY seconds ago (and note that one begins)."""
    last = _LAST_BURST.setdefault(loop, {})
    now = loop.time()
    recent = now - last.get(key, -FLURRY) < FLURRY
    last[key] = now
    if len(last) > 1000:  # keys are meetings and the gate: forget the old ones now and then
        last.clear()
    return recent


async def _apply_burst(
    sessions: SessionFactory,
    key: Hashable,
    queues: dict[Hashable, list[tuple[Any, Any]]],
    burst: list[tuple[Any, Any]],
    apply: Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]],
    wait: float,
) -> None:
    outcomes: list[tuple[Any, BaseException | None]] = []
    try:
        if wait:
            await asyncio.sleep(wait)  # the items right behind join this burst
        async with write_guard():
            if queues.get(key) is burst:
                del queues[key]  # who comes from now on starts the next burst
            items = [item for item, _ in burst]
            try:
                outcomes = [(r, None) for r in await _in_transaction(sessions, items, apply)]
            except Exception:  # TryAlone, or a failure: each item in a transaction of its own
                outcomes = []
                for item in items:
                    try:
                        outcomes.append(((await _in_transaction(sessions, [item], apply))[0], None))
                    except Exception as error:
                        outcomes.append((None, error))
    except BaseException:  # cancelled with the bot: nobody's item is applied
        if queues.get(key) is burst:
            del queues[key]
        for _, future in burst:
            if not future.done():
                future.cancel()
        raise
    for (_, future), (result, failure) in zip(burst, outcomes, strict=True):
        if future.done():
            continue
        if failure is not None:
            future.set_exception(failure)
        else:
            future.set_result(result)


async def _in_transaction(
    sessions: SessionFactory,
    items: list[Any],
    apply: Callable[[AsyncSession, list[Any]], Awaitable[list[Any]]],
) -> list[Any]:
    async with sessions() as session:
        async with session.begin():
            results = await apply(session, items)
        changes.announce(session)
    return results
