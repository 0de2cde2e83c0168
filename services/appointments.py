"""R-E4: the register of appointments: bodies with their seats, and who sits where, chosen how.

Bodies come from a CSV; appointments come from an election at a meeting (services.elections) or
are recorded by the secretariat for one made elsewhere. Every appointee is checked against the
imported councillors (R-E3).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.meeting_room import Appointment, Body, ChosenHow, Councillor
from models.tables import Council
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.councillors import eligible, read_csv
from services.errors import Refused

BODY_COLUMNS = ("name", "seats", "term_start", "term_end", "note")
EXPORT_COLUMNS = (
    "body",
    "seat",
    "name",
    "municipality",
    "party",
    "term_start",
    "term_end",
    "chosen",
    "election",
    "round",
    "quotient",
)


@dataclass(frozen=True)
class BodyRow:
    name: str
    seats: int
    term_start: date | None
    term_end: date | None
    note: str | None


@dataclass(frozen=True)
class AppointmentLine:
    """One line of the register as /udpegninger and the export show it."""

    body: str
    seat: int | None
    name: str
    municipality: str | None
    party: str | None
    term_start: date | None
    term_end: date | None
    chosen: str
    election_id: int | None
    round_no: int | None
    quotient: str | None
    appointment_id: int | None = None  # for the secretariat's buttons (ending one)


def parse_bodies_csv(text: str) -> list[BodyRow]:
    """R-E4: name, seats, term_start, term_end (YYYY-MM-DD, may be empty), note."""
    rows = []
    for raw in read_csv(text, BODY_COLUMNS, ("name", "seats")):
        line = raw["line"]
        try:
            seats = int(raw["seats"])
        except ValueError:
            raise Refused("invalid_input", f"line {line}: seats must be a whole number") from None
        if seats < 1:
            raise Refused("invalid_input", f"line {line}: a body needs at least one seat")
        start, end = _date(raw["term_start"], line), _date(raw["term_end"], line)
        if start and end and end < start:
            raise Refused("invalid_input", f"line {line}: the term ends before it starts")
        rows.append(BodyRow(raw["name"], seats, start, end, raw["note"] or None))
    return rows


def _date(value: str, line: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise Refused(
            "invalid_input", f"line {line}: {value!r} is not a date (YYYY-MM-DD)"
        ) from None


async def import_bodies(
    session: AsyncSession, *, council: Council, rows: list[BodyRow]
) -> tuple[int, int]:
    """R-E4: add new bodies and update known ones by name; returns (added, updated)."""
    known = {
        b.name.casefold(): b
        for b in (await session.exec(select(Body).where(Body.council_id == council.id))).all()
    }
    added = updated = 0
    for row in rows:
        body = known.get(row.name.casefold())
        if body is None:
            body = Body(council_id=council.id or 0, name=row.name, seat_count=row.seats)
            known[row.name.casefold()] = body
            added += 1
        else:
            updated += 1
        body.seat_count, body.term_start, body.term_end = row.seats, row.term_start, row.term_end
        body.note = row.note
        session.add(body)
    await session.flush()
    return added, updated


async def body_named(session: AsyncSession, council_id: int, name: str) -> Body:
    """The council's body of that name (any case), or a refusal."""
    wanted = name.strip().casefold()
    bodies = (await session.exec(select(Body).where(Body.council_id == council_id))).all()
    found = next((b for b in bodies if b.name.casefold() == wanted), None)
    if found is None:
        raise Refused("body_unknown", name=name.strip())
    return found


async def appoint(
    session: AsyncSession,
    *,
    body: Body,
    councillor: Councillor,
    now: datetime,
    actor_id: int | None,
    chosen_how: str,
    election_id: int | None = None,
    round_no: int | None = None,
    group_id: int | None = None,
    quotient: str | None = None,
    note: str | None = None,
) -> Appointment:
    """R-E4: record an appointment to the body's next free seat (refused when all are taken)."""
    taken = [
        a.seat_no
        for a in (
            await session.exec(
                select(Appointment).where(
                    Appointment.body_id == body.id, col(Appointment.ended_at).is_(None)
                )
            )
        ).all()
    ]
    free = [n for n in range(1, body.seat_count + 1) if n not in taken]
    if not free:
        raise Refused("body_full", name=body.name, seats=body.seat_count)
    appointment = Appointment(
        council_id=body.council_id,
        body_id=body.id or 0,
        seat_no=free[0],
        name=councillor.name,
        councillor_id=councillor.id,
        term_start=body.term_start,
        term_end=body.term_end,
        chosen_how=chosen_how,
        election_id=election_id,
        round_no=round_no,
        group_id=group_id,
        quotient=quotient,
        note=note,
        recorded_at=now,
        recorded_by_id=actor_id,
    )
    session.add(appointment)
    audit.record(
        session,
        now=now,
        action="appointment.record",
        council_id=body.council_id,
        actor_id=actor_id,
        subject=f"body:{body.id}",
        name=councillor.name,
        chosen_how=chosen_how,
    )
    await session.flush()
    return appointment


async def record_appointment(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    body_name: str,
    name: str,
    municipality: str | None = None,
    note: str | None = None,
) -> Appointment:
    """R-E4: the secretariat records an appointment made elsewhere (checked against R-E3)."""
    actor.require(Action.MANAGE_APPOINTMENTS)
    body = await body_named(session, actor.council_id, body_name)
    councillor = await eligible(session, actor.council_id, name, municipality)
    return await appoint(
        session,
        body=body,
        councillor=councillor,
        now=now,
        actor_id=actor.person_id,
        chosen_how=ChosenHow.ELSEWHERE,
        note=note,
    )


async def register(session: AsyncSession, *, actor: Actor, now: datetime) -> list[AppointmentLine]:
    """R-E4/R-P6: /udpegninger — the council's current appointments, body by body."""
    actor.require(Action.RECEIVE_AGENDA)
    return await register_of(session, actor.council_id)


async def register_of(session: AsyncSession, council_id: int) -> list[AppointmentLine]:
    """The current appointments of a council, by body and seat (for the export too)."""
    rows = await session.exec(
        select(Appointment, Body, Councillor)
        .join(Body, col(Body.id) == col(Appointment.body_id))
        .outerjoin(Councillor, col(Councillor.id) == col(Appointment.councillor_id))
        .where(Appointment.council_id == council_id, col(Appointment.ended_at).is_(None))
        .order_by(col(Body.name), col(Appointment.seat_no))
    )
    return [
        AppointmentLine(
            body=body.name,
            seat=a.seat_no,
            name=a.name,
            municipality=c.municipality if c else None,
            party=c.party if c else None,
            term_start=a.term_start,
            term_end=a.term_end,
            chosen=a.chosen_how,
            election_id=a.election_id,
            round_no=a.round_no,
            quotient=a.quotient,
            appointment_id=a.id,
        )
        for a, body, c in rows.all()
    ]


def export_csv(lines: list[AppointmentLine]) -> str:
    """R-E4: the register as CSV for the council's web page."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.body,
                line.seat or "",
                line.name,
                line.municipality or "",
                line.party or "",
                line.term_start.isoformat() if line.term_start else "",
                line.term_end.isoformat() if line.term_end else "",
                line.chosen,
                line.election_id or "",
                line.round_no or "",
                line.quotient or "",
            ]
        )
    return out.getvalue()
