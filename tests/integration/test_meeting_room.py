"""R-M5, R-Q3, R-S5 in the room: stepping through the items, decisions, the chair's behalf."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from models.meeting_room import Decision, MeetingFloor
from models.tables import LongAbsence
from services.errors import Refused
from services.live import dirty_messages, link_group
from services.long_absence import decide_long_absence, pending_decisions, report_long_absence
from services.meeting_room import (
    common_forms,
    floor_view,
    jump_to_item,
    next_item,
    previous_item,
    record_decision,
)
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, SUBSTITUTE, VICE, Council_
from tests.integration.room_helpers import MEMBERS, absent, add_items, day, leave, open_with
from tests.refusals import refused_with

TWELVE = MEMBERS[:12]


async def _step(kkr: Council_, service: object, by: str = CHAIR, **kwargs: object) -> object:
    return await kkr.run(service, actor=await kkr.actor(by), now=await day(kkr), **kwargs)


async def test_the_chair_steps_through_the_items_in_the_agendas_order(kkr: Council_) -> None:
    first, second, third = await add_items(kkr, "Budget", "Roads", "Any other business")
    await open_with(kkr, *TWELVE)
    view = await _step(kkr, next_item)
    assert view.current.id == first and view.current.number == 1
    view = await _step(kkr, next_item)
    assert view.current.id == second
    view = await _step(kkr, previous_item)
    assert view.current.id == first
    view = await _step(kkr, jump_to_item, number=3)
    assert view.current.id == third and [i.title for i in view.items][2] == "Any other business"
    with pytest.raises(Refused) as refused:
        await _step(kkr, next_item)
    assert refused.value.code == "no_next_item"
    with pytest.raises(Refused) as refused:
        await _step(kkr, jump_to_item, number=4)
    assert refused.value.code == "no_such_item"


async def test_stepping_is_for_the_leader_of_the_meeting_only(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    with refused_with("not_allowed"):
        await _step(kkr, next_item, by=MEMBER)
    with refused_with("not_allowed"):
        await _step(kkr, next_item, by=VICE)  # the chair is here: the vice chair does not lead


async def test_the_secretariat_steps_on_the_chairs_behalf_and_it_is_recorded(
    kkr: Council_,
) -> None:
    (first,) = await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    await _step(kkr, next_item, by=SECRETARY)
    async with kkr.sessions() as session:
        floor = (await session.exec(select(MeetingFloor))).one()
    assert floor.item_id == first
    assert floor.moved_by_id == await kkr.person_id(SECRETARY)
    assert floor.on_behalf_of_id == await kkr.person_id(CHAIR)


async def test_a_decision_without_a_vote_is_recorded_for_the_item_under_discussion(
    kkr: Council_,
) -> None:
    (first,) = await add_items(kkr, "Budget")
    await open_with(kkr, *TWELVE)
    await _step(kkr, next_item)
    approved = common_forms("da")[0]
    assert approved == "Godkendt"
    decision = await _step(kkr, record_decision, text=approved, by=SECRETARY)
    assert decision.item_id == first and decision.text == "Godkendt"
    assert decision.on_behalf_of_id == await kkr.person_id(CHAIR)
    assert decision.outcome is None and decision.votes_for is None and decision.present == 12
    view = await _step(kkr, floor_view)
    assert view.items[0].decision == "Godkendt"
    with pytest.raises(Refused) as refused:
        await _step(kkr, record_decision, text="Udsat")
    assert refused.value.code == "already_decided"


async def test_no_decision_is_recorded_while_the_meeting_is_not_quorate(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await open_with(kkr, *MEMBERS[:11])
    await _step(kkr, next_item)
    await leave(kkr, MEMBERS[10])
    with pytest.raises(Refused) as refused:
        await _step(kkr, record_decision, text="Godkendt")
    assert refused.value.code == "not_quorate"
    assert refused.value.params == {"present": 10, "required": 11}
    with pytest.raises(Refused) as refused:
        await _step(kkr, record_decision, text="   ")
    assert refused.value.code in ("decision_text_empty", "not_quorate")


async def test_the_vice_chair_leads_when_the_chair_is_absent(kkr: Council_) -> None:
    await add_items(kkr, "Budget")
    await absent(kkr, CHAIR)
    await open_with(kkr, *MEMBERS[1:13], by=VICE)
    view = await _step(kkr, next_item, by=VICE)
    assert view.acting_chair == VICE
    decision = await _step(kkr, record_decision, form=2, by=VICE)
    assert decision.text == "Taget til efterretning"
    assert decision.decided_by_id == await kkr.person_id(VICE)
    assert decision.on_behalf_of_id is None


async def test_the_pinned_message_shows_the_item_under_discussion(kkr: Council_) -> None:
    await add_items(kkr, "Budget", "Roads")
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=-100, now=await day(kkr))
    await open_with(kkr, *TWELVE)
    await _step(kkr, next_item)
    await _step(kkr, next_item)
    async with kkr.sessions() as session:
        (shown,) = await dirty_messages(session)
    assert shown.view.floor is not None
    assert (shown.view.floor.number, shown.view.floor.title) == (2, "Roads")


async def test_the_long_absence_is_decided_through_its_agenda_item(kkr: Council_) -> None:
    today = (await day(kkr, timedelta(days=-5))).date()
    leave_ = await kkr.run(
        report_long_absence,
        actor=await kkr.actor(MEMBER),
        starts_on=today,
        expected_back=today + timedelta(days=120),
        now=await day(kkr, timedelta(days=-5)),
    )
    with pytest.raises(Refused) as refused:
        await _step(
            kkr, decide_long_absence, by=SECRETARY, long_absence_id=leave_.id, approved=True
        )
    assert refused.value.code == "decided_at_the_meeting"
    (pending,) = await _step(kkr, pending_decisions, by=SECRETARY)
    assert pending.on_agenda  # /orlov sends the chair to the meeting's item, not a button
    others = [m for m in MEMBERS if m != MEMBER][:11]
    await open_with(kkr, *others, SUBSTITUTE)
    view = await _step(kkr, next_item)
    assert view.current.id == leave_.agenda_item_id
    with pytest.raises(Refused) as refused:
        await _step(kkr, record_decision, text="Godkendt")
    assert refused.value.code == "say_whether_approved"
    await _step(kkr, record_decision, text="Godkendt", approved=True)
    async with kkr.sessions() as session:
        stored = await session.get(LongAbsence, leave_.id)
        decision = (await session.exec(select(Decision))).one()
    assert stored is not None and stored.decision == "approved"
    assert decision.item_id == leave_.agenda_item_id
    second = await kkr.row(MEMBER, 1)
    assert second is not None and second.substitute_answer == "accepted"
