"""The data version (issue 15): a token the database itself changes whenever anyone, in any process,
changes who the people are or which meetings there are (triggers on the TRACKED tables, migration
0014; on PostgreSQL when the change commits). What a process read under a token stays true while
the database shows that token, so it may keep it: the gate reads the token with the update it
records, in the statement it runs anyway, and a member's second /meetings costs no read at all.

A value is kept under the token read in the same statement as the value (token_column): exactly
the contents the database had under that token. The token is random, not a counter: a database put
back from a copy (a backup, a test's template) shows an old token only with the old contents.
Only pure reads are kept (models.unit_of_work.reads_only): a writer may see its own rows before
they commit, under the token from before.

A migration that rebuilds a TRACKED table on SQLite (Alembic's batch mode copies the table) drops
its triggers and must create them again; tests/integration/test_data_version.py fails otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from sqlalchemy import BigInteger, Label, literal_column
from sqlmodel import Field, SQLModel

from models import changes

TRACKED = ("council", "person", "membership", "telegram_link", "meeting")
TOKEN = "(SELECT token FROM data_version WHERE id = 1)"  # a scalar subquery, for any statement

K = TypeVar("K")
V = TypeVar("V")


def token_column() -> Label[int]:
    """The token as a column of a query: read in the same statement, so under the same snapshot
    as the rows it comes with (what is kept is then exactly what the database held under it)."""
    return literal_column(TOKEN, BigInteger).label("data_version")


class DataVersion(SQLModel, table=True):
    """The one row whose token the triggers change."""

    __tablename__ = "data_version"

    id: int | None = Field(default=None, primary_key=True)
    token: int = Field(sa_type=BigInteger)


@dataclass(frozen=True)
class Kept(Generic[V]):
    """A value read under `token`, after `writes` of this process's writes, for moments from `at`."""

    token: int
    writes: int
    at: datetime
    value: V


class KeptReads(Generic[K, V]):
    """Values read under a data version, kept in this process while they are true.

    A value is given back for a token only if it was read under that token and is asked for a
    moment no earlier than its own. With `local_writes`, also only if no write of this process has
    committed since its read began: the token may have been seen before that write (a handler that
    changes a meeting and then lists the meetings sees its change).
    """

    def __init__(self, *, local_writes: bool, limit: int = 10_000) -> None:
        self._kept: dict[K, Kept[V]] = {}
        self._local_writes = local_writes
        self._limit = limit

    def get(self, key: K, token: int, at: datetime) -> Kept[V] | None:
        kept = self._kept.get(key)
        if kept is None or kept.token != token or kept.at > at:
            return None
        if self._local_writes and kept.writes != changes.writes():
            return None
        return kept

    def put(self, key: K, kept: Kept[V]) -> None:
        if len(self._kept) >= self._limit:
            self._kept.clear()  # tokens have moved on many times: start afresh
        self._kept[key] = kept
