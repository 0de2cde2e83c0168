"""The record's tables (R-X1, R-X2, R-P6): minutes versions and their PDFs, publication, closed items,
calendar sequence numbers and private calendar feeds. No rules here (DESIGN.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, LargeBinary, String, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


def _when() -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=True)


class MinutesVersion(SQLModel, table=True):
    """R-X2: one version of a meeting's minutes; a draft until approved, then frozen."""

    __tablename__ = "minutes_version"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    drafted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    approved_at: datetime | None = _when()
    approved_by_id: int | None = Field(default=None, foreign_key="person.id")


class MinutesDocument(SQLModel, table=True):
    """The approved minutes of one version as a PDF in one language; rendered once, then reused."""

    __tablename__ = "minutes_document"
    __table_args__ = (UniqueConstraint("meeting_id", "version", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    language: str = Field(sa_type=String(8))
    file_name: str = Field(sa_type=String(255))
    content: bytes = Field(sa_type=LargeBinary)
    telegram_file_id: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Publication(SQLModel, table=True):
    """R-X1: a meeting's agenda or minutes on the council's public page (until withdrawn)."""

    __table_args__ = (UniqueConstraint("meeting_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    kind: str = Field(sa_type=String(20))  # "agenda" or "minutes"
    published_at: datetime | None = _when()
    published_by_id: int | None = Field(default=None, foreign_key="person.id")
    withdrawn_at: datetime | None = _when()


class PublishSetting(SQLModel, table=True):
    """R-X1: when a council's documents go public by themselves; no row means the defaults."""

    __tablename__ = "publish_setting"

    council_id: int = Field(foreign_key="council.id", primary_key=True)
    agenda_on_distribution: bool = True
    minutes_on_approval: bool = True


class ClosedItem(SQLModel, table=True):
    """R-P6: an agenda item the chair marked closed ("Lukket punkt"): never public in content."""

    __tablename__ = "closed_item"

    item_id: int = Field(foreign_key="agenda_item.id", primary_key=True)
    marked_by_id: int | None = Field(default=None, foreign_key="person.id")
    marked_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class MeetingCalendar(SQLModel, table=True):
    """A meeting's calendar event: its SEQUENCE, raised whenever time, place or status change."""

    __tablename__ = "meeting_calendar"

    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    sequence: int = 0
    fingerprint: str = Field(sa_type=String(200))


class CalendarFeed(SQLModel, table=True):
    """A person's private calendar feed of their own meetings: a secret token, revocable."""

    __tablename__ = "calendar_feed"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(sa_type=String(64), unique=True, index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    revoked_at: datetime | None = _when()
