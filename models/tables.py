"""The SQLModel tables. Knows tables and columns, nothing about who may do what (DESIGN.md)."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Index,
    LargeBinary,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel, col

from models.enums import (
    AttendanceStatus,
    ItemStatus,
    MeetingKind,
    MeetingStatus,
    NoticeStatus,
    SubstituteAnswer,
)
from models.types import UTCDateTime


def _when(*, nullable: bool = True, index: bool = False) -> Any:
    return Field(default=None, sa_type=UTCDateTime, nullable=nullable, index=index)


class Council(SQLModel, table=True):
    """R-P1: a council; its interpretations of the rules are settings kept on the row."""

    id: int | None = Field(default=None, primary_key=True)
    slug: str = Field(sa_type=String(80), unique=True, index=True)
    name: str = Field(sa_type=String(200))
    region: str = Field(sa_type=String(100))
    municipalities: int
    timezone: str = Field(default="Europe/Copenhagen", sa_type=String(64))
    language: str = Field(default="da", sa_type=String(8))
    proposal_deadline_days: int = 10  # R-D1 interpretation
    distribution_time: time = Field(default=time(9, 0), sa_type=Time)  # R-D2 automatic send
    substitute_answer_hours: int = 48  # R-S7
    # R-D4: reminder offsets (days before the deadline's day) and the local time they go out.
    proposal_reminder_days: list[int] = Field(
        default_factory=lambda: [3, 1], sa_column=Column(JSON, nullable=False)
    )
    proposal_reminder_time: time = Field(default=time(9, 0), sa_type=Time)
    agenda_reminder_days: list[int] = Field(
        default_factory=lambda: [2, 0], sa_column=Column(JSON, nullable=False)
    )
    agenda_reminder_time: time = Field(default=time(8, 0), sa_type=Time)
    meeting_reminder_hours: int = 24  # R-D4: everyone, before the meeting
    # R-P3: when chair and vice chair are both absent, who leads: "oldest" member present
    # (municipal practice) or the one "chosen" by the members; the secretariat names them.
    acting_chair_choice: str = Field(default="oldest", sa_type=String(20))
    # R-S7: a summons sent inside the answer window still gets this long to be answered.
    late_summons_answer_hours: int = 6
    summons_reminder_hours: int = 24  # R-S7: an unanswered summons, before its answer deadline
    addendum_reminder_hours: int = 1  # R-D3/R-D4: an unsent change to a distributed agenda
    group_chat_id: int | None = Field(default=None, sa_type=BigInteger)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    meetings_per_year: int = 5  # R-M1 interpretation: ordinary meetings in the annual plan
    # Meetings have no set end: a calendar event lasts this long unless the meeting closed earlier
    # or later (then it ends when it closed).
    meeting_length_minutes: int = 180
    # R-K2 interpretation: (month, day) on which offices are closed besides public holidays.
    closed_days: list[list[int]] = Field(
        default_factory=lambda: [[6, 5], [12, 24], [12, 31]], sa_column=Column(JSON, nullable=False)
    )
    request_lapse_days: int = 60  # R-M2 interpretation: a request for a meeting lapses after this


class Municipality(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    name: str = Field(sa_type=String(100))


class Person(SQLModel, table=True):
    """A human being known to one council; linked to Telegram only through an invite."""

    __table_args__ = (UniqueConstraint("council_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    name: str = Field(sa_type=String(200))
    municipality_id: int | None = Field(default=None, foreign_key="municipality.id")
    party: str | None = Field(default=None, sa_type=String(40))
    language: str = Field(default="da", sa_type=String(8))
    born: date | None = Field(default=None, sa_type=Date)  # R-P3: "the oldest member present"


# R-S6: a membership is current until it ends; ended rows stay as history (nothing is deleted).
CURRENT = text("ended_on IS NULL")


class Membership(SQLModel, table=True):
    """R-P2–R-P5, R-S1: the person's role in the council, office and whom they stand in for."""

    __table_args__ = (
        # One current membership per person, and (R-S1) one current substitute per member.
        Index(
            "uq_membership_current_person",
            "council_id",
            "person_id",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
        Index(
            "uq_membership_current_substitute",
            "substitute_for_id",
            unique=True,
            sqlite_where=CURRENT,
            postgresql_where=CURRENT,
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    role: str = Field(sa_type=String(20))
    office: str | None = Field(default=None, sa_type=String(20))
    # R-S1: at most one current substitute per member (the partial unique index above).
    substitute_for_id: int | None = Field(default=None, foreign_key="person.id")
    # R-S6: from when to when; an ended membership is history (attendance, votes keep who was who).
    started_on: date | None = Field(default=None, sa_type=Date)
    ended_on: date | None = Field(default=None, sa_type=Date)
    end_reason: str | None = Field(default=None, sa_type=Text)

    @classmethod
    def current(cls) -> Any:
        """The condition every query of today's members uses: not ended."""
        return col(cls.ended_on).is_(None)


class InviteToken(SQLModel, table=True):
    """A single-use, expiring token that links a Telegram account to a person (/start <token>)."""

    __tablename__ = "invite_token"

    id: int | None = Field(default=None, primary_key=True)
    token: str = Field(sa_type=String(64), unique=True, index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    expires_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    used_at: datetime | None = _when()


class TelegramLink(SQLModel, table=True):
    """One Telegram account for one person."""

    __tablename__ = "telegram_link"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", unique=True)
    telegram_user_id: int = Field(sa_type=BigInteger, unique=True, index=True)
    chat_id: int = Field(sa_type=BigInteger)
    linked_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    # Set when Telegram answers 403 (blocked); cleared when the person writes again.
    unreachable_since: datetime | None = _when()


class Meeting(SQLModel, table=True):
    """An ordinary or extraordinary meeting; what has been done is recorded on the row."""

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    kind: str = Field(default=MeetingKind.ORDINARY, sa_type=String(20))
    starts_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    place: str = Field(sa_type=String(200))
    subject: str | None = Field(default=None, sa_type=Text)
    status: str = Field(default=MeetingStatus.PLANNED, sa_type=String(20))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    agenda_version: int = 0
    agenda_approved_at: datetime | None = _when()
    agenda_distributed_at: datetime | None = _when()
    distribution_exception: str | None = Field(default=None, sa_type=Text)  # R-D3
    # R-D1: set by the sweep when the proposal deadline has passed and the preparers were told.
    proposals_closed_at: datetime | None = _when()
    # The agenda changed after its last distribution: the change goes out as a new version.
    agenda_changed_at: datetime | None = _when()
    cancelled_at: datetime | None = _when()
    opened_at: datetime | None = _when()
    closed_at: datetime | None = _when()
    # R-P3: named by the secretariat at the opening when the chair and vice chair are both absent.
    acting_chair_id: int | None = Field(default=None, foreign_key="person.id")


class AgendaItem(SQLModel, table=True):
    __tablename__ = "agenda_item"
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    position: int = 0
    title: str = Field(sa_type=String(200))
    description: str = Field(default="", sa_type=Text)
    proposed_by_id: int | None = Field(default=None, foreign_key="person.id")
    submitted_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    status: str = Field(default=ItemStatus.PROPOSED, sa_type=String(20))
    late: bool = False  # R-D1: taken in by the chair after the deadline
    rejection_reason: str | None = Field(default=None, sa_type=Text)
    decided_at: datetime | None = _when()  # taken in, rejected or withdrawn
    decided_by_id: int | None = Field(default=None, foreign_key="person.id")


class Material(SQLModel, table=True):
    """R-M3: a document that goes with an agenda item, kept as the Telegram file it was sent as."""

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="agenda_item.id", index=True)
    telegram_file_id: str = Field(sa_type=String(200))
    file_unique_id: str | None = Field(default=None, sa_type=String(100))
    file_name: str = Field(sa_type=String(255))
    mime_type: str | None = Field(default=None, sa_type=String(100))
    file_size: int | None = None
    added_by_id: int | None = Field(default=None, foreign_key="person.id")
    added_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class AgendaVersion(SQLModel, table=True):
    """One distributed version of a meeting's agenda: what was sent, frozen (never edited)."""

    __tablename__ = "agenda_version"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    distributed_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    distributed_by_id: int | None = Field(default=None, foreign_key="person.id")
    snapshot: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AgendaDocument(SQLModel, table=True):
    """The agenda of one version rendered as a PDF in one language; uploaded once, then reused."""

    __tablename__ = "agenda_document"
    __table_args__ = (UniqueConstraint("meeting_id", "version", "language"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    version: int
    language: str = Field(sa_type=String(8))
    file_name: str = Field(sa_type=String(255))
    content: bytes = Field(sa_type=LargeBinary)
    telegram_file_id: str | None = Field(default=None, sa_type=String(200))
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class Attendance(SQLModel, table=True):
    """R-Q2/R-Q4: one member's attendance at one meeting, and who stood in for them."""

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    status: str = Field(default=AttendanceStatus.EXPECTED, sa_type=String(20))
    absence_reason: str | None = Field(default=None, sa_type=Text)
    absence_reported_at: datetime | None = _when()
    substitute_id: int | None = Field(default=None, foreign_key="person.id")
    substitute_answer: str = Field(default=SubstituteAnswer.NOT_SUMMONED, sa_type=String(20))
    arrived_at: datetime | None = _when()  # first arrival of whoever attends for the seat
    left_at: datetime | None = _when()  # last departure (cleared on coming back)
    # R-S3/R-S7: the substitute's side of the seat; None until a standing-in substitute arrives.
    substitute_status: str | None = Field(default=None, sa_type=String(20))
    substitute_summoned_at: datetime | None = _when()
    substitute_answered_at: datetime | None = _when()
    no_answer_reported_at: datetime | None = _when()  # R-S7: recorded for the minutes
    long_absence_id: int | None = Field(default=None, foreign_key="long_absence.id")


class AttendanceEvent(SQLModel, table=True):
    """R-Q4/R-X3: the history of a seat: absences, summons and answers, arrivals and departures."""

    __tablename__ = "attendance_event"

    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    member_id: int = Field(foreign_key="person.id")  # the seat: whose attendance it is
    person_id: int = Field(foreign_key="person.id")  # who it concerns: the member or the substitute
    actor_id: int | None = Field(default=None, foreign_key="person.id")  # None: the clock
    kind: str = Field(sa_type=String(30))
    at: datetime = Field(sa_type=UTCDateTime, nullable=False)


class LongAbsence(SQLModel, table=True):
    """R-S4/R-S5: a member prevented for at least 3 months, and what the council decided."""

    __tablename__ = "long_absence"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    substitute_id: int | None = Field(default=None, foreign_key="person.id")
    kind: str = Field(sa_type=String(20))  # "mayor" (R-S4) or "elected" (R-S5)
    starts_on: date = Field(sa_type=Date)
    expected_back: date = Field(sa_type=Date)
    reason: str | None = Field(default=None, sa_type=Text)
    reported_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    reported_by_id: int | None = Field(default=None, foreign_key="person.id")
    decision: str | None = Field(default=None, sa_type=String(20))  # approved / rejected
    decided_at: datetime | None = _when()
    decision_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    agenda_item_id: int | None = Field(default=None, foreign_key="agenda_item.id")
    ended_at: datetime | None = _when()


class MeetingRequest(SQLModel, table=True):
    """R-M2: a member's request for an extraordinary meeting; reported once a third have asked."""

    __tablename__ = "meeting_request"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int = Field(foreign_key="council.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    subject: str = Field(sa_type=Text)
    requested_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    reported_at: datetime | None = _when()  # the threshold was reached and the chair told
    # R-M2: a request ends when the chair calls a meeting ("called") or the member withdraws it
    # ("withdrawn"); one older than the council's request_lapse_days has lapsed without a row change.
    ended_at: datetime | None = _when()
    end_reason: str | None = Field(default=None, sa_type=String(20))


class Notice(SQLModel, table=True):
    """The outbox: every message to a person is first a row, written with the change that caused it."""

    id: int | None = Field(default=None, primary_key=True)
    dedupe_key: str = Field(sa_type=String(200), unique=True)
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    person_id: int = Field(foreign_key="person.id", index=True)
    kind: str = Field(sa_type=String(60))
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default=NoticeStatus.PENDING, sa_type=String(20), index=True)
    created_at: datetime = Field(sa_type=UTCDateTime, nullable=False)
    due_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
    attempts: int = 0
    sent_at: datetime | None = _when()
    telegram_message_id: int | None = Field(default=None, sa_type=BigInteger)
    last_error: str | None = Field(default=None, sa_type=Text)
    # A notice may be several Telegram messages (text, then documents): how many went out already.
    parts_sent: int = 0
    # The worker that holds the claim (its lease is `due_at`): a restarted worker takes its own back
    # at once instead of waiting out the lease.
    claimed_by: str | None = Field(default=None, sa_type=String(64))
    # Intent: the part being sent now. Set before the call, cleared with `parts_sent` after it, so a
    # crash between the two repeats at most that one message (Telegram has no idempotency key).
    sending_part: int | None = None


class LiveMessage(SQLModel, table=True):
    """A message kept up to date by edits (the pinned quorum message); dirty until re-rendered."""

    __tablename__ = "live_message"

    __table_args__ = (UniqueConstraint("kind", "chat_id", "meeting_id"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(sa_type=String(40))
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    chat_id: int = Field(sa_type=BigInteger)
    message_id: int | None = Field(default=None, sa_type=BigInteger)
    last_text: str | None = Field(default=None, sa_type=Text)
    dirty_since: datetime | None = _when()
    edited_at: datetime | None = _when()
    # Every change bumps `changes`; the worker renders and records the count it rendered, so a
    # change that lands while it edits keeps the message dirty (no lost update, no clock needed).
    changes: int = 0
    rendered_changes: int = 0


class AuditEvent(SQLModel, table=True):
    """Who did what, when: written in the same transaction as the change."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    council_id: int | None = Field(default=None, foreign_key="council.id", index=True)
    actor_id: int | None = Field(default=None, foreign_key="person.id")
    action: str = Field(sa_type=String(60))
    subject: str | None = Field(default=None, sa_type=String(200))
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)


# Re-exported so Alembic and services find every table from one import.
__all__ = [
    "AgendaDocument",
    "AgendaItem",
    "AgendaVersion",
    "Attendance",
    "AttendanceEvent",
    "AttendanceStatus",
    "AuditEvent",
    "Council",
    "InviteToken",
    "ItemStatus",
    "LiveMessage",
    "LongAbsence",
    "Material",
    "Meeting",
    "MeetingKind",
    "MeetingRequest",
    "MeetingStatus",
    "Membership",
    "Municipality",
    "Notice",
    "NoticeStatus",
    "Person",
    "SubstituteAnswer",
    "TelegramLink",
]

import models.data_version  # noqa: E402  (the data version, issue 15)
import models.meeting_room  # noqa: E402  (issue 12: the meeting room tables, for Alembic)
import models.record  # noqa: E402  (issue 13: the record's tables, for Alembic)
import models.sweep  # noqa: E402  (what the sweep has done, issue 15)
import models.term  # noqa: E402, F401  (the term's tables, issue 14)
from models.dialogues import Dialogue  # noqa: E402,F401  (issue 17: dialogues)
from models.reliable import HandledUpdate  # noqa: E402,F401  (issue 16)
