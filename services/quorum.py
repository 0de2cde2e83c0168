"""Quorum, live (R-Q1, R-Q2, R-Q4): the picture of a meeting's attendance, the view people see,
the alert when quorum is lost, and marking the group's pinned message dirty after every change.

Every count comes from procedure.quorum; this module only gathers who is where.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import func, literal
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.enums import AttendanceStatus, MeetingStatus, SubstituteStatus
from models.tables import AttendanceEvent, LiveMessage
from models.types import UTCDateTime
from procedure.attendance import quorum_lost, stands_in
from procedure.permissions import Action
from procedure.quorum import (
    AttendancePicture,
    QuorumStatus,
    expected_attendance,
    quorum_status,
    represented_members,
)
from services.actors import Actor
from services.meetings import MeetingView, view
from services.seats import Seats, load_seats, next_meeting, require, standing_meeting, tell

QUORUM_MESSAGE = "quorum"  # LiveMessage.kind of the pinned group message


class Phase(StrEnum):
    """R-Q2: before the meeting the picture is a forecast; during and after it, check-ins."""

    FORECAST = "forecast"
    ACTUAL = "actual"
    CLOSED = "closed"


@dataclass(frozen=True)
class SeatLine:
    """One reported absence and who, if anyone, stands in (R-Q4)."""

    member: str
    substitute: str | None
    answer: str
    reason: str | None


@dataclass(frozen=True)
class FloorLine:
    """R-M5/R-Q3: the item under discussion and, during a vote, how many seats have voted."""

    number: int
    title: str
    vote_question: str | None = None
    voted: int | None = None
    decision: str | None = None  # once decided: the text, and the counts when voted on
    votes: tuple[int, int, int] | None = None


@dataclass(frozen=True)
class QuorumView:
    """R-Q2: what /quorum answers and the pinned group message shows."""

    council: str
    meeting: MeetingView
    phase: Phase
    status: QuorumStatus
    missing: list[str]
    absences: list[SeatLine]
    present: list[str]
    acting_chair: str | None
    chair_absent: bool
    floor: FloorLine | None = None  # filled in by services.meeting_room while the meeting runs

    @property
    def open(self) -> bool:
        return self.phase is Phase.ACTUAL


def phase_of(seats: Seats) -> Phase:
    if seats.meeting.status == MeetingStatus.OPEN:
        return Phase.ACTUAL
    if seats.meeting.status == MeetingStatus.CLOSED:
        return Phase.CLOSED
    return Phase.FORECAST


def picture(seats: Seats) -> AttendancePicture[int]:
    """R-Q2: the forecast before the meeting, the check-ins once it is open."""
    if phase_of(seats) is Phase.FORECAST:
        accepted = [
            r.substitute_id
            for r in seats.rows.values()
            if r.status == AttendanceStatus.ABSENT
            and r.substitute_id is not None
            and stands_in(r.substitute_answer)
        ]
        return expected_attendance(seats.members, seats.absent(), seats.substitute_for, accepted)
    present = [m for m, r in seats.rows.items() if r.status == AttendanceStatus.PRESENT]
    present += [
        r.substitute_id
        for r in seats.rows.values()
        if r.substitute_id is not None and r.substitute_status == SubstituteStatus.PRESENT
    ]
    return AttendancePicture.of(seats.members, present, seats.substitute_for)


def status_of(seats: Seats) -> QuorumStatus:
    """R-Q1: the quorum status of the meeting as it stands."""
    return quorum_status(picture(seats))


def build_view(seats: Seats) -> QuorumView:
    """R-Q2/R-Q4: the full view of a meeting's attendance."""
    shown = picture(seats)
    represented = represented_members(shown.members, shown.present, shown.substitute_of)
    absences = [
        SeatLine(
            member=seats.name(member),
            substitute=seats.name(row.substitute_id)
            if row.substitute_id is not None and row.substitute_answer != "not_summoned"
            else None,
            answer=row.substitute_answer,
            reason=row.absence_reason,
        )
        for member, row in seats.rows.items()
        if row.status == AttendanceStatus.ABSENT
    ]
    present = []
    for member in seats.members:
        row = seats.rows.get(member)
        if row is None:
            continue
        if row.status == AttendanceStatus.PRESENT:
            present.append(seats.name(member))
        if row.substitute_id is not None and row.substitute_status == SubstituteStatus.PRESENT:
            present.append(f"{seats.name(row.substitute_id)} ({seats.name(member)})")
    leader = seats.acting_chair()
    return QuorumView(
        council=seats.council.name,
        meeting=view(seats.meeting, seats.council),
        phase=phase_of(seats),
        status=quorum_status(shown),
        missing=[seats.name(m) for m in seats.members if m not in represented],
        absences=absences,
        present=present,
        acting_chair=seats.name(leader) if leader is not None else None,
        chair_absent=seats.chair is not None and seats.officer_absent(seats.chair),
    )


