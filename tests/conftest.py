"""Shared fixtures: a migrated database per test, on SQLite and (when configured) PostgreSQL.

Migrating and seeding cost far more than most tests, so each is done once per session into a
template, and every test starts from a copy of it: a copied file on SQLite; on PostgreSQL the one
database is emptied, its ids restarted, and the template's rows put back by one function call.
"""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import Table, make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

import models.tables  # noqa: F401  (every table in the metadata, for the PostgreSQL reset)
from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade

# PDFs are rendered in the test's process, not by a worker process per document (two seconds of
# start-up each); tests/unit/test_pdf_worker.py checks the worker itself.
os.environ.setdefault("KKRBOT_PDF_WORKER", "inline")

BASE_POSTGRES_URL = os.environ.get("KKRBOT_TEST_DATABASE_URL")
# Under pytest-xdist each worker is a process of its own and gets a database of its own beside the
# configured one (`kkrbot_ci` → `kkrbot_ci_gw0`, …), so workers never empty each other's tables.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER")


def worker_database_url(base: str | None, worker: str | None) -> str | None:
    if not base or not worker:
        return base
    url = make_url(base)
    return url.set(database=f"{url.database}_{worker}").render_as_string(hide_password=False)


POSTGRES_URL = worker_database_url(BASE_POSTGRES_URL, XDIST_WORKER)
BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]

# A fixed "now" for tests that do not care about the date: a Monday in late November.
NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

# A seed fills a freshly migrated database once per session; what it returns is kept for the tests.
Seed = Callable[[SessionFactory], Awaitable[object]]
T = TypeVar("T")


@pytest.fixture
def now() -> datetime:
    return NOW


