"""The async engine and session factory; SQLite (embedded default) and PostgreSQL share one path."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlmodel.ext.asyncio.session import AsyncSession

from models.sqlite_driver import one_trip_aiosqlite

SessionFactory = async_sessionmaker[AsyncSession]


def make_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine; SQLite gets foreign keys, WAL and a busy timeout so the worker and bot share it."""
    if make_url(url).get_driver_name() == "aiosqlite":
        kwargs = {**_SQLITE, **kwargs}
    engine = create_async_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


# SQLite's connections make one trip to their thread per statement (models.sqlite_driver), and none
# to roll back a connection given back to the pool: every session's transaction has ended by then
# (committed, or rolled back by SQLAlchemy when the block raised), so the pool's own rollback was a
# trip for nothing on every transaction (issue 15).
_SQLITE: dict[str, Any] = {"module": one_trip_aiosqlite(), "pool_reset_on_return": None}


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # WAL's recommended durability (issue 15): a commit no longer waits for the disk; a crash of
    # the process loses nothing, a power cut at most the last transactions, never the file.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_session_factory(engine: AsyncEngine) -> SessionFactory:
    """Sessions that keep their objects usable after commit (no lazy loading, DESIGN.md)."""
    return async_sessionmaker(engine, class_=AsyncSession, expire_on_commit=False)
