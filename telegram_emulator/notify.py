"""Wake-ups for long polls and waits: no busy polling, safe across threads and event loops."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


class Notifier:
    """Waiters register a future, check their condition, and sleep until the next change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []

    def notify(self) -> None:
        with self._lock:
            waiters, self._waiters = self._waiters, []
        for loop, future in waiters:
            if loop.is_closed():
                continue
            try:
                loop.call_soon_threadsafe(_wake, future)
            except RuntimeError:  # the loop closed between the check and the call
                continue

    def _discard(self, future: asyncio.Future[None]) -> None:
        with self._lock:
            self._waiters = [(lp, f) for lp, f in self._waiters if f is not future]

    async def wait_for(self, predicate: Callable[[], bool], timeout: float) -> bool:
        """Wait until ``predicate()`` holds (True) or ``timeout`` seconds pass (its last value)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + max(0.0, timeout)
        while True:
            future: asyncio.Future[None] = loop.create_future()
            with self._lock:
                self._waiters.append((loop, future))
            # Registered before checking, so a change between the two cannot be missed.
            if predicate():
                self._discard(future)
                return True
            remaining = deadline - loop.time()
            if remaining <= 0:
                self._discard(future)
                return False
            try:
                await asyncio.wait_for(future, remaining)
            except TimeoutError:
                self._discard(future)
                return predicate()
