"""Requests for an extraordinary meeting (R-M2): counted, and the chair (and acting chair, R-P3)
and secretariat told once at least one third of the members have asked.

A request is live until it is reported, the chair calls a meeting, the member withdraws it, or it is
older than the council's `request_lapse_days` (default 60): only live requests count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole, Office
from models.tables import Council, MeetingRequest, Membership, Person
from procedure.permissions import Action
from procedure.voting import extraordinary_meeting_required, requests_needed
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.outbox import enqueue
from services.seats import acting_chair_now

MAX_SUBJECT = 500


@dataclass(frozen=True)
class RequestCount:
    """How many members have asked, how many must, and whether this request reached it."""

    requests: int
    needed: int
    threshold_reached: bool


async def request_meeting(
    session: AsyncSession, *, actor: Actor, subject: str, now: datetime
) -> RequestCount:
    """R-M2: a member asks for an extraordinary meeting about `subject`."""
    actor.require(Action.REQUEST_MEETING)
    subject = subject.strip()
    if not subject:
        raise Refused("subject_missing")
    if len(subject) > MAX_SUBJECT:
        raise Refused("subject_too_long", limit=MAX_SUBJECT)
    council = await session.get(Council, actor.council_id, with_for_update=True)
    assert council is not None  # the lock also serialises two requests arriving together
    members = list(
        (
            await session.exec(
                select(Membership.person_id).where(
                    Membership.council_id == council.id,
                    Membership.current(),
                    col(Membership.role).in_([MembershipRole.MAYOR, MembershipRole.MEMBER]),
                )
            )
        ).all()
    )
    pending = await live_requests(session, council, now, people=members)
    needed = requests_needed(len(members))
    if any(r.person_id == actor.person_id for r in pending):
        raise Refused("already_requested", requests=len(pending), needed=needed)
    request = MeetingRequest(
        council_id=council.id or 0, person_id=actor.person_id, subject=subject, requested_at=now
    )
    session.add(request)
    await session.flush()
    pending.append(request)
    audit.record(
        session,
        now=now,
        action="meeting.request",
        council_id=council.id,
        actor_id=actor.person_id,
        count=len(pending),
    )
    reached = extraordinary_meeting_required(len(members), len(pending))
    if reached:
        await _report(session, council, pending, members=len(members), now=now)
    return RequestCount(len(pending), needed, reached)


async def live_requests(
    session: AsyncSession, council: Council, now: datetime, *, people: list[int] | None = None
) -> list[MeetingRequest]:
    """R-M2: the requests that still count: not reported, not ended, not lapsed; oldest first."""
    lapsed_before = now - timedelta(days=council.request_lapse_days)
    query = select(MeetingRequest).where(
        MeetingRequest.council_id == council.id,
        col(MeetingRequest.reported_at).is_(None),
        col(MeetingRequest.ended_at).is_(None),
        col(MeetingRequest.requested_at) > lapsed_before,
    )
    if people is not None:
        query = query.where(col(MeetingRequest.person_id).in_(people))
    return list((await session.exec(query.order_by(col(MeetingRequest.id)))).all())


async def withdraw_request(session: AsyncSession, *, actor: Actor, now: datetime) -> str:
    """R-M2: a member takes back their live request; returns its subject."""
    actor.require(Action.REQUEST_MEETING)
    council = await session.get(Council, actor.council_id, with_for_update=True)
    assert council is not None
    mine = [
        r
        for r in await live_requests(session, council, now, people=[actor.person_id])
        if r.person_id == actor.person_id
    ]
    if not mine:
        raise Refused("no_request", "you have no request for a meeting that still counts")
    for request in mine:
        request.ended_at, request.end_reason = now, "withdrawn"
        session.add(request)
    audit.record(
        session,
        now=now,
        action="meeting.request_withdrawn",
        council_id=council.id,
        actor_id=actor.person_id,
    )
    return mine[0].subject


async def end_requests(session: AsyncSession, *, council_id: int, now: datetime) -> int:
    """R-M2: the chair called a meeting, so every request not yet ended has been answered."""
    open_requests = list(
        (
            await session.exec(
                select(MeetingRequest).where(
                    MeetingRequest.council_id == council_id,
                    col(MeetingRequest.ended_at).is_(None),
                )
            )
        ).all()
    )
    for request in open_requests:
        request.ended_at, request.end_reason = now, "called"
        session.add(request)
    return len(open_requests)


async def _report(
    session: AsyncSession,
    council: Council,
    requests: list[MeetingRequest],
    *,
    members: int,
    now: datetime,
) -> None:
    names = {
        p.id: p.name
        for p in await session.exec(
            select(Person).where(col(Person.id).in_([r.person_id for r in requests]))
        )
    }
    recipients = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council.id,
            Membership.current(),
            (Membership.office == Office.CHAIR) | (Membership.role == MembershipRole.SECRETARIAT),
        )
    )
    payload = {
        "council": council.name,
        "members": members,
        "requesters": [
            {"name": names.get(r.person_id, "?"), "subject": r.subject} for r in requests
        ],
    }
    # R-P3: when the chair is absent, the vice chair acting for them is told as well.
    acting = await acting_chair_now(session, council.id or 0, now)
    for person_id in dict.fromkeys([*recipients.all(), *([acting] if acting else [])]):
        await enqueue(
            session,
            person_id=person_id,
            kind="meeting_requested",
            dedupe_key=f"meeting-requests:{requests[0].id}:{person_id}",
            now=now,
            payload=payload,
            council_id=council.id,
        )
    for request in requests:  # the count starts again for the next time (R-M2)
        request.reported_at = now
        session.add(request)
