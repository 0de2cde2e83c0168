"""The clock (DESIGN.md): repeating jobs that ask the services what is due. No state of its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram.ext import JobQueue

from models import changes
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.outbox import next_due
from services.sweep import SweepReport, sweep
from services.updates import forget_old_updates

log = logging.getLogger(__name__)


class _SkippedTick(logging.Filter):
    """A tick that comes while the job still runs is skipped by design (max_instances=1)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_SkippedTick())


class _StoppedWithTheBot(logging.Filter):
    """A job cancelled because the bot stops (PTB cancels it around the job's own code) has given
    back its work — the outbox releases its claims: not an error with a traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        return not isinstance(error, asyncio.CancelledError)


logging.getLogger("apscheduler.executors.default").addFilter(_StoppedWithTheBot())

SWEEP_JOB_ID = "kkrbot-sweep"
DELIVERY_JOB_ID = "kkrbot-delivery"
MENU_JOB_ID = "kkrbot-menus"
# APScheduler 3's default grace is one second; a busy or suspended process must still run the job.
MISFIRE_GRACE_SECONDS = 3600

Clock = Callable[[], datetime]
Deliver = Callable[[datetime], Awaitable[Any]]


@dataclass
class SweepTimes:
    """How long the sweeps take, for the operator's metrics (bot/metrics.py reads it)."""

    count: int = 0
    last_seconds: float = 0.0


SWEEP_TIMES = SweepTimes()


async def run_sweep(sessions: SessionFactory, now: datetime) -> SweepReport:
    """One sweep in one transaction; `now` is passed in so tests can drive it."""
    started = time.perf_counter()
    async with unit_of_work(sessions) as session:
        report = await sweep(session, now)
        await forget_old_updates(session, now=now)
    SWEEP_TIMES.count += 1
    SWEEP_TIMES.last_seconds = time.perf_counter() - started
    if report.total:
        log.info("sweep at %s added %s notices: %s", now.isoformat(), report.total, report.added)
    return report


@contextlib.contextmanager
def _stopping_quietly() -> Iterator[None]:
    """A job cancelled because the bot stops has given back its work (the outbox releases its
    claims): not an error for the scheduler to log with a traceback."""
    try:
        yield
    except asyncio.CancelledError:
        log.debug("a job stopped with the bot")


@dataclass
class OutboxWatch:
    """Whether the delivery job need look at the outbox (issue 15: an idle bot uses no CPU): a
    notice added or released in this process (models.changes), the earliest waiting notice's
    moment come (a retry, a scheduled notice, another instance's lapsed claim), or `fallback`
    seconds since the last look (notices written by another process)."""

    fallback: float = 5.0
    monotonic: Callable[[], float] = time.monotonic
    next_due: datetime | None = None
    known: bool = False  # next_due has been read since the last delivery
    looked: float = field(default=float("-inf"))
    looked_at: datetime | None = None  # the clock's time of the last look

    def wanted(self, now: datetime) -> bool:
        if not self.known or changes.signal(changes.NOTICES).is_set():
            return True
        if self.next_due is not None and self.next_due <= now:
            return True
        since = self.monotonic() - self.looked
        if self.looked_at is not None and (now - self.looked_at).total_seconds() > since + 1:
            return True  # the clock was set forward (a test's clock, an adjusted system clock)
        return since >= self.fallback

    async def deliver(self, sessions: SessionFactory, deliver: Deliver, now: datetime) -> None:
        changes.signal(changes.NOTICES).clear()  # a notice added from here on wakes the next tick
        self.looked, self.looked_at, self.known = self.monotonic(), now, False
        await deliver(now)
        async with unit_of_work(sessions, write=False) as session:
            self.next_due = await next_due(session)
        self.known = True


def schedule(
    job_queue: JobQueue[Any],
    *,
    sessions: SessionFactory,
    deliver: Deliver,
    clock: Clock,
    sweep_interval: float,
    delivery_interval: float,
    refresh_menus: Deliver | None = None,
    menu_interval: float = 60.0,
    outbox_fallback: float = 5.0,
) -> None:
    """Register the sweep and the delivery worker with explicit ids and a generous misfire grace.
    The delivery job ticks every `delivery_interval` but reads the outbox only when something may
    be due (OutboxWatch); the live editor is not a job: bot/app.py runs it, woken by change."""
    # Another process's notices are looked for every few ticks (at most every 5 s).
    watch = OutboxWatch(fallback=min(outbox_fallback, 10 * delivery_interval))

    async def sweep_job(_context: Any) -> None:
        with _stopping_quietly():
            await run_sweep(sessions, clock())

    async def delivery_job(_context: Any) -> None:
        with _stopping_quietly():
            now = clock()
            if watch.wanted(now):
                await watch.deliver(sessions, deliver, now)

    async def menu_job(_context: Any) -> None:
        if refresh_menus is not None:
            with _stopping_quietly():
                await refresh_menus(clock())

    jobs = [
        (sweep_job, sweep_interval, SWEEP_JOB_ID),
        (delivery_job, delivery_interval, DELIVERY_JOB_ID),
    ]
    if refresh_menus is not None:
        jobs.append((menu_job, menu_interval, MENU_JOB_ID))
    for callback, interval, job_id in jobs:
        job_queue.run_repeating(
            callback,
            interval=interval,
            first=0,
            name=job_id,
            job_kwargs={
                "id": job_id,
                "replace_existing": True,
                "misfire_grace_time": MISFIRE_GRACE_SECONDS,
                "coalesce": True,
                "max_instances": 1,
            },
        )
