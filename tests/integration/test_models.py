"""The data model on both databases: UTC in, aware UTC out; the migrations are the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy.engine import Connection
from sqlalchemy.exc import StatementError
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel, select

from models.db import SessionFactory
from models.migrate import current_revision, head_revision, upgrade
from models.tables import Council, Meeting


async def test_datetimes_come_back_aware_in_utc(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    eastern = timezone(timedelta(hours=-5))
    starts_at = datetime(2027, 3, 10, 4, 30, tzinfo=eastern)
    async with sessions() as session, session.begin():
        session.add(
            Meeting(council_id=council.id or 0, starts_at=starts_at, place="X", created_at=now)
        )
    async with sessions() as session:
        meeting = (await session.exec(select(Meeting))).one()
        stored_council = (await session.exec(select(Council))).one()
    assert meeting.starts_at == starts_at
    assert meeting.starts_at.tzinfo == UTC
    assert (meeting.starts_at.hour, meeting.starts_at.minute) == (9, 30)
    assert stored_council.created_at == now and stored_council.created_at.tzinfo == UTC


async def test_comparisons_in_queries_use_the_utc_instant(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        session.add(
            Meeting(
                council_id=council.id or 0,
                starts_at=datetime(2027, 3, 10, 9, 0, tzinfo=UTC),
                place="X",
                created_at=now,
            )
        )
    just_before = datetime(2027, 3, 10, 9, 59, tzinfo=timezone(timedelta(hours=1)))
    async with sessions() as session:
        found = (await session.exec(select(Meeting).where(Meeting.starts_at > just_before))).all()
    assert len(found) == 1


async def test_a_naive_datetime_is_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        async with sessions() as session, session.begin():
            session.add(
                Meeting(
                    council_id=council.id or 0,
                    starts_at=datetime(2027, 3, 10, 9, 0),
                    place="X",
                    created_at=now,
                )
            )


async def test_the_migrations_match_the_models(engine: AsyncEngine) -> None:
    def differences(connection: Connection) -> list[object]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with engine.connect() as connection:
        assert await connection.run_sync(differences) == []


async def test_upgrading_twice_stays_at_the_head(engine: AsyncEngine) -> None:
    await upgrade(engine)
    assert await current_revision(engine) == head_revision()


def test_the_migrations_form_one_line_with_one_head() -> None:
    assert head_revision() == "0014_data_version"
