"""R-K2 in the meeting room: at the constituent meeting the chair and vice chair are elected by
d'Hondt on the parties' votes at the election, parties in an alliance (R-K2) counted together; the
first seat is the chair's group's, the second the vice chair's. Each group then names its person
(the acting chair or the secretariat records the name), and once both are named the offices are
set from the result, the term is constituted and the one before archived (R-K1, R-K3's records).

Recorded as an election of the room (services/elections.py's tables): the groups with their votes,
the d'Hondt order with its quotients, a lot drawn from a stored seed with a named witness (R-E2).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import Office
from models.meeting_room import Election, ElectionGroup, ElectionStatus, MeetingFloor
from models.tables import Council, Membership
from models.term import Term
from procedure.elections import ALLIANCE_JOINER, dhondt_order, dhondt_quotients
from procedure.errors import ProcedureError
from services import audit
from services.actors import Actor
from services.constitution import election_groups, install_officers, member_of_group
from services.elections import WitnessedRandom
from services.errors import Refused
from services.meeting_room import Room, enter_room, require_quorum
from services.outbox import enqueue
from services.term import current_term

KIND = "chair"  # Election.kind of R-K2's election (the room's others are single / proportional)
TITLE = "Valg af formand og næstformand"  # as the council's papers call it
OFFICES = (Office.CHAIR, Office.VICE_CHAIR)  # seat 1, seat 2


@dataclass(frozen=True)
class OfficeSeat:
    """One of the two seats: the office, the group it fell to, its quotient, who was named."""

    office: str
    group: str
    quotient: str
    holder: str | None


@dataclass(frozen=True)
class ChairElection:
    """R-K2: the groups' votes, the two seats, and whether the offices are set (both named)."""

    election_id: int
    groups: dict[str, int]
    seats: list[OfficeSeat]
    by_lot: bool
    done: bool


async def start_chair_election(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    witness: str | None = None,
    seed: str | None = None,
    meeting_id: int | None = None,
) -> ChairElection:
    """R-K2: the acting chair (or the secretariat) shares the two seats at the constituent
    meeting; equal quotients are settled by a recorded lot that needs a named witness."""
    room, term = await _constituent_room(session, actor, now, meeting_id)
    if await _open(session, room) is not None:
        raise Refused("chair_election_open")
    require_quorum(room)
    groups = await election_groups(session, term)
    election = Election(
        council_id=actor.council_id,
        meeting_id=room.meeting_id,
        item_id=await _item_on_floor(session, room),
        kind=KIND,
        title=TITLE,
        seats=len(OFFICES),
        created_at=now,
        created_by_id=actor.person_id,
        lot_seed=seed or secrets.token_hex(8),
    )
    rng = WitnessedRandom(election.lot_seed)
    try:
        order = dhondt_order(groups, len(OFFICES), rng)
        quotients = dhondt_quotients(groups, order)
    except ProcedureError as error:
        raise Refused("counts_invalid", str(error)) from None
    if rng.drawn:
        if not (witness and witness.strip()):
            raise Refused("lot_witness_needed")
        election.lot_witness, election.lot_drawn_at = witness.strip(), now
    session.add(election)
    await session.flush()
    for name in groups:
        session.add(
            ElectionGroup(
                election_id=election.id or 0,
                name=name,
                parties=name.split(ALLIANCE_JOINER),
                declared_at=now,
                seats_won=order.count(name),
            )
        )
    election.result = [
        {"seat": n, "office": office, "group": group, "quotient": str(q), "votes": groups[group]}
        for n, (office, group, q) in enumerate(zip(OFFICES, order, quotients, strict=True), 1)
    ]
    session.add(election)
    await session.flush()
    _audit(session, actor, now, "term.chair_election", election, seed=election.lot_seed)
    return _shown(election, groups)


