"""procedure/ stays pure: only the standard library and holidays, and no clock reads (DESIGN.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

PROCEDURE = Path(__file__).resolve().parents[2] / "procedure"
MODULES = sorted(PROCEDURE.glob("*.py"))
ALLOWED = set(sys.stdlib_module_names) | {"holidays", "procedure", "__future__"}


def test_there_are_procedure_modules_to_check() -> None:
    assert len(MODULES) >= 8


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_procedure_imports_only_the_standard_library_and_holidays(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    tops = {
        alias.name.split(".")[0]
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for alias in n.names
    }
    tops |= {
        n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module
    }
    assert tops <= ALLOWED, tops - ALLOWED


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_procedure_never_reads_the_clock(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    calls = {
        n.func.attr
        for n in ast.walk(tree)
        if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
    }
    assert not calls & {"now", "utcnow", "today", "time_ns", "monotonic"}


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_public_function_names_its_rule_in_its_docstring(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            doc = ast.get_docstring(node) or ""
            assert doc and "R-" in doc.splitlines()[0], f"{path.name}: {node.name}"
