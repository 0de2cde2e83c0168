"""Injected faults and Telegram's rate limits, both decided before a Bot API call runs."""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from telegram_emulator.errors import ApiError, forbidden, server_error, too_many_requests

FAULT_KINDS = ("retry_after", "server_error", "forbidden", "bad_request", "latency")

# Calls that Telegram counts as "messages" for its flood limits.
MESSAGE_METHODS = frozenset(
    {
        "sendmessage",
        "senddocument",
        "sendphoto",
        "sendmediagroup",
        "copymessage",
        "forwardmessage",
    }
)
EDIT_METHODS = frozenset({"editmessagetext", "editmessagereplymarkup", "editmessagecaption"})


@dataclass
class Fault:
    """The next ``remaining`` calls of ``method`` (``*`` = any) fail or slow down."""

    id: int
    method: str
    kind: str
    chat_id: int | None = None
    bot_id: int | None = None
    remaining: int | None = 1  # None = until cleared
    retry_after: int = 5
    status: int = 502
    description: str | None = None
    latency_ms: int = 0
    effect: bool = False  # the call takes effect, but the bot is told it failed
    hits: int = 0
    # A storm or an outage: the fault lasts this long from when it is added, then clears itself
    # (with ``remaining`` None it hits every matching call meanwhile).
    seconds: float | None = None
    until: float | None = None  # time.monotonic() when it ends (set from ``seconds``)

    def __post_init__(self) -> None:
        if self.seconds is not None and self.until is None:
            self.until = time.monotonic() + self.seconds

    def expired(self) -> bool:
        if self.remaining is not None and self.remaining <= 0:
            return True
        return self.until is not None and time.monotonic() >= self.until

    def matches(self, method: str, chat_id: int | None, bot_id: int) -> bool:
        if self.expired():
            return False
        if self.method != "*" and self.method.lower() != method.lower():
            return False
        if self.chat_id is not None and self.chat_id != chat_id:
            return False
        return self.bot_id is None or self.bot_id == bot_id

    def consume(self) -> None:
        self.hits += 1
        if self.remaining is not None:
            self.remaining -= 1

    def error(self) -> ApiError:
        if self.kind == "retry_after":
            return too_many_requests(self.retry_after)
        if self.kind == "server_error":
            return server_error(self.status, self.description)
        if self.kind == "forbidden":
            return forbidden(self.description or "bot was blocked by the user")
        return ApiError(400, f"Bad Request: {self.description or 'injected fault'}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class FaultPlan:
    """What to do to one call: wait ``latency_ms``, then maybe fail with ``error``."""

    latency_ms: int = 0
    error_fault: Fault | None = None


@dataclass
class FaultBook:
    faults: list[Fault] = field(default_factory=list)
    _next_id: int = 1

    def add(self, **spec: Any) -> Fault:
        kind = spec.get("kind", "retry_after")
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; one of {', '.join(FAULT_KINDS)}")
        fault = Fault(id=self._next_id, **spec)
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def plan(self, method: str, chat_id: int | None, bot_id: int) -> FaultPlan:
        plan = FaultPlan()
        for fault in self.faults:
            if not fault.matches(method, chat_id, bot_id):
                continue
            if fault.kind == "latency":
                fault.consume()
                plan.latency_ms += fault.latency_ms
            elif plan.error_fault is None:
                fault.consume()
                plan.error_fault = fault
        self.faults = [f for f in self.faults if not f.expired()]
        return plan

    def clear(self) -> None:
        self.faults.clear()


@dataclass
class RateLimitConfig:
    """Telegram's documented limits; off unless ``enabled``."""

    enabled: bool = False
    global_per_second: float = 30.0
    global_burst: int = 30
    private_per_second: float = 1.0
    private_burst: int = 3
    group_per_minute: float = 20.0
    group_burst: int = 20
    count_edits: bool = True

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Bucket:
    rate: float  # tokens per second
    capacity: float
    tokens: float
    updated: float

    def refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now

    def wait(self) -> float:
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate


class RateLimiter:
    """Token buckets per bot (overall) and per chat; answers how long to wait, or None."""

    def __init__(self, config: RateLimitConfig | None = None) -> None:
        self.config = config or RateLimitConfig()
        self._buckets: dict[tuple[int, str, int], _Bucket] = {}
        self.limited = 0

    def configure(self, **changes: Any) -> RateLimitConfig:
        for name, value in changes.items():
            if not hasattr(self.config, name):
                raise ValueError(f"unknown rate limit setting {name!r}")
            setattr(self.config, name, type(getattr(self.config, name))(value))
        self._buckets.clear()
        return self.config

    def reset(self) -> None:
        self._buckets.clear()
        self.limited = 0

    def counts(self, method: str) -> bool:
        name = method.lower()
        return name in MESSAGE_METHODS or (self.config.count_edits and name in EDIT_METHODS)

    def _bucket(self, key: tuple[int, str, int], rate: float, burst: int, now: float) -> _Bucket:
        bucket = self._buckets.get(key)
        if bucket is None or bucket.rate != rate:
            bucket = _Bucket(rate, float(max(burst, 1)), float(max(burst, 1)), now)
            self._buckets[key] = bucket
        bucket.refill(now)
        return bucket

    def check(
        self, bot_id: int, chat_id: int | None, chat_type: str | None, now: float
    ) -> int | None:
        """Take a token for one message; return retry_after in whole seconds when over a limit."""
        cfg = self.config
        if not cfg.enabled:
            return None
        buckets = [self._bucket((bot_id, "all", 0), cfg.global_per_second, cfg.global_burst, now)]
        if chat_id is not None:
            if chat_type == "private":
                buckets.append(
                    self._bucket(
                        (bot_id, "chat", chat_id), cfg.private_per_second, cfg.private_burst, now
                    )
                )
            else:
                buckets.append(
                    self._bucket(
                        (bot_id, "chat", chat_id), cfg.group_per_minute / 60.0, cfg.group_burst, now
                    )
                )
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            self.limited += 1
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1
        return None
