"""Helpers for the service tests: a council with the demo people, CSV text built from rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

import bot.demo
from models.db import SessionFactory
from models.tables import Council
from services.councils import create_council
from services.members import COLUMNS, import_members, parse_members_csv

DEMO_CSV = Path(bot.demo.__file__).parent / "kkr-nordjylland-demo.csv"
HEADER = ",".join(COLUMNS)


def csv_text(*lines: str) -> str:
    """A members file: the header, then each line as given (line 2 is the first person)."""
    return "\n".join((HEADER, *lines)) + "\n"


def demo_text() -> str:
    return DEMO_CSV.read_text(encoding="utf-8")


async def new_council(
    sessions: SessionFactory,
    now: datetime,
    *,
    name: str = "KKR Nordjylland",
    municipalities: int = 11,
    language: str = "da",
    timezone: str = "Europe/Copenhagen",
) -> Council:
    async with sessions() as session, session.begin():
        return await create_council(
            session,
            name=name,
            region="Nordjylland",
            municipalities=municipalities,
            now=now,
            language=language,
            timezone=timezone,
        )


@pytest.fixture
async def council(sessions: SessionFactory, now: datetime) -> Council:
    """KKR Nordjylland with the 46 people of the demo file."""
    created = await new_council(sessions, now)
    async with sessions() as session, session.begin():
        await import_members(session, council=created, rows=parse_members_csv(demo_text()), now=now)
    return created


async def person_id(sessions: SessionFactory, name: str) -> int:
    from sqlmodel import select

    from models.tables import Person

    async with sessions() as session:
        found = (await session.exec(select(Person).where(Person.name == name))).one()
    assert found.id is not None
    return found.id


async def link(
    sessions: SessionFactory, council: Council, name: str, telegram_user_id: int, now: datetime
) -> None:
    """Invite the council and redeem the invite of `name` from a Telegram account."""
    from datetime import timedelta

    from services.invites import issue_invites, redeem_invite

    async with sessions() as session, session.begin():
        issued = await issue_invites(session, council=council, now=now, ttl=timedelta(days=14))
    token = next(i.token for i in issued if i.person_name == name)
    async with sessions() as session, session.begin():
        await redeem_invite(
            session,
            token=token,
            telegram_user_id=telegram_user_id,
            chat_id=telegram_user_id,
            now=now,
        )
