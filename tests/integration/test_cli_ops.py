"""`kkrbot db backup` (issue 16): SQLite copied with its online backup API while the bot writes;
PostgreSQL answered with pg_dump guidance and nothing copied."""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli


def kkrbot(*args: str | Path, url: str) -> Result:
    return CliRunner().invoke(cli.app, [str(a) for a in args], env={"KKRBOT_DATABASE_URL": url})


def a_database(path: Path, rows: int) -> None:
    with closing(sqlite3.connect(path)) as db:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE notice (id INTEGER PRIMARY KEY, text TEXT)")
        db.executemany("INSERT INTO notice (text) VALUES (?)", [("x" * 500,)] * rows)
        db.commit()


def count(path: Path) -> int:
    with closing(sqlite3.connect(path)) as db:
        return int(db.execute("SELECT count(*) FROM notice").fetchone()[0])


def test_a_sqlite_database_is_copied_whole_while_another_process_writes(tmp_path: Path) -> None:
    source, copy = tmp_path / "kkrbot.db", tmp_path / "backup.db"
    a_database(source, 5000)
    stop = threading.Event()

    def write() -> None:  # the running bot, writing all along
        with closing(sqlite3.connect(source, timeout=5)) as db:
            while not stop.is_set():
                db.execute("INSERT INTO notice (text) VALUES ('y')")
                db.commit()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        result = kkrbot("db", "backup", copy, url=f"sqlite+aiosqlite:///{source}")
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert f"written to {copy}" in result.stdout
    assert 5000 <= count(copy) <= count(source)
    with closing(sqlite3.connect(copy)) as db:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not list(tmp_path.glob(".*partial"))


def test_an_existing_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    source, copy = tmp_path / "kkrbot.db", tmp_path / "backup.db"
    a_database(source, 3)
    copy.write_text("an older backup")
    url = f"sqlite+aiosqlite:///{source}"
    refused = kkrbot("db", "backup", copy, url=url)
    assert refused.exit_code == 1 and "exists already" in refused.stderr
    assert copy.read_text() == "an older backup"
    assert kkrbot("db", "backup", copy, "--force", url=url).exit_code == 0
    assert count(copy) == 3


def test_postgresql_gets_pg_dump_guidance_and_nothing_is_copied(tmp_path: Path) -> None:
    result = kkrbot(
        "db", "backup", tmp_path / "x.db", url="postgresql+asyncpg://kkr:hemmelig@db.local/kkrbot"
    )
    assert result.exit_code == 1
    assert "pg_dump --format=custom" in result.stdout
    assert "postgresql://kkr:***@db.local/kkrbot" in result.stdout
    assert "hemmelig" not in result.output
    assert not (tmp_path / "x.db").exists()


@pytest.mark.parametrize("url", ["sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite:///nowhere.db"])
def test_nothing_to_back_up_is_an_error(
    url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = kkrbot("db", "backup", url=url)
    assert result.exit_code == 1 and result.stderr.startswith("error:")
