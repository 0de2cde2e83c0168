"""The agenda's deadlines kept by the sweep (R-D1, R-D2, R-D4): at the right local time, once, and
after downtime once, late."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from models.db import SessionFactory
from models.tables import Council, Meeting
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import add_own_item, approve_agenda
from services.councils import CouncilSettings, change_settings
from services.sweep import SweepReport, sweep
from tests.conftest import NOW
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    MEMBERS,
    OTHER_MEMBER,
    PREPARERS,
    RECIPIENTS,
    SECRETARY,
    actor,
    meeting_at,
    names,
    notices,
    propose,
)
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Copenhagen (CET)
# R-D4 defaults: members at 09:00 local 3 and 1 days before the R-D1 deadline day (28 February).
PROPOSAL_REMINDER_3 = datetime(2027, 2, 25, 8, 0, tzinfo=UTC)
PROPOSAL_REMINDER_1 = datetime(2027, 2, 27, 8, 0, tzinfo=UTC)
PROPOSAL_DEADLINE = datetime(2027, 2, 28, 22, 59, 59, tzinfo=UTC)
# Chair and secretariat at 08:00 local 2 days before and on the R-D2 deadline day (3 March).
AGENDA_REMINDER_2 = datetime(2027, 3, 1, 7, 0, tzinfo=UTC)
AGENDA_REMINDER_0 = datetime(2027, 3, 3, 7, 0, tzinfo=UTC)
AUTO_DISTRIBUTION = datetime(2027, 3, 3, 8, 0, tzinfo=UTC)  # 09:00 local on the R-D2 day
SECOND = timedelta(seconds=1)


async def run(sessions: SessionFactory, now: datetime) -> SweepReport:
    async with sessions() as session, session.begin():
        return await sweep(session, now)


async def test_members_are_reminded_three_days_and_one_day_before_the_proposal_deadline(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)  # has done it already
    assert (await run(sessions, PROPOSAL_REMINDER_3 - SECOND)).added["proposal_reminders"] == 0
    assert (await run(sessions, PROPOSAL_REMINDER_3)).added["proposal_reminders"] == MEMBERS - 1
    assert (await run(sessions, PROPOSAL_REMINDER_3 + SECOND)).added["proposal_reminders"] == 0
    assert (await run(sessions, PROPOSAL_REMINDER_1)).added["proposal_reminders"] == MEMBERS - 1
    assert (await run(sessions, PROPOSAL_DEADLINE)).added["proposal_reminders"] == 0
    reminders = await notices(sessions, "proposal_reminder")
    assert len(reminders) == 2 * (MEMBERS - 1)
    assert reminders[0].payload["deadline"] == "2027-02-28T23:59:59+01:00"


async def test_after_downtime_only_the_latest_reminder_goes_and_only_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await meeting_at(sessions, council, now, MEETING_AT)
    late = PROPOSAL_REMINDER_1 + timedelta(hours=5)
    assert (await run(sessions, late)).added["proposal_reminders"] == MEMBERS
    assert (await run(sessions, late)).added["proposal_reminders"] == 0
    assert len(await notices(sessions, "proposal_reminder")) == MEMBERS


async def test_proposals_close_at_the_deadline_and_the_preparers_hear_it_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    assert (await run(sessions, PROPOSAL_DEADLINE)).added["close_proposals"] == 0
    assert (await run(sessions, PROPOSAL_DEADLINE + SECOND)).added["close_proposals"] == PREPARERS
    assert (await run(sessions, PROPOSAL_DEADLINE + timedelta(hours=1))).added[
        "close_proposals"
    ] == 0
    [closed, *_] = await notices(sessions, "proposals_closed")
    assert (closed.payload["on_agenda"], closed.payload["late"]) == (1, 0)


async def test_chair_and_secretariat_are_reminded_while_the_agenda_is_not_approved(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    assert (await run(sessions, AGENDA_REMINDER_2)).added["agenda_reminders"] == PREPARERS
    assert (await run(sessions, AGENDA_REMINDER_2 + SECOND)).added["agenda_reminders"] == 0
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=AGENDA_REMINDER_2
        )
    assert (await run(sessions, AGENDA_REMINDER_0)).added["agenda_reminders"] == 0


async def test_a_change_after_approval_needs_approval_again_before_the_sweep_sends_it(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    """R-D2 (issue 11): approval covers the agenda as approved; the chair is told of a change."""
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        await approve_agenda(session, actor=chair, meeting_id=meeting, now=now)
    later = now + timedelta(days=1)
    await propose(sessions, await actor(sessions, OTHER_MEMBER), meeting, later, title="Vækst")
    async with sessions() as session, session.begin():
        await add_own_item(
            session,
            actor=await actor(sessions, SECRETARY),
            meeting_id=meeting,
            title="Orientering",
            description="",
            material=[],
            now=later,
        )
    told = await names(
        sessions, [n.person_id for n in await notices(sessions, "agenda_approval_lapsed")]
    )
    assert told == {CHAIR, SECRETARY, "Mads Brandt"}  # once, at the first change
    assert len(await notices(sessions, "agenda_approval_lapsed")) == PREPARERS
    report = await run(sessions, AUTO_DISTRIBUTION)
    assert report.added["distribute_agendas"] == 0 and report.added["agenda_not_approved"] > 0
    async with sessions() as session, session.begin():
        await approve_agenda(session, actor=chair, meeting_id=meeting, now=AUTO_DISTRIBUTION)
    sent = await run(sessions, AUTO_DISTRIBUTION + timedelta(minutes=1))
    assert sent.added["distribute_agendas"] == RECIPIENTS


async def test_an_approved_agenda_goes_out_at_nine_on_the_deadline_day_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    assert (await run(sessions, AUTO_DISTRIBUTION - SECOND)).added["distribute_agendas"] == 0
    report = await run(sessions, AUTO_DISTRIBUTION)
    assert report.added["distribute_agendas"] == RECIPIENTS
    assert report.added["agenda_not_approved"] == 0
    assert (await run(sessions, AUTO_DISTRIBUTION + timedelta(minutes=1))).total == 0
    assert len(await notices(sessions, "agenda")) == RECIPIENTS
    async with sessions() as session:
        found = await session.get(Meeting, meeting)
    assert found is not None and found.agenda_version == 1
    assert found.distribution_exception is None


async def test_after_downtime_the_agenda_goes_out_late_once_and_says_why(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    back = datetime(2027, 3, 5, 12, 0, tzinfo=UTC)  # two days after the deadline
    assert (await run(sessions, back)).added["distribute_agendas"] == RECIPIENTS
    assert (await run(sessions, back)).added["distribute_agendas"] == 0
    async with sessions() as session:
        found = await session.get(Meeting, meeting)
    assert found is not None and found.distribution_exception is not None


async def test_an_agenda_approved_after_the_deadline_is_not_sent_by_itself(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    late = datetime(2027, 3, 4, 9, 0, tzinfo=UTC)  # the R-D2 deadline was 3 March, 23:59:59
    async with sessions() as session, session.begin():
        overview = await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=late
        )
    assert overview.distribution_deadline_passed
    report = await run(sessions, late + timedelta(minutes=1))
    assert report.added["distribute_agendas"] == 0, "R-D3: the chair sends it with the reason"
    assert await notices(sessions, "agenda") == []


async def test_an_unapproved_agenda_raises_the_alert_at_the_set_time_and_is_not_sent(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    assert (await run(sessions, AUTO_DISTRIBUTION - SECOND)).added["agenda_not_approved"] == 0
    report = await run(sessions, AUTO_DISTRIBUTION)
    assert report.added["agenda_not_approved"] == PREPARERS
    assert report.added["distribute_agendas"] == 0
    assert (await run(sessions, AUTO_DISTRIBUTION + timedelta(hours=2))).total == 0
    assert await notices(sessions, "agenda") == []


async def test_the_meeting_reminder_follows_the_councils_setting(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        stored = await session.get(Council, council.id)
        assert stored is not None
        stored.meeting_reminder_hours = 48
        session.add(stored)
    await meeting_at(sessions, council, now, MEETING_AT)
    early = MEETING_AT - timedelta(hours=48)
    assert (await run(sessions, early - SECOND)).added["meeting_reminders"] == 0
    assert (await run(sessions, early)).added["meeting_reminders"] == RECIPIENTS


async def settle(sessions: SessionFactory, council: Council, changes: CouncilSettings) -> None:
    async with sessions() as session, session.begin():
        stored = await session.get(Council, council.id)
        assert stored is not None
        await change_settings(session, council=stored, changes=changes, now=NOW)


async def test_the_automatic_distribution_follows_the_councils_time(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await settle(sessions, council, CouncilSettings(distribution_time=time(14, 30)))
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    at_half_past_two = datetime(2027, 3, 3, 13, 30, tzinfo=UTC)
    assert (await run(sessions, AUTO_DISTRIBUTION)).added["distribute_agendas"] == 0
    assert (await run(sessions, at_half_past_two - SECOND)).added["distribute_agendas"] == 0
    assert (await run(sessions, at_half_past_two)).added["distribute_agendas"] == RECIPIENTS


async def test_the_reminders_follow_the_councils_days_and_times(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await settle(
        sessions,
        council,
        CouncilSettings(
            proposal_reminder_days=[5],
            proposal_reminder_time=time(7, 15),
            agenda_reminder_days=[0],
            agenda_reminder_time=time(6, 0),
        ),
    )
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    # R-D1 is 28 February; five days before, at 07:15 local (06:15 UTC).
    proposal_moment = datetime(2027, 2, 23, 6, 15, tzinfo=UTC)
    assert (await run(sessions, proposal_moment - SECOND)).added["proposal_reminders"] == 0
    assert (await run(sessions, proposal_moment)).added["proposal_reminders"] == MEMBERS
    # The chair's reminder on the R-D2 day itself (0 days), at 06:00 local, before the 09:00 send.
    agenda_moment = datetime(2027, 3, 3, 5, 0, tzinfo=UTC)
    assert (await run(sessions, agenda_moment - SECOND)).added["agenda_reminders"] == 0
    assert (await run(sessions, agenda_moment)).added["agenda_reminders"] == PREPARERS
    assert meeting


async def test_a_setting_out_of_its_range_is_refused_and_nothing_changes(
    sessions: SessionFactory, council: Council
) -> None:
    with refused_with("invalid_input", match="agenda_reminder_days must be days 0 to 30"):
        await settle(
            sessions, council, CouncilSettings(distribution_time=time(7), agenda_reminder_days=[40])
        )
    async with sessions() as session:
        stored = await session.get(Council, council.id)
    assert stored is not None and stored.distribution_time == time(9, 0)


async def test_a_change_after_distribution_left_unsent_is_brought_to_the_chair_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        await distribute_agenda(session, actor=chair, meeting_id=meeting, now=now)
    changed = now + timedelta(days=1)
    async with sessions() as session, session.begin():
        await add_own_item(
            session,
            actor=chair,
            meeting_id=meeting,
            title="Orientering om budget",
            description="",
            material=[],
            now=changed,
        )
    assert (await run(sessions, changed + timedelta(minutes=59))).added["addendum_reminders"] == 0
    hour_later = changed + timedelta(hours=1)
    assert (await run(sessions, hour_later)).added["addendum_reminders"] == PREPARERS
    assert (await run(sessions, hour_later + timedelta(hours=5))).added["addendum_reminders"] == 0
    [told, *_] = await notices(sessions, "addendum_pending")
    assert told.payload["version"] == 1
    async with sessions() as session, session.begin():
        await distribute_agenda(session, actor=chair, meeting_id=meeting, now=hour_later)
    assert (await run(sessions, hour_later + timedelta(days=1))).added["addendum_reminders"] == 0


async def test_the_wait_before_an_unsent_addendum_is_reminded_is_a_council_setting(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        stored = await session.get(Council, council.id)
        assert stored is not None
        stored.addendum_reminder_hours = 3
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        await distribute_agenda(session, actor=chair, meeting_id=meeting, now=now)
    changed = now + timedelta(days=1)
    async with sessions() as session, session.begin():
        await add_own_item(
            session,
            actor=chair,
            meeting_id=meeting,
            title="Orientering om budget",
            description="",
            material=[],
            now=changed,
        )
    assert (await run(sessions, changed + timedelta(hours=2))).added["addendum_reminders"] == 0
    assert (await run(sessions, changed + timedelta(hours=3))).added[
        "addendum_reminders"
    ] == PREPARERS
