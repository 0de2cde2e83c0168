"""`kkrbot run`: migrate the database, then long-poll Telegram until stopped."""

from __future__ import annotations

import asyncio
import logging

from telegram import Update

from bot.app import build_application
from bot.settings import Settings
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from web.server import WebServer


async def migrate(database_url: str) -> None:
    """Bring the database up to date on its own engine (the bot's loop is not running yet)."""
    engine = make_engine(database_url)
    try:
        await upgrade(engine)
    finally:
        await engine.dispose()


def configure_logging(level: str) -> None:
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)


def run(settings: Settings) -> None:
    """Run the bot in long-polling mode (webhook mode comes later), and the public pages."""
    configure_logging(settings.log_level)
    asyncio.run(migrate(settings.database_url))  # migrations run automatically on start
    sessions = make_session_factory(make_engine(settings.database_url))
    application = build_application(settings, sessions)
    web = start_web(settings)
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    finally:
        if web is not None:
            web.stop()


def start_web(settings: Settings) -> WebServer | None:
    """R-X1: the council's public pages on KKRBOT_WEB_HOST:KKRBOT_WEB_PORT (port 0: none)."""
    if not settings.web_port:
        return None
    web = WebServer(
        settings.database_url, settings.web_host, settings.web_port, settings.public_url
    )
    web.start()
    return web
