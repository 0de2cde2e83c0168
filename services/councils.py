"""Councils (R-P1): creating one and finding it by slug."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Council
from services import audit
from services.errors import InvalidInput, NotFound

LANGUAGES = ("da", "en")
_DANISH_LETTERS = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "ae", "Ø": "oe", "Å": "aa"})


def slugify(name: str) -> str:
    """A URL- and shell-friendly slug: 'KKR Sjælland' -> 'kkr-sjaelland'."""
    ascii_name = (
        unicodedata.normalize("NFKD", name.translate(_DANISH_LETTERS))
        .encode("ascii", "ignore")
        .decode()
    )
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")


def check_language(language: str) -> str:
    """The language code if supported, else InvalidInput."""
    if language not in LANGUAGES:
        raise InvalidInput(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def check_timezone(timezone: str) -> str:
    """The IANA zone name if it exists, else InvalidInput."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise InvalidInput(f"unknown time zone {timezone!r}") from error
    return timezone


async def create_council(
    session: AsyncSession,
    *,
    name: str,
    region: str,
    municipalities: int,
    now: datetime,
    language: str = "da",
    timezone: str = "Europe/Copenhagen",
) -> Council:
    """Create a council (R-P1); its slug is derived from the name and must be free."""
    name, region = name.strip(), region.strip()
    if not name or not region:
        raise InvalidInput("a council needs a name and a region")
    if not 1 <= municipalities <= 200:
        raise InvalidInput(f"municipalities must be between 1 and 200, not {municipalities}")
    slug = slugify(name)
    if not slug:
        raise InvalidInput(f"cannot make a slug from the name {name!r}")
    if (await session.exec(select(Council).where(Council.slug == slug))).first():
        raise InvalidInput(f"a council with the slug {slug!r} exists already")
    council = Council(
        slug=slug,
        name=name,
        region=region,
        municipalities=municipalities,
        language=check_language(language),
        timezone=check_timezone(timezone),
        created_at=now,
    )
    session.add(council)
    await session.flush()
    audit.record(session, now=now, action="council.create", council_id=council.id, subject=slug)
    return council


async def council_by_slug(session: AsyncSession, slug: str) -> Council:
    """The council with that slug, or NotFound."""
    council = (await session.exec(select(Council).where(Council.slug == slug))).first()
    if council is None:
        raise NotFound(f"no council with the slug {slug!r}")
    return council
