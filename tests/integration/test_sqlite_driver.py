"""SQLite through aiosqlite in one trip per statement (issue 15, models.sqlite_driver): queries,
writes, counts, new ids and errors come back as SQLAlchemy's own adapter gave them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import exc, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.db import make_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'driver.db'}")
    async with engine.begin() as connection:
        await connection.execute(
            text("CREATE TABLE item (id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL)")
        )
    yield engine
    await engine.dispose()


class Trips:
    """Counts the calls made in the connections' threads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        real = aiosqlite.Connection._execute

        async def counted(
            connection: aiosqlite.Connection, *args: object, **kwargs: object
        ) -> object:
            self.count += 1
            return await real(connection, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)


async def test_a_statement_is_one_trip_and_a_transaction_two_more_at_most(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with engine.connect():  # the pool holds a connection already made
        pass
    trips = Trips(monkeypatch)
    async with engine.begin() as connection:
        rows = (await connection.execute(text("SELECT 1 AS one, 'x' AS two"))).all()
    assert [tuple(row) for row in rows] == [(1, "x")]
    assert trips.count == 2  # the query, and the commit; no rollback when given back


async def test_writes_give_their_counts_and_new_ids(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        first = await connection.execute(text("INSERT INTO item (name) VALUES ('a')"))
        assert first.lastrowid == 1
        many = await connection.execute(
            text("INSERT INTO item (name) VALUES (:name)"), [{"name": "b"}, {"name": "c"}]
        )
        assert many.rowcount == 2
        renamed = await connection.execute(text("UPDATE item SET name = name || '!'"))
        assert renamed.rowcount == 3
        returned = await connection.execute(
            text("INSERT INTO item (name) VALUES ('d') RETURNING id, name")
        )
        assert tuple(returned.one()) == (4, "d")
    async with engine.connect() as connection:
        names = (await connection.execute(text("SELECT name FROM item ORDER BY id"))).scalars()
        assert list(names) == ["a!", "b!", "c!", "d"]


async def test_an_error_is_sqlalchemys_and_the_transaction_is_undone(engine: AsyncEngine) -> None:
    with pytest.raises(exc.IntegrityError):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO item (name) VALUES ('a')"))
            await connection.execute(text("INSERT INTO item (name) VALUES ('a')"))
    with pytest.raises(exc.OperationalError):
        async with engine.connect() as connection:
            await connection.execute(text("SELECT * FROM no_such_table"))
    async with engine.connect() as connection:
        count = (await connection.execute(text("SELECT count(*) FROM item"))).scalar_one()
    assert count == 0


async def test_a_streamed_result_still_reads_every_row(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO item (name) VALUES (:name)"), [{"name": str(n)} for n in range(250)]
        )
    async with engine.connect() as connection:
        streamed = await connection.stream(text("SELECT name FROM item"))
        assert len([row async for row in streamed]) == 250
