"""R-K1 in the chat: who calls the constituent meeting and by when, and what a call would do —
shown before the convener confirms it (the call itself is services.constitution)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.tables import Meeting, Membership
from procedure.deadlines import alliance_notice_deadline
from procedure.permissions import Action
from services.actors import Actor
from services.agenda import council_of
from services.annual_plan import closed_days
from services.constitution import check_call, convener
from services.errors import Refused
from services.meetings import MAX_PLACE, MeetingView, local_start, view
from services.term import current_term


@dataclass(frozen=True)
class ConstituentCall:
    """The convener, the R-K1 deadline, whether the actor may call it, and (for a call about to
    be confirmed) when, where, the alliances' deadline (R-K2) and how many are told."""

    convener: str
    deadline: date
    may_call: bool
    called: MeetingView | None = None
    starts_at: datetime | None = None  # the council's local time
    place: str | None = None
    alliance_deadline: date | None = None
    told: int = 0


async def constituent_status(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> ConstituentCall:
    """R-K1: the convener and the deadline; the meeting when it is called already."""
    actor.require(Action.VIEW_MEETINGS)
    council = await council_of(session, actor.council_id)
    term = await current_term(session, council.id or 0)
    who = await convener(session, council)
    called = await session.get(Meeting, term.constituent_meeting_id or 0)
    shown = view(called, council) if called and called.status != MeetingStatus.CANCELLED else None
    may_call = actor.person_id == who.person_id or actor.may(Action.MANAGE_MEMBERS)
    if term.constituted_at is not None:
        may_call = False
    return ConstituentCall(who.name, who.deadline, may_call and shown is None, shown)


async def preview_call(
    session: AsyncSession, *, actor: Actor, starts_at: datetime, place: str, now: datetime
) -> ConstituentCall:
    """What calling the constituent meeting at `starts_at` (local) would do; refused as the call
    itself would be. Nothing is written."""
    council, _term, who = await check_call(session, actor=actor, starts_at=starts_at)
    local = local_start(council, starts_at) if starts_at.tzinfo is None else starts_at
    if local <= now:
        shown = f"{local.astimezone(ZoneInfo(council.timezone)):%Y-%m-%d %H:%M}"
        raise Refused("invalid_moment", "the meeting must start in the future", text=shown)
    place = " ".join(place.split())
    if not place or len(place) > MAX_PLACE:
        raise Refused(
            "place_length", f"the place must be 1 to {MAX_PLACE} characters", limit=MAX_PLACE
        )
    zone = ZoneInfo(council.timezone)
    day = local.astimezone(zone).date()
    told = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council.id, Membership.current()
        )
    )
    return ConstituentCall(
        convener=who.name,
        deadline=who.deadline,
        may_call=True,
        starts_at=local.astimezone(zone),
        place=place,
        alliance_deadline=alliance_notice_deadline(day, closed_days(council)),
        told=len(told.all()),
    )