def run_apart(make: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run a coroutine to the end on a loop of its own (session set-up, outside any test's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, make()).result()


async def seeded_sqlite(path: Path, seed: Seed | None) -> object:
    """Migrate a SQLite file, or seed one already migrated, then fold the WAL back so the file
    alone can be copied."""
    engine = make_engine(f"sqlite+aiosqlite:///{path}")
    try:
        value = None
        if seed is None:
            await upgrade(engine)
        else:
            value = await seed(make_session_factory(engine))
        async with engine.connect() as connection:
            await connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        await engine.dispose()
    return value


def copy_sqlite(template: Path, path: Path) -> None:
    """A test's own database: the template file, with no WAL of an earlier copy left beside it.

    The copy is a new file put in the old one's place, never the old file overwritten: a
    connection an earlier test left open keeps the old file to itself (overwriting a file
    SQLite has open is what "disk I/O error" means)."""
    fresh = path.with_name(f"{path.name}.fresh")
    shutil.copyfile(template, fresh)
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    fresh.replace(path)


@dataclass
class PostgresTemplate:
    """A seeded state of the test database: its rows kept in a schema of their own, and a function
    that puts them back in one round trip (see `reset_function`)."""

    reset: str  # SELECT kkrbot_reset_<name>()
    value: object


def tables() -> list[Table]:
    """The tables a seed fills and a reset empties. The data version's one row stays: the reset
    changes the tracked tables, which gives it a new random token (models/data_version.py)."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name != "data_version"]


RESTART_SEQUENCES = (
    "setval(oid, 1, false) FROM pg_class "
    "WHERE relkind = 'S' AND relnamespace = current_schema()::regnamespace"
)


def reset_function(name: str) -> tuple[str, str]:
    """(schema, DDL of a function) that empties every table and puts back the rows kept in
    `schema`, ids restarted as they were: one statement per test instead of some ninety.

    DELETE, not TRUNCATE: on tables this small it is ten times faster (TRUNCATE makes new files).
    """
    schema = f"template_{name}"
    statements = [f'DELETE FROM "{t.name}";' for t in reversed(tables())]
    statements.append(f"PERFORM {RESTART_SEQUENCES};")
    for table in tables():
        statements.append(f'INSERT INTO "{table.name}" SELECT * FROM {schema}."{table.name}";')
        if "id" in table.c and table.c.id.autoincrement in (True, "auto"):
            statements.append(
                f"PERFORM setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), max(id)) "
                f'FROM "{table.name}" HAVING count(*) > 0;'
            )
    body = "\n".join(statements)
    ddl = (
        f"CREATE OR REPLACE FUNCTION kkrbot_reset_{name}() RETURNS void LANGUAGE plpgsql "
        f"AS $reset$ BEGIN\n{body}\nEND $reset$"
    )
    return schema, ddl


class Resetter:
    """Puts a seeded state back over one connection kept for the whole session, on a loop and a
    thread of its own (each test has its own loop): PostgreSQL then plans the reset function's
    statements once, not once per test in a fresh connection (25 ms a reset instead of 85)."""

    def __init__(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="reset", daemon=True)
        self._thread.start()
        self._engines: dict[str, AsyncEngine] = {}

    async def reset(self, url: str, template: PostgresTemplate) -> None:
        done = asyncio.run_coroutine_threadsafe(self._reset(url, template.reset), self._loop)
        await asyncio.wrap_future(done)

    async def _reset(self, url: str, statement: str) -> None:
        engine = self._engines.setdefault(url, make_engine(url))
        async with engine.begin() as connection:
            await connection.exec_driver_sql(statement)

    def close(self) -> None:
        async def dispose() -> None:
            for engine in self._engines.values():
                await engine.dispose()

        asyncio.run_coroutine_threadsafe(dispose(), self._loop).result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()


async def create_worker_database(url: str) -> None:
    """A worker's own database, made afresh from the configured one's server (see XDIST_WORKER)."""
    assert BASE_POSTGRES_URL is not None
    name = make_url(url).database
    server = make_engine(BASE_POSTGRES_URL).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with server.connect() as connection:
            await connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    finally:
        await server.dispose()


async def migrate_postgres(url: str) -> None:
    """The session's one migration: from an empty schema to the head."""
    if url != BASE_POSTGRES_URL:
        await create_worker_database(url)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(SQLModel.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        await upgrade(engine)
    finally:
        await engine.dispose()


async def seeded_postgres(url: str, name: str, seed: Seed | None) -> PostgresTemplate:
    """Seed the emptied database once and keep what the seed wrote, as tables in a schema of its
    own, with the function that puts it back."""
    schema, ddl = reset_function(name)
    engine = make_engine(url)
    try:
        async with engine.begin() as connection:
            for table in reversed(tables()):
                await connection.execute(table.delete())
            await connection.exec_driver_sql(f"SELECT {RESTART_SEQUENCES}")
        value = await seed(make_session_factory(engine)) if seed else None
        async with engine.begin() as connection:
            await connection.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
            await connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
            for table in tables():
                await connection.exec_driver_sql(
                    f'CREATE TABLE {schema}."{table.name}" AS SELECT * FROM "{table.name}"'
                )
            await connection.exec_driver_sql(ddl)
    finally:
        await engine.dispose()
    return PostgresTemplate(f"SELECT kkrbot_reset_{name}()", value)


@dataclass
class Templates:
    """The session's prepared databases, each made on first use: by backend and seed name."""

    folder: Path
    sqlite: dict[str | None, tuple[Path, object]] = field(default_factory=dict)
    postgres: dict[str | None, PostgresTemplate] = field(default_factory=dict)
    postgres_migrated: bool = False
    resetter: Resetter = field(default_factory=Resetter)
    engines: dict[str, AsyncEngine] = field(default_factory=dict)

    def engine(self, url: str) -> AsyncEngine:
        """One engine per database for the session: SQLAlchemy compiles each statement once and
        meets the server once, not once per test. Each test disposes of its connections."""
        if url not in self.engines:
            self.engines[url] = make_engine(url)
        return self.engines[url]

    def sqlite_template(self, name: str | None, seed: Seed | None) -> tuple[Path, object]:
        if name not in self.sqlite:
            path = self.folder / f"template-{name or 'empty'}.db"
            if name is not None:  # migrated once, by the empty template; each seed starts there
                copy_sqlite(self.sqlite_template(None, None)[0], path)
            self.sqlite[name] = (path, run_apart(lambda: seeded_sqlite(path, seed)))
        return self.sqlite[name]

    def postgres_template(self, url: str, name: str | None, seed: Seed | None) -> PostgresTemplate:
        if not self.postgres_migrated:
            run_apart(lambda: migrate_postgres(url))
            self.postgres_migrated = True
        if name not in self.postgres:
            self.postgres[name] = run_apart(lambda: seeded_postgres(url, name or "empty", seed))
        return self.postgres[name]


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Templates]:
    prepared = Templates(tmp_path_factory.mktemp("templates"))
    yield prepared
    prepared.resetter.close()


@pytest.fixture(scope="session")
def seeds() -> dict[str, Seed]:
    """Seeded starting states by the name of the fixture that stands for them (see integration)."""
    return {}


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, templates: Templates) -> str:
    if request.param == "sqlite":  # one file, copied afresh for each test (see `engine`)
        return f"sqlite+aiosqlite:///{templates.folder / 'kkrbot-test.db'}"
    if not POSTGRES_URL:
        pytest.skip("KKRBOT_TEST_DATABASE_URL is not set")
    return POSTGRES_URL


@pytest.fixture(scope="session")
def seed_builds_on() -> dict[str, str]:
    """Seeds that continue another (e.g. a meeting held in the `kkr` council): a test may use
    both fixtures and starts from the later state."""
    return {}


@pytest.fixture
def seeded(
    request: pytest.FixtureRequest, seeds: dict[str, Seed], seed_builds_on: dict[str, str]
) -> str | None:
    """The seed this test starts from: the one whose fixture it uses (e.g. `kkr`), else none."""
    used = {name for name in seeds if name in request.fixturenames}
    used -= {seed_builds_on[name] for name in used if name in seed_builds_on}
    assert len(used) <= 1, f"a test starts from one seeded state, not {sorted(used)}"
    return used.pop() if used else None


@pytest.fixture
def seed_value(engine: AsyncEngine, seeded: str | None, templates: Templates) -> object:
    """What this test's seed returned (the ids of what it made), on this test's backend."""
    if engine.dialect.name == "postgresql":
        return templates.postgres[seeded].value
    return templates.sqlite[seeded][1]


@pytest.fixture
async def engine(
    database_url: str, seeded: str | None, seeds: dict[str, Seed], templates: Templates
) -> AsyncIterator[AsyncEngine]:
    seed = seeds.get(seeded) if seeded else None
    engine = templates.engine(database_url)
    if engine.dialect.name == "postgresql":
        template = templates.postgres_template(database_url, seeded, seed)
        await templates.resetter.reset(database_url, template)
    else:
        path, _ = templates.sqlite_template(seeded, seed)
        database = make_url(database_url).database
        assert database is not None
        copy_sqlite(path, Path(database))
    yield engine
    await engine.dispose()  # its connections belong to this test's loop; the engine stays


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionFactory:
    return make_session_factory(engine)


# The longest tests first (`make test` hands them out one at a time, `--dist load`): a worker that
# drew the fuzz run or the outage tests (half a minute to two each) last would keep the whole
# suite waiting for it alone; started first, the other workers do the rest meanwhile.
LONGEST_FIRST = (
    "tests/e2e/test_fuzz.py",
    "tests/e2e/test_delivery.py",
    "tests/e2e/test_crash.py",
    "tests/e2e/test_demo.py",
)
# The other end-to-end tests spend most of their time waiting on the network and on Telegram's
# pauses, and so do the tests that drive a browser or start a process; the service tests keep a
# core busy. Spread in a fixed shuffled order over the first part of the run, each waiting test
# waits while the other workers compute, instead of all of them waiting together (the four tests
# of one file at once) or last of all.
WAITING = (
    "tests/e2e/",
    "tests/integration/test_web_browser.py",
    "tests/unit/test_pdf_worker.py",
    "tests/unit/test_cli_lazy.py",
)
SPREAD_OVER = 0.7


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def longest(item: pytest.Item) -> int | None:
        return next((i for i, p in enumerate(LONGEST_FIRST) if item.nodeid.startswith(p)), None)

    first = sorted((i for i in items if longest(i) is not None), key=longest)
    rest = [i for i in items if longest(i) is None]
    waiting = [i for i in rest if i.nodeid.startswith(WAITING)]
    computing = [i for i in rest if not i.nodeid.startswith(WAITING)]
    random.Random(0).shuffle(waiting)  # the same order in every worker, as xdist requires
    items[:] = first + spread(waiting, computing, SPREAD_OVER)


def spread(few: list[T], many: list[T], over: float) -> list[T]:
    """`few` spaced evenly among the first `over` part of `many`, each list keeping its order."""
    span = max(1, round(len(many) * over))
    slots: dict[int, list[T]] = {}
    for n, item in enumerate(few):
        slots.setdefault(n * span // max(1, len(few)), []).append(item)
    merged: list[T] = []
    for position, item in enumerate(many):
        merged.extend(slots.pop(position, []))
        merged.append(item)
    for rest in slots.values():  # more slots than `many` has items
        merged.extend(rest)
    return merged
