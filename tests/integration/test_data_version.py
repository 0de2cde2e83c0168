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
from services.meetings import MeetingView, add_meeting, upcoming_meetings
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


async def listed(sessions: SessionFactory, actor: Actor, now: datetime) -> list[MeetingView]:
    """What /meetings lists: a pure read."""
    async with unit_of_work(sessions, write=False) as session:
        return await upcoming_meetings(session, actor=actor, now=now)


async def admitted_with_a_meeting(
    sessions: SessionFactory, council: Council, now: datetime
) -> Actor:
    """Gorm and Mads linked, a meeting in Aalborg planned, and Gorm's first update admitted."""
    await linked(sessions, council, now)
    await planned(sessions, council, now, "Aalborg")
    return await gate(sessions, 1, GORM, now)


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
    gorm = await admitted_with_a_meeting(sessions, council, now)
    first = await listed(sessions, gorm, now)
    mads = await gate(sessions, 2, MADS, now)  # recording an update changes nothing anyone reads
    with statements(engine) as sent:
        again = await listed(sessions, mads, now + timedelta(minutes=1))
    assert again == first and [m.place for m in again] == ["Aalborg"] and sent == []


async def test_a_meeting_added_elsewhere_is_listed_to_the_next_update(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    gorm = await admitted_with_a_meeting(sessions, council, now)
    before = await listed(sessions, gorm, now)
    async with engine.begin() as connection:  # another process plans a meeting
        await connection.execute(text(GHOST))
    gorm = await gate(sessions, 2, GORM, now)
    after = await listed(sessions, gorm, now)
    assert len(after) == len(before) + 1


async def test_a_handler_that_plans_a_meeting_then_lists_them_sees_its_own_meeting(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    gorm = await gate(sessions, 1, GORM, now)  # admitted before the change, under the old version
    before = await listed(sessions, gorm, now)
    await planned(sessions, council, now, "Thisted")
    after = await listed(sessions, gorm, now)
    assert [m.place for m in after if m.place == "Thisted"] == ["Thisted"]
    assert len(after) == len(before) + 1


async def test_writers_in_two_instances_take_turns_and_never_deadlock(
    engine: AsyncEngine,
    database_url: str,
    sessions: SessionFactory,
    council: Council,
    now: datetime,
) -> None:
    """The first holds a meeting (FOR UPDATE) before it changes it; the second wants to change it
    too. With the token moved at the start of a change, the second would hold the data version and
    wait for the meeting while the first held the meeting and waited for the data version."""
    if not database_url.startswith("postgresql"):
        pytest.skip("SQLite lets one writer in at a time")
    await planned(sessions, council, now, "Aalborg")
    meeting = "UPDATE meeting SET subject = :subject WHERE place = 'Aalborg'"
    async with engine.connect() as first, engine.connect() as second, engine.connect() as watch:
        pid = (await second.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        await second.commit()
        await first.begin()
        await first.execute(text("SELECT id FROM meeting WHERE place = 'Aalborg' FOR UPDATE"))
        await second.begin()
        waiting = asyncio.create_task(second.execute(text(meeting), {"subject": "second"}))
        while not (await watch.execute(text(WAITING), {"pid": pid})).scalar_one():
            assert not waiting.done(), "the second writer should wait for the meeting"
            await asyncio.sleep(0.01)  # until it does
        await first.execute(text(meeting), {"subject": "first"})
        await first.commit()
        await waiting  # its turn: no deadlock, nothing refused
        await second.commit()


WAITING = "SELECT count(*) > 0 FROM pg_locks WHERE pid = :pid AND NOT granted"


async def test_a_database_put_back_from_a_copy_is_never_shown_with_what_came_after(
    engine: AsyncEngine, sessions: SessionFactory, council: Council, now: datetime
) -> None:
    await linked(sessions, council, now)
    await planned(sessions, council, now, "Aalborg")
    copied = await token(engine)  # the backup is taken here
    gorm = await gate(sessions, 1, GORM, now)
    async with engine.begin() as connection:  # another process plans a meeting meanwhile
        await connection.execute(text(GHOST))
    assert len(await listed(sessions, gorm, now)) == 2  # read after it: both meetings
    async with engine.begin() as connection:  # the backup is put back
        await connection.execute(text("DELETE FROM meeting WHERE place = 'Hjørring'"))
    async with engine.begin() as connection:
        await connection.execute(text("UPDATE data_version SET token = :t"), {"t": copied})
    gorm = await gate(sessions, 2, GORM, now)
    assert [m.place for m in await listed(sessions, gorm, now)] == ["Aalborg"]


GHOST = (
    "INSERT INTO meeting (council_id, kind, starts_at, place, status, created_at, agenda_version)"
    " SELECT council_id, kind, starts_at, 'Hjørring', status, created_at, 0 FROM meeting"
    " ORDER BY id LIMIT 1"
)


async def test_a_writer_lists_the_meetings_with_its_own_change_before_it_commits(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    gorm = await admitted_with_a_meeting(sessions, council, now)
    await listed(sessions, gorm, now)  # kept
    async with unit_of_work(sessions) as session:
        await session.execute(text(GHOST))
        places = [m.place for m in await upcoming_meetings(session, actor=gorm, now=now)]
    assert sorted(places) == ["Aalborg", "Hjørring"]


async def test_every_tracked_table_has_its_triggers(engine: AsyncEngine, database_url: str) -> None:
    async with engine.connect() as connection:
        if database_url.startswith("postgresql"):
            found = await connection.execute(
                text(
                    "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c"
                    " ON c.oid = t.tgrelid WHERE t.tgname LIKE 'data_version%'"
                )
            )
            expected = {(t, f"data_version_{t}") for t in TRACKED}
            expected |= {(t, f"data_version_{t}_truncate") for t in TRACKED}
        else:
            found = await connection.execute(
                text("SELECT tbl_name, name FROM sqlite_master WHERE type = 'trigger'")
            )
            expected = {
                (t, f"data_version_{t}_{e}")
                for t in TRACKED
                for e in ("insert", "update", "delete")
            }
        assert {(table, name) for table, name in found} == expected
