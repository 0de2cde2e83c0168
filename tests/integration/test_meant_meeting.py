"""R-D2, R-M3 (issue 11): /godkend and /udsend act on the meeting the person means — the only one
whose agenda waits for it, else they are asked which — never silently on the soonest."""

from __future__ import annotations

from services.agenda_delivery import distribute_agenda
from services.agenda_prep import add_own_item, approve_next_agenda, next_agenda_overview
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, SECRETARY, Council_
from tests.refusals import refused_with


async def _item(kkr: Council_, index: int, title: str = "Sundhedsaftale") -> None:
    await kkr.run(
        add_own_item,
        actor=await kkr.actor(SECRETARY),
        meeting_id=kkr.meetings[index],
        title=title,
        description="",
        material=[],
        now=NOW,
    )


async def test_approve_acts_on_the_later_meeting_when_only_its_agenda_waits(kkr: Council_) -> None:
    await _item(kkr, 1)  # the soonest meeting has no agenda yet; the later one waits
    overview = await kkr.run(approve_next_agenda, actor=await kkr.actor(CHAIR), now=NOW)
    assert overview.meeting.id == kkr.meetings[1] and overview.approved
    assert (await kkr.meeting(0)).agenda_approved_at is None


async def test_approve_asks_which_when_two_agendas_wait(kkr: Council_) -> None:
    await _item(kkr, 0)
    await _item(kkr, 1)
    with refused_with("which_meeting") as refused:
        await kkr.run(approve_next_agenda, actor=await kkr.actor(CHAIR), now=NOW)
    assert refused.value.params["meeting_ids"] == kkr.meetings
    assert (await kkr.meeting(0)).agenda_approved_at is None
    assert (await kkr.meeting(1)).agenda_approved_at is None


async def test_distribute_shows_the_meeting_with_an_unsent_change_not_the_soonest(
    kkr: Council_,
) -> None:
    await _item(kkr, 0)
    chair = await kkr.actor(CHAIR)
    await kkr.run(distribute_agenda, actor=chair, meeting_id=kkr.meetings[0], now=NOW)
    await _item(kkr, 1, "Vækstforum")
    overview = await kkr.run(next_agenda_overview, actor=chair, now=NOW)
    assert overview.meeting.id == kkr.meetings[1]
