"""Councils (R-P1): creating one and finding it by slug."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Council
from services import audit
from services.errors import Refused

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
    """The language code if supported, else refused as invalid_input."""
    if language not in LANGUAGES:
        raise Refused(
            "invalid_input", f"language must be one of {', '.join(LANGUAGES)}, not {language!r}"
        )
    return language


def check_timezone(timezone: str) -> str:
    """The IANA zone name if it exists, else refused as invalid_input."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise Refused("invalid_input", f"unknown time zone {timezone!r}") from error
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
        raise Refused("invalid_input", "a council needs a name and a region")
    if not 1 <= municipalities <= 200:
        raise Refused(
            "invalid_input", f"municipalities must be between 1 and 200, not {municipalities}"
        )
    slug = slugify(name)
    if not slug:
        raise Refused("invalid_input", f"cannot make a slug from the name {name!r}")
    if (await session.exec(select(Council).where(Council.slug == slug))).first():
        raise Refused("invalid_input", f"a council with the slug {slug!r} exists already")
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
    """The council with that slug, or refused as not_found."""
    council = (await session.exec(select(Council).where(Council.slug == slug))).first()
    if council is None:
        raise Refused("not_found", f"no council with the slug {slug!r}")
    return council


# R-D1, R-D2, R-D4, R-S7: the interpretations and offsets a council may set (SPEC: "a setting of
# the council, never a constant"), each with the range that still makes sense.
DAY_RANGE = range(0, 31)
SETTING_RANGES = {
    "proposal_deadline_days": range(1, 61),
    "substitute_answer_hours": range(0, 337),
    "meeting_reminder_hours": range(1, 169),
    "meetings_per_year": range(1, 25),  # R-M1
    "late_summons_answer_hours": range(1, 49),
    "summons_reminder_hours": range(1, 169),
    "addendum_reminder_hours": range(1, 73),
    "request_lapse_days": range(1, 366),  # R-M2
    "meeting_length_minutes": range(15, 24 * 60 + 1),
}


@dataclass(frozen=True)
class CouncilSettings:
    """The changes asked for; None leaves a setting as it is."""

    proposal_deadline_days: int | None = None
    distribution_time: time | None = None
    substitute_answer_hours: int | None = None
    proposal_reminder_days: list[int] | None = None
    proposal_reminder_time: time | None = None
    agenda_reminder_days: list[int] | None = None
    agenda_reminder_time: time | None = None
    meeting_reminder_hours: int | None = None
    late_summons_answer_hours: int | None = None  # R-S7: the least time to answer a summons
    summons_reminder_hours: int | None = None  # R-S7: before an unanswered summons' deadline
    addendum_reminder_hours: int | None = None  # R-D3/R-D4: an unsent change, reminded after
    acting_chair_choice: str | None = None  # R-P3: "oldest" or "chosen"
    language: str | None = None
    timezone: str | None = None
    meetings_per_year: int | None = None  # R-M1
    closed_days: list[list[int]] | None = None  # R-K2: (month, day) besides public holidays
    request_lapse_days: int | None = None  # R-M2: a request for a meeting lapses after this
    meeting_length_minutes: int | None = None  # a calendar event's length (meetings set no end)


async def change_settings(
    session: AsyncSession, *, council: Council, changes: CouncilSettings, now: datetime
) -> dict[str, tuple[object, object]]:
    """Change the council's settings (the secretariat's CLI); returns what changed, old → new.

    The sweep derives every deadline and reminder from these columns, so a change takes effect at
    its next run: nothing is rescheduled, and nothing already sent is sent again."""
    wanted = {k: v for k, v in asdict(changes).items() if v is not None}
    for name, value in wanted.items():
        _check_setting(name, value)
    changed: dict[str, tuple[object, object]] = {}
    for name, value in wanted.items():
        if name == "closed_days":
            value = sorted([int(m), int(d)] for m, d in {(m, d) for m, d in value})
        elif isinstance(value, list):
            value = sorted(set(value), reverse=True)
        if getattr(council, name) != value:
            changed[name] = (getattr(council, name), value)
            setattr(council, name, value)
    if changed:
        session.add(council)
        audit.record(
            session,
            now=now,
            action="council.settings",
            council_id=council.id,
            subject=council.slug,
            changes={name: str(new) for name, (_, new) in changed.items()},
        )
    return changed


# R-P3: who leads when chair and vice chair are both absent — the oldest member present (municipal
# practice) or whom the members choose; either way the secretariat names them when opening.
ACTING_CHAIR_CHOICES = ("oldest", "chosen")


def _check_setting(name: str, value: object) -> None:
    if name == "acting_chair_choice" and value not in ACTING_CHAIR_CHOICES:
        raise Refused(
            "invalid_input", f"{name} must be one of {', '.join(ACTING_CHAIR_CHOICES)}, not {value}"
        )
    if name == "language":
        check_language(str(value))
    elif name == "timezone":
        check_timezone(str(value))
    elif name == "closed_days":
        _check_closed_days(value)
    elif name in SETTING_RANGES and value not in SETTING_RANGES[name]:
        allowed = SETTING_RANGES[name]
        raise Refused(
            "invalid_input", f"{name} must be {allowed.start} to {allowed.stop - 1}, not {value}"
        )
    elif isinstance(value, list) and not all(day in DAY_RANGE for day in value):
        raise Refused(
            "invalid_input", f"{name} must be days 0 to {DAY_RANGE.stop - 1}, not {value}"
        )


def council_settings(council: Council) -> dict[str, object]:
    """Every setting with its value, in the order CouncilSettings lists them."""
    return {f.name: getattr(council, f.name) for f in fields(CouncilSettings)}


def _check_closed_days(value: object) -> None:
    """R-K2: each closed day is a real (month, day), e.g. [6, 5] for Constitution Day."""
    from datetime import date

    try:
        for month, day in value:  # type: ignore[attr-defined]
            date(2024, int(month), int(day))  # a leap year, so 29 February is allowed
    except (TypeError, ValueError) as error:
        raise Refused(
            "invalid_input", f"closed_days must be month-day pairs like 06-05, not {value}"
        ) from error
