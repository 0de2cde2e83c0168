"""The unit of work: the one way into the database for a use case (handlers, jobs, the worker).

`async with unit_of_work(sessions) as session:` gives a session inside one transaction, committed
when the block ends and rolled back when it raises. Writes of one process go one at a time: SQLite
has a single writer, and on PostgreSQL the row locks then rarely wait. A pure read passes
`write=False` and skips the guard. Telegram round trips belong outside the block.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.db import SessionFactory

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
            yield session
        return
    async with write_guard(), sessions() as session:
        async with session.begin():
            yield session
        changes.announce(session)  # committed: wake the workers waiting for such changes
