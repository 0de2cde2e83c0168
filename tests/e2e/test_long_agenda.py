"""A long agenda stays usable (issue 17) through the real bot over HTTP: the overview comes in
several messages instead of being cut, the order is changed by picking an item and then moving it
with keyboards within Telegram's limits even with 40 items, each press shows what was chosen, used
keyboards go; a long meeting list is split too."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from models.tables import AgendaItem, Meeting, Person
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person, secretariat_actor
from services.agenda import council_of
from services.agenda_prep import add_own_item
from services.meetings import add_meeting
from telegram_emulator.client import BotMessage
from tests.e2e.conftest import World, ask, reply_containing
from tests.e2e.test_agenda import CHAIR, MEMBER, press, press_for_reply

BUTTON_LIMIT = 100  # Telegram's inline keyboard holds at most 100 buttons


async def _items(world: World, count: int, *, long: bool = True) -> None:
    """`count` items on the first meeting, added by the chair, titled "Punkt N: …"."""
    async with world.sessions() as session:
        chair_id = (await session.exec(select(Person.id).where(Person.name == CHAIR))).one()
        meeting_id = (await session.exec(select(Meeting.id).order_by(Meeting.starts_at))).first()
    async with unit_of_work(world.sessions) as session:
        actor = await actor_for_person(session, chair_id or 0)
        assert actor is not None and meeting_id is not None
        for number in range(1, count + 1):
            tail = " om kollektiv trafik og fælles planlægning i regionen" * (4 if long else 0)
            await add_own_item(
                session,
                actor=actor,
                meeting_id=meeting_id,
                title=f"Punkt {number}:{tail}"[:200],
                description="",
                material=[],
                now=world.clock(),
            )


async def _titles(world: World) -> list[str]:
    async with world.sessions() as session:
        items = await session.exec(
            select(AgendaItem).where(AgendaItem.status == "accepted").order_by(AgendaItem.position)
        )
        return [item.title.split(":")[0] for item in items]


async def _keyboards_within_limits(world: World) -> None:
    for call in await world.sim.calls():
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            assert sum(len(row) for row in rows) <= BUTTON_LIMIT, call.method
            assert all(len(row) <= 8 for row in rows), call.method


async def _edited(world: World, user: int, message: BotMessage, label: str, edits: int) -> dict:
    await press(world, user, message, label)
    return await world.sim.wait_for_edits(user, message["message_id"], edits, timeout=10)


async def test_forty_items_are_reordered_by_picking_one_and_moving_it(world: World) -> None:
    chair = await world.link(CHAIR)
    await _items(world, 40)
    before = len(await world.sim.messages(chair))
    await world.sim.send(chair, "/punkter")
    last = await reply_containing(world, chair, before, "40. ")
    parts = (await world.sim.messages(chair))[before:]
    assert len(parts) >= 2 and all(len(m.text or "") <= 4096 for m in parts)
    shown = "\n".join(m.text or "" for m in parts)
    assert all(f"{n}. Punkt {n}:" in shown for n in range(1, 41))  # nothing silently cut
    assert parts[-1].message_id == last.message_id and "↕ Ændr rækkefølgen" in last.labels
    assert [m for m in parts if m.labels] == [parts[-1]]  # the buttons only under the last

    picker = await _edited(world, chair, last, "↕ Ændr rækkefølgen", 1)
    assert "Hvilket punkt skal flyttes?" in picker["text"] and "40. Punkt 40" in picker["text"]
    assert [str(n) for n in range(1, 41)] == picker.labels[:40]
    chosen = await _edited(world, chair, last, "40", 2)
    assert "▶ 40. Punkt 40" in chosen["text"] and "Hvor skal punkt 40 stå?" in chosen["text"]
    assert chosen.labels[:4] == ["↑ Op", "↓ Ned", "⇈ Øverst", "⇊ Nederst"]
    moved = await _edited(world, chair, last, "3", 3)
    assert "er nu punkt 3." in moved["text"] and "▶ 3. Punkt 40" in moved["text"]
    moved = await _edited(world, chair, last, "↑ Op", 4)
    assert "▶ 2. Punkt 40" in moved["text"]
    assert (await _titles(world))[:3] == ["Punkt 1", "Punkt 40", "Punkt 2"]

    before = len(await world.sim.messages(chair))
    done = await _edited(world, chair, last, "Færdig", 5)
    assert done.labels == [] and "→ Færdig" in done["text"]  # the used keyboard is gone
    again = await reply_containing(world, chair, before, "40. ")
    assert "↕ Ændr rækkefølgen" in again.labels
    await _keyboards_within_limits(world)


async def test_a_short_agenda_is_reordered_in_english_and_given_back_in_its_message(
    world: World,
) -> None:
    chair = await world.link(CHAIR)
    await _items(world, 12, long=False)
    await ask(world, chair, "/language en", "English")
    overview = await ask(world, chair, "/items", "12. Punkt 12")
    picker = await _edited(world, chair, overview, "↕ Change the order", 1)
    assert "Which item should be moved?" in picker["text"]
    chosen = await _edited(world, chair, overview, "12", 2)
    assert chosen.labels[:4] == ["↑ Up", "↓ Down", "⇈ First", "⇊ Last"]
    assert "Choose another item" in chosen.labels
    await _edited(world, chair, overview, "⇈ First", 3)
    back = await _edited(world, chair, overview, "Done", 4)
    assert back["text"].index("1. Punkt 12") < back["text"].index("2. Punkt 1")
    assert "Approve" in back.labels
    assert (await _titles(world))[:2] == ["Punkt 12", "Punkt 1"]


async def test_material_is_added_to_an_item_picked_by_its_number(world: World) -> None:
    chair = await world.link(CHAIR)
    await _items(world, 30)
    before = len(await world.sim.messages(chair))
    await world.sim.send(chair, "/punkter")
    last = await reply_containing(world, chair, before, "30. ")
    picker = await _edited(world, chair, last, "Tilføj bilag", 1)
    assert "Hvilket punkt er bilagene til?" in picker["text"]
    asked = await press_for_reply(world, chair, picker, "7", "Send bilagene")
    assert "Punkt 7" in asked["text"] and "Annullér" in asked.labels
    [settled] = [m for m in await world.sim.messages(chair) if m.message_id == last.message_id]
    assert settled.labels == [] and "→ 7. Punkt 7" in (settled.text or "")


async def test_a_long_meeting_list_comes_in_several_messages(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    async with unit_of_work(world.sessions) as session:
        first = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
        assert first is not None
        council = await council_of(session, first.council_id)
        secretary = await secretariat_actor(session, first.council_id)
        for week in range(1, 31):
            await add_meeting(
                session,
                actor=secretary,
                council=council,
                starts_at=first.starts_at + timedelta(weeks=week, days=2),
                place="Aalborg Rådhus, byrådssalen " + "og forhallen " * 8,
                now=world.clock(),
            )
    before = len(await world.sim.messages(member))
    await world.sim.send(member, "/moeder")
    await world.sim.wait_for_messages(member, before + 2, timeout=10)
    await ask(world, member, "/hjaelp", "/moeder")  # every part of the list has come before
    parts = [m.text or "" for m in (await world.sim.messages(member))[before:]][:-1]
    assert len(parts) >= 2 and all(len(text) <= 4096 for text in parts)
    assert sum(text.count("byrådssalen og forhallen") for text in parts) == 30  # none left out
    await ask(world, member, "/language en", "English")
    before = len(await world.sim.messages(member))
    await world.sim.send(member, "/meetings")
    await world.sim.wait_for_messages(member, before + 2, timeout=10)
    await ask(world, member, "/help", "/meetings")
    parts = [m.text or "" for m in (await world.sim.messages(member))[before:]][:-1]
    assert len(parts) >= 2 and "Coming meetings" in parts[0]
    assert sum(text.count("byrådssalen og forhallen") for text in parts) == 30


async def test_a_long_agenda_in_english_comes_in_several_messages(world: World) -> None:
    chair = await world.link(CHAIR)
    await _items(world, 40)
    await ask(world, chair, "/language en", "English")
    before = len(await world.sim.messages(chair))
    await world.sim.send(chair, "/items")
    last = await reply_containing(world, chair, before, "40. ")
    parts = (await world.sim.messages(chair))[before:]
    shown = "\n".join(m.text or "" for m in parts)
    assert len(parts) >= 2 and all(f"{n}. Punkt {n}:" in shown for n in range(1, 41))
    assert last.labels[:2] == ["↕ Change the order", "Add material"]
