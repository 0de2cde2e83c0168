"""R-S3, R-S7, R-Q2 before the meeting: absence, summons, answers, withdrawal, the R-S7 sweep."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models.enums import MeetingStatus
from services.attendance import (
    answer_summons,
    find_member,
    remind_unanswered_summons,
    report_absence,
    report_unanswered_summons,
    summon_substitute,
    withdraw_absence,
)
from services.councils import create_council
from services.errors import Refused
from services.quorum import quorum_view
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    Council_,
)
from tests.refusals import refused_with


async def _absent(kkr: Council_, name: str = MEMBER, reason: str | None = "sygdom") -> None:
    actor = await kkr.actor(name)
    await kkr.run(report_absence, actor=actor, meeting_id=kkr.meetings[0], now=NOW, reason=reason)


async def _summon(kkr: Council_, name: str = MEMBER) -> str:
    actor = await kkr.actor(name)
    result: str = await kkr.run(summon_substitute, actor=actor, meeting_id=kkr.meetings[0], now=NOW)
    return result


async def _answer(kkr: Council_, name: str, accept: bool, *, for_member: str | None = None) -> None:
    actor = await kkr.actor(name)
    member_id = await kkr.person_id(for_member) if for_member else None
    await kkr.run(
        answer_summons,
        actor=actor,
        meeting_id=kkr.meetings[0],
        accept=accept,
        now=NOW,
        member_id=member_id,
    )


async def _forecast(kkr: Council_) -> int:
    view = await kkr.run(quorum_view, actor=await kkr.actor(SECRETARY), now=NOW)
    present: int = view.status.present
    return present


async def test_a_reported_absence_is_recorded_and_the_secretariat_told(kkr: Council_) -> None:
    await _absent(kkr)
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "absent" and row.absence_reason == "sygdom"
    assert row.absence_reported_at == NOW
    assert await kkr.notice_names("absence_reported") == ["Kirsten Holm-Jensen", "Mads Brandt"]
    assert await _forecast(kkr) == 21  # R-Q2: 22 members, one absent without a substitute


async def test_reporting_absence_twice_is_refused_and_changes_nothing(kkr: Council_) -> None:
    await _absent(kkr)
    with pytest.raises(Refused) as refused:
        await _absent(kkr, reason="another reason")
    assert refused.value.code == "already_absent"
    row = await kkr.row(MEMBER)
    assert row is not None and row.absence_reason == "sygdom"
    assert len(await kkr.notices("absence_reported")) == 2


async def test_absence_for_a_meeting_that_has_opened_is_refused(kkr: Council_) -> None:
    await kkr.set_meeting(status=MeetingStatus.OPEN)
    with pytest.raises(Refused) as refused:
        await _absent(kkr)
    assert refused.value.code == "meeting_started"
    assert await kkr.row(MEMBER) is None


async def test_a_member_of_another_council_learns_nothing_of_the_meeting(kkr: Council_) -> None:
    async with kkr.sessions() as session, session.begin():
        await create_council(
            session, name="KKR Sjælland", region="Sjælland", municipalities=17, now=NOW
        )
    outsider = await kkr.actor(MEMBER)
    outsider = type(outsider)(**{**outsider.__dict__, "council_id": kkr.council_id + 1})
    with refused_with("not_found"):
        await kkr.run(report_absence, actor=outsider, meeting_id=kkr.meetings[0], now=NOW)
    with refused_with("not_found"):
        await kkr.run(quorum_view, actor=outsider, now=NOW, meeting_id=kkr.meetings[0])


async def test_summoning_sends_the_substitute_a_summons_with_buttons(kkr: Council_) -> None:
    await _absent(kkr)
    assert await _summon(kkr) == SUBSTITUTE
    row = await kkr.row(MEMBER)
    assert row is not None and row.substitute_answer == "pending"
    assert row.substitute_id == await kkr.person_id(SUBSTITUTE)
    [summons] = await kkr.notices("summons")
    assert summons.person_id == await kkr.person_id(SUBSTITUTE)
    member = await kkr.person_id(MEMBER)
    assert summons.payload["summons_to_answer"] == {
        "meeting_id": kkr.meetings[0],
        "member_id": member,
    }
    assert await kkr.notice_names("substitute_summoned") == ["Kirsten Holm-Jensen", "Mads Brandt"]
    assert await kkr.notices("agenda") == [], "no agenda has been distributed yet"


async def test_a_substitute_summoned_after_distribution_gets_the_agenda(kkr: Council_) -> None:
    await kkr.set_meeting(agenda_distributed_at=NOW - timedelta(days=1), agenda_version=3)
    await _absent(kkr)
    await _summon(kkr)
    [agenda] = await kkr.notices("agenda")
    substitute = await kkr.person_id(SUBSTITUTE)
    assert agenda.person_id == substitute
    assert agenda.dedupe_key == f"agenda:{kkr.meetings[0]}:3:{substitute}"
    assert agenda.payload == {"meeting_id": kkr.meetings[0], "version": 3}


async def test_summoning_without_an_absence_or_twice_is_refused(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await _summon(kkr)
    assert refused.value.code == "not_absent"
    await _absent(kkr)
    await _summon(kkr)
    with pytest.raises(Refused) as refused:
        await _summon(kkr)
    assert refused.value.code == "already_summoned"
    assert len(await kkr.notices("summons")) == 1


async def test_the_secretariat_reports_a_members_absence_and_the_member_is_told(
    kkr: Council_,
) -> None:
    secretary = await kkr.actor(SECRETARY)
    found = await kkr.run(find_member, actor=secretary, name="  anne   RASMUSSEN ")
    assert found == (await kkr.person_id(MEMBER), MEMBER)
    result = await kkr.run(
        report_absence,
        actor=secretary,
        meeting_id=kkr.meetings[0],
        now=NOW,
        reason="ringede",
        member_id=found[0],
    )
    assert (result.member_name, result.substitute_name) == (MEMBER, SUBSTITUTE)
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "absent" and row.absence_reason == "ringede"
    [told] = await kkr.notices("absence_reported_for_you")
    assert told.person_id == found[0] and told.payload["by"] == SECRETARY
    [reported, _] = await kkr.notices("absence_reported")
    assert reported.payload["member"] == MEMBER and reported.payload["by"] == SECRETARY


async def test_the_secretariat_summons_the_substitute_for_the_member(kkr: Council_) -> None:
    secretary, member = await kkr.actor(SECRETARY), await kkr.person_id(MEMBER)
    call = {"actor": secretary, "meeting_id": kkr.meetings[0], "now": NOW, "member_id": member}
    await kkr.run(report_absence, **call)
    assert await kkr.run(summon_substitute, **call) == SUBSTITUTE
    [summons] = await kkr.notices("summons")
    assert summons.person_id == await kkr.person_id(SUBSTITUTE)
    assert summons.payload["member"] == MEMBER  # the summons names the member, not the secretary
    with pytest.raises(Refused) as refused:
        await kkr.run(report_absence, **call)
    assert refused.value.code == "member_already_absent" and refused.value.params["name"] == MEMBER


async def test_a_member_may_not_report_another_members_absence(kkr: Council_) -> None:
    member = await kkr.actor(MEMBER)
    with refused_with("not_allowed"):
        await kkr.run(find_member, actor=member, name=MAYOR)
    with refused_with("not_allowed"):
        await kkr.run(
            report_absence,
            actor=member,
            meeting_id=kkr.meetings[0],
            now=NOW,
            member_id=await kkr.person_id(MAYOR),
        )
    assert await kkr.row(MAYOR) is None


async def test_only_members_can_be_reported_absent_by_the_secretariat(kkr: Council_) -> None:
    secretary = await kkr.actor(SECRETARY)
    assert await kkr.run(find_member, actor=secretary, name=SUBSTITUTE) is None
    with pytest.raises(Refused) as refused:
        await kkr.run(
            report_absence,
            actor=secretary,
            meeting_id=kkr.meetings[0],
            now=NOW,
            member_id=await kkr.person_id(SUBSTITUTE),
        )
    assert refused.value.code == "not_a_member"


async def test_an_accepting_substitute_counts_and_member_chair_secretariat_are_told(
    kkr: Council_,
) -> None:
    await _absent(kkr)
    await _summon(kkr)
    assert await _forecast(kkr) == 21  # R-Q2: a pending substitute is not yet expected
    await _answer(kkr, SUBSTITUTE, accept=True)
    row = await kkr.row(MEMBER)
    assert row is not None and row.substitute_answer == "accepted"
    assert row.substitute_answered_at == NOW
    assert await _forecast(kkr) == 22
    assert await kkr.notice_names("substitute_answered") == sorted(
        [MEMBER, CHAIR, SECRETARY, "Mads Brandt"]
    )


async def test_accepting_twice_is_refused_and_changes_nothing(kkr: Council_) -> None:
    await _absent(kkr)
    await _summon(kkr)
    await _answer(kkr, SUBSTITUTE, accept=True)
    with pytest.raises(Refused) as refused:
        await _answer(kkr, SUBSTITUTE, accept=True)
    assert refused.value.code == "answer_accepted"
    assert len(await kkr.notices("substitute_answered")) == 4


async def test_a_forwarded_summons_pressed_by_another_substitute_is_refused(kkr: Council_) -> None:
    await _absent(kkr)
    await _summon(kkr)
    with pytest.raises(Refused) as refused:
        await _answer(kkr, MAYOR_SUBSTITUTE, accept=True)
    assert refused.value.code == "summons_not_yours"
    with refused_with("not_allowed"):
        await _answer(kkr, MAYOR, accept=True)  # a member cannot answer a summons at all
    row = await kkr.row(MEMBER)
    assert row is not None and row.substitute_answer == "pending"


async def test_a_summons_forwarded_to_another_summoned_substitute_leaves_both_unanswered(
    kkr: Council_,
) -> None:
    for member in (MEMBER, MAYOR):
        await _absent(kkr, member)
        await _summon(kkr, member)
    with pytest.raises(Refused) as refused:
        await _answer(kkr, MAYOR_SUBSTITUTE, accept=True, for_member=MEMBER)
    assert refused.value.code == "summons_not_yours"
    for member in (MEMBER, MAYOR):
        row = await kkr.row(member)
        assert row is not None and row.substitute_answer == "pending"
    await _answer(kkr, MAYOR_SUBSTITUTE, accept=True, for_member=MAYOR)  # the own summons works
    row = await kkr.row(MAYOR)
    assert row is not None and row.substitute_answer == "accepted"


async def test_a_substitute_who_accepted_can_withdraw_and_declining_is_final(
    kkr: Council_,
) -> None:
    await _absent(kkr)
    await _summon(kkr)
    await _answer(kkr, SUBSTITUTE, accept=True)
    await _answer(kkr, SUBSTITUTE, accept=False)
    row = await kkr.row(MEMBER)
    assert row is not None and row.substitute_answer == "declined"
    assert await _forecast(kkr) == 21
    withdrawn = [n for n in await kkr.notices("substitute_answered") if n.payload["withdrawn"]]
    assert len(withdrawn) == 4
    with pytest.raises(Refused) as refused:
        await _answer(kkr, SUBSTITUTE, accept=True)
    assert refused.value.code == "answer_declined"


async def test_withdrawing_an_absence_releases_the_substitute(kkr: Council_) -> None:
    await _absent(kkr)
    await _summon(kkr)
    await _answer(kkr, SUBSTITUTE, accept=True)
    released = await kkr.run(
        withdraw_absence, actor=await kkr.actor(MEMBER), meeting_id=kkr.meetings[0], now=NOW
    )
    assert released == SUBSTITUTE
    row = await kkr.row(MEMBER)
    assert row is not None and row.status == "expected" and row.substitute_id is None
    assert await kkr.notice_names("substitute_released") == [SUBSTITUTE]
    assert await kkr.notice_names("absence_withdrawn") == ["Kirsten Holm-Jensen", "Mads Brandt"]
    with pytest.raises(Refused) as refused:
        await _answer(kkr, SUBSTITUTE, accept=False)
    assert refused.value.code == "summons_not_yours"


async def test_withdrawing_without_absence_or_after_the_meeting_closed_is_refused(
    kkr: Council_,
) -> None:
    member = await kkr.actor(MEMBER)
    with pytest.raises(Refused) as refused:
        await kkr.run(withdraw_absence, actor=member, meeting_id=kkr.meetings[0], now=NOW)
    assert refused.value.code == "not_absent"
    await _absent(kkr)
    await kkr.set_meeting(status=MeetingStatus.CLOSED)  # once open, the member may still come
    with pytest.raises(Refused) as refused:
        await kkr.run(withdraw_absence, actor=member, meeting_id=kkr.meetings[0], now=NOW)
    assert refused.value.code == "meeting_closed"


async def test_an_unanswered_summons_is_reported_once_after_the_deadline(kkr: Council_) -> None:
    await _absent(kkr)
    await _summon(kkr)
    meeting = await kkr.meeting()
    before_deadline = meeting.starts_at - timedelta(hours=48, minutes=1)
    assert await kkr.run(report_unanswered_summons, before_deadline) == 0
    after_deadline = meeting.starts_at - timedelta(hours=47)
    assert await kkr.run(report_unanswered_summons, after_deadline) == 4
    assert await kkr.run(report_unanswered_summons, after_deadline) == 0
    assert await kkr.notice_names("substitute_no_answer") == sorted(
        [MEMBER, CHAIR, SECRETARY, "Mads Brandt"]
    )
    row = await kkr.row(MEMBER)
    assert row is not None and row.no_answer_reported_at == after_deadline  # R-S7: for the minutes


async def test_an_unanswered_summons_is_repeated_to_the_substitute_once_a_day_before(
    kkr: Council_,
) -> None:
    await _absent(kkr)  # NOW is well before the meeting: the summons comes early
    await _summon(kkr)
    meeting = await kkr.meeting()
    reminder_moment = meeting.starts_at - timedelta(hours=48 + 24)
    assert await kkr.run(remind_unanswered_summons, reminder_moment - timedelta(minutes=1)) == 0
    assert await kkr.run(remind_unanswered_summons, reminder_moment) == 1
    assert await kkr.run(remind_unanswered_summons, reminder_moment + timedelta(hours=1)) == 0
    [reminder] = await kkr.notices("summons_reminder")
    assert reminder.person_id == await kkr.person_id(SUBSTITUTE)
    assert reminder.payload["member"] == MEMBER
    member = await kkr.person_id(MEMBER)
    assert reminder.payload["summons_to_answer"] == {
        "meeting_id": kkr.meetings[0],
        "member_id": member,
    }


async def test_a_substitute_who_answered_is_not_reminded(kkr: Council_) -> None:
    await _absent(kkr)
    await _summon(kkr)
    await _answer(kkr, SUBSTITUTE, accept=True)
    meeting = await kkr.meeting()
    assert await kkr.run(remind_unanswered_summons, meeting.starts_at - timedelta(hours=60)) == 0


async def test_the_answer_deadline_is_the_councils_setting(kkr: Council_) -> None:
    await kkr.set_council(substitute_answer_hours=24)
    await _absent(kkr)
    await _summon(kkr)
    meeting = await kkr.meeting()
    assert await kkr.run(report_unanswered_summons, meeting.starts_at - timedelta(hours=30)) == 0
    assert await kkr.run(report_unanswered_summons, meeting.starts_at - timedelta(hours=23)) == 4


async def test_the_chair_and_secretariat_are_told_when_the_forecast_drops_below_quorum(
    kkr: Council_,
) -> None:
    names = [
        "Anders Gade", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm",
        "Rasmus Bach", "Steen Andersen", "Dagmar Hougaard", "Helle Damgaard", "Jonas Lauridsen",
        "Line Toft",
    ]  # fmt: skip
    for name in names[:11]:
        await _absent(kkr, name)
    assert await _forecast(kkr) == 11
    assert await kkr.notices("quorum_forecast_lost") == []
    await _absent(kkr, "Ida Mikkelsen")  # 10 of 22: not quorate
    assert await kkr.notice_names("quorum_forecast_lost") == sorted(
        [CHAIR, SECRETARY, "Mads Brandt"]
    )
    await _absent(kkr, "Mette Juhl")  # still not quorate: no second alert
    assert len(await kkr.notices("quorum_forecast_lost")) == 3


async def test_the_quorum_view_lists_absences_substitutes_and_the_acting_chair(
    kkr: Council_,
) -> None:
    await _absent(kkr, CHAIR)
    await _absent(kkr)
    await _summon(kkr)
    view = await kkr.run(quorum_view, actor=await kkr.actor(MEMBER), now=NOW)
    assert view.status.members == 22 and view.status.required == 11
    assert view.status.present == 20 and view.status.quorate
    assert view.missing == [CHAIR, MEMBER]
    lines = {line.member: (line.substitute, line.answer) for line in view.absences}
    assert lines == {CHAIR: (None, "not_summoned"), MEMBER: (SUBSTITUTE, "pending")}
    assert view.acting_chair == "Ole Lindholm" and view.chair_absent


async def test_a_substitute_not_standing_in_may_not_see_the_quorum(kkr: Council_) -> None:
    with refused_with("not_allowed"):
        await kkr.run(quorum_view, actor=await kkr.actor(SUBSTITUTE), now=NOW)
    await _absent(kkr)
    await _summon(kkr)
    await _answer(kkr, SUBSTITUTE, accept=True)
    view = await kkr.run(quorum_view, actor=await kkr.actor(SUBSTITUTE), now=NOW)
    assert view.status.present == 22  # standing in: an insider for this meeting (R-P6)
