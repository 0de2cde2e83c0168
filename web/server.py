"""Serving the public pages next to the bot in one process: uvicorn on a thread of its own.

The bot owns the main thread and its event loop (python-telegram-bot's run_polling); the site runs
its own loop with its own database engine, so neither can stall the other's connections.
"""

from __future__ import annotations

import asyncio
import logging
import threading

import uvicorn

from models.db import make_engine, make_session_factory
from web.app import create_app

log = logging.getLogger(__name__)


class _QuietServer(uvicorn.Server):
    """uvicorn's own loop wakes ten times a second to see whether to stop; once a second does
    (issue 15: an idle bot uses no CPU). The date header is refreshed on each of those ticks."""

    async def main_loop(self) -> None:
        should_exit = await self.on_tick(0)
        while not should_exit:
            await asyncio.sleep(1.0)
            should_exit = await self.on_tick(0)  # 0: the once-a-second work (the date header)


class WebServer:
    """uvicorn serving the public site on a daemon thread; `stop()` ends it."""

    def __init__(self, database_url: str, host: str, port: int, base_url: str = "") -> None:
        self.database_url, self.base_url = database_url, base_url
        self.host, self.port = host, port
        self.server: _QuietServer | None = None
        self.thread = threading.Thread(target=self._run, name="kkrbot-web", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        engine = make_engine(self.database_url)
        try:
            app = create_app(make_session_factory(engine), base_url=self.base_url)
            config = uvicorn.Config(
                app, host=self.host, port=self.port, log_level="warning", lifespan="off"
            )
            self.server = _QuietServer(config)
            await self.server.serve()
        finally:
            await engine.dispose()

    def start(self) -> None:
        self.thread.start()
        log.info("public pages on http://%s:%s/", self.host, self.port)

    def stop(self, timeout: float = 5.0) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout)
