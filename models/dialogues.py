"""The open dialogue of a person in a chat: what their next message answers, and until when."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class Dialogue(SQLModel, table=True):
    """One row per person and chat: a multi-step flow (proposing, a rejection's reason, …) kept in
    the database, so a restart or a second instance answers the next message the same way."""

    __tablename__ = "dialogue"
    # Ids are never reused (SQLite would reuse a deleted row's): a button names its dialogue by id.
    __table_args__ = (
        UniqueConstraint("person_id", "chat_id", name="uq_dialogue_person_chat"),
        {"sqlite_autoincrement": True},
    )

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    chat_id: int = Field(sa_type=BigInteger)
    kind: str = Field(sa_type=String(40))  # which flow: "propose", "reject", …
    state: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    started_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    answered_at: datetime = Field(sa_type=UTCDateTime, nullable=False)  # the last step taken
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
