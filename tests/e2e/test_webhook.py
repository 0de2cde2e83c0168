"""Webhook mode end to end (issue 16): `kkrbot run --webhook URL` in a process of its own sets the
webhook with a secret; the emulator (another process) posts updates to the public site's port; a
post without the secret is refused, an update posted twice is handled once, and the operator's
routes answer on the same port."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.settings import Settings
from bot.webhook import webhook_secret
from models.db import make_engine, make_session_factory
from models.migrate import upgrade
from telegram_emulator.client import EmulatorClient
from tests.e2e.processes import BotProcess, EmulatorProcess, seed_linked_council
from web.ops import SECRET_HEADER

TOKEN = "4747:WEBHOOK"
PATH = "/telegram/opdatering"


@pytest.fixture
async def webhook_bot(tmp_path: Path) -> AsyncIterator[tuple[EmulatorClient, BotProcess, int]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'webhook.db'}"
    engine = make_engine(url)
    await upgrade(engine)
    _, users = await seed_linked_council(make_session_factory(engine), 3)
    emulator = EmulatorProcess(TOKEN, tmp_path / "emulator.log")
    sim = await emulator.start()
    bot = BotProcess(TOKEN, url, emulator, tmp_path / "bot.log")
    bot.webhook = f"{bot.web_url}{PATH}"
    try:
        await bot.start()
        await sim.add_user(users[0], "Mette", language_code="da")
        yield sim, bot, users[0]
    finally:
        bot.stop()
        emulator.stop()
        await sim.aclose()
        await engine.dispose()


def an_update(update_id: int, user: int, text: str) -> dict[str, Any]:
    person = {"id": user, "is_bot": False, "first_name": "Mette", "language_code": "da"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user, "type": "private", "first_name": "Mette"},
            "from": person,
            "text": text,
        },
    }


async def test_telegram_posts_to_the_webhook_and_each_update_is_handled_once(
    webhook_bot: tuple[EmulatorClient, BotProcess, int],
) -> None:
    sim, bot, user = webhook_bot
    async with httpx.AsyncClient() as http:
        for _ in range(300):  # the site answers before the bot has set its webhook
            info = (await http.get(f"{bot.emulator.base_url}{TOKEN}/getWebhookInfo")).json()
            if info["result"]["url"]:
                break
            await asyncio.sleep(0.05)
    assert info["result"]["url"] == bot.webhook
    reply = await sim.ask(user, "/start", timeout=30)
    assert "Member 000" in (reply.text or "")  # the bot greeted, through the webhook
    assert await sim.calls("getUpdates") == []  # it never polled

    secret = webhook_secret(Settings(telegram_token=TOKEN))
    before = len(await sim.messages(user))
    update = an_update(10**9, user, "/start")
    async with httpx.AsyncClient() as http:
        hook = f"{bot.web_url}{PATH}"
        assert (await http.post(hook, json=update)).status_code == 403
        forged = {SECRET_HEADER: "gæt".encode().hex()}
        assert (await http.post(hook, json=update, headers=forged)).status_code == 403
        for _ in range(2):  # Telegram sends an update again when it got no answer in time
            answer = await http.post(hook, json=update, headers={SECRET_HEADER: secret})
            assert answer.status_code == 200
    await sim.wait_for_messages(user, before + 1, timeout=30)
    await asyncio.sleep(1.0)  # a second answer would show up by now
    assert len(await sim.messages(user)) == before + 1

    async with httpx.AsyncClient() as http:
        assert (await http.get(f"{bot.web_url}/healthz")).text == "ok\n"
        assert (await http.get(f"{bot.web_url}/")).status_code == 200  # the public pages
        metrics = (await http.get(f"{bot.web_url}/metrics")).text
    assert "kkrbot_updates_handled_total 2" in metrics
    assert "kkrbot_updates_duplicate_total 1" in metrics
    assert "kkrbot_notices{kind=" in metrics or "kkrbot_notices" in metrics

    status, took = bot.terminate()
    assert status == 0 and took < 20
