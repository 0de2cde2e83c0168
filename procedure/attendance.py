"""Attendance on the day and before it: the acting chair (R-P3), the substitute's answer (R-S3,
R-S7), long absences covering a meeting (R-S4, R-S5) and when quorum is lost (R-Q2).

Counting itself lives in quorum.py; this module decides the transitions around it.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable
from datetime import UTC, date, datetime, timedelta, tzinfo
from enum import StrEnum
from typing import TypeVar

from procedure.deadlines import SUBSTITUTE_ANSWER_HOURS, substitute_answer_deadline
from procedure.errors import NaiveDatetime, ProcedureError
from procedure.quorum import QuorumStatus

# R-S7: how long before the answer deadline an unanswered summons is repeated (default setting).
SUMMONS_REMINDER_HOURS = 24
# R-S7: the least time a late summons gets to be answered (default setting).
LATE_SUMMONS_ANSWER_HOURS = 6

P = TypeVar("P", bound=Hashable)


class Answer(StrEnum):
    """R-S7: where a summons stands (the values stored on the attendance row)."""

    NOT_SUMMONED = "not_summoned"
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"


class AnswerRefused(ProcedureError):
    """R-S7: an answer that the summons' current state does not allow (e.g. pressed twice)."""

    def __init__(self, current: Answer, wanted: Answer) -> None:
        super().__init__(f"the summons is {current}; it cannot become {wanted}")
        self.current, self.wanted = current, wanted


def next_answer(current: str, accept: bool) -> Answer:
    """R-S7: the summons' state after the substitute accepts or declines.

    A pending summons may be accepted or declined; an accepted one may still be withdrawn
    (declined). Anything else — answering twice the same way, or accepting after declining — is
    refused, so a button pressed twice changes nothing.
    """
    state = Answer(current)
    wanted = Answer.ACCEPTED if accept else Answer.DECLINED
    allowed = {
        Answer.PENDING: {Answer.ACCEPTED, Answer.DECLINED},
        Answer.ACCEPTED: {Answer.DECLINED},
    }
    if wanted not in allowed.get(state, set()):
        raise AnswerRefused(state, wanted)
    return wanted


def stands_in(answer: str) -> bool:
    """R-S3/R-P6: whether a summoned substitute attends in the member's place (has accepted)."""
    return Answer(answer) is Answer.ACCEPTED


def substitute_is_summoned(answer: str) -> bool:
    """R-S3: whether the seat is currently the substitute's (summoned and not declined)."""
    return Answer(answer) in {Answer.PENDING, Answer.ACCEPTED}


def acting_chair(
    chair: P | None, vice_chair: P | None, absent: Collection[P], named: P | None = None
) -> P | None:
    """R-P3: who leads the meeting: the chair, the vice chair when the chair is absent, and when
    both are absent the member the secretariat named at the opening (`named`), if any."""
    if chair is not None and chair not in absent:
        return chair
    if vice_chair is not None and vice_chair not in absent:
        return vice_chair
    if named is not None and named not in absent:
        return named
    return None


def officer_absent(
    *, present: bool, reported_absent: bool, left: bool, on_leave: bool, started: bool
) -> bool:
    """R-P3: whether the chair (or vice chair) is absent from a meeting — reported absent, on a
    long absence, checked out, or not checked in once its start time has passed. Checking in
    (arriving) always makes them present again, whatever was reported before."""
    if present:
        return False
    return reported_absent or left or on_leave or started


def quorum_lost(before: QuorumStatus, after: QuorumStatus) -> bool:
    """R-Q2: a change took the council from quorate to not quorate (the chair must be told)."""
    return before.quorate and not after.quorate


def summons_answer_deadline(
    meeting_start: datetime,
    summoned_at: datetime | None,
    hours: int = SUBSTITUTE_ANSWER_HOURS,
    late_hours: int = LATE_SUMMONS_ANSWER_HOURS,
) -> datetime:
    """R-S7: by when a summons is to be answered: `hours` before the meeting, but a summons sent
    later than that (or just before) still gets `late_hours` to answer — never past the start."""
    _require_aware(meeting_start)
    regular = substitute_answer_deadline(meeting_start, hours)
    if summoned_at is None:
        return regular
    _require_aware(summoned_at)
    late = min(summoned_at.astimezone(UTC) + timedelta(hours=late_hours), meeting_start)
    return max(regular, late).astimezone(meeting_start.tzinfo)


def is_answer_overdue(
    now: datetime,
    meeting_start: datetime,
    hours: int = SUBSTITUTE_ANSWER_HOURS,
    summoned_at: datetime | None = None,
    late_hours: int = LATE_SUMMONS_ANSWER_HOURS,
) -> bool:
    """R-S7: the answer deadline of the summons has passed and the meeting has not started yet."""
    _require_aware(now)
    deadline = summons_answer_deadline(meeting_start, summoned_at, hours, late_hours)
    return deadline <= now < meeting_start


def is_summons_reminder_due(
    now: datetime,
    meeting_start: datetime,
    summoned_at: datetime,
    hours: int = SUBSTITUTE_ANSWER_HOURS,
    before: int = SUMMONS_REMINDER_HOURS,
    late_hours: int = LATE_SUMMONS_ANSWER_HOURS,
) -> bool:
    """R-S7: a substitute who has not answered is reminded `before` hours ahead of the answer
    deadline — unless the summons itself came after that moment (it is reminder enough)."""
    _require_aware(now)
    _require_aware(summoned_at)
    deadline = summons_answer_deadline(meeting_start, summoned_at, hours, late_hours)
    moment = deadline.astimezone(UTC) - timedelta(
        hours=before
    )  # real hours, whatever the clocks do
    return summoned_at < moment <= now < deadline


def may_open(now: datetime, meeting_start: datetime, tz: tzinfo) -> bool:
    """R-M5: a meeting is opened on its own day or later (never days ahead, by mistake)."""
    _require_aware(now)
    _require_aware(meeting_start)
    return now.astimezone(tz).date() >= meeting_start.astimezone(tz).date()


def covers(starts_on: date, expected_back: date, meeting_day: date) -> bool:
    """R-S4/R-S5: whether a long absence covers a meeting day (back on `expected_back`)."""
    if expected_back < starts_on:
        raise ProcedureError(
            f"the expected return {expected_back} is before the absence starts {starts_on}"
        )
    return starts_on <= meeting_day < expected_back


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise NaiveDatetime(f"a timezone-aware moment is required, got {moment.isoformat()}")


def oldest_present(born: dict[int, date | None]) -> tuple[int | None, list[int]]:
    """R-P3, municipal practice: the oldest of the members present leads when chair and vice chair
    are both absent. Returns (the oldest, or None when nobody is present or two share the earliest
    birth date; the members present whose birth date is unknown — then nobody can be named)."""
    missing = [person for person, day in born.items() if day is None]
    known = {person: day for person, day in born.items() if day is not None}
    if missing or not known:
        return None, missing
    earliest = min(known.values())
    oldest = [person for person, day in known.items() if day == earliest]
    return (oldest[0] if len(oldest) == 1 else None), []
