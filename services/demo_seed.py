"""The demo council: KKR Nordjylland's shape (shared/data), two coming meetings, invites for all.

One use case for the demo, the tests and the benchmarks alike; it needs nothing of the bot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib.resources import files
from zoneinfo import ZoneInfo

from sqlmodel.ext.asyncio.session import AsyncSession

from models.db import SessionFactory
from models.enums import MeetingKind
from services.actors import secretariat_actor
from services.councils import create_council
from services.invites import issue_invites
from services.meetings import add_meeting
from services.members import MemberRow, import_members, parse_members_csv

# Package data of services/, so an installed kkrbot finds it too.
DEMO_CSV = "data/kkr-nordjylland-demo.csv"
PLACES = ("Aalborg Rådhus, byrådssalen", "Hjørring Rådhus, mødelokale 1")


@dataclass(frozen=True)
class DemoPerson:
    name: str
    role: str
    detail: str  # municipality, party, office or whom they stand in for
    language: str
    user_id: int  # the Telegram user id the demo and the tests act as


@dataclass(frozen=True)
class DemoCouncil:
    slug: str
    invites: dict[str, str]  # person name -> invite token
    people: list[DemoPerson] = field(default_factory=list)
    meeting_days: list[str] = field(default_factory=list)  # ISO local dates, soonest first


FIRST_USER_ID = 100


def demo_people(rows: list[MemberRow]) -> list[DemoPerson]:
    """The people of the demo file, each with a Telegram user id of their own."""
    people = []
    for number, row in enumerate(rows):
        parts = [row.municipality or "", row.party or "", row.office or ""]
        if row.substitute_for:
            parts.append(f"for {row.substitute_for}")
        detail = ", ".join(part for part in parts if part)
        people.append(DemoPerson(row.name, row.role, detail, row.language, FIRST_USER_ID + number))
    return people


def demo_csv() -> str:
    """The demo council's members file, as `kkrbot members import` reads it."""
    return files("services").joinpath(DEMO_CSV).read_text(encoding="utf-8")


def meeting_times(now: datetime, tz: ZoneInfo) -> list[datetime]:
    """Two ordinary meetings at 10:00 local: one with proposals still open, one further off."""
    local_today = now.astimezone(tz).date()
    return [
        datetime.combine(
            local_today + timedelta(days=days), datetime.min.time().replace(hour=10), tz
        )
        for days in (15, 50)
    ]


async def create_demo_council(session: AsyncSession, *, now: datetime) -> DemoCouncil:
    """The demo council with its people, two meetings and an invitation for everyone."""
    council = await create_council(
        session, name="KKR Nordjylland", region="Nordjylland", municipalities=11, now=now
    )
    rows = parse_members_csv(demo_csv())
    await import_members(session, council=council, rows=rows, now=now)
    times = meeting_times(now, ZoneInfo(council.timezone))
    secretary = await secretariat_actor(session, council.id or 0)  # plans, as the CLI does
    for starts_at, place in zip(times, PLACES, strict=True):
        await add_meeting(
            session,
            council=council,
            starts_at=starts_at,
            place=place,
            now=now,
            kind=MeetingKind.ORDINARY,
            actor=secretary,
        )
    invites = await issue_invites(session, council=council, now=now, ttl=timedelta(days=14))
    tokens = {invite.person_name: invite.token for invite in invites}
    days = [starts_at.date().isoformat() for starts_at in times]
    return DemoCouncil(council.slug, tokens, demo_people(rows), days)


async def seed_demo(sessions: SessionFactory, now: datetime) -> DemoCouncil:
    """Create the demo council in an empty database, in one transaction."""
    async with sessions() as session, session.begin():
        return await create_demo_council(session, now=now)
