"""Reads shared while in flight (issue 15): when 200 members send /meetings at the same moment,
their council's meetings are read once for all who ask while that read runs, not 200 times.

A read is joined only while it runs, only if no write has committed in this process since it
began (models.changes.writes), and only by someone asking for the same moment or a later one: what
a joiner gets is what its own read would have given had it started a moment earlier. A read that
fails or is cancelled is done again by each joiner on its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from models import changes

R = TypeVar("R")

_FAILED = object()  # the first reader's read did not give a result


@dataclass(frozen=True)
class _Flight:
    writes: int  # changes.writes() when the read began
    at: datetime  # the moment the read is for
    result: asyncio.Future[Any]


_FLIGHTS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Hashable, _Flight]] = (
    WeakKeyDictionary()
)


async def shared_read(key: Hashable, at: datetime, read: Callable[[], Awaitable[R]]) -> R:
    """`read()`, or the result of the same read (`key`) already under way for `at` or earlier."""
    loop = asyncio.get_running_loop()
    flights = _FLIGHTS.setdefault(loop, {})
    flight = flights.get(key)
    if flight is not None and flight.writes == changes.writes() and flight.at <= at:
        result = await asyncio.shield(flight.result)  # a joiner gone does not stop the read
        if result is not _FAILED:
            return result  # type: ignore[no-any-return]
    own = _Flight(changes.writes(), at, loop.create_future())
    flights[key] = own
    try:
        value = await read()
    except BaseException:
        own.result.set_result(_FAILED)  # each joiner reads for itself
        raise
    finally:
        if flights.get(key) is own:
            del flights[key]  # who asks from now on reads anew
    own.result.set_result(value)
    return value
