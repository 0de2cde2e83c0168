"""What people's menus are made of (issue 17): the moment of the council's meetings and the acting
chair (R-P3), read for every linked person at once."""

from __future__ import annotations

from models.db import SessionFactory
from services.attendance import report_absence
from services.menus import MEETING_DAY, PREPARE, menu_state, menu_states
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, VICE, Council_, link, meeting_day


async def _states(kkr: Council_, sessions: SessionFactory, now=NOW):  # type: ignore[no-untyped-def]
    async with sessions() as session:
        return {s.person_id: s for s in await menu_states(session, now=now)}


async def test_only_linked_people_have_a_menu_and_it_names_the_moment(
    kkr: Council_, sessions: SessionFactory
) -> None:
    async with sessions() as session:
        from models.tables import Council

        council = await session.get(Council, kkr.council_id)
    assert council is not None
    await link(sessions, council, CHAIR, 7001, NOW)
    states = await _states(kkr, sessions)
    chair = await kkr.person_id(CHAIR)
    assert list(states) == [chair]
    assert states[chair].chat_id == 7001 and states[chair].moment == PREPARE
    assert "chair" in states[chair].roles and not states[chair].acting_chair
    day = meeting_day(await kkr.meeting(0))
    assert (await _states(kkr, sessions, day))[chair].moment == MEETING_DAY


async def test_the_vice_chair_acts_while_the_chair_is_absent(
    kkr: Council_, sessions: SessionFactory
) -> None:
    vice = await kkr.actor(VICE)
    async with sessions() as session:
        assert not (await menu_state(session, actor=vice, now=NOW)).acting_chair
    await kkr.run(report_absence, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=NOW)
    async with sessions() as session:
        assert (await menu_state(session, actor=vice, now=NOW)).acting_chair
        member = await menu_state(session, actor=await kkr.actor(MEMBER), now=NOW)
    assert not member.acting_chair and member.moment == PREPARE
