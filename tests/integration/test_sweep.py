"""The sweep (DESIGN.md: the database is the schedule): due work is done once, whenever it runs."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from models.db import SessionFactory
from models.enums import AttendanceStatus, MeetingKind, MeetingStatus, SubstituteAnswer
from models.tables import Attendance, Council, Meeting, Notice
from services.actors import secretariat_actor
from services.meetings import add_meeting
from services.sweep import SweepReport, remind_meetings, sweep
from tests.integration.agenda_helpers import CHAIR, actor
from tests.integration.conftest import person_id

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Copenhagen
REMINDED = 11 + 11 + 2  # mayors (or their summoned substitutes), members and the secretariat


async def add(sessions: SessionFactory, council: Council, now: datetime, at: datetime) -> int:
    async with sessions() as session, session.begin():
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=at,
            place="Aalborg",
            now=now,
            actor=await secretariat_actor(session, council.id or 0),
        )
    assert meeting.id is not None
    return meeting.id


# These tests are about the meeting reminders; the agenda's tasks have tests of their own.
ONLY_REMINDERS = {"meeting_reminders": remind_meetings}


async def run_sweep(sessions: SessionFactory, now: datetime) -> SweepReport:
    async with sessions() as session, session.begin():
        return await sweep(session, now, ONLY_REMINDERS)


async def reminders(sessions: SessionFactory) -> list[Notice]:
    async with sessions() as session:
        return list(
            (await session.exec(select(Notice).where(Notice.kind == "meeting_reminder"))).all()
        )


async def test_the_sweep_reminds_each_member_once_the_day_before_a_meeting(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await add(sessions, council, now, MEETING_AT)
    assert (await run_sweep(sessions, MEETING_AT - timedelta(days=1, minutes=1))).total == 0
    report = await run_sweep(sessions, MEETING_AT - timedelta(days=1))
    assert report.added == {"meeting_reminders": REMINDED}
    for later in (timedelta(hours=20), timedelta(minutes=1)):
        assert (await run_sweep(sessions, MEETING_AT - later)).total == 0
    sent = await reminders(sessions)
    assert len({n.person_id for n in sent}) == REMINDED
    assert sent[0].payload == {
        "meeting_id": meeting,
        "kind": "ordinary",
        "starts_at": "2027-03-10T10:00:00+01:00",
        "place": "Aalborg",
        "council": "KKR Nordjylland",
        # the day is named from when it goes out: "i morgen", not a fixed word (issue 17)
        "reminded_at": (MEETING_AT - timedelta(days=1)).isoformat(),
    }
    substitute = await person_id(sessions, "Poul Quist")
    assert substitute not in {n.person_id for n in sent}


async def test_a_sweep_after_downtime_still_reminds_but_not_after_the_meeting_began(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await add(sessions, council, now, MEETING_AT)
    assert (await run_sweep(sessions, MEETING_AT)).total == 0
    assert (await run_sweep(sessions, MEETING_AT - timedelta(minutes=1))).total == REMINDED


async def test_members_who_reported_absence_and_cancelled_meetings_get_no_reminder(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await add(sessions, council, now, MEETING_AT)
    cancelled = await add(sessions, council, now, MEETING_AT + timedelta(hours=2))
    absent = await person_id(sessions, "Line Toft")
    async with sessions() as session, session.begin():
        session.add(
            Attendance(meeting_id=meeting, person_id=absent, status=AttendanceStatus.ABSENT)
        )
        row = await session.get(Meeting, cancelled)
        assert row is not None
        row.status = MeetingStatus.CANCELLED
        session.add(row)
    async with sessions() as session, session.begin():
        added = await remind_meetings(session, MEETING_AT - timedelta(hours=3))
    assert added == REMINDED - 1
    assert absent not in {n.person_id for n in await reminders(sessions)}


async def test_a_summoned_substitute_is_reminded_in_the_absent_members_place(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await add(sessions, council, now, MEETING_AT)
    member = await person_id(sessions, "Line Toft")
    substitute = await person_id(sessions, "Camilla Nissen")
    async with sessions() as session, session.begin():
        session.add(
            Attendance(
                meeting_id=meeting,
                person_id=member,
                status=AttendanceStatus.ABSENT,
                substitute_id=substitute,
                substitute_answer=SubstituteAnswer.ACCEPTED,
            )
        )
    assert (await run_sweep(sessions, MEETING_AT - timedelta(hours=1))).total == REMINDED
    reminded = {n.person_id for n in await reminders(sessions)}
    assert substitute in reminded and member not in reminded


async def test_a_meeting_moved_after_its_reminder_is_reminded_again_for_the_new_time(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await add(sessions, council, now, MEETING_AT)
    assert (await run_sweep(sessions, MEETING_AT - timedelta(hours=2))).total == REMINDED
    moved_to = MEETING_AT + timedelta(hours=4)
    async with sessions() as session, session.begin():
        row = await session.get(Meeting, meeting)
        assert row is not None
        row.starts_at = moved_to
        session.add(row)
    assert (await run_sweep(sessions, MEETING_AT - timedelta(hours=1))).total == REMINDED
    assert (await run_sweep(sessions, MEETING_AT)).total == 0, "once for the new time as well"
    starts = sorted({n.payload["starts_at"] for n in await reminders(sessions)})
    assert starts == ["2027-03-10T10:00:00+01:00", "2027-03-10T14:00:00+01:00"]


async def test_an_extraordinary_meeting_is_reminded_too(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        await add_meeting(
            session,
            council=council,
            starts_at=MEETING_AT,
            place="Online",
            now=now,
            kind=MeetingKind.EXTRAORDINARY,
            actor=chair,  # R-M2: the chair calls it
            summoned_by_caller=True,  # the row alone: these tests are about the reminder
        )
    assert (await run_sweep(sessions, MEETING_AT - timedelta(hours=1))).total == REMINDED


async def test_the_sweep_runs_the_tasks_it_is_given(
    sessions: SessionFactory, now: datetime
) -> None:
    seen: list[datetime] = []

    async def task(_session: object, when: datetime) -> int:
        seen.append(when)
        return 3

    async with sessions() as session, session.begin():
        report = await sweep(session, now, tasks={"probe": task})  # type: ignore[dict-item]
    assert (report.added, report.total, report.skipped, seen) == ({"probe": 3}, 3, False, [now])


@pytest.mark.postgres
async def test_only_one_instance_sweeps_at_a_time_on_postgresql(
    sessions: SessionFactory, council: Council, now: datetime, database_url: str
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("the advisory lock is a PostgreSQL matter")
    await add(sessions, council, now, MEETING_AT)
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> SweepReport:
        async with sessions() as session, session.begin():
            report = await sweep(session, MEETING_AT - timedelta(hours=1), ONLY_REMINDERS)
            holding.set()
            await release.wait()
            return report

    task = asyncio.create_task(first())
    await holding.wait()
    second = await run_sweep(sessions, MEETING_AT - timedelta(hours=1))
    release.set()
    assert second.skipped and second.total == 0
    assert (await task).total == REMINDED
    assert len(await reminders(sessions)) == REMINDED
