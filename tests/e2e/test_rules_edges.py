"""The edges of issue 11 through the real bot over HTTP: a request for a meeting taken back (R-M2),
a meeting moved inside its distribution deadline (R-D3), /flyt and /aflys on a day with two
meetings, and the oldest member present leading when both officers are absent (R-P3)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlmodel import col, select

from models.tables import Meeting, Person
from tests.e2e.conftest import World, ask
from tests.e2e.test_agenda import press_for_reply

CHAIR = "Gorm Iversen"
VICE = "Ole Lindholm"
SECRETARY = "Kirsten Holm-Jensen"
MEMBER = "Anne Rasmussen"
ELDER = "Pia Lund"
REASON = "Regionsrådet har flyttet sit møde"


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


async def test_only_the_acting_chair_moves_a_meeting_inside_its_deadline_giving_the_reason(
    world: World,
) -> None:
    secretary, chair = await world.link(SECRETARY), await world.link(CHAIR)
    command = "/flyt 8.12.2026; 26.11.2026 kl. 10.00"  # R-D2 for 26 November: 19 November
    refused = (await ask(world, secretary, command, "for sent")).text or ""
    assert "Kun den fungerende formand, Gorm Iversen" in refused and "/flyt" in refused
    asked = await ask(world, chair, command, "begrundelsen for undtagelsen")
    assert "Annullér" in asked.labels
    confirm = await ask(world, chair, REASON, "Vil du flytte mødet")
    assert f"Begrundelse: {REASON}" in (confirm.text or "")
    await press_for_reply(world, chair, confirm, "Flyt mødet", "Mødet er flyttet til")
    async with world.sessions() as session:
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert meeting is not None and meeting.distribution_exception == REASON


async def test_aflys_on_a_day_with_two_meetings_asks_which(world: World) -> None:
    chair = await world.link(CHAIR)
    await ask(world, chair, "/planlaeg 8.12.2026 kl. 15.00; Hjørring Rådhus", "planen")
    which = await ask(world, chair, "/aflys 8.12.2026; Ingen sager", "Hvilket af dem?")
    assert "Der er 2 møder" in (which.text or "")
    later = next(label for label in which.labels if "Hjørring" in label)
    confirm = await press_for_reply(world, chair, which, later, "Vil du aflyse mødet")
    assert "kl. 15.00, Hjørring Rådhus?" in (confirm.text or "")
    await press_for_reply(world, chair, confirm, "Aflys mødet", "aflyst;")
    async with world.sessions() as session:
        meetings = {m.place: m.status for m in (await session.exec(select(Meeting))).all()}
    assert meetings["Hjørring Rådhus"] == "cancelled"
    assert [s for p, s in meetings.items() if p != "Hjørring Rådhus"] == ["planned", "planned"]


async def test_flyt_on_a_day_with_two_meetings_asks_which(world: World) -> None:
    chair = await world.link(CHAIR)
    await ask(world, chair, "/planlaeg 8.12.2026 kl. 15.00; Hjørring Rådhus", "planen")
    which = await ask(world, chair, "/flyt 8.12.2026; 9.12.2026 kl. 15.00", "Hvilket af dem?")
    first = next(label for label in which.labels if "kl. 10.00" in label)
    confirm = await press_for_reply(world, chair, which, first, "Vil du flytte mødet")
    assert "kl. 10.00, Aalborg" in (confirm.text or "")
    await press_for_reply(world, chair, confirm, "Flyt mødet", "Mødet er flyttet til")
    async with world.sessions() as session:
        hjoerring = (
            await session.exec(select(Meeting).where(Meeting.place == "Hjørring Rådhus"))
        ).one()
        moved = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).all()
    assert hjoerring.starts_at.day == 8 and moved[1].starts_at.day == 9
