"""The edges of issue 11 through the real bot over HTTP: a request for a meeting taken back (R-M2),
a meeting moved inside its distribution deadline (R-D3), /flyt and /aflys on a day with two
meetings, and the oldest member present leading when both officers are absent (R-P3)."""

from __future__ import annotations

from tests.e2e.conftest import World, ask

CHAIR = "Gorm Iversen"
VICE = "Ole Lindholm"
SECRETARY = "Kirsten Holm-Jensen"
MEMBER = "Anne Rasmussen"


async def test_a_member_takes_back_a_request_for_a_meeting(world: World) -> None:
    member = await world.link(MEMBER)
    asked = await ask(world, member, "/anmod Kollektiv trafik", "Din anmodning er registreret")
    assert "/anmod tilbage" in (asked.text or "")
    taken = await ask(world, member, "/anmod tilbage", "trukket tilbage")
    assert "Kollektiv trafik" in (taken.text or "")
    await ask(world, member, "/anmod tilbage", "ingen anmodning")
    again = await ask(world, member, "/anmod Kollektiv trafik", "Din anmodning er registreret")
    assert "1 af de 8" in (again.text or "")
