"""`kkrbot run` serves the public pages on one port, on a thread beside the bot (R-X1)."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import httpx

from bot.main import start_web
from bot.settings import Settings
from models.db import make_engine
from models.migrate import upgrade


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_the_site_answers_on_its_port_and_stops(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'web.db'}"

    async def migrate() -> None:
        engine = make_engine(url)
        await upgrade(engine)
        await engine.dispose()

    asyncio.run(migrate())
    port = _free_port()
    web = start_web(Settings(database_url=url, web_port=port, _env_file=None))  # type: ignore[call-arg]
    assert web is not None
    try:
        answer = None
        for _ in range(100):  # the thread binds the port a moment after starting
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.ConnectError:
                time.sleep(0.05)
        assert answer is not None and answer.status_code == 200
        assert '<html lang="da">' in answer.text
    finally:
        web.stop()
    assert not web.thread.is_alive()
    assert start_web(Settings(database_url=url, web_port=0, _env_file=None)) is None  # type: ignore[call-arg]
