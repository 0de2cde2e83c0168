"""Proposals (R-D1): the deadline to the second and across daylight saving, who may propose, bad
input, the chair and secretariat told, one's own items and withdrawing them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from models.db import SessionFactory
from models.enums import AttendanceStatus, ItemStatus, SubstituteAnswer
from models.tables import Attendance, Council
from services.agenda import (
    MAX_TITLE,
    MaterialIn,
    meetings_open_for_proposals,
    my_items,
    withdraw_item,
)
from services.agenda_delivery import distribute_agenda
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    OTHER_MEMBER,
    PREPARERS,
    SECRETARY,
    SUBSTITUTE,
    actor,
    meeting_at,
    names,
    notices,
    propose,
)
from tests.integration.conftest import person_id
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Copenhagen
# R-D1: 23:59:59 Copenhagen time (CET, UTC+1) on 28 February 2027, ten days before.
LAST_SECOND = datetime(2027, 2, 28, 22, 59, 59, tzinfo=UTC)


async def test_a_proposal_at_23_59_59_on_the_deadline_day_is_on_time(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    result = await propose(sessions, await actor(sessions, MEMBER), meeting, LAST_SECOND)
    assert result.on_time and result.item.status == ItemStatus.PROPOSED
    assert result.deadline.isoformat() == "2027-02-28T23:59:59+01:00"
    assert [m.file_name for m in result.item.material] == ["budget.pdf"]


async def test_a_proposal_one_second_later_is_late_and_waits_for_the_chair(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    result = await propose(
        sessions, await actor(sessions, MEMBER), meeting, LAST_SECOND + timedelta(seconds=1)
    )
    assert not result.on_time
    assert result.item.status == ItemStatus.LATE and result.item.late
    told = await notices(sessions, "proposal_received")
    assert len(told) == PREPARERS and all(n.payload["late"] for n in told)


async def test_the_deadline_is_local_midnight_across_the_change_to_summer_time(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    # Meeting on Thursday 8 April 2027 (summer time); the deadline day 29 March is summer time too,
    # while the change happened on 28 March: 23:59:59 CEST is 21:59:59 UTC.
    meeting = await meeting_at(sessions, council, now, datetime(2027, 4, 8, 8, 0, tzinfo=UTC))
    member = await actor(sessions, MEMBER)
    on_time = await propose(
        sessions, member, meeting, datetime(2027, 3, 29, 21, 59, 59, tzinfo=UTC)
    )
    late = await propose(sessions, member, meeting, datetime(2027, 3, 29, 22, 0, 0, tzinfo=UTC))
    assert (on_time.on_time, late.on_time) == (True, False)
    assert on_time.deadline.isoformat() == "2027-03-29T23:59:59+02:00"


async def test_the_open_meetings_are_those_before_their_deadline(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    first = await meeting_at(sessions, council, now, MEETING_AT)
    second = await meeting_at(sessions, council, now, MEETING_AT + timedelta(days=30))
    member = await actor(sessions, MEMBER)
    async with sessions() as session:
        before = await meetings_open_for_proposals(session, actor=member, now=LAST_SECOND)
        after = await meetings_open_for_proposals(
            session, actor=member, now=LAST_SECOND + timedelta(seconds=1)
        )
    assert [m.id for m in before] == [first, second]
    assert [m.id for m in after] == [second]
    assert before[0].proposal_deadline == LAST_SECOND


async def test_propose_with_no_open_meeting_states_the_deadline_that_passed(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await meeting_at(sessions, council, now, MEETING_AT)
    with refused_with("proposals_closed") as refused:
        async with sessions() as session:
            await meetings_open_for_proposals(
                session, actor=await actor(sessions, MEMBER), now=MEETING_AT - timedelta(days=2)
            )
    assert refused.value.params["deadline"] == LAST_SECOND


async def test_propose_without_any_coming_meeting_says_so(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    with refused_with("no_open_meeting"):
        async with sessions() as session:
            await meetings_open_for_proposals(session, actor=await actor(sessions, MEMBER), now=now)


async def test_a_substitute_proposes_only_while_standing_in(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    substitute = await actor(sessions, SUBSTITUTE)
    with refused_with("not_allowed"):
        await propose(sessions, substitute, meeting, now)
    async with sessions() as session, session.begin():
        session.add(
            Attendance(
                meeting_id=meeting,
                person_id=await person_id(sessions, MEMBER),
                status=AttendanceStatus.ABSENT,
                substitute_id=substitute.person_id,
                substitute_answer=SubstituteAnswer.ACCEPTED,
            )
        )
    result = await propose(sessions, substitute, meeting, now)
    assert result.on_time


@pytest.mark.parametrize(
    ("title", "code"),
    [
        ("   ", "title_empty"),
        ("x" * 5000, "title_too_long"),
        ("y" * (MAX_TITLE + 1), "title_too_long"),
    ],
)
async def test_a_bad_title_is_refused_and_nothing_is_recorded(
    sessions: SessionFactory, council: Council, now: datetime, title: str, code: str
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    with refused_with(code) as refused:
        await propose(sessions, await actor(sessions, MEMBER), meeting, now, title=title)
    if code == "title_too_long":
        assert refused.value.params == {"length": len(title), "limit": MAX_TITLE}
    assert await notices(sessions, "proposal_received") == []


async def test_a_document_over_telegrams_limit_is_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    huge = MaterialIn(file_id="f", file_name="film.mp4", file_size=25 * 1024 * 1024)
    with refused_with("file_too_big") as refused:
        await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[huge])
    assert refused.value.params == {"size_mb": 25.0, "limit_mb": 20}


async def test_the_chair_and_secretariat_are_told_but_not_the_proposer(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, CHAIR), meeting, now)
    told = await notices(sessions, "proposal_received")
    assert await names(sessions, [n.person_id for n in told]) == {SECRETARY, "Mads Brandt"}


async def test_a_member_sees_and_withdraws_their_own_proposal_until_distribution(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    member = await actor(sessions, MEMBER)
    first = await propose(sessions, member, meeting, now, title="Første")
    second = await propose(sessions, member, meeting, now, title="Andet")
    with refused_with("not_allowed"):
        async with sessions() as session, session.begin():
            await withdraw_item(
                session, actor=await actor(sessions, OTHER_MEMBER), item_id=first.item.id, now=now
            )
    async with sessions() as session, session.begin():
        await withdraw_item(session, actor=member, item_id=first.item.id, now=now)
    async with sessions() as session, session.begin():
        await distribute_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    async with sessions() as session:
        mine = await my_items(session, actor=member, now=now)
    assert [(m.item.title, m.item.status, m.withdrawable) for m in mine] == [
        ("Første", ItemStatus.WITHDRAWN, False),
        ("Andet", ItemStatus.PROPOSED, False),
    ]
    with refused_with("item_not_changeable"):
        async with sessions() as session, session.begin():
            await withdraw_item(session, actor=member, item_id=second.item.id, now=now)