async def name_officer(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    office: str,
    name: str,
    meeting_id: int | None = None,
) -> ChairElection:
    """R-K2: the group the seat fell to names its chair or vice chair (a current mayor or member
    of a party of the group); when both are named the offices are set and the term constituted."""
    room, term = await _constituent_room(session, actor, now, meeting_id)
    election = await _open(session, room)
    if election is None or not election.result:
        raise Refused("no_chair_election")
    if office not in OFFICES:
        raise Refused("invalid_input", f"office must be chair or vice_chair, not {office!r}")
    council = await session.get(Council, actor.council_id)
    assert council is not None
    seats = [dict(seat) for seat in election.result]
    seat = next(s for s in seats if s["office"] == office)
    _membership, person = await member_of_group(session, council, name, seat["group"])
    other = next(s for s in seats if s["office"] != office)
    if other.get("person_id") == person.id:
        raise Refused("officer_twice", name=person.name)
    seat["holder"], seat["person_id"] = person.name, person.id
    election.result = seats  # a new list: the JSON column is written again
    groups = await election_groups(session, term)
    done = all(s.get("person_id") for s in seats)
    if done:
        holders = {}
        for entry in seats:
            found, _who = await member_of_group(session, council, entry["holder"], entry["group"])
            holders[str(entry["office"])] = (found, str(entry["group"]))
        await install_officers(session, council=council, term=term, holders=holders, now=now)
        election.status, election.closed_at = ElectionStatus.CLOSED, now
        await _tell_council(session, council, seats, now)
    session.add(election)
    await session.flush()
    _audit(session, actor, now, "term.officer_named", election, office=office, person=person.name)
    return _shown(election, groups, done=done)


async def _constituent_room(
    session: AsyncSession, actor: Actor, now: datetime, meeting_id: int | None
) -> tuple[Room, Term]:
    """The open constituent meeting, led by the actor (acting chair or secretariat)."""
    room = await enter_room(session, actor, now, meeting_id)
    term = await current_term(session, actor.council_id)
    if term.constituted_at is not None:
        raise Refused("already_constituted")
    if term.constituent_meeting_id != room.meeting_id:
        raise Refused("not_constituent_meeting")
    return room, term


async def _open(session: AsyncSession, room: Room) -> Election | None:
    return (
        await session.exec(
            select(Election)
            .where(
                Election.meeting_id == room.meeting_id,
                Election.kind == KIND,
                Election.status == ElectionStatus.OPEN,
            )
            .order_by(col(Election.id).desc())
        )
    ).first()


async def _item_on_floor(session: AsyncSession, room: Room) -> int | None:
    floor = (
        await session.exec(select(MeetingFloor).where(MeetingFloor.meeting_id == room.meeting_id))
    ).first()
    return floor.item_id if floor else None


async def _tell_council(
    session: AsyncSession, council: Council, seats: list[dict[str, Any]], now: datetime
) -> None:
    """Everyone in the council hears who was elected chair and vice chair, and for which group."""
    by_office = {str(s["office"]): s for s in seats}
    chair, vice = by_office[Office.CHAIR], by_office[Office.VICE_CHAIR]
    people = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council.id, Membership.current()
        )
    )
    for person_id in people.all():
        await enqueue(
            session,
            person_id=person_id,
            kind="officers_elected",
            dedupe_key=f"officers-elected:{council.id}:{chair['person_id']}:{now.date()}:{person_id}",
            now=now,
            payload={
                "council": council.name,
                "chair": chair["holder"],
                "chair_group": chair["group"],
                "vice_chair": vice["holder"],
                "vice_group": vice["group"],
            },
            council_id=council.id,
        )


def _shown(election: Election, groups: dict[str, int], *, done: bool = False) -> ChairElection:
    seats = [
        OfficeSeat(str(s["office"]), str(s["group"]), str(s["quotient"]), s.get("holder"))
        for s in election.result or []
    ]
    return ChairElection(election.id or 0, groups, seats, election.lot_witness is not None, done)


def _audit(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    election: Election,
    **details: Any,
) -> None:
    audit.record(
        session,
        now=now,
        action=action,
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"election:{election.id}",
        **details,
    )
