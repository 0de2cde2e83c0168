"""Apply the Alembic migrations shipped inside the package (`kkrbot db upgrade`, and on start)."""

from __future__ import annotations

from functools import cache

from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

SCRIPT_LOCATION = "models:migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at the packaged migrations; no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@cache  # the packaged migrations do not change while a process runs
def head_revision() -> str:
    """The newest packaged revision; refuses a history that forked into several heads."""
    from alembic.script import ScriptDirectory

    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"the migrations have {len(heads)} heads: {sorted(heads)}")
    return heads[0]


async def upgrade(engine: AsyncEngine, revision: str = "head") -> None:
    """Bring the database to `revision` in one transaction. A database already at the head is
    left alone after one read: every CLI command upgrades first, and Alembic's own check loads
    and parses every migration script (a tenth of a second) to find nothing to do."""

    def run(connection: Connection) -> None:
        if revision == "head" and _revision_of(connection) == head_revision():
            return
        command.upgrade(alembic_config(connection), revision)

    async with engine.begin() as connection:
        await connection.run_sync(run)


def _revision_of(connection: Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


async def current_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    async with engine.connect() as connection:
        return await connection.run_sync(_revision_of)
