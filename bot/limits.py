"""Telegram's limits as the whole bot keeps them (issue 16): the pause after a 429 (FloodGate), the
per-chat pace (ChatPacer), and the stop that lets sends in flight finish (Draining)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta


@dataclass
class FloodGate:
    """Telegram's flood control for the whole bot: after a 429 nothing is sent until the instant
    Telegram named, counted from when the 429 arrived (not from when the run began)."""

    clock: Callable[[], float] = time.monotonic
    until: float = 0.0
    hits: int = 0

    def pause(self, retry_after: int | timedelta) -> None:
        self.hits += 1
        self.until = max(self.until, self.clock() + retry_delay(retry_after).total_seconds())

    async def wait(self) -> None:
        while (left := self.until - self.clock()) > 0:
            await asyncio.sleep(left)  # Telegram's real pause, not a test waiting


FLOOD = FloodGate()


@dataclass
class Draining:
    """Set when the process stops (SIGTERM): the sends in flight finish and are recorded, nothing
    new is sent or claimed, and what a run still holds is given back at once (due now)."""

    requested: bool = False


class Released(Exception):
    """The process stops before this part was sent: the notice is given back, not failed."""


@dataclass
class ChatPacer:
    """Telegram's per-chat limit (about one message a second, a short burst allowed)."""

    burst: float = 3.0
    per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _tokens: dict[int, tuple[float, float]] = field(default_factory=dict)

    async def wait(self, chat_id: int) -> None:
        now = self.clock()
        tokens, last = self._tokens.get(chat_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            pause = (1 - tokens) / self.per_second
            await asyncio.sleep(pause)  # pacing real Telegram calls, not a test waiting
            now, tokens = now + pause, 1.0
        self._tokens[chat_id] = (tokens - 1, now)
        if len(self._tokens) > 10_000:
            self._tokens.clear()


PACER = ChatPacer()


def retry_delay(retry_after: int | timedelta) -> timedelta:
    """How long Telegram asked us to wait (PTB gives an int today, a timedelta when opted in)."""
    return retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)
