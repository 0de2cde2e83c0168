"""R-P3/R-M5 through the real bot over HTTP (issue 11): the vice chair leads a meeting the chair
has not come to (nothing reported), and the chair takes over on arrival; the secretariat opens a
meeting both officers miss and names who leads it."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from models.tables import Meeting
from tests.e2e.conftest import World, ask

CHAIR = "Gorm Iversen"
VICE = "Ole Lindholm"
SECRETARY = "Kirsten Holm-Jensen"
MAYOR = "Anders Gade"


async def _first_meeting(world: World) -> Meeting:
    async with world.sessions() as session:
        found = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert found is not None
    return found


async def test_the_vice_chair_opens_when_the_chair_has_not_come_and_the_chair_takes_over(
    world: World,
) -> None:
    meeting = await _first_meeting(world)
    vice, chair = await world.link(VICE), await world.link(CHAIR)
    await world.link(MAYOR)
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    await ask(world, vice, "/aabn", "din rolle")  # the chair is expected until the start
    world.clock.now = meeting.starts_at + timedelta(minutes=10)
    opened = (await ask(world, vice, "/aabn", "Mødet er åbnet")).text or ""
    assert "Ole Lindholm leder mødet som fungerende formand" in opened
    await ask(world, vice, f"/tjekind {MAYOR}", MAYOR)  # the acting chair checks others in
    await ask(world, chair, "/tjekind", "Gorm Iversen")  # the chair arrives: theirs again
    await ask(world, vice, "/luk", "din rolle")
    world.clock.now = meeting.starts_at + timedelta(hours=1)
    await ask(world, chair, "/tjekud", "Gorm Iversen")  # the chair leaves early
    await ask(world, vice, "/luk", "Mødet er lukket")


async def test_the_secretariat_opens_a_meeting_both_officers_miss_and_names_who_leads(
    world: World,
) -> None:
    meeting = await _first_meeting(world)
    secretary, mayor = await world.link(SECRETARY), await world.link(MAYOR)
    world.clock.now = meeting.starts_at + timedelta(minutes=15)
    asked = (await ask(world, secretary, "/aabn", "Både formanden og næstformanden")).text or ""
    assert "ældste fremmødte medlem" in asked
    opened = (await ask(world, secretary, f"/aabn {MAYOR}", "Mødet er åbnet")).text or ""
    assert "Anders Gade leder mødet som fungerende formand" in opened
    await ask(world, mayor, "/luk", "Mødet er lukket")
