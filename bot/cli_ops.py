"""The operator's command line (issue 16): `kkrbot db backup`.

Registered on `bot.cli`'s `db` group at the bottom of bot/cli.py. SQLite is copied with its online
backup API — consistent while the bot runs and writes — into a new file that is then checked;
PostgreSQL is backed up with its own tools, and the command says how.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Annotated

import typer

from bot import cli

PAGES_PER_STEP = 1024  # the running bot may write between steps (SQLite's online backup)


def pg_dump_guidance(url: str) -> str:
    """How to back up (and restore) the PostgreSQL database with its own tools."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    target = parsed.set(drivername="postgresql").render_as_string(hide_password=True)
    return "\n".join(
        [
            "kkrbot does not copy a PostgreSQL database itself; use PostgreSQL's tools",
            "(consistent while the bot runs; the password from ~/.pgpass or PGPASSWORD):",
            "",
            f"  pg_dump --format=custom --file=kkrbot-$(date +%F).dump '{target}'",
            "",
            "restore into an empty database (then `kkrbot db upgrade`):",
            "",
            f"  pg_restore --no-owner --dbname='{target}' kkrbot-YYYY-MM-DD.dump",
            "",
            "see deploy/postgresql.md for a nightly timer and keeping several copies.",
        ]
    )


def backup_sqlite(source: Path, target: Path) -> int:
    """Copy the database at `source` into the new file `target` page by page (SQLite's online
    backup: consistent even while another process writes); returns the bytes written."""
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as src,
            closing(sqlite3.connect(partial)) as dst,
        ):
            src.execute("PRAGMA busy_timeout=5000")
            src.backup(dst, pages=PAGES_PER_STEP)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
            checked = dst.execute("PRAGMA integrity_check").fetchone()
        if checked is None or checked[0] != "ok":
            raise sqlite3.DatabaseError(f"the copy fails its integrity check: {checked}")
        os.replace(partial, target)  # the backup appears whole or not at all
    finally:
        partial.unlink(missing_ok=True)
    return target.stat().st_size


@cli.db_app.command("backup")
def db_backup(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Argument(
            help="The new file [default: kkrbot-YYYY-MM-DD-HHMMSS.db here].", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite OUTPUT if it exists.")] = False,
) -> None:
    """Back up the database while the bot runs: SQLite to a file; for PostgreSQL, how with pg_dump."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    settings = cli._settings(ctx)
    try:
        url = make_url(settings.database_url)
    except ArgumentError:
        cli._fail(f"cannot use the database URL {settings.database_url!r}")
    if url.get_backend_name() == "postgresql":
        typer.echo(pg_dump_guidance(settings.database_url))
        cli._fail("nothing was copied: back up PostgreSQL with pg_dump, as above")
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        cli._fail(f"cannot back up {cli._safe_url(settings.database_url)}: not a SQLite file")
    source = Path(url.database)
    if not source.is_file():
        cli._fail(f"no database at {source}")
    target = output or Path(f"kkrbot-{cli.clock():%Y-%m-%d-%H%M%S}.db")
    if target.exists() and not force:
        cli._fail(f"{target} exists already (--force overwrites it)")
    if target.resolve() == source.resolve():
        cli._fail("the backup cannot be the database itself")
    try:
        size = backup_sqlite(source, target)
    except (sqlite3.Error, OSError) as error:
        cli._fail(f"the backup failed: {error}")
    typer.echo(f"backup of {source} written to {target} ({size} bytes)")
