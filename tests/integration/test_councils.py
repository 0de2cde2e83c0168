"""Councils (R-P1): creation, slugs, validation."""

from __future__ import annotations

from datetime import datetime

import pytest

from models.db import SessionFactory
from services.councils import council_by_slug, create_council, slugify
from tests.integration.conftest import new_council
from tests.refusals import refused_with


def test_a_danish_name_becomes_an_ascii_slug() -> None:
    assert slugify("KKR Sjælland") == "kkr-sjaelland"
    assert slugify("  KKR Midtjylland / Århus ") == "kkr-midtjylland-aarhus"


async def test_a_created_council_is_found_by_its_slug(
    sessions: SessionFactory, now: datetime
) -> None:
    created = await new_council(sessions, now, name="KKR Sjælland", language="en")
    async with sessions() as session:
        found = await council_by_slug(session, "kkr-sjaelland")
    assert (found.id, found.name, found.region) == (created.id, "KKR Sjælland", "Nordjylland")
    assert (found.language, found.timezone, found.municipalities) == ("en", "Europe/Copenhagen", 11)


async def test_a_second_council_with_the_same_slug_is_refused(
    sessions: SessionFactory, now: datetime
) -> None:
    await new_council(sessions, now)
    with refused_with("invalid_input", match="exists already"):
        await new_council(sessions, now, name="KKR  nordjylland")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"municipalities": 0}, "between 1 and 200"),
        ({"language": "fr"}, "language must be one of da, en"),
        ({"timezone": "Europe/Atlantis"}, "unknown time zone"),
        ({"name": "!!!"}, "cannot make a slug"),
        ({"name": "  "}, "needs a name"),
    ],
)
async def test_a_council_with_bad_settings_is_refused_and_not_written(
    sessions: SessionFactory, now: datetime, changes: dict[str, object], message: str
) -> None:
    values: dict[str, object] = {
        "name": "KKR Syddanmark",
        "region": "Syddanmark",
        "municipalities": 22,
        "language": "da",
        "timezone": "Europe/Copenhagen",
    } | changes
    with refused_with("invalid_input", match=message):
        async with sessions() as session, session.begin():
            await create_council(session, now=now, **values)  # type: ignore[arg-type]
    async with sessions() as session:
        with refused_with("not_found"):
            await council_by_slug(session, "kkr-syddanmark")


async def test_an_unknown_slug_is_not_found(sessions: SessionFactory) -> None:
    async with sessions() as session:
        with refused_with("not_found", match="no council with the slug 'nope'"):
            await council_by_slug(session, "nope")
