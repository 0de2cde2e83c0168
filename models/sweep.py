"""What the sweep has done (issue 15): a reminder recorded once sent, so it is not offered again,
and the indexes that let each sweep task ask only for what is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.tables import Attendance, Meeting
from models.types import UTCDateTime


class SweepMark(SQLModel, table=True):
    """The latest moment a sweep task acted on for one subject (a meeting, an attendance row).

    `done_for` is the moment the action belongs to (a reminder moment, the meeting's start, the
    agenda change): a later moment, or a meeting moved, is due again; the same one never is."""

    __tablename__ = "sweep_mark"

    task: str = Field(max_length=40, primary_key=True)
    subject_id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    done_for: datetime = Field(sa_type=UTCDateTime, nullable=False)


# A pending summons is found without reading every attendance row (SQLite plans without ANALYZE).
Index(
    "ix_attendance_pending_summons",
    Attendance.__table__.c.substitute_answer,  # type: ignore[attr-defined]
    Attendance.__table__.c.no_answer_reported_at,  # type: ignore[attr-defined]
)
# An agenda changed after distribution (R-D3) is found without reading every meeting: only the
# few meetings with an unsent change are in the index (partial, so no statistics are needed).
_changed_at = Meeting.__table__.c.agenda_changed_at  # type: ignore[attr-defined]
Index(
    "ix_meeting_agenda_changed_at",
    _changed_at,
    postgresql_where=_changed_at.is_not(None),
    sqlite_where=_changed_at.is_not(None),
)
