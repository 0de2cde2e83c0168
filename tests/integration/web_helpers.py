"""The public site in-process for tests: httpx on the ASGI app, in the test's own event loop."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import html5lib
import httpx

from models.db import SessionFactory
from tests.conftest import NOW
from web.app import create_app


@asynccontextmanager
async def site(sessions: SessionFactory) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(sessions, clock=lambda: NOW)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://kkr.test") as client:
        yield client


def strict_html(text: str) -> object:
    """Parse as HTML5 strictly (html5lib raises on any parse error) and return the tree."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
