"""R-M2: a request for an extraordinary meeting counts only while it is live — it ends when the
chair calls a meeting, can be withdrawn, and lapses after the council's request_lapse_days."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import select

from models.tables import MeetingRequest
from services.meeting_plan import call_meeting
from services.requests import request_meeting, withdraw_request
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, Council_
from tests.refusals import refused_with

ASKERS = ["Anders Gade", "Pia Lund", "Karen Vestergaard"]


async def _ask(kkr: Council_, name: str, now: datetime = NOW) -> int:
    count = await kkr.run(request_meeting, actor=await kkr.actor(name), subject="trafik", now=now)
    return int(count.requests)


async def test_requests_older_than_the_lapse_setting_no_longer_count(kkr: Council_) -> None:
    assert await _ask(kkr, ASKERS[0], NOW - timedelta(days=61)) == 1
    assert await _ask(kkr, ASKERS[1], NOW - timedelta(days=59)) == 2
    assert await _ask(kkr, ASKERS[2]) == 2, "the request from 61 days ago has lapsed (default 60)"
    await kkr.set_council(request_lapse_days=90)
    assert await _ask(kkr, MEMBER) == 4, "with 90 days every request still counts"


async def test_a_lapsed_request_can_be_made_again(kkr: Council_) -> None:
    await _ask(kkr, MEMBER, NOW - timedelta(days=70))
    assert await _ask(kkr, MEMBER) == 1


async def test_a_member_withdraws_their_request_and_it_stops_counting(kkr: Council_) -> None:
    await _ask(kkr, ASKERS[0])
    await _ask(kkr, MEMBER)
    subject = await kkr.run(withdraw_request, actor=await kkr.actor(MEMBER), now=NOW)
    assert subject == "trafik"
    assert await _ask(kkr, ASKERS[1]) == 2, "Anne's withdrawn request is not counted"
    async with kkr.sessions() as session:
        ended = (
            await session.exec(select(MeetingRequest).where(MeetingRequest.end_reason.is_not(None)))  # type: ignore[union-attr]
        ).all()
    assert [(r.end_reason, r.ended_at) for r in ended] == [("withdrawn", NOW)]


async def test_withdrawing_without_a_live_request_is_refused(kkr: Council_) -> None:
    with refused_with("no_request"):
        await kkr.run(withdraw_request, actor=await kkr.actor(MEMBER), now=NOW)
    await _ask(kkr, MEMBER, NOW - timedelta(days=61))
    with refused_with("no_request"):  # a lapsed request is no longer there to withdraw
        await kkr.run(withdraw_request, actor=await kkr.actor(MEMBER), now=NOW)


async def test_requests_end_when_the_chair_calls_a_meeting(kkr: Council_) -> None:
    for name in ASKERS:
        await _ask(kkr, name)
    await kkr.run(
        call_meeting,
        actor=await kkr.actor(CHAIR),
        starts_at=NOW + timedelta(days=3),
        place="Aalborg",
        subject="Trafikken",
        now=NOW,
    )
    assert await _ask(kkr, MEMBER) == 1, "the earlier requests were answered by the call"
    async with kkr.sessions() as session:
        reasons = sorted(
            str(r.end_reason) for r in (await session.exec(select(MeetingRequest))).all()
        )
    assert reasons == ["None", "called", "called", "called"]
