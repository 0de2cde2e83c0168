"""`kkrbot run`: migrate the database, then long-poll Telegram until stopped (SIGTERM, SIGINT).

Several instances may run on one PostgreSQL database: one polls (bot/leader.py), the others stand
by and take over within seconds; every instance runs the outbox worker and the clock, which claim
their work row by row. Each update is handled once whoever receives it (bot/gate.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time

from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.app import KKRApplication, build_application
from bot.leader import Leadership
from bot.logs import configure_logging
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from web.server import WebServer

log = logging.getLogger(__name__)
STANDBY_CHECK = 2.0  # seconds between a standby's tries for the poller lock (takeover time)
POLL_TIMEOUT = 10  # long-poll seconds; also how long a stop may wait for the last poll


async def migrate(database_url: str) -> None:
    """Bring the database up to date on its own engine (the bot's loop is not running yet)."""
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


class QuietConflicts:
    """The updater's error callback: a 409 (someone else polls this token) is one warning a minute,
    never a traceback; other polling errors are one line each."""

    def __init__(self, every: float = 60.0) -> None:
        self.every, self._last = every, 0.0

    def __call__(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            now = time.monotonic()
            if now - self._last >= self.every:
                self._last = now
                log.warning("another process polls this bot token (409 Conflict)")
            return
        log.warning("polling Telegram failed: %s", type(error).__name__)


async def serve(application: KKRApplication, leadership: Leadership, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: poll while leading, stand by otherwise."""
    application.bot_data["leading"] = leadership.single
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    updater = application.updater
    assert updater is not None
    on_error = QuietConflicts()
    try:
        while not stop.is_set():
            leading = await leadership.hold()
            application.bot_data["leading"] = leading  # the live editor runs in the leader only
            if leading and not updater.running:
                log.info("polling Telegram (this instance leads)")
                await updater.start_polling(
                    allowed_updates=Update.ALL_TYPES, timeout=POLL_TIMEOUT, error_callback=on_error
                )
            elif not leading and updater.running:
                log.warning("no longer the poller: standing by")
                await updater.stop()
            with contextlib.suppress(TimeoutError):  # the next look at the lock
                await asyncio.wait_for(stop.wait(), STANDBY_CHECK)
    finally:
        if updater.running:
            await updater.stop()
        await application.stop()  # the jobs finish; an outbox batch cancelled gives back its claims
        if application.post_stop is not None:
            await application.post_stop(application)  # the live editor stops
        await application.shutdown()
        await leadership.release()


def run(settings: Settings) -> None:
    """Run the bot in long-polling mode, and the public pages, until SIGTERM or SIGINT."""
    configure_logging(settings.log_level, fmt=settings.log_format, token=settings.telegram_token)
    asyncio.run(migrate(settings.database_url))  # migrations run automatically on start
    asyncio.run(_main(settings))


async def _main(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    application = build_application(settings, make_session_factory(engine))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    web = start_web(settings)
    try:
        await serve(application, Leadership(engine), stop)
    finally:
        if web is not None:
            web.stop()
        await engine.dispose()


def start_web(settings: Settings) -> WebServer | None:
    """R-X1: the council's public pages on KKRBOT_WEB_HOST:KKRBOT_WEB_PORT (port 0: none)."""
    if not settings.web_port:
        return None
    web = WebServer(
        settings.database_url, settings.web_host, settings.web_port, settings.public_url
    )
    web.start()
    return web
