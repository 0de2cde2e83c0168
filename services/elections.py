"""Elections at a meeting (R-E1, R-E2), recorded round by round, appointments into the register.

R-E1, one person: candidates (checked against the councillors, R-E3), rounds by private ballot or
entered counts, each closed through procedure.elections.majority_round. R-E2, several seats:
groups declare with their members, the seats are shared through procedure.elections (d'Hondt),
groups renounce seats and their spokespersons name who takes the rest.

Lots are drawn with a seeded random.Random; the seed is stored so the draw can be replayed, and a
draw needs a named witness (who saw it drawn), asked for when the rules call for a lot.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import MutableSequence, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.meeting_room import (
    Appointment,
    Body,
    ChosenHow,
    Councillor,
    Election,
    ElectionBallot,
    ElectionCandidate,
    ElectionGroup,
    ElectionGroupMember,
    ElectionKind,
    ElectionRound,
    ElectionStatus,
    MeetingFloor,
    VoteMode,
)
from procedure.elections import dhondt_order, dhondt_quotients, majority_round
from procedure.errors import ProcedureError
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.appointments import appoint, body_named
from services.councillors import eligible
from services.errors import Refused
from services.meeting_room import Room, enter_room, require_quorum
from services.quorum import status_of, touch
from services.seats import tell
from services.votes import voter_seat, voters

T = TypeVar("T")


class WitnessedRandom(random.Random):
    """A seeded Random that notes whether a lot was drawn (a choice or sample among ties)."""

    drawn = False

    def choice(self, seq: Sequence[T]) -> T:  # type: ignore[override]
        self.drawn = True
        return super().choice(seq)

    def sample(self, population: Sequence[T], k: int, **kwargs: Any) -> list[T]:
        self.drawn = True
        return super().sample(population, k, **kwargs)

    def shuffle(self, x: MutableSequence[Any]) -> None:
        self.drawn = True
        super().shuffle(x)


@dataclass(frozen=True)
class RoundOutcome:
    """R-E1: what a closed round decided."""

    round_no: int
    counts: dict[str, int]  # candidate name -> votes
    elected: str | None
    next_round: int | None
    finalists: list[str]
    by_lot: bool
    lot_seed: str | None
    failed: bool


@dataclass(frozen=True)
class SeatAward:
    """R-E2: one seat in the d'Hondt order, the group that takes it and its quotient."""

    seat: int
    group: str
    quotient: str


async def start_election(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    title: str,
    kind: str = ElectionKind.SINGLE,
    seats: int | None = None,
    body_name: str | None = None,
    meeting_id: int | None = None,
) -> Election:
    """R-E1/R-E2: the acting chair (or the secretariat) opens an election on the current item."""
    room = await enter_room(session, actor, now, meeting_id)
    if kind not in set(ElectionKind):
        raise Refused(
            "invalid_input", f"kind must be one of {', '.join(ElectionKind)}, not {kind!r}"
        )
    body = await body_named(session, actor.council_id, body_name) if body_name else None
    if kind == ElectionKind.PROPORTIONAL and body is None:
        raise Refused("body_unknown", name=body_name or "")
    count = 1 if kind == ElectionKind.SINGLE else seats or (body.seat_count if body else 1)
    floor = (
        await session.exec(select(MeetingFloor).where(MeetingFloor.meeting_id == room.meeting_id))
    ).first()
    election = Election(
        council_id=actor.council_id,
        meeting_id=room.meeting_id,
        item_id=floor.item_id if floor else None,
        body_id=body.id if body else None,
        kind=kind,
        title=title.strip()[:200] or (body.name if body else "?"),
        seats=count,
        created_at=now,
        created_by_id=actor.person_id,
    )
    session.add(election)
    await session.flush()
    _audit(session, actor, now, "election.start", election, room)
    return election


