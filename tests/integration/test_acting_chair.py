"""R-P3: when the chair has reported absence, the vice chair is acting chair, and every notice meant
for "the chair" reaches them too — substitute answers and no-answers (R-S7), the forecast and the
meeting losing quorum (R-Q2), a third of the members asking for a meeting (R-M2), a long absence
(R-S5). The chair, absent from the meeting but still chair, keeps hearing of it."""

from __future__ import annotations

from datetime import timedelta

from services.attendance import (
    answer_summons,
    report_absence,
    report_unanswered_summons,
    summon_substitute,
)
from services.long_absence import report_long_absence
from services.meeting_day import check_in, check_out, open_meeting
from services.quorum import quorum_view
from services.requests import request_meeting
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    VICE,
    Council_,
    meeting_day,
)

STAFF = [SECRETARY, "Mads Brandt"]
MAYORS = [
    "Anders Gade", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm", "Rasmus Bach",
    "Steen Andersen", "Dagmar Hougaard", "Helle Damgaard", "Jonas Lauridsen", "Line Toft",
]  # fmt: skip


async def _absent(kkr: Council_, name: str) -> None:
    await kkr.run(report_absence, actor=await kkr.actor(name), meeting_id=kkr.meetings[0], now=NOW)


async def _summoned(kkr: Council_) -> None:
    await _absent(kkr, MEMBER)
    await kkr.run(
        summon_substitute, actor=await kkr.actor(MEMBER), meeting_id=kkr.meetings[0], now=NOW
    )


async def test_the_acting_chair_hears_the_substitutes_answer_and_the_chair_still_does(
    kkr: Council_,
) -> None:
    await _absent(kkr, CHAIR)
    await _summoned(kkr)
    await kkr.run(
        answer_summons,
        actor=await kkr.actor(SUBSTITUTE),
        meeting_id=kkr.meetings[0],
        accept=True,
        now=NOW,
    )
    assert await kkr.notice_names("substitute_answered") == sorted([MEMBER, CHAIR, VICE, *STAFF])


async def test_the_vice_chair_is_not_told_while_the_chair_attends(kkr: Council_) -> None:
    await _summoned(kkr)
    await kkr.run(
        answer_summons,
        actor=await kkr.actor(SUBSTITUTE),
        meeting_id=kkr.meetings[0],
        accept=False,
        now=NOW,
    )
    assert await kkr.notice_names("substitute_answered") == sorted([MEMBER, CHAIR, *STAFF])


async def test_the_acting_chair_hears_that_a_substitute_did_not_answer(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    await _summoned(kkr)
    meeting = await kkr.meeting()
    assert await kkr.run(report_unanswered_summons, meeting.starts_at - timedelta(hours=47)) == 5
    assert await kkr.notice_names("substitute_no_answer") == sorted([MEMBER, CHAIR, VICE, *STAFF])


async def test_the_acting_chair_hears_that_the_forecast_drops_below_quorum(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    for name in MAYORS[:10]:
        await _absent(kkr, name)
    assert await kkr.notices("quorum_forecast_lost") == []
    await _absent(kkr, MAYORS[10])  # 10 of 22 expected
    assert await kkr.notice_names("quorum_forecast_lost") == sorted([CHAIR, VICE, *STAFF])


async def test_the_acting_chair_hears_that_the_meeting_lost_quorum(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    day = meeting_day(await kkr.meeting())
    vice = await kkr.actor(VICE)
    await kkr.run(open_meeting, actor=vice, now=day, meeting_id=kkr.meetings[0])
    for name in MAYORS[:10]:  # the vice chair was checked in by opening the meeting
        await kkr.run(check_in, actor=await kkr.actor(name), now=day, meeting_id=kkr.meetings[0])
    last = await kkr.actor(MAYORS[9])
    await kkr.run(check_out, actor=last, now=day, meeting_id=kkr.meetings[0])
    assert await kkr.notice_names("quorum_lost") == sorted([CHAIR, VICE, *STAFF])


async def test_the_acting_chair_hears_that_a_third_asked_for_a_meeting(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    for index, name in enumerate(MAYORS[:8]):  # ⌈22 / 3⌉ = 8
        await kkr.run(
            request_meeting, actor=await kkr.actor(name), subject=f"emne {index}", now=NOW
        )
    assert await kkr.notice_names("meeting_requested") == sorted([CHAIR, VICE, *STAFF])


async def test_the_acting_chair_hears_of_a_long_absence(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    start = NOW.date()
    await kkr.run(
        report_long_absence,
        actor=await kkr.actor(MEMBER),
        starts_on=start,
        expected_back=start + timedelta(days=120),
        now=NOW,
    )
    assert await kkr.notice_names("long_absence_reported") == sorted([CHAIR, VICE, *STAFF])


async def test_the_quorum_view_names_the_vice_chair_acting_chair(kkr: Council_) -> None:
    await _absent(kkr, CHAIR)
    view = await kkr.run(quorum_view, actor=await kkr.actor(VICE), now=NOW)
    assert view.chair_absent and view.acting_chair == VICE
