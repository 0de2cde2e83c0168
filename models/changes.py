"""Changes committed in this process, for the workers that wait for them (issue 15).

A service notes in its session what kind of change it made (`note(session, LIVE)`); the unit of
work announces it once the transaction has committed, by setting this loop's event for that kind.
The live editor and the outbox worker sleep on these events instead of polling the database every
fraction of a second; for changes made by another process (a second instance, the CLI) they still
look now and then (a slow fallback).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from weakref import WeakKeyDictionary

from sqlalchemy.ext.asyncio import AsyncSession

LIVE = "live"  # a live (pinned quorum) message became dirty
NOTICES = "notices"  # a notice was added to the outbox
AGENDA = "agenda"  # an agenda version was distributed (its PDFs are rendered ahead)

_KEY = "kkrbot.changes"
_EVENTS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Event]] = (
    WeakKeyDictionary()
)


def note(session: AsyncSession, kind: str) -> None:
    """Remember that this transaction made a change of `kind` (announced when it commits)."""
    session.info.setdefault(_KEY, set()).add(kind)


def signal(kind: str) -> asyncio.Event:
    """This event loop's event for changes of `kind` (a waiter clears it before it looks)."""
    loop = asyncio.get_running_loop()
    events = _EVENTS.get(loop)
    if events is None:
        events = _EVENTS[loop] = {}
    event = events.get(kind)
    if event is None:
        event = events[kind] = asyncio.Event()
    return event


_LISTENERS: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, list[Callable[[], None]]]] = (
    WeakKeyDictionary()
)


def listen(kind: str, callback: Callable[[], None]) -> Callable[[], None]:
    """Call `callback` (in this loop) whenever a change of `kind` commits; returns the undo."""
    loop = asyncio.get_running_loop()
    callbacks = _LISTENERS.setdefault(loop, {}).setdefault(kind, [])
    callbacks.append(callback)
    return lambda: callbacks.remove(callback) if callback in callbacks else None


_WRITES: WeakKeyDictionary[asyncio.AbstractEventLoop, list[int]] = WeakKeyDictionary()


_BOOKKEEPING = "kkrbot.bookkeeping"


def writes() -> int:
    """How many write transactions have committed in this loop, bookkeeping left out (models/
    shared_read.py, models/data_version.py: what was read before may have changed since)."""
    return _WRITES.setdefault(asyncio.get_running_loop(), [0])[0]


def bookkeeping(session: AsyncSession) -> None:
    """This transaction only records what the process itself did (an update taken): nothing anyone
    reads changes, and what was read before it stays true."""
    session.info[_BOOKKEEPING] = True


def announce(session: AsyncSession) -> None:
    """A write transaction committed: count it (unless it was bookkeeping), and wake whoever waits
    for the kinds of change it noted."""
    if not session.info.pop(_BOOKKEEPING, False):
        _WRITES.setdefault(asyncio.get_running_loop(), [0])[0] += 1
    for kind in session.info.pop(_KEY, ()):
        signal(kind).set()
        for callback in list(_LISTENERS.get(asyncio.get_running_loop(), {}).get(kind, ())):
            callback()


def forget(session: AsyncSession) -> None:
    """The transaction rolled back: nothing to announce."""
    session.info.pop(_KEY, None)
    session.info.pop(_BOOKKEEPING, None)
