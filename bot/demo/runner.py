"""`kkrbot demo`: the emulator and the real bot in one process, a fresh SQLite file, a demo council."""

from __future__ import annotations

import asyncio
import logging
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

from bot.app import KKRApplication, build_application
from bot.context import system_clock
from bot.demo.chat import HELP, DemoChat
from bot.settings import Settings
from models.db import SessionFactory, make_engine, make_session_factory
from models.migrate import upgrade
from scheduler.jobs import run_sweep
from services.demo_seed import seed_demo
from services.outbox import in_flight_for
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
                chat = DemoChat(
                    sim,
                    council,
                    lambda: run_sweep(sessions, system_clock()),
                    out,
                    in_flight_counter(sessions, application),
                    colour,
                )
                await chat.setup()
                out(BANNER.format(database=database))
                await (_play(chat, lines, out) if lines is not None else _interact(chat))
    finally:
        await engine.dispose()
    return 0


def in_flight_counter(
    sessions: SessionFactory, application: KKRApplication
) -> Callable[[int], Awaitable[int]]:
    """What is still on its way to a person: notices due or being sent to them, and any update the
    bot has fetched and not finished handling (on a busy machine the second message of an answer
    can come later than the settling pause)."""

    async def count(telegram_user_id: int) -> int:
        handling = application.update_queue.qsize()
        handling += application.update_processor.current_concurrent_updates
        async with sessions() as session:
            due = await in_flight_for(
                session, telegram_user_id=telegram_user_id, now=system_clock()
            )
        return handling + due

    return count


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