async def propose_candidate(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    name: str,
    municipality: str | None = None,
) -> ElectionCandidate:
    """R-E1/R-E3: a member or the chair proposes a candidate; only a councillor can stand."""
    election, room = await _election(session, actor, now, election_id, Action.PROPOSE)
    _require_kind(election, ElectionKind.SINGLE)
    councillor = await eligible(session, actor.council_id, name, municipality)
    candidates = await _candidates(session, election_id)
    if any(c.councillor_id == councillor.id for c in candidates):
        raise Refused("candidate_twice", name=councillor.name)
    candidate = ElectionCandidate(
        election_id=election_id,
        name=councillor.name,
        councillor_id=councillor.id,
        proposed_by_id=actor.person_id,
        proposed_at=now,
    )
    session.add(candidate)
    await session.flush()
    _audit(session, actor, now, "election.candidate", election, room, name=councillor.name)
    return candidate


async def open_round(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    mode: str = VoteMode.BUTTONS,
) -> ElectionRound:
    """R-E1: the next round; round 3 is between the two finalists of round 2."""
    election, room = await _election(session, actor, now, election_id, Action.LEAD_MEETING)
    _require_kind(election, ElectionKind.SINGLE)
    rounds = await _rounds(session, election_id)
    if rounds and rounds[-1].closed_at is None:
        raise Refused("round_open")
    if not await _candidates(session, election_id):
        raise Refused("candidates_needed")
    round_no = len(rounds) + 1
    if round_no > 3 or (rounds and rounds[-1].elected_candidate_id is not None):
        raise Refused("election_closed")
    ballot_round = ElectionRound(
        election_id=election_id, round_no=round_no, mode=mode, opened_at=now
    )
    session.add(ballot_round)
    await session.flush()
    if mode == VoteMode.BUTTONS:
        await tell(
            session,
            room.seats,
            voters(room.seats),
            kind="election_ballot",
            key=f"election-round:{ballot_round.id}",
            now=now,
            payload=await ballot_payload(session, election, ballot_round),
        )
    _audit(session, actor, now, "election.round", election, room, round_no=round_no)
    await touch(session, room.seats, now=now)
    return ballot_round


async def ballot_payload(
    session: AsyncSession, election: Election, ballot_round: ElectionRound
) -> dict[str, Any]:
    """What a round's private ballot shows: the election, the round and its candidates."""
    earlier = [
        r for r in await _rounds(session, election.id or 0) if r.round_no < ballot_round.round_no
    ]
    names = [[c.id, c.name] for c in await _running(session, election.id or 0, earlier)]
    return {
        "round_id": ballot_round.id,
        "title": election.title,
        "round_no": ballot_round.round_no,
        "candidates": names,
    }


async def cast_election_ballot(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    round_id: int,
    candidate_id: int | None,
) -> bool:
    """R-E1: the actor's secret ballot for their seat (None: blank); True when it changed one."""
    ballot_round = await _round(session, actor, round_id)
    election, room = await _election(
        session, actor, now, ballot_round.election_id, Action.VOTE, lock=False
    )
    if ballot_round.closed_at is not None:
        raise Refused("vote_closed")
    if ballot_round.mode != VoteMode.BUTTONS:
        raise Refused("vote_by_counts")
    rounds = await _rounds(session, election.id or 0)
    running = {c.id for c in await _running(session, election.id or 0, rounds[:-1])}
    if candidate_id is not None and candidate_id not in running:
        raise Refused("not_a_candidate")
    seat, _name = await voter_seat(session, actor, room.meeting_id)
    before = (
        await session.exec(
            select(ElectionBallot.id).where(
                ElectionBallot.round_id == round_id, ElectionBallot.seat_member_id == seat
            )
        )
    ).first()
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(
        insert(ElectionBallot)
        .values(
            round_id=round_id,
            seat_member_id=seat,
            cast_by_id=actor.person_id,
            candidate_id=candidate_id,
            cast_at=now,
        )
        .on_conflict_do_update(
            index_elements=["round_id", "seat_member_id"],
            set_={"candidate_id": candidate_id, "cast_by_id": actor.person_id, "changed_at": now},
        )
    )
    return before is not None


