"""The closed vocabularies stored in the tables (kept as plain strings in the database)."""

from enum import StrEnum


class MembershipRole(StrEnum):
    MAYOR = "mayor"
    MEMBER = "member"
    SUBSTITUTE = "substitute"
    SECRETARIAT = "secretariat"
    OBSERVER = "observer"


class Office(StrEnum):
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"


class MeetingKind(StrEnum):
    ORDINARY = "ordinary"
    EXTRAORDINARY = "extraordinary"


class MeetingStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


class ItemStatus(StrEnum):
    PROPOSED = "proposed"  # on time (R-D1): on the agenda unless the chair rejects it
    LATE = "late"  # after R-D1: waits for the chair to take it in
    ACCEPTED = "accepted"  # the chair's own item, or a late proposal taken in
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class AttendanceStatus(StrEnum):
    EXPECTED = "expected"
    ABSENT = "absent"
    PRESENT = "present"
    LEFT = "left"


class SubstituteAnswer(StrEnum):
    NOT_SUMMONED = "not_summoned"
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class NoticeStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    UNREACHABLE = "unreachable"
    WITHDRAWN = "withdrawn"  # the person may no longer receive it (R-P6), checked at send time
    HELD = "held"  # Telegram kept failing until the notice no longer mattered; secretariat told


class SubstituteStatus(StrEnum):
    """R-S3: where a standing-in substitute is on the day (None until they arrive)."""

    PRESENT = "present"
    LEFT = "left"


class AttendanceEventKind(StrEnum):
    """R-Q4/R-X3: what happened to a seat."""

    ABSENT = "absent"
    WITHDRAWN = "withdrawn"
    SUMMONED = "summoned"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    NO_ANSWER = "no_answer"
    RELEASED = "released"
    ARRIVED = "arrived"
    LEFT = "left"


class LongAbsenceKind(StrEnum):
    MAYOR = "mayor"  # R-S4: the substitute stands in for the whole period
    ELECTED = "elected"  # R-S5: the council decides at the next meeting


class LongAbsenceDecision(StrEnum):
    APPROVED = "approved"
    REJECTED = "rejected"
