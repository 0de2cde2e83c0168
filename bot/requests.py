"""The bot's two HTTP connections to the Bot API (the one for getUpdates and the one for
everything else) share one TLS context per process.

Left to itself, every httpx client loads the whole CA bundle into a context of its own: some
40 ms of CPU and about a megabyte each, paid again by every application the process builds (a
restart, each end-to-end test). The trust store is the same every time, so it is loaded once.
"""

from __future__ import annotations

import ssl
from functools import cache

import httpx
from telegram.request import HTTPXRequest

REQUEST_POOL = 256  # PTB's own defaults for the two connections
GET_UPDATES_POOL = 1


@cache
def tls_context() -> ssl.SSLContext:
    """The one verifying TLS context of the process, made as httpx makes its own (certifi, or
    SSL_CERT_FILE / SSL_CERT_DIR when set)."""
    return httpx.create_ssl_context()


def bot_api_request(*, get_updates: bool = False) -> HTTPXRequest:
    """A connection to the Bot API as PTB's builder makes it, with the shared TLS context."""
    return HTTPXRequest(
        connection_pool_size=GET_UPDATES_POOL if get_updates else REQUEST_POOL,
        httpx_kwargs={"verify": tls_context()},
    )
