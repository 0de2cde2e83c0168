"""The Bot API emulator stands apart: it imports nothing of kkrbot, and only the demo imports it (DESIGN.md)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KKRBOT = ("bot", "services", "models", "procedure", "scheduler", "templates")
EMULATOR = sorted((ROOT / "telegram_emulator").rglob("*.py"))
# The demo runs the bot against the emulator; it is imported only by `kkrbot demo`, lazily.
PRODUCTION = sorted(
    path
    for package in KKRBOT
    for path in (ROOT / package).rglob("*.py")
    if not path.is_relative_to(ROOT / "bot" / "demo")
)


def imported_tops(path: Path) -> set[str]:
    """The top-level packages a module imports (absolute imports; relative ones stay inside)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    tops = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    return tops | {
        node.module.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
    }


def test_there_are_modules_on_both_sides_to_check() -> None:
    assert len(EMULATOR) >= 10
    assert any(path.is_relative_to(ROOT / "bot" / "handlers") for path in PRODUCTION)


@pytest.mark.parametrize("path", EMULATOR, ids=lambda p: p.name)
def test_the_emulator_imports_nothing_of_kkrbot(path: Path) -> None:
    assert not imported_tops(path) & set(KKRBOT)


@pytest.mark.parametrize("path", PRODUCTION, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_production_module_imports_the_emulator(path: Path) -> None:
    assert "telegram_emulator" not in imported_tops(path)
