"""The clock as an explicit actor: the system (held by the sweep) sends an approved agenda at its
R-D2 moment and may do nothing else; history records the act as the system's. Services take no
"no actor" any more: a meeting is planned by a person, and an extraordinary one only by a call."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.enums import MeetingKind
from models.tables import AgendaVersion, AuditEvent, Council
from procedure.permissions import Action
from services.actors import SYSTEM
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import approve_agenda
from services.meetings import add_meeting
from tests.integration.agenda_helpers import CHAIR, MEMBER, actor, meeting_at, propose
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)
AUTO_AT = datetime(2027, 3, 3, 8, 0, tzinfo=UTC)  # R-D2: 09:00 in Copenhagen on the deadline day


async def _system_sends(sessions: SessionFactory, meeting: int, now: datetime) -> int:
    async with sessions() as session, session.begin():
        sent = await distribute_agenda(session, actor=SYSTEM, meeting_id=meeting, now=now)
    return sent.version


async def _approved_meeting(sessions: SessionFactory, council: Council, now: datetime) -> int:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    return meeting


async def test_the_system_sends_an_approved_agenda_at_its_moment_and_history_says_so(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await _approved_meeting(sessions, council, now)
    assert await _system_sends(sessions, meeting, AUTO_AT) == 1
    async with sessions() as session:
        version = (await session.exec(select(AgendaVersion))).one()
        event = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "agenda.distribute"))
        ).one()
    assert version.distributed_by_id is None and version.snapshot["distributed_by"] == "system"
    assert event.actor_id is None and event.details["by"] == "system"


async def test_the_system_sends_nothing_before_the_moment_unapproved_or_again(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    with refused_with("not_allowed"):  # not approved
        await _system_sends(sessions, meeting, AUTO_AT)
    async with sessions() as session, session.begin():
        await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    with refused_with("not_allowed"):  # an hour early
        await _system_sends(sessions, meeting, AUTO_AT - timedelta(hours=1))
    await _system_sends(sessions, meeting, AUTO_AT)
    with refused_with("not_allowed"):  # an addendum is the chair's to send
        await _system_sends(sessions, meeting, AUTO_AT + timedelta(hours=1))


async def test_the_system_sends_no_extraordinary_meetings_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT, kind=MeetingKind.EXTRAORDINARY)
    with refused_with("not_allowed"):
        await _system_sends(sessions, meeting, AUTO_AT)


def test_the_system_may_distribute_and_nothing_else() -> None:
    assert SYSTEM.may(Action.DISTRIBUTE_AGENDA)
    assert not any(SYSTEM.may(a) for a in Action if a != Action.DISTRIBUTE_AGENDA)


async def test_an_extraordinary_meeting_is_only_made_by_calling_it(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    chair = await actor(sessions, CHAIR)
    with refused_with("call_with_indkald"):  # even the chair: the summons must go out with it
        async with sessions() as session, session.begin():
            await add_meeting(
                session,
                council=council,
                starts_at=MEETING_AT,
                place="Online",
                now=now,
                kind=MeetingKind.EXTRAORDINARY,
                actor=chair,
            )
