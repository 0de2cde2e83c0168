"""The archived term is read-only: one check, at the flush of every session, for every service.

A term is archived when the next one is constituted (R-K2); from then on everything dated before
the new term began belongs to the old one: its meetings with their agenda, attendance, votes and
elections, the memberships that had ended, the appointments recorded. A flush that would add,
change or delete any of them is refused (`Refused("archived_term")`), whichever service, handler,
CLI command or job asked for it. Reading stays open: the minutes, their PDFs, the attendance export
and the public page (their caches — documents, publications, calendar sequences — are not guarded).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import event, func, inspect
from sqlalchemy.orm import InstanceState, Session
from sqlmodel import col, select

from models.meeting_room import (
    Appointment,
    Ballot,
    Decision,
    Election,
    ElectionBallot,
    ElectionCandidate,
    ElectionGroup,
    ElectionGroupMember,
    ElectionRound,
    MeetingFloor,
    Vote,
)
from models.tables import (
    AgendaItem,
    Attendance,
    AttendanceEvent,
    Council,
    Material,
    Meeting,
    Membership,
)
from models.term import Term
from services.errors import Refused

CACHE = "archived_until"  # session.info key: {council_id: the day the archive ends, or None}
BY_MEETING = (AgendaItem, Attendance, AttendanceEvent, MeetingFloor, Decision, Vote, Election)
BY_ELECTION = (ElectionCandidate, ElectionRound, ElectionGroup, ElectionGroupMember)


def archived_until(session: Session, council_id: int) -> date | None:
    """The first day of the council's current term when an earlier one is archived: everything
    dated before it is read-only. None when no term is archived."""
    cache: dict[int, date | None] = session.info.setdefault(CACHE, {})
    if council_id not in cache:
        with session.no_autoflush:
            cache[council_id] = session.execute(
                select(func.max(Term.ends_on)).where(
                    Term.council_id == council_id, col(Term.archived_at).is_not(None)
                )
            ).scalar()
    return cache[council_id]


def _state(instance: object) -> InstanceState[Any]:
    state: InstanceState[Any] | None = inspect(instance)
    assert state is not None
    return state


def _meeting_archived(session: Session, meeting: Meeting | None) -> date | None:
    """The archive's end when the meeting lies in an archived term (as stored, or as changed)."""
    if meeting is None:
        return None
    until = archived_until(session, meeting.council_id)
    if until is None:
        return None
    council = session.get(Council, meeting.council_id)
    zone = ZoneInfo(council.timezone if council else "Europe/Copenhagen")
    history = _state(meeting).attrs.starts_at.history
    moments: list[datetime] = [*history.unchanged, *history.deleted, *history.added]
    return until if any(m.astimezone(zone).date() < until for m in moments) else None


def _membership_archived(session: Session, membership: Membership) -> date | None:
    """A membership that had ended within an archived term, or one being ended back into it."""
    until = archived_until(session, membership.council_id)
    if until is None:
        return None
    history = _state(membership).attrs.ended_on.history
    stored = [d for d in (*history.unchanged, *history.deleted) if d is not None]
    if any(d <= until for d in stored) or any(d < until for d in history.added if d is not None):
        return until
    return None


def _appointment_archived(session: Session, appointment: Appointment) -> date | None:
    until = archived_until(session, appointment.council_id)
    if until is None or appointment.recorded_at is None:
        return None
    council = session.get(Council, appointment.council_id)
    zone = ZoneInfo(council.timezone if council else "Europe/Copenhagen")
    return until if appointment.recorded_at.astimezone(zone).date() < until else None


def _archived(session: Session, instance: Any) -> date | None:
    """The archive's end when `instance` belongs to an archived term; None otherwise."""
    with session.no_autoflush:
        if isinstance(instance, Meeting):
            return _meeting_archived(session, instance)
        if isinstance(instance, Membership):
            return _membership_archived(session, instance)
        if isinstance(instance, Appointment):
            return _appointment_archived(session, instance)
        if isinstance(instance, BY_MEETING) and instance.meeting_id is not None:
            return _meeting_archived(session, session.get(Meeting, instance.meeting_id))
        if isinstance(instance, Material):
            item = session.get(AgendaItem, instance.item_id)
            return _meeting_archived(session, session.get(Meeting, item.meeting_id if item else 0))
        if isinstance(instance, (*BY_ELECTION, ElectionBallot)):
            return _election_archived(session, instance)
        if isinstance(instance, Ballot):
            vote = session.get(Vote, instance.vote_id)
            return _meeting_archived(session, session.get(Meeting, vote.meeting_id if vote else 0))
    return None


def _election_archived(session: Session, instance: Any) -> date | None:
    if isinstance(instance, ElectionBallot):
        found = session.get(ElectionRound, instance.round_id)
        election_id = found.election_id if found else 0
    else:
        election_id = instance.election_id
    election = session.get(Election, election_id)
    if election is None or election.meeting_id is None:
        return None
    return _meeting_archived(session, session.get(Meeting, election.meeting_id))


def refuse_archived_writes(session: Session, _context: Any, _instances: Any) -> None:
    """before_flush: nothing of an archived term is added, changed or deleted."""
    if any(isinstance(o, Term) for o in (*session.new, *session.dirty)):
        session.info.pop(CACHE, None)  # a term is being archived: read the archive afresh
    changed = [*session.new, *(o for o in session.dirty if session.is_modified(o))]
    for instance in [*changed, *session.deleted]:
        until = _archived(session, instance)
        if until is not None:
            raise Refused("archived_term", day=until)
    if any(isinstance(o, Term) for o in (*session.new, *session.dirty)):
        session.info.pop(CACHE, None)  # not cached across the change of term being flushed


def install() -> None:
    """Guard every session (the bot's, the CLI's, the jobs', the tests'); idempotent."""
    if not event.contains(Session, "before_flush", refuse_archived_writes):
        event.listen(Session, "before_flush", refuse_archived_writes)


install()
