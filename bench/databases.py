"""The benches' own PostgreSQL databases, made when missing: a new machine has only `postgres`
and `test`, and a bench must never empty the tests' database."""

from __future__ import annotations

from sqlalchemy import make_url, text

from models.db import make_engine


async def ensure_database(url: str) -> None:
    """Create the database `url` names unless it exists (on the server's `postgres` database)."""
    target = make_url(url)
    server_url = target.set(database="postgres").render_as_string(hide_password=False)
    server = make_engine(server_url).execution_options(isolation_level="AUTOCOMMIT")
    try:
        async with server.connect() as connection:
            found = await connection.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": target.database}
            )
            if not found:
                await connection.exec_driver_sql(f'CREATE DATABASE "{target.database}"')
    finally:
        await server.dispose()
