"""The emulator as an ASGI app, and a uvicorn server on loopback for tests, the demo and benches."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import threading
from collections.abc import Generator
from types import TracebackType
from typing import TYPE_CHECKING, Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from telegram_emulator.botapi import BotApi
from telegram_emulator.faults import RateLimitConfig
from telegram_emulator.sim import SimApi
from telegram_emulator.state import EmulatorState

if TYPE_CHECKING:
    from telegram_emulator.client import EmulatorClient


def create_app(
    state: EmulatorState | None = None,
    *,
    bot_token: str | None = None,
    bot_username: str | None = None,
    rate_limits: RateLimitConfig | None = None,
) -> Starlette:
    """A Starlette app serving the Bot API and the simulation API over one ``EmulatorState``."""
    if state is None:
        state = EmulatorState(
            bot_token=bot_token, bot_username=bot_username, rate_limits=rate_limits
        )

    async def not_found(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"ok": False, "error_code": 404, "description": "Not Found"}, 404)

    app = Starlette(
        routes=[*BotApi(state).routes(), *SimApi(state).routes()],
        exception_handlers={404: not_found, 405: not_found},
    )
    app.state.emulator = state
    return app


class _Server(uvicorn.Server):
    """uvicorn that leaves the host program's signal handlers alone."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        yield


class EmulatorServer:
    """The emulator on 127.0.0.1 (port 0 = any free port).

    ``async with EmulatorServer() as emu:`` serves on the running event loop (or in a thread of
    its own with ``in_thread=True``); ``start()``/``stop()`` (or ``with``) always use a thread.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        state: EmulatorState | None = None,
        bot_token: str | None = None,
        bot_username: str | None = None,
        rate_limits: RateLimitConfig | None = None,
        in_thread: bool = False,
        log_level: str = "warning",
    ) -> None:
        self.state = state or EmulatorState(
            bot_token=bot_token, bot_username=bot_username, rate_limits=rate_limits
        )
        self.app = create_app(self.state)
        self.host = host
        self._requested_port = port
        self._in_thread = in_thread
        self._log_level = log_level
        self._socket: socket.socket | None = None
        self._server: _Server | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # ------------------------------------------------------------------ URLs

    @property
    def port(self) -> int:
        if self._socket is None:
            raise RuntimeError("the emulator is not running")
        return int(self._socket.getsockname()[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: PTB appends the token and the method."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        return f"{self.url}/file/bot"

    @property
    def sim_url(self) -> str:
        return f"{self.url}/sim"

    def client(self, *, bot_id: int | None = None) -> EmulatorClient:
        from telegram_emulator.client import EmulatorClient

        return EmulatorClient(self.sim_url, bot_id=bot_id)

    # ------------------------------------------------------------ lifecycle

    def _bind(self) -> socket.socket:
        # IPPROTO_TCP named, not left 0: asyncio turns Nagle's algorithm off (TCP_NODELAY) only on
        # sockets whose protocol says TCP, and accepted sockets inherit it. With Nagle on, every
        # answer on a kept-alive connection waited some 40 ms for the client's delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self._requested_port))
        sock.set_inheritable(True)
        self._socket = sock
        return sock

    def _make_server(self) -> _Server:
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            lifespan="off",
            access_log=False,
            timeout_graceful_shutdown=2,
            timeout_keep_alive=30,
        )
        self._server = _Server(config)
        return self._server

    async def start_async(self) -> None:
        if self._in_thread:
            await asyncio.to_thread(self.start)
            return
        sock = self._bind()
        server = self._make_server()
        self._task = asyncio.create_task(server.serve(sockets=[sock]))
        while not server.started:
            if self._task.done():
                self._task.result()  # raises the start-up error
                raise RuntimeError("the emulator stopped while starting")
            await asyncio.sleep(0.005)

    async def stop_async(self) -> None:
        if self._thread is not None:
            await asyncio.to_thread(self.stop)
            return
        self.state.closing = True
        self.state.changed()  # ends pending long polls at once
        if self._server is not None:
            self._server.should_exit = True
        if self._task is not None:
            await self._task
            self._task = None
        self._close_socket()

    def start(self) -> None:
        """Serve in a background thread until ``stop()``."""
        sock = self._bind()
        server = self._make_server()

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as error:  # reported to the thread that waits in start()
                self._error = error
            finally:
                self._ready.set()

        self._thread = threading.Thread(target=run, name="kkrbot-emulator", daemon=True)
        self._thread.start()
        while not server.started and not self._ready.is_set():
            self._ready.wait(0.005)
        if self._error is not None or not server.started:
            raise RuntimeError("the emulator did not start") from self._error

    def stop(self) -> None:
        self.state.closing = True
        self.state.changed()
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        self._close_socket()

    def _close_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError):
                self._socket.close()

    async def __aenter__(self) -> EmulatorServer:
        await self.start_async()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop_async()

    def __enter__(self) -> EmulatorServer:
        self.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()
