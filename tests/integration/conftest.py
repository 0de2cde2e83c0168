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
