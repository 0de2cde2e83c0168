"""Serving the public pages next to the bot in one process: uvicorn on a thread of its own.

The bot owns the main thread and its event loop (python-telegram-bot); the site runs its own loop
with its own database engine, so neither can stall the other's connections. The operator's routes
(web/ops.py: /healthz, /readyz, /metrics and, in webhook mode, the route Telegram posts to) are
served by the same app on the same port.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from typing import Any

import uvicorn

from models.db import make_engine, make_session_factory
from web.app import create_app
from web.ops import Counters, Receive, ops_routes

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
    """uvicorn serving the public site (and the operator's routes) on a daemon thread."""

    def __init__(
        self,
        database_url: str,
        host: str,
        port: int,
        base_url: str = "",
        *,
        counters: Counters = dict,
        webhook: tuple[str, str, Receive] | None = None,
    ) -> None:
        self.database_url, self.base_url = database_url, base_url
        self.host, self.port = host, port
        self.counters, self.webhook = counters, webhook
        self.server: _Server | None = None
        self.started = threading.Event()
        self.thread = threading.Thread(target=self._run, name="kkrbot-web", daemon=True)

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        engine = make_engine(self.database_url)
        try:
            sessions = make_session_factory(engine)
            extra = ops_routes(sessions, counters=self.counters, webhook=self.webhook)
            app = create_app(sessions, base_url=self.base_url, extra_routes=extra)
            config = uvicorn.Config(
                app, host=self.host, port=self.port, log_level="warning", lifespan="off"
            )
            self.server = _Server(config)
            self.server.on_started = self.started.set
            await self.server.serve()
        finally:
            self.started.set()  # also when it could not start: nobody waits for ever
            await engine.dispose()

    def start(self, wait: float = 10.0) -> None:
        self.thread.start()
        self.started.wait(wait)
        log.info("public pages on http://%s:%s/", self.host, self.port)

    def stop(self, timeout: float = 5.0) -> None:
        if self.server is not None:
            self.server.should_exit = True
        self.thread.join(timeout)


class _Server(_QuietServer):
    """uvicorn that says when it listens (on a thread, it leaves the bot's signals alone)."""

    on_started: Any = None

    async def startup(self, sockets: Any = None) -> None:
        await super().startup(sockets=sockets)
        if self.on_started is not None:
            self.on_started()
