"""The bot's two HTTP connections to the Bot API: the one for getUpdates and the one for
everything else.

Everything else goes through at most REQUEST_SLOTS calls in flight; the calls beyond wait their
turn here, in order, before httpx sees them. httpcore's connection pool (1.0.x) does work on every
call that grows with the square of its connections and queued calls (each pass counts the idle
connections once per connection and polls the idle sockets; encode/httpcore#1035): with PTB's 256
connections, 200 members writing at once spent a fifth of the bot's CPU there (issue 15, bench/
reply_latency.py: 6.2 ms per update with 256 connections, 3.5-4.6 with 8). Eight calls in flight
are plenty for Telegram: at 50-100 ms a call they carry 80-160 calls a second, where Telegram
takes about 30 messages a second from a bot.

Both connections share one TLS context per process: left to itself, every httpx client loads the
whole CA bundle into a context of its own, some 40 ms of CPU and about a megabyte each, paid again
by every application the process builds (a restart, each end-to-end test).
"""

from __future__ import annotations

import asyncio
import ssl
from functools import cache

import httpx
from telegram._utils.types import ODVInput
from telegram.request import BaseRequest, HTTPXRequest, RequestData

REQUEST_SLOTS = 8
GET_UPDATES_POOL = 1  # one long poll at a time, as PTB's builder makes it


@cache
def tls_context() -> ssl.SSLContext:
    """The one verifying TLS context of the process, made as httpx makes its own (certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR when set)."""
    return httpx.create_ssl_context()


class SlottedRequest(HTTPXRequest):
    """An HTTPXRequest with one connection per slot, whose calls take a slot each while they run.

    Waiting for a slot has no deadline of its own: every call in flight ends within its own
    timeouts, so the queue always moves, and a reply that waited is still a reply (httpx's pool
    timeout would instead drop it as TimedOut)."""

    def __init__(self, slots: int = REQUEST_SLOTS) -> None:
        super().__init__(connection_pool_size=slots, httpx_kwargs={"verify": tls_context()})
        self._slots = asyncio.Semaphore(slots)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        async with self._slots:
            return await super().do_request(
                url,
                method,
                request_data,
                read_timeout,
                write_timeout,
                connect_timeout,
                pool_timeout,
            )


def bot_api_request(*, get_updates: bool = False) -> HTTPXRequest:
    """A connection to the Bot API as PTB's builder makes it, with the shared TLS context; the one
    for everything but getUpdates takes its calls through REQUEST_SLOTS."""
    if get_updates:
        return HTTPXRequest(
            connection_pool_size=GET_UPDATES_POOL, httpx_kwargs={"verify": tls_context()}
        )
    return SlottedRequest()
