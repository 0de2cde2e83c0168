"""The data version (issue 15): the database changes its token with every change of people and
meetings, whoever makes it; the gate and /meetings keep what they read while the token holds, and
read afresh as soon as it moves."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from models.data_version import TRACKED
from models.db import SessionFactory
from models.tables import Council
from models.unit_of_work import unit_of_work
from services.actors import Actor, secretariat_actor
from services.meetings import add_meeting, upcoming_meetings
from services.people import set_language
from services.updates import Arrival, admit, take_update
from tests.integration.test_invites import issue, redeem

GORM, MADS = 1001, 5005


async def token(engine: AsyncEngine) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text("SELECT token FROM data_version"))).scalar_one())


@contextmanager
def statements(engine: AsyncEngine) -> Iterator[list[str]]:
    sent: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        sent.append(" ".join(statement.split())[:60])

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def linked(sessions: SessionFactory, council: Council, now: datetime) -> None:
    tokens = await issue(sessions, council, now)
    await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    await redeem(sessions, tokens["Mads Brandt"], MADS, now)


async def gate(sessions: SessionFactory, update_id: int, user: int, now: datetime) -> Actor:
    async with unit_of_work(sessions) as session:
        (admitted,) = await admit(session, [Arrival(update_id, user, now)])
    assert admitted.actor is not None
    return admitted.actor


async def planned(sessions: SessionFactory, council: Council, now: datetime, place: str) -> None:
    async with unit_of_work(sessions) as session:
        await add_meeting(
            session,
            council=council,
            starts_at=now + timedelta(days=30),
            place=place,
            now=now,
            actor=await secretariat_actor(session, council.id or 0),
        )


@pytest.mark.parametrize("table", TRACKED)
async def test_any_change_to_people_or_meetings_moves_the_token_whoever_makes_it(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime, table: str
) -> None:
    await linked(sessions, council, now)
    await planned(sessions, council, now, "Aalborg")
    before = await token(engine)
    async with engine.begin() as connection:  # plain SQL, as another program would write
        await connection.execute(
            text(f"UPDATE {table} SET id = id WHERE id = (SELECT min(id) FROM {table})")
        )
    assert await token(engine) != before


async def test_each_transaction_that_changes_people_moves_the_token_again(
    engine: AsyncEngine, council: Council
) -> None:
    seen = {await token(engine)}
    async with engine.connect() as connection:  # one connection, several transactions
        for language in ("en", "da", "en"):
            async with connection.begin():
                for _ in range(3):  # several statements in one transaction: one new token
                    await connection.execute(
                        text("UPDATE person SET language = :language"), {"language": language}
                    )
            seen.add(await token(engine))
    assert len(seen) == 4


async def test_adding_a_meeting_moves_the_token_and_recording_an_update_does_not(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    before = await token(engine)
    async with unit_of_work(sessions) as session:
        await take_update(session, update_id=1, now=now)
    assert await token(engine) == before
    await planned(sessions, council, now, "Aalborg")
    assert await token(engine) != before


async def test_the_gate_looks_a_writer_up_once_while_nothing_changes(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    first = await gate(sessions, 1, GORM, now)
    with statements(engine) as sent:
        again = await gate(sessions, 2, GORM, now)
    assert again == first and again.as_of == first.as_of is not None
    assert [s for s in sent if "person" in s] == [], "no look-up the second time"
    assert len(sent) == 1, "the update recorded, with the version read in the same statement"


async def test_the_gate_sees_a_change_made_elsewhere_at_the_next_update(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    assert (await gate(sessions, 1, GORM, now)).language == "da"
    async with engine.begin() as connection:  # another process switches Gorm to English
        await connection.execute(
            text("UPDATE person SET language = 'en' WHERE name = 'Gorm Iversen'")
        )
    assert (await gate(sessions, 2, GORM, now)).language == "en"


async def test_the_gate_sees_a_change_made_here_at_the_next_update(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    actor = await gate(sessions, 1, GORM, now)
    async with unit_of_work(sessions) as session:
        await set_language(session, actor=actor, language="en", now=now)
    assert (await gate(sessions, 2, GORM, now)).language == "en"


async def test_the_meetings_are_read_once_for_everyone_admitted_under_the_same_version(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    await planned(sessions, council, now, "Aalborg")
    gorm = await gate(sessions, 1, GORM, now)
    async with unit_of_work(sessions, write=False) as session:
        first = await upcoming_meetings(session, actor=gorm, now=now)
    mads = await gate(sessions, 2, MADS, now)  # recording an update changes nothing anyone reads
    with statements(engine) as sent:
        async with unit_of_work(sessions, write=False) as session:
            again = await upcoming_meetings(session, actor=mads, now=now + timedelta(minutes=1))
    assert again == first and [m.place for m in again] == ["Aalborg"] and sent == []


async def test_a_meeting_added_elsewhere_is_listed_to_the_next_update(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    await planned(sessions, council, now, "Aalborg")
    gorm = await gate(sessions, 1, GORM, now)
    async with unit_of_work(sessions, write=False) as session:
        before = await upcoming_meetings(session, actor=gorm, now=now)
    async with engine.begin() as connection:  # another process plans a meeting
        await connection.execute(
            text(
                "INSERT INTO meeting (council_id, kind, starts_at, place, status, created_at,"
                " agenda_version) SELECT council_id, kind, starts_at, 'Hjørring', status,"
                " created_at, 0 FROM meeting ORDER BY id LIMIT 1"
            )
        )
    gorm = await gate(sessions, 2, GORM, now)
    async with unit_of_work(sessions, write=False) as session:
        after = await upcoming_meetings(session, actor=gorm, now=now)
    assert len(after) == len(before) + 1


async def test_a_handler_that_plans_a_meeting_then_lists_them_sees_its_own_meeting(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    gorm = await gate(sessions, 1, GORM, now)  # admitted before the change, under the old version
    async with unit_of_work(sessions, write=False) as session:
        before = await upcoming_meetings(session, actor=gorm, now=now)
    await planned(sessions, council, now, "Thisted")
    async with unit_of_work(sessions, write=False) as session:
        after = await upcoming_meetings(session, actor=gorm, now=now)
    assert [m.place for m in after if m.place == "Thisted"] == ["Thisted"]
    assert len(after) == len(before) + 1


async def test_writers_in_two_instances_take_turns_and_never_deadlock(
    engine: AsyncEngine, database_url: str, council: Council
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time")
    gorm = "UPDATE person SET language = :language WHERE name = 'Gorm Iversen'"
    async with engine.connect() as first, engine.connect() as second, engine.connect() as watch:
        await first.begin()
        await first.execute(text("UPDATE council SET name = name"))  # the token moves here first
        await second.begin()
        waiting = asyncio.create_task(second.execute(text(gorm), {"language": "en"}))
        while not (await watch.execute(text(WAITING))).scalar_one():
            await asyncio.sleep(0.01)  # until the second writer waits for its turn
        await first.execute(text(gorm), {"language": "da"})  # a row the second one wants too
        await first.commit()
        await waiting  # its turn: no deadlock, nothing refused
        await second.commit()


WAITING = "SELECT count(*) > 0 FROM pg_locks WHERE NOT granted"
