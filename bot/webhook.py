"""Webhook mode (`kkrbot run --webhook URL`, issue 16): Telegram POSTs each update to the public
site's port (web/ops.py checks the secret token); every instance may receive, and the gate's
record of each update_id (bot/gate.py) has each handled once however often it arrives.

The site runs on a thread and loop of its own (web/server.py); `UpdateInbox` hands each update
over to the bot's loop, where the Application takes it from its update queue as if polled.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from telegram import Update

from bot.app import KKRApplication
from bot.settings import Settings

log = logging.getLogger(__name__)


def webhook_secret(settings: Settings) -> str:
    """The secret Telegram sends in every webhook request: KKRBOT_WEBHOOK_SECRET, or one derived
    from the bot token, so every instance of the bot knows it without being told (1-256 of
    A-Z a-z 0-9 _ -, as Telegram requires)."""
    if settings.webhook_secret:
        return settings.webhook_secret
    token = (settings.telegram_token or "").encode()
    return hashlib.sha256(b"kkrbot webhook secret:" + token).hexdigest()


def webhook_path(url: str) -> str:
    """The path Telegram posts to, as the reverse proxy passes it on (`/telegram` when none)."""
    path = urlsplit(url).path
    return path if path and path != "/" else "/telegram"


def check_webhook_url(url: str) -> str | None:
    """Why Telegram would refuse this URL, or None (the emulator takes http on loopback too)."""
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        return "the webhook URL must be an https:// address Telegram can reach"
    return None


@dataclass
class UpdateInbox:
    """Called on the site's loop with an update's JSON; puts the update on the bot's queue."""

    application: KKRApplication
    loop: asyncio.AbstractEventLoop
    open: bool = True

    async def __call__(self, data: dict[str, Any]) -> bool:
        if not self.open or self.loop.is_closed():
            return False  # stopping: Telegram is told 503 and sends the update again later
        future = asyncio.run_coroutine_threadsafe(self._put(data), self.loop)
        return await asyncio.wrap_future(future)

    async def _put(self, data: dict[str, Any]) -> bool:
        if not self.open or not self.application.running:
            return False
        try:
            update = Update.de_json(data, self.application.bot)
        except Exception as error:  # not an update Telegram would send: taken, and dropped
            log.warning("webhook: update %s not understood (%s)", data.get("update_id"), error)
            return True
        await self.application.update_queue.put(update)
        return True
