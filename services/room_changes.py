"""Corrections in the meeting room (R-M5, R-E1, R-E4): a decision's text reworded while the meeting
is open, a candidate withdrawn before a round, an appointment ended by the secretariat.

After the meeting closes, a decision is worded in the minutes (services/minutes.py,
edit_decision_text), until they are approved; here the refusal says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.meeting_room import (
    Appointment,
    Body,
    Decision,
    ElectionCandidate,
    ElectionKind,
)
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.agenda_prep import agenda_items
from services.appointments import AppointmentLine, register_of
from services.elections import audit_election, election_and_room, require_kind, rounds_of
from services.errors import Refused
from services.meeting_room import DECISION_TEXT_LIMIT, enter_room
from services.quorum import touch


@dataclass(frozen=True)
class EndedAppointment:
    """R-E4: who left which body's seat."""

    name: str
    body: str
    seat: int | None


async def reword_decision(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    number: int,
    text: str,
    meeting_id: int | None = None,
) -> Decision:
    """R-M5: the one leading the meeting rewords the decision recorded on item `number` (its place
    on the agenda) while the meeting is open; the counts and the outcome stay as recorded."""
    try:
        room = await enter_room(session, actor, now, meeting_id)
    except Refused as refused:
        if refused.code in ("not_open", "meeting_closed"):
            raise Refused("decision_in_minutes", number=number) from None
        raise
    items = await agenda_items(session, room.meeting_id)
    if not 1 <= number <= len(items):
        raise Refused("no_such_item", number=number, count=len(items))
    item = items[number - 1]
    decision = (
        await session.exec(select(Decision).where(Decision.item_id == item.id).with_for_update())
    ).first()
    if decision is None:
        raise Refused("no_decision", number=number)
    text = text.strip()
    if not text:
        raise Refused("decision_text_empty")
    if len(text) > DECISION_TEXT_LIMIT:
        raise Refused("decision_text_too_long", length=len(text), limit=DECISION_TEXT_LIMIT)
    before, decision.text = decision.text, text
    session.add(decision)
    audit.record(
        session,
        now=now,
        action="meeting.decision_reworded",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"agenda_item:{item.id}",
        on_behalf_of=room.on_behalf_of,
        before=before,
    )
    await session.flush()
    await touch(session, room.seats, now=now)
    return decision


async def withdraw_candidate(
    session: AsyncSession, *, actor: Actor, now: datetime, election_id: int, name: str
) -> ElectionCandidate:
    """R-E1: a candidate withdraws (the one leading the meeting records it); not while a round is
    open — the ballots name the candidates of that round."""
    election, room = await election_and_room(session, actor, now, election_id, Action.LEAD_MEETING)
    require_kind(election, ElectionKind.SINGLE)
    rounds = await rounds_of(session, election_id)
    if rounds and rounds[-1].closed_at is None:
        raise Refused("round_open")
    wanted = name.strip().casefold()
    candidates = await session.exec(
        select(ElectionCandidate).where(
            ElectionCandidate.election_id == election_id,
            col(ElectionCandidate.withdrawn_at).is_(None),
        )
    )
    found = next((c for c in candidates.all() if c.name.casefold() == wanted), None)
    if found is None:
        raise Refused("candidate_unknown", name=name.strip())
    found.withdrawn_at = now
    session.add(found)
    audit_election(session, actor, now, "election.withdrawn", election, room, name=found.name)
    await session.flush()
    return found


async def appointments_to_end(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> list[AppointmentLine]:
    """R-E4: the current appointments, for the secretariat to pick the one that ends."""
    actor.require(Action.MANAGE_APPOINTMENTS)
    return await register_of(session, actor.council_id)


async def end_appointment(
    session: AsyncSession, *, actor: Actor, now: datetime, appointment_id: int
) -> EndedAppointment:
    """R-E4: the secretariat ends an appointment (the person left the body, or the term ended
    early); the row stays, with the day it ended, and the seat is free again."""
    actor.require(Action.MANAGE_APPOINTMENTS)
    appointment = await session.get(Appointment, appointment_id, with_for_update=True)
    if (
        appointment is None
        or appointment.council_id != actor.council_id
        or appointment.ended_at is not None
    ):
        raise Refused("appointment_unknown")
    appointment.ended_at = now
    session.add(appointment)
    body = await session.get(Body, appointment.body_id)
    audit.record(
        session,
        now=now,
        action="appointment.end",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"body:{appointment.body_id}",
        name=appointment.name,
    )
    await session.flush()
    return EndedAppointment(appointment.name, body.name if body else "?", appointment.seat_no)
