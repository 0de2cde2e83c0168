"""The sweep (DESIGN.md: the database is the schedule): ask what is due and not yet done, do it once.

Each task is idempotent through the outbox's dedupe keys, so a missed tick, a restart or a second
instance neither loses nor doubles an action; what fell due while the bot was down is done late."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus
from models.tables import Attendance, Council, Meeting
from services import dialogues
from services.agenda_sweep import (
    alert_not_approved,
    close_proposals,
    distribute_due,
    meeting_reminder_window,
    remind_addendum,
    remind_agenda,
    remind_proposals,
)
from services.due import MEETING_REMINDER, mark_done, near_meetings, shared_reads
from services.meetings import view
from services.outbox import enqueue
from services.recipients import agenda_recipients

SWEEP_LOCK_KEY = 0x6B6B72  # "kkr": one sweep at a time across instances on PostgreSQL

Task = Callable[[AsyncSession, datetime], Awaitable[int]]


@dataclass
class SweepReport:
    """How many notices each task added; `skipped` when another instance holds the sweep."""

    added: dict[str, int] = field(default_factory=dict)
    skipped: bool = False

    @property
    def total(self) -> int:
        return sum(self.added.values())


async def remind_meetings(session: AsyncSession, now: datetime) -> int:
    """R-D4: a reminder before a meeting (default a day) to everyone who receives its agenda — a
    summoned substitute in the member's place (R-S3) — but not to a member who reported absence.

    Once per meeting and start: a meeting moved after its reminder is reminded again."""
    near = await near_meetings(session, now)
    added = 0
    for meeting in near.meetings:
        council = near.councils[meeting.council_id]
        if meeting.starts_at > now + meeting_reminder_window(council):
            continue
        if meeting.done.get(MEETING_REMINDER) == meeting.starts_at:
            continue  # reminded for this start already
        row = await session.get(Meeting, meeting.id)
        assert row is not None
        absent = set(
            (
                await session.exec(
                    select(Attendance.person_id).where(
                        Attendance.meeting_id == meeting.id,
                        Attendance.status == AttendanceStatus.ABSENT,
                    )
                )
            ).all()
        )
        # The day is named from when the reminder goes out ("today", "tomorrow", a weekday).
        payload = {**_meeting_payload(row, council), "reminded_at": now.isoformat()}
        start = meeting.starts_at.isoformat()
        for person_id in await agenda_recipients(session, row):
            if person_id in absent:
                continue  # R-D4: not those who said they won't come
            added += await enqueue(
                session,
                person_id=person_id,
                kind="meeting_reminder",
                now=now,
                payload=payload,
                dedupe_key=f"meeting-reminder:{meeting.id}:{start}:{person_id}",
                council_id=council.id,
            )
        await mark_done(session, MEETING_REMINDER, meeting.id, meeting.starts_at)
    return added


def _meeting_payload(meeting: Meeting, council: Council) -> dict[str, str | int | None]:
    shown = view(meeting, council)
    return {
        "meeting_id": shown.id,
        "kind": shown.kind,
        "starts_at": shown.starts_at.isoformat(),
        "place": shown.place,
        "council": council.name,
    }


# In this order: a deadline closes before its reminders are asked about, and the automatic
# distribution (R-D2) runs before the alert that the agenda was not approved.
TASKS: dict[str, Task] = {
    "close_proposals": close_proposals,
    "proposal_reminders": remind_proposals,
    "agenda_reminders": remind_agenda,
    "distribute_agendas": distribute_due,
    "agenda_not_approved": alert_not_approved,
    "addendum_reminders": remind_addendum,
    "meeting_reminders": remind_meetings,
}


def _attendance_tasks() -> dict[str, Task]:
    # Imported here: services.attendance and services.long_absence build on services.meetings too.
    from services.attendance import remind_unanswered_summons, report_unanswered_summons
    from services.long_absence import apply_long_absences
    from services.offices import return_offices

    return {
        "substitutes_reminded": remind_unanswered_summons,  # R-S7, a day before the deadline
        "substitutes_unanswered": report_unanswered_summons,  # R-S7
        "long_absences": apply_long_absences,  # R-S4/R-S5 for meetings planned later
        "offices_returned": return_offices,  # R-K3: a successor's period has ended
    }


TASKS.update(_attendance_tasks())


async def sweep(
    session: AsyncSession, now: datetime, tasks: dict[str, Task] | None = None
) -> SweepReport:
    """Run every due task in one transaction; on PostgreSQL only one instance sweeps at a time."""
    if not await _take_sweep_lock(session):
        return SweepReport(skipped=True)
    report = SweepReport()
    async with shared_reads(session):  # the near meetings are read once, not once per task
        for name, task in (tasks or TASKS).items():
            report.added[name] = await task(session, now)
    await dialogues.expire(session, now=now)  # issue 17: nothing half-made is kept
    return report


async def _take_sweep_lock(session: AsyncSession) -> bool:
    if session.bind is None or session.bind.dialect.name != "postgresql":
        return True  # SQLite serialises writers itself
    result = await session.exec(
        text("SELECT pg_try_advisory_xact_lock(:key)").bindparams(key=SWEEP_LOCK_KEY)
    )  # type: ignore[call-overload]
    return bool(result.scalar())
