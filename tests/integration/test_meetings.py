"""Meetings: adding them (R-M1), their deadlines in local time (R-D1, R-D2, R-D5), listing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from models.db import SessionFactory
from models.enums import MeetingKind
from models.tables import Council, Meeting
from services.actors import actor_for_person
from services.errors import Refused
from services.meetings import (
    MeetingView,
    add_meeting,
    council_meetings,
    local_start,
    meeting_of,
    upcoming_meetings,
    view,
)
from tests.integration.agenda_helpers import CHAIR, actor
from tests.integration.conftest import new_council, person_id
from tests.refusals import refused_with

CPH = ZoneInfo("Europe/Copenhagen")


async def add(
    sessions: SessionFactory,
    council: Council,
    starts_at: datetime,
    now: datetime,
    kind: MeetingKind = MeetingKind.ORDINARY,
    place: str = "Aalborg Rådhus",
) -> MeetingView:
    # R-M1: the secretariat plans; R-M2/R-D5: the chair calls an extraordinary meeting (the row
    # alone here: call_meeting sends its summons).
    extraordinary = kind != MeetingKind.ORDINARY
    who = await actor(sessions, CHAIR if extraordinary else "Kirsten Holm-Jensen")
    async with sessions() as session, session.begin():
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=starts_at,
            place=place,
            now=now,
            kind=kind,
            actor=who,
            summoned_by_caller=extraordinary,
        )
        return view(meeting, council)


async def test_an_ordinary_meeting_has_its_deadlines_at_the_end_of_the_local_day(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    shown = await add(sessions, council, datetime(2027, 3, 10, 10, 0), now)
    assert shown.starts_at == datetime(2027, 3, 10, 10, 0, tzinfo=CPH)
    assert shown.proposal_deadline == datetime(2027, 2, 28, 23, 59, 59, tzinfo=CPH)  # R-D1
    assert shown.distribution_deadline == datetime(2027, 3, 3, 23, 59, 59, tzinfo=CPH)  # R-D2


async def test_meeting_times_and_deadlines_keep_the_wall_clock_across_a_dst_change(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    # Summer time starts on Sunday 28 March 2027: the meeting is in CEST, its deadlines in CET.
    shown = await add(sessions, council, datetime(2027, 4, 1, 10, 0), now)
    async with sessions() as session:
        stored = (await session.exec(select(Meeting))).one()
    assert stored.starts_at == datetime(2027, 4, 1, 8, 0, tzinfo=UTC)
    assert shown.starts_at.utcoffset() == timedelta(hours=2)
    assert shown.proposal_deadline is not None and shown.distribution_deadline is not None
    assert shown.proposal_deadline.astimezone(UTC) == datetime(2027, 3, 22, 22, 59, 59, tzinfo=UTC)
    assert shown.distribution_deadline.astimezone(UTC) == datetime(
        2027, 3, 25, 22, 59, 59, tzinfo=UTC
    )


async def test_a_wall_clock_time_skipped_by_the_clock_change_is_refused(
    council: Council,
) -> None:
    with pytest.raises(Refused, match="2027-03-28 02:30 does not exist") as refused:
        local_start(council, datetime(2027, 3, 28, 2, 30))
    assert refused.value.code == "time_does_not_exist"
    assert local_start(council, datetime(2027, 10, 31, 2, 30)).utcoffset() == timedelta(hours=2)


async def test_an_extraordinary_meeting_has_no_deadlines(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    shown = await add(
        sessions, council, datetime(2026, 11, 25, 14, 0), now, kind=MeetingKind.EXTRAORDINARY
    )
    assert (shown.kind, shown.proposal_deadline, shown.distribution_deadline) == (
        "extraordinary",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("starts_at", "place", "code"),
    [
        (datetime(2026, 11, 23, 9, 0), "Aalborg", "invalid_moment"),
        (datetime(2027, 3, 10, 10, 0), "  ", "place_length"),
        (datetime(2027, 3, 10, 10, 0), "x" * 201, "place_length"),
    ],
)
async def test_a_meeting_in_the_past_or_without_a_place_is_refused(
    sessions: SessionFactory,
    council: Council,
    now: datetime,
    starts_at: datetime,
    place: str,
    code: str,
) -> None:
    with pytest.raises(Refused) as refused:
        await add(sessions, council, starts_at, now, place=place)
    assert refused.value.code == code


async def test_two_meetings_at_the_same_time_are_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await add(sessions, council, datetime(2027, 3, 10, 10, 0), now)
    with pytest.raises(Refused, match="has a meeting at 2027-03-10 10:00 already"):
        await add(sessions, council, datetime(2027, 3, 10, 10, 0, tzinfo=CPH), now)


async def test_a_member_may_not_plan_a_meeting_but_the_secretariat_may(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session:
        member = await actor_for_person(session, await person_id(sessions, "Line Toft"))
        secretary = await actor_for_person(session, await person_id(sessions, "Mads Brandt"))
    assert member is not None and secretary is not None
    async with sessions() as session, session.begin():
        with refused_with("not_allowed"):
            await add_meeting(
                session,
                council=council,
                starts_at=datetime(2027, 3, 10, 10, 0),
                place="Aalborg",
                now=now,
                actor=member,
            )
        await add_meeting(
            session,
            council=council,
            starts_at=datetime(2027, 3, 10, 10, 0),
            place="Aalborg",
            now=now,
            actor=secretary,
        )


async def their_meeting(sessions: SessionFactory, other: Council, now: datetime) -> Meeting:
    """A meeting of another council (a row of its own: nobody of ours may plan it)."""
    async with sessions() as session, session.begin():
        meeting = Meeting(
            council_id=other.id or 0,
            starts_at=datetime(2027, 4, 1, 8, 0, tzinfo=UTC),
            place="Roskilde",
            created_at=now,
        )
        session.add(meeting)
    return meeting


async def test_a_meeting_is_not_planned_in_another_council(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    other = await new_council(sessions, now, name="KKR Sjælland")
    with refused_with("not_found"):
        async with sessions() as session, session.begin():
            await add_meeting(
                session,
                council=other,
                starts_at=datetime(2027, 3, 10, 10, 0),
                place="Roskilde",
                now=now,
                actor=await actor(sessions, "Kirsten Holm-Jensen"),
            )


async def test_coming_meetings_are_listed_soonest_first_and_only_for_the_own_council(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    other = await new_council(sessions, now, name="KKR Sjælland")
    await add(sessions, council, datetime(2027, 5, 1, 10, 0), now)
    await add(sessions, council, datetime(2027, 3, 10, 10, 0), now)
    await add(sessions, council, datetime(2026, 11, 24, 10, 0), now)
    await their_meeting(sessions, other, now)
    later = datetime(2026, 11, 25, tzinfo=UTC)
    async with sessions() as session:
        substitute = await actor_for_person(session, await person_id(sessions, "Poul Quist"))
        assert substitute is not None
        seen_by_substitute = await upcoming_meetings(session, actor=substitute, now=later)
        seen_by_cli = await council_meetings(session, council=council, now=later)
    assert [m.starts_at.date().isoformat() for m in seen_by_substitute] == [
        "2027-03-10",
        "2027-05-01",
    ]
    assert seen_by_cli == seen_by_substitute


async def test_a_meeting_of_another_council_is_not_found_like_one_that_does_not_exist(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    other = await new_council(sessions, now, name="KKR Sjælland")
    theirs = await their_meeting(sessions, other, now)
    ours = await add(sessions, council, datetime(2027, 3, 10, 10, 0), now)
    async with sessions() as session:
        member = await actor_for_person(session, await person_id(sessions, "Poul Quist"))
        assert member is not None
        assert (await meeting_of(session, member, ours.id)).id == ours.id
        with refused_with("not_found") as elsewhere:
            await meeting_of(session, member, theirs.id)
        with refused_with("not_found") as missing:
            await meeting_of(session, member, theirs.id + 1000)
    assert elsewhere.value.detail == missing.value.detail, "nothing tells the two apart"
