"""Only the sweep holds the system actor: no handler, CLI, web page or other service names it
(DESIGN.md: "the clock's own work acts as an explicit system actor, never as 'no actor'")."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HOLDERS = {"services/actors.py", "services/agenda_sweep.py"}  # defined; held by the sweep
TYPED = {"services/agenda_delivery.py"}  # takes it as a parameter (and checks what it may do)
NAMED = re.compile(r"\bSYSTEM\b|\bSystemActor\b")


def test_only_the_sweep_holds_the_system_actor() -> None:
    places = set()
    for folder in ("bot", "services", "web", "scheduler", "procedure", "models"):
        for path in (ROOT / folder).rglob("*.py"):
            if NAMED.search(path.read_text(encoding="utf-8")):
                places.add(str(path.relative_to(ROOT)))
    assert places - TYPED == HOLDERS
    for path in TYPED:
        assert not re.search(r"\bSYSTEM\b", (ROOT / path).read_text(encoding="utf-8"))
