"""Elections at a meeting (R-E1, R-E2), recorded round by round, appointments into the register.

R-E1, one person: candidates (checked against the councillors, R-E3), rounds by private ballot or
entered counts, each closed through procedure.elections.majority_round. R-E2, several seats, is in
services/proportional.py; both start here (start_election) and share the helpers below.

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
    Body,
    ChosenHow,
    Councillor,
    Election,
    ElectionBallot,
    ElectionCandidate,
    ElectionKind,
    ElectionRound,
    ElectionStatus,
    MeetingFloor,
    VoteMode,
)
from procedure.elections import majority_round
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
    audit_election(session, actor, now, "election.start", election, room)
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
    election, room = await election_and_room(session, actor, now, election_id, Action.PROPOSE)
    require_kind(election, ElectionKind.SINGLE)
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
    audit_election(session, actor, now, "election.candidate", election, room, name=councillor.name)
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
    election, room = await election_and_room(session, actor, now, election_id, Action.LEAD_MEETING)
    require_kind(election, ElectionKind.SINGLE)
    rounds = await rounds_of(session, election_id)
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
    audit_election(session, actor, now, "election.round", election, room, round_no=round_no)
    await touch(session, room.seats, now=now)
    return ballot_round


async def ballot_payload(
    session: AsyncSession, election: Election, ballot_round: ElectionRound
) -> dict[str, Any]:
    """What a round's private ballot shows: the election, the round and its candidates."""
    earlier = [
        r for r in await rounds_of(session, election.id or 0) if r.round_no < ballot_round.round_no
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
    election, room = await election_and_room(
        session, actor, now, ballot_round.election_id, Action.VOTE, lock=False
    )
    if ballot_round.closed_at is not None:
        raise Refused("vote_closed")
    if ballot_round.mode != VoteMode.BUTTONS:
        raise Refused("vote_by_counts")
    rounds = await rounds_of(session, election.id or 0)
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
    election, room = await election_and_room(
        session, actor, now, ballot_round.election_id, Action.LEAD_MEETING
    )
    if ballot_round.closed_at is not None:
        raise Refused("no_open_round")
    require_quorum(room)
    rounds = await rounds_of(session, election.id or 0)
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
    audit_election(
        session, actor, now, "election.round_closed", election, room, round_no=result.round_no
    )
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
    rounds = await rounds_of(session, election.id or 0)
    running = rounds[-1] if rounds and rounds[-1].closed_at is None else None
    return election, running


# --- helpers


async def election_and_room(
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


def require_kind(election: Election, kind: ElectionKind) -> None:
    if election.kind != kind:
        raise Refused("election_kind")


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


async def rounds_of(session: AsyncSession, election_id: int) -> list[ElectionRound]:
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


def audit_election(
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
