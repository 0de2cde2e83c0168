"""A cancelled meeting can be taken back by the person who cancelled it until the cancellation has
gone out (issue 17): its notices wait a few minutes, and nobody hears of a cancellation undone."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from models.enums import NoticeStatus
from models.tables import Meeting, Notice
from tests.e2e.conftest import World, ask, reply_containing
from tests.e2e.test_agenda import CHAIR, MEMBER, press_for_reply


async def _first_meeting(world: World) -> Meeting:
    async with world.sessions() as session:
        found = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert found is not None
    return found


async def _cancellation_notices(world: World) -> list[Notice]:
    async with world.sessions() as session:
        query = select(Notice).where(Notice.kind == "meeting_cancelled")
        return list((await session.exec(query)).all())


async def _cancel(world: World, chair: int, command: str, button: str, expect: str) -> dict:
    confirm = await ask(
        world, chair, command, "Vil du aflyse" if button == "Aflys mødet" else button
    )
    return await press_for_reply(world, chair, confirm, button, expect)


async def test_a_cancellation_taken_back_before_it_goes_out_tells_nobody(world: World) -> None:
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    before = len(await world.sim.messages(member))
    done = await _cancel(
        world, chair, "/aflys 8.12.2026; Ingen sager til behandling", "Aflys mødet", "aflyst"
    )
    assert "Beskederne sendes om 5 minutter" in done["text"]
    assert done.labels == ["Fortryd aflysningen"]
    assert (await _first_meeting(world)).status == "cancelled"
    undone = await press_for_reply(world, chair, done, "Fortryd aflysningen", "fortrudt")
    assert "holdes som planlagt" in undone["text"] and "ingen har fået besked" in undone["text"]
    [edited] = [m for m in await world.sim.messages(chair) if m.message_id == done.message_id]
    assert edited.labels == [] and "→ Fortryd aflysningen" in (edited.text or "")
    meeting = await _first_meeting(world)
    assert meeting.status == "planned" and meeting.cancelled_at is None
    notices = await _cancellation_notices(world)
    assert notices and {n.status for n in notices} == {NoticeStatus.WITHDRAWN}
    world.clock.advance(timedelta(minutes=10))
    await ask(world, member, "/moeder", "Kommende møder")
    texts = [m.text or "" for m in (await world.sim.messages(member))[before:]]
    assert not any("aflyst" in text for text in texts)
    # Cancelled again, it goes out as a cancellation of its own.
    await _cancel(world, chair, "/aflys 8.12.2026; Alligevel ingen sager", "Aflys mødet", "aflyst")
    assert len([n for n in await _cancellation_notices(world) if n.status == "pending"]) == 24


async def test_once_the_cancellation_has_gone_out_it_cannot_be_taken_back_in_english(
    world: World,
) -> None:
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    await ask(world, chair, "/language en", "English")
    done = await _cancel(
        world, chair, "/cancelmeeting 8.12.2026; No business", "Cancel the meeting", "cancelled"
    )
    assert "The notices go out in 5 minutes" in done["text"]
    before = len(await world.sim.messages(member))
    world.clock.advance(timedelta(minutes=6))
    told = await reply_containing(world, member, before, "aflyst")
    assert "No business" in told["text"]
    refused = await press_for_reply(
        world, chair, done, "Take the cancellation back", "can no longer be taken back"
    )
    assert "/plan" in refused["text"] and "/planlaeg" not in refused["text"]
    assert (await _first_meeting(world)).status == "cancelled"
