"""DESIGN.md: web/ imports services and templates, never bot or telegram; services never web."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _tops(package: str) -> set[str]:
    found = set()
    for path in (ROOT / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module.split(".")[0])
    return found


def test_the_web_never_imports_the_bot_or_telegram() -> None:
    assert not _tops("web") & {"bot", "telegram", "scheduler"}


def test_services_and_procedure_never_import_the_web() -> None:
    assert "web" not in _tops("services") | _tops("procedure")


def test_the_web_reaches_the_database_only_through_the_unit_of_work() -> None:
    """A feed may write (a calendar event's SEQUENCE): every session comes from unit_of_work, so
    the web's writes take the write guard like the bot's."""
    for path in (ROOT / "web").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "sessions()" not in source and ".begin()" not in source, path.name
