"""`kkrbot demo`: the emulator and the real bot in one process, a fresh SQLite file, a demo council."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.app import build_application
from bot.context import system_clock
from bot.demo.chat import HELP, DemoChat
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from models.unit_of_work import unit_of_work
from scheduler.jobs import run_sweep
from services.demo_seed import seed_demo
from services.outbox import sending_to
from telegram_emulator.server import EmulatorServer
from telegram_emulator.testing import polling

DEMO_TOKEN = "1000001:DEMO-TOKEN"
BANNER = """\
kkrbot demo — KKR Nordjylland (fictional people), the real bot against a local Telegram emulator.
Database: {database}
Type `help` for the demo's commands, `people` for who is who. Try:
  as Anne Rasmussen
  /start {{invite}}
  /moeder
"""


def main(settings: Settings, script: Path | None = None) -> int:
    """Run the demo interactively, or play `script` and print the transcript; returns an exit code."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    lines = script.read_text(encoding="utf-8").splitlines() if script else None
    return asyncio.run(_demo(lines, out=print, colour=sys.stdout.isatty() and lines is None))


async def play_script(lines: list[str], *, out: Callable[[str], None]) -> int:
    """Play demo lines non-interactively, writing the transcript to `out` (used by the tests too)."""
    return await _demo(lines, out=out, colour=False)


async def _demo(lines: list[str] | None, *, out: Callable[[str], None], colour: bool) -> int:
    database = Path(tempfile.mkdtemp(prefix="kkrbot-demo-")) / "demo.db"
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    await upgrade(engine)
    sessions = make_session_factory(engine)
    council = await seed_demo(sessions, system_clock())
    try:
        async with EmulatorServer(bot_username="kkrbot_demo_bot") as emulator:
            settings = Settings(
                telegram_token=DEMO_TOKEN,
                telegram_base_url=emulator.base_url,
                telegram_base_file_url=emulator.base_file_url,
                database_url=str(engine.url),
                sweep_interval=10,
                delivery_interval=0.2,
            )
            application = build_application(settings, sessions)
            async with polling(application), emulator.client() as sim:

                async def sending(user_id: int) -> bool:
                    async with unit_of_work(sessions, write=False) as session:
                        return await sending_to(session, user_id)

                chat = DemoChat(
                    sim,
                    council,
                    lambda: run_sweep(sessions, system_clock()),
                    out,
                    colour,
                    sending=sending,
                )
                await chat.setup()
                out(BANNER.format(database=database))
                await (_play(chat, lines, out) if lines is not None else _interact(chat))
    finally:
        await engine.dispose()
    return 0


async def _play(chat: DemoChat, lines: list[str], out: Callable[[str], None]) -> None:
    for line in lines:
        if line.strip():
            out(line if line.startswith("#") else f"> {line}")
        if not await chat.handle(line):
            return


async def _interact(chat: DemoChat) -> None:
    while True:
        who = chat.current.name if chat.current else "nobody"
        try:
            line = await asyncio.to_thread(input, f"[{who}] > ")
        except (EOFError, KeyboardInterrupt):
            print()
            return
        if not await chat.handle(line):
            return


__all__ = ["HELP", "main"]
