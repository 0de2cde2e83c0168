"""Helpers for the service tests: a council with the demo people, CSV text built from rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

import services
from models.db import SessionFactory
from models.tables import Attendance, AttendanceEvent, Council, Meeting, Notice, Person
from services.actors import Actor, actor_for_person
from services.councils import create_council
from services.demo_seed import seed_demo
from services.members import COLUMNS, import_members, parse_members_csv
from tests.conftest import NOW, Seed

DEMO_CSV = Path(services.__file__).parent / "data" / "kkr-nordjylland-demo.csv"
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


async def seed_council(sessions: SessionFactory) -> None:
    """KKR Nordjylland with the 46 people of the demo file (made once per session, see `seeds`)."""
    created = await new_council(sessions, NOW)
    async with sessions() as session, session.begin():
        await import_members(session, council=created, rows=parse_members_csv(demo_text()), now=NOW)


async def seed_minutes_meeting(sessions: SessionFactory) -> MinutesMeeting:
    """The demo council's first meeting held and closed with three decisions (record_helpers)."""
    from tests.integration.record_helpers import meeting_with_minutes

    await seed_demo(sessions, NOW)
    ids, day = await meeting_with_minutes(await demo_council(sessions))
    return MinutesMeeting(ids, day)


@pytest.fixture(scope="session")
def seeds() -> dict[str, Seed]:
    """A test that uses `council`, `kkr` or `minutes_meeting` starts from a copy of that state,
    seeded once."""
    return {
        "council": seed_council,
        "kkr": lambda sessions: seed_demo(sessions, NOW),
        "minutes_meeting": seed_minutes_meeting,
    }


@pytest.fixture(scope="session")
def seed_builds_on() -> dict[str, str]:
    return {"minutes_meeting": "kkr"}


@pytest.fixture
async def council(sessions: SessionFactory, now: datetime) -> Council:
    """KKR Nordjylland with the 46 people of the demo file."""
    assert now == NOW, "the council is seeded once, at NOW"
    async with sessions() as session:
        return (await session.exec(select(Council))).one()


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


# --- The attendance tests' council (issue 5): the demo seeded, with helpers to act as its people.

CHAIR = "Gorm Iversen"
VICE = "Ole Lindholm"
SECRETARY = "Kirsten Holm-Jensen"
MEMBER = "Anne Rasmussen"  # elected member, substitute Trine Ulrich
SUBSTITUTE = "Trine Ulrich"
MAYOR = "Anders Gade"  # substitute Freja Jakobsen
MAYOR_SUBSTITUTE = "Freja Jakobsen"


@dataclass
class Council_:
    sessions: SessionFactory
    council_id: int
    meetings: list[int]  # the two planned meetings, soonest first

    async def actor(self, name: str) -> Actor:
        async with self.sessions() as session:
            person = (
                await session.exec(
                    select(Person).where(Person.name == name, Person.council_id == self.council_id)
                )
            ).one()
            actor = await actor_for_person(session, person.id or 0)
        assert actor is not None
        return actor

    async def person_id(self, name: str) -> int:
        return (await self.actor(name)).person_id

    async def person_id_any(self, name: str) -> int:
        """The person's id, whether or not they are still in the council (R-S6 history)."""
        async with self.sessions() as session:
            person = (
                await session.exec(
                    select(Person).where(Person.name == name, Person.council_id == self.council_id)
                )
            ).one()
        return person.id or 0

    async def meeting(self, index: int = 0) -> Meeting:
        async with self.sessions() as session:
            meeting = await session.get(Meeting, self.meetings[index])
        assert meeting is not None
        return meeting

    async def row(self, name: str, index: int = 0) -> Attendance | None:
        person_id = await self.person_id(name)
        async with self.sessions() as session:
            return (
                await session.exec(
                    select(Attendance).where(
                        Attendance.meeting_id == self.meetings[index],
                        Attendance.person_id == person_id,
                    )
                )
            ).first()

    async def notices(self, kind: str | None = None) -> list[Notice]:
        async with self.sessions() as session:
            statement = select(Notice).order_by(col(Notice.id))
            if kind is not None:
                statement = statement.where(Notice.kind == kind)
            return list((await session.exec(statement)).all())

    async def notice_names(self, kind: str) -> list[str]:
        names = []
        async with self.sessions() as session:
            for notice in await self.notices(kind):
                person = await session.get(Person, notice.person_id)
                assert person is not None
                names.append(person.name)
        return sorted(names)

    async def events(self, index: int = 0) -> list[AttendanceEvent]:
        async with self.sessions() as session:
            return list(
                (
                    await session.exec(
                        select(AttendanceEvent)
                        .where(AttendanceEvent.meeting_id == self.meetings[index])
                        .order_by(col(AttendanceEvent.id))
                    )
                ).all()
            )

    async def run(self, service: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a service in its own transaction, as a handler does."""
        async with self.sessions() as session, session.begin():
            return await service(session, *args, **kwargs)

    async def set_council(self, **values: Any) -> None:
        async with self.sessions() as session, session.begin():
            council = await session.get(Council, self.council_id)
            assert council is not None
            for key, value in values.items():
                setattr(council, key, value)
            session.add(council)

    async def set_meeting(self, index: int = 0, **values: Any) -> None:
        async with self.sessions() as session, session.begin():
            meeting = await session.get(Meeting, self.meetings[index])
            assert meeting is not None
            for key, value in values.items():
                setattr(meeting, key, value)
            session.add(meeting)


@pytest.fixture
async def kkr(sessions: SessionFactory) -> Council_:
    """The demo council (seeded once per session at NOW, see `seeds`)."""
    return await demo_council(sessions)


@dataclass(frozen=True)
class MinutesMeeting:
    """What `meeting_with_minutes` made: the items' ids by title, and the meeting's day."""

    ids: dict[str, int]
    day: datetime


@pytest.fixture
def minutes_meeting(kkr: Council_, seed_value: object) -> MinutesMeeting:
    """The `kkr` council's first meeting held and closed with three decisions, the draft minutes
    made (seeded once per session, see `seeds`)."""
    assert isinstance(seed_value, MinutesMeeting)
    return seed_value


async def demo_council(sessions: SessionFactory) -> Council_:
    async with sessions() as session:
        council = (await session.exec(select(Council))).one()
        meetings = (
            await session.exec(
                select(Meeting.id)
                .where(Meeting.council_id == council.id)
                .order_by(col(Meeting.starts_at))
            )
        ).all()
    return Council_(sessions, council.id or 0, [m for m in meetings if m is not None])


def meeting_day(meeting: Meeting) -> datetime:
    """A moment on the meeting's day, before it starts (the chair may open it)."""
    return meeting.starts_at - timedelta(hours=1)
