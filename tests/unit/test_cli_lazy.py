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


# Needed now and then, never by the bot's main job: imported when used, or (the migrations, the
# PDFs) in a short-lived process of their own; httpx's client and trio are kept out (issue 15).
NOT_RESIDENT = (
    "alembic",
    "mako",
    "pygments",
    "rich",
    "trio",
    "weasyprint",
    "docx",
    "lxml",
    "icalendar",
    "holidays",
)


def test_the_running_bot_loads_none_of_what_it_needs_only_now_and_then() -> None:
    check = (
        "import sys, bot.cli; bot.cli._keep_out_unused(); import bot.main, bot.app; "
        f"print(','.join(m for m in {NOT_RESIDENT!r} if sys.modules.get(m) is not None))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", check], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == ""
