"""R-D3 for a move: moving a meeting to a date whose distribution deadline has passed makes its
agenda late, so only the acting chair may do it, with a reason the agenda shows; the secretariat is
told whom to ask. And a day with two meetings is never answered with the first (the chat asks)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from models.db import SessionFactory
from models.tables import AgendaVersion, Council, Meeting
from services.agenda_delivery import distribute_agenda
from services.attendance import report_absence
from services.meeting_plan import (
    cancel_meeting_on,
    move_check,
    move_meeting,
    move_meeting_on,
    plan_changes_on,
)
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    SECRETARY,
    VICE,
    actor,
    meeting_at,
    propose,
)
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # R-D2: out by 3 March
MOVED_AT = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)  # the day the meeting is moved
SOONER = datetime(2027, 3, 5, 9, 0, tzinfo=UTC)  # R-D2: out by 26 February — passed on 1 March
LATER = datetime(2027, 3, 17, 9, 0, tzinfo=UTC)  # R-D2: out by 10 March — still ahead
REASON = "Regionsrådet har flyttet sit møde"


async def _move(
    sessions: SessionFactory, who: str, meeting: int, to: datetime, reason: str | None = None
) -> Meeting:
    async with sessions() as session, session.begin():
        moved: Meeting = await move_meeting(
            session,
            actor=await actor(sessions, who),
            meeting_id=meeting,
            starts_at=to,
            now=MOVED_AT,
            reason=reason,
        )
    return moved


async def _meeting(sessions: SessionFactory, meeting: int) -> Meeting:
    async with sessions() as session:
        found = await session.get(Meeting, meeting)
    assert found is not None
    return found


async def test_the_secretariat_cannot_move_a_meeting_inside_its_deadline_and_is_told_whom_to_ask(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    for reason in (None, REASON):
        with refused_with("move_needs_chair_reason") as refused:
            await _move(sessions, SECRETARY, meeting, SOONER, reason)
        assert refused.value.params["chair"] == CHAIR
    assert (await _meeting(sessions, meeting)).starts_at == MEETING_AT
    moved = await _move(sessions, SECRETARY, meeting, LATER)  # a date still in time needs none
    assert moved.starts_at == LATER and moved.distribution_exception is None


async def test_the_chair_moves_it_with_a_reason_and_the_new_version_shows_it(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await distribute_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    with refused_with("exception_reason_required"):
        await _move(sessions, CHAIR, meeting, SOONER)
    moved = await _move(sessions, CHAIR, meeting, SOONER, f"  {REASON} ")
    assert moved.distribution_exception == REASON
    async with sessions() as session:
        version = await session.get(AgendaVersion, 2)
    assert version is not None and version.snapshot["exception"] == REASON


async def test_a_reason_given_at_the_move_goes_out_with_the_first_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    await _move(sessions, CHAIR, meeting, SOONER, REASON)
    async with sessions() as session, session.begin():  # the secretariat sends it: no new reason
        sent = await distribute_agenda(
            session, actor=await actor(sessions, SECRETARY), meeting_id=meeting, now=MOVED_AT
        )
    assert (sent.on_time, sent.exception) == (False, REASON)


async def test_the_vice_chair_gives_the_reason_when_the_chair_is_absent(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    async with sessions() as session, session.begin():
        await report_absence(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    with refused_with("move_needs_chair_reason") as refused:
        await _move(sessions, CHAIR, meeting, SOONER, REASON)
    assert refused.value.params["chair"] == VICE
    assert (await _move(sessions, VICE, meeting, SOONER, REASON)).starts_at == SOONER


async def test_the_check_before_confirming_says_a_reason_is_needed_or_refuses(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)

    async def check(who: str, to: datetime) -> datetime | None:
        async with sessions() as session:
            found: datetime | None = await move_check(
                session, actor=await actor(sessions, who), meeting_id=meeting, starts_at=to,
                now=MOVED_AT,
            )  # fmt: skip
        return found

    deadline = await check(CHAIR, SOONER)
    assert deadline is not None and deadline.date() == date(2027, 2, 26)
    assert await check(CHAIR, LATER) is None
    assert await check(SECRETARY, LATER) is None
    with refused_with("move_needs_chair_reason"):
        await check(SECRETARY, SOONER)


async def test_a_day_with_two_meetings_is_never_answered_with_the_first(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    first = await meeting_at(sessions, council, now, MEETING_AT)
    second = await meeting_at(sessions, council, now, MEETING_AT + timedelta(hours=5))
    secretary = await actor(sessions, SECRETARY)
    async with sessions() as session:
        changes = await plan_changes_on(session, actor=secretary, day=date(2027, 3, 10), now=now)
    assert [c.meeting.id for c in changes] == [first, second]
    with refused_with("several_meetings_on_day"):
        async with sessions() as session, session.begin():
            await cancel_meeting_on(session, actor=secretary, day=date(2027, 3, 10), now=now)
    with refused_with("several_meetings_on_day"):
        async with sessions() as session, session.begin():
            await move_meeting_on(
                session, actor=secretary, day=date(2027, 3, 10), starts_at=LATER, now=now
            )
    assert (await _meeting(sessions, first)).starts_at == MEETING_AT