async def quorum_view(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> QuorumView:
    """R-Q2: /quorum — members, required, expected or actual attendance, who is missing."""
    meeting = (
        await standing_meeting(session, actor, meeting_id)
        if meeting_id is not None
        else await next_meeting(session, actor, now)
    )
    seats = await load_seats(session, meeting, now)
    require(actor, seats, Action.VIEW_QUORUM)
    return build_view(seats)


async def after_change(
    session: AsyncSession, seats: Seats, before: QuorumStatus, *, now: datetime
) -> QuorumStatus:
    """After any attendance change: alert on lost quorum (R-Q2) and mark the group message dirty."""
    await session.flush()
    after = status_of(seats)
    if quorum_lost(before, after):
        phase = phase_of(seats)
        seq = await _event_count(session, seats.meeting.id or 0)
        # R-P3: the chair, and the vice chair too when acting for an absent chair.
        await tell(
            session,
            seats,
            [*seats.chairs(), *seats.secretariat],
            kind="quorum_lost" if phase is Phase.ACTUAL else "quorum_forecast_lost",
            key=f"quorum-lost:{seats.meeting.id}:{phase}:{seq}",
            now=now,
            payload={
                "present": after.present,
                "required": after.required,
                "members": after.members,
            },
        )
    await touch(session, seats, now=now)
    return after


async def touch(session: AsyncSession, seats: Seats, *, now: datetime) -> None:
    """R-Q2: mark the meeting's pinned group message dirty (created on first use)."""
    await mark_dirty(session, seats.council.group_chat_id, seats.meeting.id, now=now)


async def mark_dirty(
    session: AsyncSession, chat_id: int | None, meeting_id: int | None, *, now: datetime
) -> None:
    """R-Q2: the same, for a caller that has not loaded the seats (a vote, many per second)."""
    if chat_id is None or meeting_id is None:
        return
    transaction = session.sync_session.get_transaction()
    kept = session.info.get("kkrbot.live_marked")
    if kept is None or kept[0] is not transaction:
        kept = session.info["kkrbot.live_marked"] = (transaction, set())
    marked: set[tuple[int, int]] = kept[1]
    if (chat_id, meeting_id) in marked:
        return  # once per transaction is enough: a burst of check-ins is one change to show
    marked.add((chat_id, meeting_id))
    table = LiveMessage.__table__  # type: ignore[attr-defined]
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(LiveMessage)
        .values(
            kind=QUORUM_MESSAGE,
            meeting_id=meeting_id,
            chat_id=chat_id,
            dirty_since=now,
            changes=1,
            rendered_changes=0,
        )
        .on_conflict_do_update(
            index_elements=["kind", "chat_id", "meeting_id"],
            set_={
                "changes": table.c.changes + 1,
                "dirty_since": func.coalesce(table.c.dirty_since, literal(now, UTCDateTime())),
            },
        )
    )
    await session.exec(statement)
    changes.note(session, changes.LIVE)  # the live editor wakes when this commits


async def _event_count(session: AsyncSession, meeting_id: int) -> int:
    result = await session.exec(
        select(func.count())
        .select_from(AttendanceEvent)
        .where(AttendanceEvent.meeting_id == meeting_id)
    )
    return int(result.one())
