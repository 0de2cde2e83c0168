"""Logs (issue 16): the bot token never appears, at any level; JSON on request; an idle bot is quiet."""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.app import build_application
from bot.logs import configure_logging
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from telegram_emulator.server import EmulatorServer
from telegram_emulator.testing import polling

TOKEN = "4646:SECRET-PART-of-the-token"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    for name in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(name).setLevel(logging.NOTSET)


def test_the_token_is_redacted_even_at_debug_and_in_tracebacks(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("DEBUG", token=TOKEN, stream=out)
    logging.getLogger("httpx").warning("POST https://api.telegram.org/bot%s/getUpdates", TOKEN)
    try:
        raise httpx.ConnectError(f"https://api.telegram.org/bot{TOKEN}/sendMessage")
    except httpx.ConnectError:
        logging.getLogger("telegram.ext.Updater").exception("polling failed")
    logging.getLogger("x").debug("only the secret: %s", TOKEN.partition(":")[2])
    text = out.getvalue()
    assert "SECRET-PART" not in text and text.count("[token]") >= 3


def test_json_logs_are_one_object_a_line(restore_logging: None) -> None:
    out = io.StringIO()
    configure_logging("INFO", fmt="json", token=TOKEN, stream=out)
    logging.getLogger("bot.delivery").warning("notice %s not delivered", 7)
    [line] = out.getvalue().splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "bot.delivery",
        "notice 7 not delivered",
    )


async def test_an_idle_bot_writes_nothing_at_info(restore_logging: None, tmp_path: Path) -> None:
    out = io.StringIO()
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'idle.db'}")
    await upgrade(engine)
    async with EmulatorServer(bot_token=TOKEN) as emulator:
        settings = Settings(
            telegram_token=TOKEN,
            telegram_base_url=emulator.base_url,
            telegram_base_file_url=emulator.base_file_url,
            database_url=str(engine.url),
            sweep_interval=0.5,
            delivery_interval=0.1,
            live_interval=0.1,
        )
        app = build_application(settings, make_session_factory(engine))
        async with polling(app):
            await asyncio.sleep(1.0)  # started; what follows is idling
            configure_logging("INFO", token=TOKEN, stream=out)
            await asyncio.sleep(3.0)  # ~30 delivery runs, 150 live checks, 6 sweeps, 3 polls
    await engine.dispose()
    assert out.getvalue() == "", out.getvalue()
