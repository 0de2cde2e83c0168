"""`kkrbot --help` stays fast (issue 15): loading the command line, every sub-command included,
imports none of the stack; each command imports what it needs when it runs."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sqlalchemy", "sqlmodel", "telegram", "weasyprint", "jinja2")


def test_loading_the_command_line_imports_none_of_the_stack() -> None:
    check = f"import sys, bot.cli; print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
