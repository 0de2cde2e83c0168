"""One poller among several instances (issue 16): the leader holds a PostgreSQL advisory lock on a
connection of its own; the others stand by and try again every few seconds, so when the leader dies
(its connection closes, PostgreSQL frees the lock) one of them takes over within seconds. SQLite
serves one instance, which always leads."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# The lock's key: any constant the other applications on the database do not use ("kkrbot" in hex).
POLLER_LOCK = 0x6B6B72626F74


class Leadership:
    """The advisory lock of the poller; `hold()` is asked every few seconds."""

    def __init__(self, engine: AsyncEngine, key: int = POLLER_LOCK) -> None:
        self.engine, self.key = engine, key
        self._connection: AsyncConnection | None = None
        self.single = engine.dialect.name != "postgresql"

    @property
    def leading(self) -> bool:
        return self.single or self._connection is not None

    async def hold(self) -> bool:
        """True while this instance leads: take the lock if free, check it is still held if ours."""
        if self.single:
            return True
        try:
            if self._connection is None:
                return await self._take()
            await self._connection.execute(text("SELECT 1"))  # the lock lives as long as this
            return True
        except (DBAPIError, OperationalError, OSError) as error:
            log.warning("lost the database connection of the poller lock: %s", type(error).__name__)
            await self.release()
            return False

    async def _take(self) -> bool:
        connection = await self.engine.connect()
        got = (
            await connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": self.key})
        ).scalar()
        await connection.commit()
        if got:
            self._connection = connection
            return True
        await connection.close()
        return False

    async def release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                # The pool would keep the connection, and the lock with it: drop both for good.
                await connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self.key})
                await connection.invalidate()
            except Exception as error:  # already broken: PostgreSQL frees the lock anyway
                log.info("closing the poller lock's connection: %s", type(error).__name__)
