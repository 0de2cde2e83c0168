"""The constituent meeting through the real bot (R-K1, R-K2): the convener sees the 31 January
deadline, calls the meeting after confirming what will happen, and at the meeting the chair and
vice chair are elected by d'Hondt on the parties' votes and the offices set from the result."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from services.councils import council_by_slug
from services.municipalities import import_leaders, parse_leaders
from services.term import new_term, parse_mayors, parse_votes
from telegram_emulator.client import BotMessage
from tests.e2e.conftest import World, ask, reply_containing
from tests.integration.room_helpers import MEMBERS
from tests.integration.test_constitution import SINCE

DATA = Path(__file__).parent.parent / "data"
CONVENER = "Ole Lindholm"
CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"
IN_THE_ROOM = datetime(2027, 1, 20, 13, 5, tzinfo=UTC)  # 14.05 in Copenhagen


async def _after_an_election(world: World) -> None:
    """The election of 17 November 2026 recorded with its votes, and the mayors' seniority."""
    async with world.sessions() as session, session.begin():
        council = await council_by_slug(session, world.council.slug)
        await new_term(
            session,
            council=council,
            election_day=date(2026, 11, 17),
            votes=parse_votes((DATA / "votes-nordjylland-2025.csv").read_bytes()),
            mayors=parse_mayors((DATA / "mayors-nordjylland-2025.csv").read_bytes(), council),
            now=world.clock(),
        )
        leaders = "municipality,mayor,mayor_since,born\n" + "\n".join(
            f"{m},{name},{since},{born}" for m, (name, since, born) in SINCE.items()
        )
        await import_leaders(
            session, council=council, rows=parse_leaders(leaders, council), now=world.clock()
        )


async def _press(world: World, user: int, message: BotMessage, label: str) -> Any:
    query = await world.sim.press(user, user, message["message_id"], label=label)
    return await world.sim.wait_for_answer(query, timeout=10)


async def test_the_convener_calls_it_and_the_room_elects_the_chair(world: World) -> None:
    await _after_an_election(world)
    convener = await world.link(CONVENER)
    chair = await world.link(CHAIR)
    secretary = await world.link(SECRETARY)
    await ask(world, convener, "/konstituerende", "31. januar 2027")

    before = len(await world.sim.messages(convener))
    await world.sim.send(convener, "/konstituerende 20.1.2027 kl. 14.00; Aalborg Rådhus")
    question = await reply_containing(world, convener, before, "Indkald til det konstituerende")
    assert "31. januar 2027" in question["text"]
    assert "valgforbund" in question["text"].casefold()
    assert question.labels == ["Indkald", "Annullér"]
    await _press(world, convener, question, "Indkald")
    await reply_containing(world, convener, before, "Det konstituerende møde er indkaldt")
    await ask(world, chair, "/konstituerende", "Det er indkaldt til")

    world.clock.now = IN_THE_ROOM
    await ask(world, chair, "/aabn", "Mødet er åbnet")
    for name in MEMBERS[1:12]:
        await ask(world, secretary, f"/tjekind {name}", f"Tjekket ind: {name}")
    shared = await ask(world, secretary, "/valg formandsvalg", "d'Hondt")
    assert "1. formand: A" in shared["text"] and "2. næstformand: V" in shared["text"]
    await ask(world, secretary, "/valg formand Gorm Iversen", "Gorm Iversen")
    done = await ask(world, secretary, "/valg naestformand Pia Lund", "Hvervene er besat")
    assert "Pia Lund" in done["text"]
    await reply_containing(world, chair, 0, "har valgt formand og næstformand")
