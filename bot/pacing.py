"""Telegram's limits, kept where they apply (issue 15): a direct reply goes at once; the outbox,
which sends the broadcasts, paces itself just under the overall limit; a group gets at most its
20 messages a minute, whoever sends them.

PTB's AIORateLimiter put every call, replies too, behind one overall 30/s limiter: a burst of 200
members writing at once waited seconds for their answers behind each other (and behind an agenda
going out). A 429 still reaches the caller: the outbox pauses and sends again, a reply's handler
says it was lost (bot/errors.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from aiolimiter import AsyncLimiter
from telegram._utils.types import JSONDict
from telegram.ext import BaseRateLimiter

GROUP_PER_MINUTE = 20
OVERALL_PER_SECOND = 29.5  # Telegram allows about 30 messages a second to different chats


class GroupLimiter(BaseRateLimiter[None]):
    """The rate limiter of the bot's requests: only calls to a group (or channel) wait, at most
    `per_minute` a minute per group; everything else goes straight to Telegram."""

    def __init__(self, per_minute: float = GROUP_PER_MINUTE) -> None:
        self.per_minute = per_minute
        self._groups: dict[int | str, AsyncLimiter] = {}

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: None,
    ) -> bool | JSONDict | list[JSONDict]:
        group = _group(data.get("chat_id"))
        if group is None:
            return await callback(*args, **kwargs)
        limiter = self._groups.get(group)
        if limiter is None:
            if len(self._groups) > 1000:
                self._groups.clear()
            limiter = self._groups[group] = AsyncLimiter(self.per_minute, 60)
        async with limiter:
            return await callback(*args, **kwargs)


def _group(chat_id: object) -> int | str | None:
    """A group's or channel's id (negative, or an @username), None for a private chat or none."""
    if isinstance(chat_id, str):
        try:
            chat_id = int(chat_id)
        except ValueError:
            return chat_id
    if isinstance(chat_id, int) and chat_id < 0:
        return chat_id
    return None


@dataclass
class TokenBucket:
    """A pace of `per_second` with a burst of `burst`. A send takes its turn before it waits for
    it, so senders that ask at the same moment queue one behind the other, never go together."""

    per_second: float
    burst: float
    tokens: float
    updated: float

    def take(self, now: float) -> float:
        """Take the next turn; the seconds until it comes (0: now)."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.per_second) - 1
        self.updated = now
        return max(0.0, -self.tokens / self.per_second)


Sleep = Callable[[float], Awaitable[None]]


@dataclass
class OverallPacer:
    """The outbox's own pace over all chats: evenly spaced just under Telegram's 30 messages a
    second, with a small burst to catch up after a slow call, so a large agenda never meets a
    late 429 that would stall its batch."""

    per_second: float = OVERALL_PER_SECOND
    burst: float = 3.0
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep  # pacing real Telegram calls, not a test waiting
    _bucket: TokenBucket | None = None

    async def wait(self) -> None:
        now = self.clock()
        if self._bucket is None:
            self._bucket = TokenBucket(self.per_second, self.burst, self.burst, now)
        if pause := self._bucket.take(now):
            await self.sleep(pause)


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
class ChatPacer:
    """Telegram's per-chat limit (about one message a second, a short burst allowed)."""

    burst: float = 3.0
    per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Sleep = asyncio.sleep  # pacing real Telegram calls, not a test waiting
    _buckets: dict[int, TokenBucket] = field(default_factory=dict)

    async def wait(self, chat_id: int) -> None:
        now = self.clock()
        bucket = self._buckets.get(chat_id)
        if bucket is None:
            if len(self._buckets) > 10_000:  # forget the chats idle long enough to be full again
                full = self.burst / self.per_second
                self._buckets = {c: b for c, b in self._buckets.items() if now - b.updated < full}
            bucket = self._buckets[chat_id] = TokenBucket(
                self.per_second, self.burst, self.burst, now
            )
        if pause := bucket.take(now):
            await self.sleep(pause)


def retry_delay(retry_after: int | timedelta) -> timedelta:
    """How long Telegram asked us to wait (PTB gives an int today, a timedelta when opted in)."""
    return retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)
