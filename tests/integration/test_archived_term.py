"""The archived term is read-only: once the next term is constituted, every write into the old one
is refused — by any service, or straight through a session — while its attendance still exports."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from models.enums import MeetingStatus
from models.tables import AgendaItem, Council, Meeting
from models.term import Term
from services.actors import secretariat_actor
from services.attendance import report_absence, summon_substitute
from services.attendance_export import attendance_export
from services.constitution import call_constituent_meeting, constitute
from services.errors import Refused
from services.meeting_plan import move_meeting
from services.meetings import add_meeting
from services.membership_changes import leave
from services.minutes import approve_minutes
from services.minutes_documents import minutes_package
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, Council_, MinutesMeeting
from tests.integration.test_constitution import AFTER_ELECTION, elected

__all__ = ["elected"]

CONSTITUTED = datetime(2026, 1, 20, 14, 30, tzinfo=UTC)
IN_DECEMBER = datetime(2025, 12, 2, 9, 0, tzinfo=UTC)  # a clock still in the old term
NEW_TERM_BEGAN = date(2026, 1, 1)


async def _meeting(kkr: Council_, at: datetime) -> int:
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        meeting = await add_meeting(
            session,
            actor=await secretariat_actor(session, kkr.council_id),
            council=council,
            starts_at=at,
            place="Aalborg",
            now=AFTER_ELECTION,
        )
        return meeting.id or 0


@pytest.fixture
async def archived(elected: Council_) -> tuple[Council_, int]:
    """The December meeting of the old term, held with one absence, and one still planned; then
    the new term constituted."""
    old = await _meeting(elected, datetime(2025, 12, 15, 10, 0))
    never_held = await _meeting(elected, datetime(2025, 12, 18, 10, 0))
    anne = await elected.actor("Anne Rasmussen")
    for meeting_id in (old, never_held):
        await elected.run(report_absence, actor=anne, meeting_id=meeting_id, now=IN_DECEMBER)
    await elected.run(summon_substitute, actor=anne, meeting_id=never_held, now=IN_DECEMBER)
    async with elected.sessions() as session, session.begin():
        meeting = await session.get(Meeting, old)
        assert meeting is not None
        meeting.status = MeetingStatus.CLOSED
        meeting.opened_at = datetime(2025, 12, 15, 9, 0, tzinfo=UTC)
        meeting.closed_at = datetime(2025, 12, 15, 11, 0, tzinfo=UTC)
        session.add(meeting)
    await elected.run(
        call_constituent_meeting,
        actor=await elected.actor("Ole Lindholm"),
        starts_at=datetime(2026, 1, 20, 14, 0),
        place="Aalborg Rådhus",
        now=AFTER_ELECTION,
    )
    await elected.run(
        constitute,
        actor=await elected.actor("Kirsten Holm-Jensen"),
        chair="Gorm Iversen",
        vice_chair="Ole Lindholm",
        now=CONSTITUTED,
    )
    return elected, old


def _is_archived(refused: pytest.ExceptionInfo[Refused]) -> None:
    assert refused.value.code == "archived_term"
    assert refused.value.params["day"] == NEW_TERM_BEGAN


async def test_the_meetings_and_attendance_of_an_archived_term_cannot_be_changed(
    archived: tuple[Council_, int],
) -> None:
    kkr, old = archived
    secretary = await kkr.actor("Kirsten Holm-Jensen")
    with pytest.raises(Refused) as planned:
        await _meeting(kkr, datetime(2025, 12, 17, 10, 0))
    _is_archived(planned)
    planned_id = old + 1
    with pytest.raises(Refused) as absence:
        await kkr.run(
            report_absence,
            actor=await kkr.actor("Gorm Iversen"),
            meeting_id=planned_id,
            now=IN_DECEMBER,
        )
    _is_archived(absence)
    with pytest.raises(Refused) as moved:
        await kkr.run(
            move_meeting,
            actor=secretary,
            meeting_id=planned_id,
            starts_at=datetime(2025, 12, 16, 10, 0),
            now=IN_DECEMBER,
        )
    _is_archived(moved)
    with pytest.raises(Refused) as closed:
        async with kkr.sessions() as session, session.begin():
            meeting = await session.get(Meeting, old)
            assert meeting is not None
            meeting.place = "Hjørring"  # no service at all: the flush itself refuses
    _is_archived(closed)


async def test_a_leave_dated_back_into_the_archived_term_is_refused(
    archived: tuple[Council_, int],
) -> None:
    kkr, _old = archived
    with pytest.raises(Refused) as backdated:
        await kkr.run(
            leave,
            actor=await kkr.actor("Kirsten Holm-Jensen"),
            person_id=await kkr.person_id("Anne Rasmussen"),
            on=date(2025, 12, 20),
            reason="udtrådt",
            now=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
        )
    _is_archived(backdated)


async def test_a_member_of_the_new_term_still_leaves_though_an_old_meeting_was_never_held(
    archived: tuple[Council_, int],
) -> None:
    kkr, _old = archived
    departure = await kkr.run(
        leave,
        actor=await kkr.actor("Kirsten Holm-Jensen"),
        person_id=await kkr.person_id("Anne Rasmussen"),
        on=date(2026, 2, 1),
        reason="udtrådt",
        now=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    assert departure.asked == "Trine Ulrich"  # the December meeting's summons stays as history


async def test_the_new_term_is_written_as_before_and_the_old_attendance_exports(
    archived: tuple[Council_, int],
) -> None:
    kkr, old = archived
    coming = await _meeting(kkr, datetime(2026, 3, 10, 10, 0))
    absent = await kkr.run(
        report_absence,
        actor=await kkr.actor("Gorm Iversen"),
        meeting_id=coming,
        now=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    assert absent.meeting_id == coming
    export = await kkr.run(
        attendance_export,
        council_id=kkr.council_id,
        start=date(2025, 12, 1),
        end=date(2025, 12, 31),
        actor=await kkr.actor("Kirsten Holm-Jensen"),
        now=datetime(2026, 2, 1, 9, 0, tzinfo=UTC),
    )
    rows = [r for r in export.rows if r.meeting_id == old]
    assert rows and {r.name for r in rows if r.attendance == "absent"} >= {"Anne Rasmussen"}


async def test_the_minutes_of_an_archived_term_are_still_sent_and_exported(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    ids, day = minutes_meeting.ids, minutes_meeting.day
    later = NOW + timedelta(days=30)
    await kkr.run(
        approve_minutes, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=later
    )
    until = day.date() + timedelta(days=1)
    async with kkr.sessions() as session, session.begin():
        session.add(
            Term(
                council_id=kkr.council_id,
                election_day=date(2021, 11, 16),
                starts_on=date(2022, 1, 1),
                ends_on=until,
                archived_at=later,
                created_at=later,
            )
        )
    async with kkr.sessions() as session, session.begin():
        package = await minutes_package(
            session, meeting_id=kkr.meetings[0], version=1, language="da", now=later
        )
    assert package.pdf.content and package.pdf.content.startswith(b"%PDF")
    export = await kkr.run(
        attendance_export,
        council_id=kkr.council_id,
        start=day.date(),
        end=day.date(),
        actor=await kkr.actor("Kirsten Holm-Jensen"),
        now=later,
    )
    assert export.rows
    with pytest.raises(Refused) as item:
        async with kkr.sessions() as session, session.begin():
            found = await session.get(AgendaItem, next(iter(ids.values())))
            assert found is not None
            found.title = "Ændret bagefter"
    assert (item.value.code, item.value.params["day"]) == ("archived_term", until)
