"""The clock (DESIGN.md): repeating jobs that ask the services what is due. No state of its own."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from telegram.ext import JobQueue

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
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
LIVE_JOB_ID = "kkrbot-live"
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


def schedule(
    job_queue: JobQueue[Any],
    *,
    sessions: SessionFactory,
    deliver: Deliver,
    clock: Clock,
    sweep_interval: float,
    delivery_interval: float,
    refresh_live: Deliver | None = None,
    live_interval: float = 1.0,
) -> None:
    """Register the sweep, the delivery worker and the live-message editor with explicit ids and a
    generous misfire grace; the live editor's interval is its debounce (one edit per message each)."""

    async def sweep_job(_context: Any) -> None:
        with _stopping_quietly():
            await run_sweep(sessions, clock())

    async def delivery_job(_context: Any) -> None:
        with _stopping_quietly():
            await deliver(clock())

    async def live_job(_context: Any) -> None:
        if refresh_live is not None:
            with _stopping_quietly():
                await refresh_live(clock())

    jobs = [
        (sweep_job, sweep_interval, SWEEP_JOB_ID),
        (delivery_job, delivery_interval, DELIVERY_JOB_ID),
    ]
    if refresh_live is not None:
        jobs.append((live_job, live_interval, LIVE_JOB_ID))
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
