"""The annual plan (R-M1): the year's ordinary meetings laid out at once, with warnings, and the
council told once, with a calendar file of the year's meetings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingKind, MeetingStatus
from models.tables import Council, Meeting, Membership
from procedure.annual_plan import PlanWarning, plan_warnings
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.meetings import add_meeting
from services.outbox import enqueue

DEFAULT_TIME = time(10, 0)


@dataclass
class AnnualPlan:
    """R-M1: the meetings of the year (new and already planned) and what to look at again."""

    year: int
    added: list[Meeting] = field(default_factory=list)
    existing: list[Meeting] = field(default_factory=list)
    warnings: list[PlanWarning] = field(default_factory=list)
    told: int = 0

    @property
    def meetings(self) -> list[Meeting]:
        return sorted([*self.added, *self.existing], key=lambda m: m.starts_at)


def closed_days(council: Council) -> set[tuple[int, int]]:
    """R-K2/R-M1: the council's closed days as (month, day)."""
    return {(int(m), int(d)) for m, d in council.closed_days}


async def plan_year(
    session: AsyncSession,
    *,
    council: Council,
    year: int,
    days: list[date],
    place: str,
    now: datetime,
    actor: Actor,
    at: time = DEFAULT_TIME,
) -> AnnualPlan:
    """R-M1: plan the year's ordinary meetings on `days` at `at` local time (days already planned
    are kept), warn where the count or a day needs a second look, and tell everyone once."""
    actor.require(Action.PLAN_MEETINGS)
    if not days:
        raise Refused("plan_no_dates")
    tz = ZoneInfo(council.timezone)
    today = now.astimezone(tz).date()
    for day in sorted(set(days)):
        if day.year != year:
            raise Refused("plan_wrong_year", day=day.isoformat(), year=year)
        if day <= today:
            raise Refused("plan_in_past", day=day.isoformat())
    plan = AnnualPlan(year)
    planned = await _ordinary_days(session, council, tz)
    for day in sorted(set(days)):
        if day in planned:
            plan.existing.append(planned[day])
            continue
        starts_at = datetime.combine(day, at)  # naive local: add_meeting checks it exists
        plan.added.append(
            await add_meeting(
                session, council=council, starts_at=starts_at, place=place, now=now, actor=actor
            )
        )
    plan.warnings = plan_warnings(
        [m.starts_at.astimezone(tz).date() for m in plan.meetings],
        council.meetings_per_year,
        closed_days(council),
    )
    plan.told = await _tell_everyone(session, council, plan, now=now)
    audit.record(
        session,
        now=now,
        action="meetings.plan_year",
        council_id=council.id,
        actor_id=actor.person_id,
        year=year,
        added=len(plan.added),
        warnings=[w.kind for w in plan.warnings],
    )
    return plan


async def _ordinary_days(
    session: AsyncSession, council: Council, tz: ZoneInfo
) -> dict[date, Meeting]:
    meetings = await session.exec(
        select(Meeting).where(
            Meeting.council_id == council.id,
            Meeting.kind == MeetingKind.ORDINARY,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )
    return {m.starts_at.astimezone(tz).date(): m for m in meetings.all()}


async def _tell_everyone(
    session: AsyncSession, council: Council, plan: AnnualPlan, *, now: datetime
) -> int:
    """Everyone of the council hears of the year's plan once (members, substitutes, observers,
    the secretariat): the dedupe key names the year, so re-planning never tells twice."""
    tz = ZoneInfo(council.timezone)
    people = await session.exec(
        select(Membership.person_id)
        .where(Membership.council_id == council.id, Membership.current())
        .order_by(col(Membership.person_id))
    )
    payload = {
        "council": council.name,
        "year": plan.year,
        "meetings": [
            {"starts_at": m.starts_at.astimezone(tz).isoformat(), "place": m.place}
            for m in plan.meetings
        ],
        # The calendar file sent with the notice holds these meetings (bot/record_delivery.py).
        "meeting_ids": [m.id for m in plan.meetings],
    }
    told = 0
    for person_id in people.all():
        told += await enqueue(
            session,
            person_id=person_id,
            kind="annual_plan",
            dedupe_key=f"annual-plan:{council.id}:{plan.year}:{person_id}",
            now=now,
            payload=payload,
            council_id=council.id,
        )
    return told


async def year_plan(
    session: AsyncSession, *, actor: Actor, year: int, now: datetime
) -> list[Meeting]:
    """R-M1: the year's ordinary meetings, for /aarsplan (everyone who may see meetings)."""
    actor.require(Action.VIEW_MEETINGS)
    council = await session.get(Council, actor.council_id)
    assert council is not None
    tz = ZoneInfo(council.timezone)
    days = await _ordinary_days(session, council, tz)
    return [m for d, m in sorted(days.items()) if d.year == year]
