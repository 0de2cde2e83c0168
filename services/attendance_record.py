"""The attendance record of a meeting (R-Q4) for the minutes (R-X2) and the allowance export (R-X3):
who attended in person, who was absent, who substituted for whom, with arrival and departure times.

Who counts as attending, and for whom, is decided by procedure.quorum.attendance_record; this
module gathers who came at all (checked in at some point, whether or not still there).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, MeetingStatus, SubstituteAnswer, SubstituteStatus
from models.tables import Meeting
from procedure.permissions import Action
from procedure.quorum import AttendancePicture, attendance_record
from services.actors import Actor
from services.errors import Refused
from services.seats import Seats, load_seats, require, standing_meeting

CAME = (AttendanceStatus.PRESENT, AttendanceStatus.LEFT)
SUBSTITUTE_CAME = (SubstituteStatus.PRESENT, SubstituteStatus.LEFT)


@dataclass(frozen=True)
class SeatRecord:
    """One member's seat: who attended it (the member, a substitute, or nobody) and when."""

    member: str
    attended_by: str | None  # the member's name, the substitute's name, or None (absent)
    substitute: str | None  # set when a substitute attended for the member
    arrived_at: datetime | None
    left_at: datetime | None
    absence_reason: str | None


@dataclass(frozen=True)
class AbsenceRecord:
    """R-Q4/R-S7: a member absent with notice: the reason, and what became of the summons."""

    member: str
    reason: str | None
    substitute: str | None  # the substitute summoned, if any
    answer: str  # "not_summoned", "declined", "no_answer" (pending) or "accepted" (did not come)


@dataclass(frozen=True)
class AttendanceRecordView:
    """R-Q4: the record as the minutes list it, seat by seat in the council's order."""

    meeting_id: int
    starts_at: datetime  # in the council's zone
    place: str
    closed: bool
    in_person: list[str]
    substituted: list[tuple[str, str]]  # (absent member, the substitute who attended)
    absent_without_substitute: list[str]  # with and without notice together
    seats: list[SeatRecord]
    absent_with_notice: list[AbsenceRecord]
    absent_without_notice: list[str]  # while open: not checked in so far


def attendance_picture(seats: Seats) -> AttendancePicture[int]:
    """Everyone who checked in at some point during the meeting (R-X3: also those who left)."""
    came = [m for m, r in seats.rows.items() if r.status in CAME]
    came += [
        r.substitute_id
        for r in seats.rows.values()
        if r.substitute_id is not None and r.substitute_status in SUBSTITUTE_CAME
    ]
    return AttendancePicture.of(seats.members, came, seats.substitute_for)


async def meeting_attendance_record(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> AttendanceRecordView:
    """R-Q4: the meeting's attendance for the minutes (chair, acting chair and secretariat only);
    without `meeting_id`, of the meeting in progress or else the last one held."""
    if meeting_id is None:
        meeting_id = await _last_held(session, actor)
    meeting = await standing_meeting(session, actor, meeting_id)
    seats = await load_seats(session, meeting, now)
    require(actor, seats, Action.VIEW_ATTENDANCE_RECORD)
    if meeting.status == MeetingStatus.PLANNED:
        raise Refused("not_open")  # the record starts when the meeting opens
    record = attendance_record(attendance_picture(seats), notified=seats.absent())
    tz = ZoneInfo(seats.council.timezone)
    lines = []
    for member in seats.members:
        row = seats.rows.get(member)
        substitute = record.substituted.get(member)
        attended = member if member in record.in_person else substitute
        lines.append(
            SeatRecord(
                member=seats.name(member),
                attended_by=seats.name(attended) if attended is not None else None,
                substitute=seats.name(substitute) if substitute is not None else None,
                arrived_at=_local(row.arrived_at, tz) if row and attended is not None else None,
                left_at=_local(row.left_at, tz) if row and attended is not None else None,
                absence_reason=row.absence_reason if row is not None else None,
            )
        )
    return AttendanceRecordView(
        meeting_id=meeting.id or 0,
        starts_at=meeting.starts_at.astimezone(tz),
        place=meeting.place,
        closed=meeting.status == MeetingStatus.CLOSED,
        in_person=[seats.name(m) for m in seats.members if m in record.in_person],
        substituted=[
            (seats.name(m), seats.name(s))
            for m in seats.members
            if (s := record.substituted.get(m)) is not None
        ],
        absent_without_substitute=[
            seats.name(m) for m in seats.members if m in record.unrepresented
        ],
        seats=lines,
        absent_with_notice=[
            _absence(seats, m) for m in seats.members if m in record.absent_with_notice
        ],
        absent_without_notice=[
            seats.name(m) for m in seats.members if m in record.absent_without_notice
        ],
    )


def _absence(seats: Seats, member: int) -> AbsenceRecord:
    """R-Q4/R-S7: the reported absence of a member nobody attended for."""
    row = seats.rows[member]
    answer = row.substitute_answer
    if answer == SubstituteAnswer.PENDING:
        answer = "no_answer"
    return AbsenceRecord(
        member=seats.name(member),
        reason=row.absence_reason,
        substitute=seats.name(row.substitute_id) if row.substitute_id is not None else None,
        answer=str(answer),
    )


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz) if moment is not None else None


async def _last_held(session: AsyncSession, actor: Actor) -> int:
    """The meeting in progress, else the latest closed one, of the actor's council."""
    held = await session.exec(
        select(Meeting.id)
        .where(
            Meeting.council_id == actor.council_id,
            col(Meeting.status).in_([MeetingStatus.OPEN, MeetingStatus.CLOSED]),
        )
        .order_by(col(Meeting.status) == MeetingStatus.OPEN, col(Meeting.starts_at))
    )
    meetings = held.all()
    if not meetings or meetings[-1] is None:
        raise Refused("no_meeting_held")
    return meetings[-1]