async def close_round(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    round_id: int,
    counts: dict[int, int] | None = None,
    witness: str | None = None,
    seed: str | None = None,
) -> RoundOutcome:
    """R-E1: close a round (ballots, or `counts` entered per candidate id) and apply § 24."""
    ballot_round = await _round(session, actor, round_id, lock=True)
    election, room = await _election(
        session, actor, now, ballot_round.election_id, Action.LEAD_MEETING
    )
    if ballot_round.closed_at is not None:
        raise Refused("no_open_round")
    require_quorum(room)
    rounds = await _rounds(session, election.id or 0)
    running = await _running(session, election.id or 0, rounds[:-1])
    tally = await _round_counts(session, ballot_round, running, counts)
    seed = seed or secrets.token_hex(8)
    rng = WitnessedRandom(seed)
    present = status_of(room.seats).present
    try:
        result = majority_round(ballot_round.round_no, tally, present, rng)
    except ProcedureError as error:
        raise Refused("counts_invalid", str(error)) from None
    if result.by_lot and not (witness and witness.strip()):
        raise Refused("lot_witness_needed")
    by_id = {str(c.id): c for c in running}
    ballot_round.closed_at, ballot_round.present = now, present
    ballot_round.counts = tally
    ballot_round.finalist_ids = [int(f) for f in result.finalists] if result.finalists else None
    if result.by_lot:
        ballot_round.by_lot, ballot_round.lot_seed = True, seed
        ballot_round.lot_witness = (witness or "").strip()
    if result.elected is not None:
        ballot_round.elected_candidate_id = int(result.elected)
        await _elected(session, election, by_id[result.elected], ballot_round, actor, now)
    session.add(ballot_round)
    _audit(session, actor, now, "election.round_closed", election, room, round_no=result.round_no)
    await touch(session, room.seats, now=now)
    return RoundOutcome(
        round_no=result.round_no,
        counts={by_id[c].name: n for c, n in tally.items()},
        elected=by_id[result.elected].name if result.elected else None,
        next_round=result.next_round,
        finalists=[by_id[f].name for f in result.finalists or ()],
        by_lot=result.by_lot,
        lot_seed=seed if result.by_lot else None,
        failed=result.failed,
    )


async def declare_group(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    name: str,
    members: list[str],
    parties: list[str] | None = None,
    spokesperson: str | None = None,
) -> ElectionGroup:
    """R-E2: members declare that they vote together (a party group, or an alliance of several
    parties); the one declaring is the spokesperson unless the secretariat names one."""
    election, room = await _election(session, actor, now, election_id, Action.VOTE, lead=True)
    _require_kind(election, ElectionKind.PROPORTIONAL)
    if election.result is not None:
        raise Refused("seats_shared_already")
    groups = await _groups(session, election_id)
    if any(g.name.casefold() == name.strip().casefold() for g in groups):
        raise Refused("group_name_taken", name=name.strip())
    ids = [_member_id(room, member) for member in members]
    speaker = _member_id(room, spokesperson) if spokesperson else actor.person_id
    if speaker not in room.seats.members:
        raise Refused("not_a_member", name=room.seats.name(speaker))
    group = ElectionGroup(
        election_id=election_id,
        name=name.strip(),
        parties=parties or [name.strip()],
        spokesperson_id=speaker,
        declared_at=now,
    )
    session.add(group)
    await session.flush()
    taken = {
        m.member_id
        for m in (
            await session.exec(
                select(ElectionGroupMember).where(ElectionGroupMember.election_id == election_id)
            )
        ).all()
    }
    for member_id in dict.fromkeys(ids):
        if member_id in taken:
            raise Refused("in_another_group", name=room.seats.name(member_id))
        session.add(
            ElectionGroupMember(
                election_id=election_id, group_id=group.id or 0, member_id=member_id
            )
        )
    _audit(session, actor, now, "election.group", election, room, group=group.name)
    await session.flush()
    return group


