"""R-K3: a successor named for a period holds the chair or vice chair only for that period.

When the period ends (the sweep, the day after `until`) or the prevented holder can serve again
(their long absence ends, or the secretariat records the return), the office goes back by itself to
the one the group elected; should they have left the council meanwhile, the office is vacant and
the group names a successor for good. The chair and the secretariat (and the successor) are told.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole
from models.tables import Council, Membership, Person
from models.term import OfficeRecord
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.outbox import enqueue
from services.recipients import preparers

SUCCESSOR, RETURNED = "successor", "returned"  # OfficeRecord.how


async def return_offices(session: AsyncSession, now: datetime) -> int:
    """The sweep: every office held by a successor whose period has ended goes back (R-K3)."""
    due = await session.exec(
        select(OfficeRecord).where(
            OfficeRecord.how == SUCCESSOR,
            col(OfficeRecord.until).is_not(None),
            col(OfficeRecord.ended_on).is_(None),
            # A local date is at most a day after UTC's: the council's own day is checked below.
            col(OfficeRecord.until) <= now.date(),
        )
    )
    told = 0
    for record in due.all():
        council = await session.get(Council, record.council_id)
        assert council is not None and record.until is not None
        if record.until >= _today(council, now):
            continue  # still the last day of the period in the council's zone
        told += await _give_back(session, council, record, now=now, actor_id=None)
    return told


async def holder_returns(
    session: AsyncSession, *, council_id: int, person_id: int, now: datetime, actor_id: int | None
) -> int:
    """The prevented holder can serve again before the period ends: their office goes back."""
    council = await session.get(Council, council_id)
    assert council is not None
    told = 0
    for record in await _held_for(session, council_id, person_id):
        told += await _give_back(session, council, record, now=now, actor_id=actor_id)
    return told


async def record_return(session: AsyncSession, *, actor: Actor, name: str, now: datetime) -> int:
    """The secretariat records that the chair or vice chair can serve again (R-K3)."""
    actor.require(Action.MANAGE_MEMBERS)
    person = (
        await session.exec(
            select(Person).where(
                Person.council_id == actor.council_id, Person.name == " ".join(name.split())
            )
        )
    ).first()
    if person is None or not await _held_for(session, actor.council_id, person.id or 0):
        raise Refused("no_office_to_return", name=name)
    return await holder_returns(
        session,
        council_id=actor.council_id,
        person_id=person.id or 0,
        now=now,
        actor_id=actor.person_id,
    )


async def _held_for(session: AsyncSession, council_id: int, person_id: int) -> list[OfficeRecord]:
    """The open period successions whose office the person held before them."""
    found = []
    open_periods = await session.exec(
        select(OfficeRecord).where(
            OfficeRecord.council_id == council_id,
            OfficeRecord.how == SUCCESSOR,
            col(OfficeRecord.until).is_not(None),
            col(OfficeRecord.ended_on).is_(None),
        )
    )
    for record in open_periods.all():
        before = await _predecessor(session, record)
        if before is not None and before.person_id == person_id:
            found.append(record)
    return found


async def _predecessor(session: AsyncSession, record: OfficeRecord) -> OfficeRecord | None:
    """The record of who held the office before the successor (whose it goes back to)."""
    return (
        await session.exec(
            select(OfficeRecord)
            .where(
                OfficeRecord.council_id == record.council_id,
                OfficeRecord.office == record.office,
                col(OfficeRecord.id) < record.id,
            )
            .order_by(col(OfficeRecord.id).desc())
        )
    ).first()


async def _current(session: AsyncSession, council_id: int, person_id: int) -> Membership | None:
    return (
        await session.exec(
            select(Membership).where(
                Membership.council_id == council_id,
                Membership.person_id == person_id,
                Membership.current(),
                col(Membership.role).in_([MembershipRole.MAYOR, MembershipRole.MEMBER]),
            )
        )
    ).first()


async def _give_back(
    session: AsyncSession,
    council: Council,
    record: OfficeRecord,
    *,
    now: datetime,
    actor_id: int | None,
) -> int:
    """End the successor's period; the office goes to the one before, or falls vacant."""
    today = _today(council, now)
    council_id = council.id or 0
    record.ended_on = today
    session.add(record)
    successor = await _current(session, council_id, record.person_id)
    if successor is not None and successor.office == record.office:
        successor.office = None
        session.add(successor)
        await session.flush()  # one holder of an office at a time
    before = await _predecessor(session, record)
    holder = await _current(session, council_id, before.person_id) if before else None
    if before is not None and holder is not None:
        holder.office = record.office
        session.add(holder)
        session.add(
            OfficeRecord(
                council_id=council_id,
                office=record.office,
                person_id=before.person_id,
                group_name=before.group_name,
                how=RETURNED,
                started_on=today,
                created_at=now,
            )
        )
    returned_to = await session.get(Person, before.person_id) if holder and before else None
    left = await session.get(Person, record.person_id)
    payload = {
        "council": council.name,
        "office": record.office,
        "successor": left.name if left else "?",
        "holder": returned_to.name if returned_to else None,
        "until": record.until.isoformat() if record.until else None,
    }
    await session.flush()
    told = 0
    for person_id in dict.fromkeys([*await preparers(session, council_id), record.person_id]):
        told += await enqueue(
            session,
            person_id=person_id,
            kind="office_returned",
            dedupe_key=f"office-returned:{record.id}:{person_id}",
            now=now,
            payload=payload,
            council_id=council_id,
        )
    audit.record(
        session,
        now=now,
        action="term.office_returned",
        council_id=council_id,
        actor_id=actor_id,
        subject=f"office:{record.office}",
        successor=payload["successor"],
        holder=payload["holder"],
    )
    return told


def _today(council: Council, now: datetime) -> date:
    return now.astimezone(ZoneInfo(council.timezone)).date()
