"""Webhook delivery, as Telegram does it: once a bot has set a webhook, each of its pending updates
is POSTed to the URL as JSON (oldest first), with the header ``X-Telegram-Bot-Api-Secret-Token``
when a ``secret_token`` was set. A 2xx answer confirms the update; anything else (or no answer)
keeps it and it is tried again after a pause that grows up to a few seconds, the failure shown in
``getWebhookInfo`` (``last_error_date``, ``last_error_message``).

The pusher runs on the event loop of the server that received ``setWebhook`` (started then, ended
when the emulator closes); it never reads or writes the world without the state's lock.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    from telegram_emulator.state import BotWorld, EmulatorState, JSONDict

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
TIMEOUT = (
    10.0  # seconds Telegram waits for the webhook's answer (it is more lenient; tests are not)
)
FIRST_PAUSE, MAX_PAUSE = 0.2, 5.0


class WebhookPusher:
    """Delivers the pending updates of every bot with a webhook, until the emulator closes."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self._task: asyncio.Task[None] | None = None
        self._pause: dict[int, tuple[float, float]] = {}  # bot id -> (retry at, pause)

    def ensure_running(self) -> None:
        """Start on the running loop unless already running there (called by setWebhook)."""
        loop = asyncio.get_running_loop()
        if self._task is not None and not self._task.done() and self._task.get_loop() is loop:
            return
        self._task = loop.create_task(self._run(), name="emulator-webhook")

    async def _run(self) -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT) as http:
            while not self.state.closing:
                work = self._due()
                if not work:
                    await self.state.notifier.wait_for(lambda: bool(self._due()), 0.25)
                    continue
                await asyncio.gather(*(self._push(http, world, u) for world, u in work))

    def _due(self) -> list[tuple[BotWorld, JSONDict]]:
        """The oldest pending update of each bot whose webhook is set and not pausing."""
        now = self.state.now()
        with self.state.lock:
            due = []
            for world in self.state._all_worlds():
                url = world.webhook.get("url")
                if not url or self._pause.get(world.id, (0.0, 0.0))[0] > now:
                    continue
                pending = world.pending()
                if pending:
                    due.append((world, pending[0][2]))
            return due

    async def _push(self, http: httpx.AsyncClient, world: BotWorld, update: JSONDict) -> None:
        with self.state.lock:
            url = str(world.webhook.get("url") or "")
            secret = world.webhook.get("secret_token")
        headers = {"Content-Type": "application/json"}
        if secret:
            headers[SECRET_HEADER] = str(secret)
        error = None
        try:
            answer = await http.post(url, content=json.dumps(update), headers=headers)
            if not 200 <= answer.status_code < 300:
                error = f"Wrong response from the webhook: {answer.status_code}"
        except httpx.HTTPError as failure:
            error = f"Connection failed: {type(failure).__name__}"
        now = self.state.now()
        with self.state.lock:
            if error is None:
                world.updates = [u for u in world.updates if u[0] != update["update_id"]]
                self._pause.pop(world.id, None)
            else:
                world.webhook.update(last_error_date=int(now), last_error_message=error)
                pause = min(MAX_PAUSE, self._pause.get(world.id, (0.0, FIRST_PAUSE / 2))[1] * 2)
                self._pause[world.id] = (now + pause, pause)
        self.state.changed()