async def share_seats(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    witness: str | None = None,
    seed: str | None = None,
) -> list[SeatAward]:
    """R-E2: share the seats by d'Hondt among the groups' member counts; ties by recorded lot."""
    election, room = await _election(session, actor, now, election_id, Action.LEAD_MEETING)
    _require_kind(election, ElectionKind.PROPORTIONAL)
    if election.result is not None:
        raise Refused("seats_shared_already")
    require_quorum(room)
    if not await _groups(session, election_id):
        raise Refused("groups_needed")
    election.lot_seed = seed or secrets.token_hex(8)
    awards = await _award(session, election, witness, now)
    _audit(session, actor, now, "election.shared", election, room, seed=election.lot_seed)
    for group in await _groups(session, election_id):
        await tell(
            session,
            room.seats,
            [group.spokesperson_id],
            kind="election_seats",
            key=f"election-seats:{election_id}:{group.id}:{group.seats_renounced}",
            now=now,
            payload={"title": election.title, "group": group.name, "seats": group.seats_won},
        )
    return awards


async def renounce_seats(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    count: int,
    group_name: str | None = None,
    witness: str | None = None,
) -> list[SeatAward]:
    """R-E2: a group renounces seats it won; they pass to the others by the same quotients."""
    election, room = await _election(session, actor, now, election_id, Action.VOTE, lead=True)
    if election.result is None:
        raise Refused("seats_not_shared")
    group = await _speaking_for(session, actor, room, election_id, group_name)
    named = await _named(session, election_id, group.id or 0)
    left = (group.seats_won or 0) - named
    if not 1 <= count <= left:
        raise Refused("renounce_too_many", seats=left)
    group.seats_renounced += count
    group.renounced_at = now
    session.add(group)
    election.result = None
    awards = await _award(session, election, witness or election.lot_witness, now)
    _audit(session, actor, now, "election.renounce", election, room, group=group.name, count=count)
    return awards


async def name_to_seat(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    election_id: int,
    name: str,
    municipality: str | None = None,
    group_name: str | None = None,
) -> Appointment:
    """R-E2/R-E3/R-E4: the spokesperson names who takes the group's next seat; recorded in the
    register with the seat's quotient."""
    election, room = await _election(session, actor, now, election_id, Action.VOTE, lead=True)
    if election.result is None:
        raise Refused("seats_not_shared")
    group = await _speaking_for(session, actor, room, election_id, group_name)
    named = await _named(session, election_id, group.id or 0)
    seats = [s for s in election.result if s["group_id"] == group.id]
    if named >= len(seats):
        raise Refused("no_seat_left")
    councillor = await eligible(session, actor.council_id, name, municipality)
    body = await body_named_by_id(session, election)
    appointment = await appoint(
        session,
        body=body,
        councillor=councillor,
        now=now,
        actor_id=actor.person_id,
        chosen_how=ChosenHow.PROPORTIONAL,
        election_id=election.id,
        group_id=group.id,
        quotient=seats[named]["quotient"],
    )
    if await _all_named(session, election):
        election.status, election.closed_at = ElectionStatus.CLOSED, now
        session.add(election)
    return appointment


async def body_named_by_id(session: AsyncSession, election: Election) -> Body:
    """The body the election appoints to."""
    body = await session.get(Body, election.body_id or 0)
    if body is None:
        raise Refused("body_unknown", name=election.title)
    return body


async def open_election(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> tuple[Election, ElectionRound | None]:
    """The meeting's latest election still open, and its round in progress if any."""
    room = await enter_room(session, actor, now, meeting_id, action=Action.VIEW_QUORUM, lock=False)
    election = (
        await session.exec(
            select(Election)
            .where(Election.meeting_id == room.meeting_id, Election.status == ElectionStatus.OPEN)
            .order_by(col(Election.id).desc())
        )
    ).first()
    if election is None:
        raise Refused("no_open_election")
    rounds = await _rounds(session, election.id or 0)
    running = rounds[-1] if rounds and rounds[-1].closed_at is None else None
    return election, running


# --- helpers


async def _election(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    election_id: int,
    action: Action,
    *,
    lead: bool = False,
    lock: bool = True,
) -> tuple[Election, Room]:
    """The open election of the actor's council and its meeting's room, once `action` (or, with
    `lead`, leading the meeting) is allowed."""
    election = await session.get(Election, election_id, with_for_update=lock)
    if election is None or election.council_id != actor.council_id:
        raise Refused("not_found", "no such election in your council")
    if election.status != ElectionStatus.OPEN:
        raise Refused("election_closed")
    try:
        room = await enter_room(session, actor, now, election.meeting_id, action=action, lock=lock)
    except Refused as refused:
        if refused.code != "not_allowed" or (not lead and action is not Action.PROPOSE):
            raise
        room = await enter_room(session, actor, now, election.meeting_id, lock=lock)
    return election, room


def _require_kind(election: Election, kind: ElectionKind) -> None:
    if election.kind != kind:
        raise Refused("election_kind")


def _member_id(room: Room, name: str | None) -> int:
    wanted = (name or "").strip().casefold()
    found = next((m for m in room.seats.members if room.seats.name(m).casefold() == wanted), None)
    if found is None:
        raise Refused("not_a_member", name=(name or "").strip())
    return found


async def _candidates(session: AsyncSession, election_id: int) -> list[ElectionCandidate]:
    rows = await session.exec(
        select(ElectionCandidate)
        .where(
            ElectionCandidate.election_id == election_id,
            col(ElectionCandidate.withdrawn_at).is_(None),
        )
        .order_by(col(ElectionCandidate.id))
    )
    return list(rows.all())


async def _rounds(session: AsyncSession, election_id: int) -> list[ElectionRound]:
    rows = await session.exec(
        select(ElectionRound)
        .where(ElectionRound.election_id == election_id)
        .order_by(col(ElectionRound.round_no))
    )
    return list(rows.all())


async def _running(
    session: AsyncSession, election_id: int, earlier: list[ElectionRound]
) -> list[ElectionCandidate]:
    """The candidates of the next round: everyone, or round 2's two finalists in round 3."""
    candidates = await _candidates(session, election_id)
    finalists = earlier[-1].finalist_ids if earlier else None
    return [c for c in candidates if c.id in finalists] if finalists else candidates


async def _round(
    session: AsyncSession, actor: Actor, round_id: int, *, lock: bool = False
) -> ElectionRound:
    found = await session.get(ElectionRound, round_id, with_for_update=lock)
    if found is None:
        raise Refused("not_found", "no such round")
    return found


async def _round_counts(
    session: AsyncSession,
    ballot_round: ElectionRound,
    running: list[ElectionCandidate],
    counts: dict[int, int] | None,
) -> dict[str, int]:
    """{candidate id: votes} for the procedure; blank ballots count for no one."""
    ids = [c.id or 0 for c in running]
    if ballot_round.mode == VoteMode.COUNTS:
        if counts is None:
            raise Refused("counts_needed")
        if set(counts) - set(ids):
            raise Refused("not_a_candidate")
        return {str(i): counts.get(i, 0) for i in ids}
    if counts is not None:
        raise Refused("vote_by_buttons")
    ballots = await session.exec(
        select(ElectionBallot.candidate_id).where(ElectionBallot.round_id == ballot_round.id)
    )
    chosen = list(ballots.all())
    return {str(i): chosen.count(i) for i in ids}


async def _elected(
    session: AsyncSession,
    election: Election,
    candidate: ElectionCandidate,
    ballot_round: ElectionRound,
    actor: Actor,
    now: datetime,
) -> None:
    election.status, election.closed_at = ElectionStatus.CLOSED, now
    session.add(election)
    if election.body_id is None or candidate.councillor_id is None:
        return
    body = await session.get(Body, election.body_id)
    councillor = await session.get(Councillor, candidate.councillor_id)
    assert body is not None and councillor is not None
    await appoint(
        session,
        body=body,
        councillor=councillor,
        now=now,
        actor_id=actor.person_id,
        chosen_how=ChosenHow.SINGLE,
        election_id=election.id,
        round_no=ballot_round.round_no,
    )


async def _groups(session: AsyncSession, election_id: int) -> list[ElectionGroup]:
    rows = await session.exec(
        select(ElectionGroup)
        .where(ElectionGroup.election_id == election_id)
        .order_by(col(ElectionGroup.id))
    )
    return list(rows.all())


async def _award(
    session: AsyncSession, election: Election, witness: str | None, now: datetime
) -> list[SeatAward]:
    """Share the seats again from the stored seed (so earlier lots replay), renunciations applied."""
    groups = await _groups(session, election.id or 0)
    members = (
        await session.exec(
            select(ElectionGroupMember).where(ElectionGroupMember.election_id == election.id)
        )
    ).all()
    sizes = {g.name: sum(1 for m in members if m.group_id == g.id) for g in groups}
    renounced = {g.name: g.seats_renounced for g in groups if g.seats_renounced}
    rng = WitnessedRandom(election.lot_seed)
    try:
        order = dhondt_order(sizes, election.seats, rng, renounced)
        quotients = dhondt_quotients(sizes, order)
    except ProcedureError as error:
        raise Refused("counts_invalid", str(error)) from None
    if rng.drawn:
        if not (witness and witness.strip()):
            raise Refused("lot_witness_needed")
        election.lot_witness = witness.strip()
        election.lot_drawn_at = election.lot_drawn_at or now
    by_name = {g.name: g for g in groups}
    election.result = [
        {"seat": n, "group_id": by_name[g].id, "group": g, "quotient": str(q)}
        for n, (g, q) in enumerate(zip(order, quotients, strict=True), start=1)
    ]
    for group in groups:
        group.seats_won = order.count(group.name)
        session.add(group)
    session.add(election)
    await session.flush()
    return [SeatAward(s["seat"], s["group"], s["quotient"]) for s in election.result]


async def _speaking_for(
    session: AsyncSession, actor: Actor, room: Room, election_id: int, group_name: str | None
) -> ElectionGroup:
    """The group the actor speaks for; the secretariat or the chair names it instead."""
    groups = await _groups(session, election_id)
    leads = (
        room.seats.acting_chair() == actor.person_id or actor.person_id in room.seats.secretariat
    )
    if group_name is not None and leads:
        wanted = group_name.strip().casefold()
        found = next((g for g in groups if g.name.casefold() == wanted), None)
        if found is None:
            raise Refused("not_spokesperson")
        return found
    mine = next((g for g in groups if g.spokesperson_id == actor.person_id), None)
    if mine is None:
        raise Refused("not_spokesperson")
    return mine


async def _named(session: AsyncSession, election_id: int, group_id: int) -> int:
    rows = await session.exec(
        select(Appointment.id).where(
            Appointment.election_id == election_id, Appointment.group_id == group_id
        )
    )
    return len(rows.all())


async def _all_named(session: AsyncSession, election: Election) -> bool:
    rows = await session.exec(select(Appointment.id).where(Appointment.election_id == election.id))
    return len(rows.all()) >= len(election.result or [])


def _audit(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    election: Election,
    room: Room,
    **details: Any,
) -> None:
    audit.record(
        session,
        now=now,
        action=action,
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"election:{election.id}",
        on_behalf_of=room.on_behalf_of,
        **details,
    )
