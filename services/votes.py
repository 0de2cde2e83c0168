"""Votes (R-Q3, R-M5): the acting chair puts a question, each seat votes once, the chair closes.

A seat is a member's: the member votes in person, or the substitute standing in for them votes
for them, never both. A ballot may be changed until the vote closes. The secretariat may instead
enter the counts read from a show of hands. Closing applies procedure.voting: simple majority of
votes cast, a tie decided by the acting chair, whom the bot asks when they abstained or did not
vote; the decision is refused if the meeting is not quorate when the vote closes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, column, or_, text
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, MeetingStatus, SubstituteStatus
from models.meeting_room import Ballot, Decision, Vote, VoteMode, VoteStatus
from models.tables import AgendaItem, Attendance, Meeting, Person
from models.types import UTCDateTime
from procedure.attendance import stands_in
from procedure.errors import InvalidCount, InvalidVote, NotQuorate
from procedure.permissions import Action, Role, may
from procedure.voting import Outcome, casting_vote_needed, check_counts, count_ballots, tally
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.meeting_room import (
    Room,
    current_item,
    decisions_of,
    enter_room,
    new_decision,
    open_vote,
    save_decision,
)
from services.quorum import status_of, touch
from services.seats import Seats, tell
from templates.i18n import gettext

QUESTION_LIMIT = 1000
CHOICES = ("yes", "no", "abstain")


def _(message: str) -> str:
    return message


DECISION_TEXT = {
    Outcome.ADOPTED: _("Adopted: %(question)s"),
    Outcome.REJECTED: _("Rejected: %(question)s"),
}


@dataclass(frozen=True)
class BallotCast:
    """A seat's vote as recorded: whose seat, and whether it changed an earlier one."""

    vote_id: int
    seat: str
    choice: str
    changed: bool


@dataclass(frozen=True)
class VoteResult:
    """R-Q3: the result of a closed vote, or that the acting chair's casting vote is awaited."""

    vote_id: int
    question: str
    awaiting_casting: bool
    outcome: str | None
    yes: int
    no: int
    abstain: int
    casting_vote_used: bool
    decision_id: int | None


async def put_to_vote(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    question: str,
    mode: str = VoteMode.BUTTONS,
    named: bool = False,
    item_id: int | None = None,
    meeting_id: int | None = None,
) -> Vote:
    """R-M5/R-Q3: the acting chair puts a question on the item under discussion to the vote."""
    room = await enter_room(session, actor, now, meeting_id)
    item = await current_item(session, room, item_id)
    question = question.strip()
    if not question:
        raise Refused("question_empty")
    if len(question) > QUESTION_LIMIT:
        raise Refused("question_too_long", length=len(question), limit=QUESTION_LIMIT)
    if mode not in set(VoteMode):
        raise Refused("invalid_input", f"mode must be one of {', '.join(VoteMode)}, not {mode!r}")
    if await open_vote(session, room.meeting_id) is not None:
        raise Refused("vote_open")
    if item.id in await decisions_of(session, room.meeting_id):
        raise Refused("already_decided")
    vote = Vote(
        meeting_id=room.meeting_id,
        item_id=item.id or 0,
        question=question,
        mode=mode,
        named=named,
        opened_at=now,
        opened_by_id=actor.person_id,
        on_behalf_of_id=room.on_behalf_of,
    )
    session.add(vote)
    await session.flush()
    _audit(session, actor, now, "vote.open", vote, room)
    if mode == VoteMode.BUTTONS:
        await tell(
            session,
            room.seats,
            voters(room.seats),
            kind="vote_ballot",
            key=f"vote:{vote.id}",
            now=now,
            payload={"vote_id": vote.id, "question": question, "item": item.title},
        )
    await touch(session, room.seats, now=now)
    return vote


def voters(seats: Seats) -> list[int]:
    """R-Q1/R-Q3: who votes now: each present member, or the substitute present for them."""
    found = []
    for member in seats.members:
        row = seats.rows.get(member)
        if row is None:
            continue
        if row.status == AttendanceStatus.PRESENT:
            found.append(member)
        elif row.substitute_id is not None and row.substitute_status == SubstituteStatus.PRESENT:
            found.append(row.substitute_id)
    return found


async def voter_seat(session: AsyncSession, actor: Actor, meeting_id: int) -> tuple[int, str]:
    """R-Q3: the seat (member id, name) the actor votes for in this meeting, or why they cannot:
    a member votes when present and not stood in for; a substitute when standing in and present.

    One query on the actor's own rows, not the whole meeting: sixty seats vote in a second.
    """
    rows = (
        await session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting_id,
                or_(
                    col(Attendance.person_id) == actor.person_id,
                    col(Attendance.substitute_id) == actor.person_id,
                ),
            )
        )
    ).all()
    own = next((r for r in rows if r.person_id == actor.person_id), None)
    standing = next(
        (r for r in rows if r.substitute_id == actor.person_id and stands_in(r.substitute_answer)),
        None,
    )
    roles = set(actor.roles) | ({Role.STANDING_IN} if standing is not None else set())
    if not may(roles, Action.VOTE):
        raise Refused("not_allowed", f"{actor.role} may not vote", action=str(Action.VOTE))
    if may(actor.roles, Action.VOTE):  # a member (or mayor) of the council
        if own is not None and own.status == AttendanceStatus.ABSENT and _stood_in(own):
            substitute = await session.get(Person, own.substitute_id)
            raise Refused("substitute_stands_in", substitute=substitute.name if substitute else "?")
        if own is None or own.status != AttendanceStatus.PRESENT:
            raise Refused("not_present")
        return actor.person_id, actor.name
    if standing is None or standing.substitute_status != SubstituteStatus.PRESENT:
        raise Refused("not_present")
    member = await session.get(Person, standing.person_id)
    return standing.person_id, member.name if member else "?"


def _stood_in(row: Attendance) -> bool:
    return row.substitute_id is not None and stands_in(row.substitute_answer)


async def cast_vote(
    session: AsyncSession, *, actor: Actor, now: datetime, vote_id: int, choice: str
) -> BallotCast:
    """R-Q3: the actor's vote for their seat (or the seat they stand in for); a second press
    changes the vote, it never adds one.

    Three statements: the vote with its meeting, the actor's attendance rows, the ballot's upsert
    (bench/votes.py: 60 seats vote within two seconds)."""
    # A shared lock: seats vote side by side, and the close waits until their ballots are in.
    vote, meeting = await _vote_and_meeting(session, actor, vote_id, lock="share")
    seat, seat_name = await voter_seat(session, actor, meeting.id or 0)
    if meeting.status != MeetingStatus.OPEN:
        raise Refused("meeting_closed" if meeting.status == MeetingStatus.CLOSED else "not_open")
    if vote.status != VoteStatus.OPEN:
        raise Refused("vote_closed")
    if vote.mode != VoteMode.BUTTONS:
        raise Refused("vote_by_counts")
    if choice not in CHOICES:
        raise Refused("invalid_input", f"a vote is yes, no or abstain, not {choice!r}")
    changed = await _upsert_ballot(session, vote_id, seat, actor.person_id, choice, now)
    # The pinned message is not marked dirty: while a vote is open the live editor counts the
    # ballots itself, at most once per interval (services/live.py), so a vote is one short write.
    return BallotCast(vote_id, seat_name, choice, changed=changed)


async def count_voted(session: AsyncSession, vote_id: int) -> int:
    """How many seats have voted (never how)."""
    found = await session.exec(
        select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote_id)
    )
    return int(found.one())


async def close_vote(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    vote_id: int,
    yes: int | None = None,
    no: int | None = None,
    abstain: int | None = None,
    casting_vote: str | None = None,
    text: str | None = None,
) -> VoteResult:
    """R-Q3: close the vote and record the decision; on a tie the acting chair's vote decides.

    Entered counts (`yes`, `no`, `abstain`) are for a vote by show of hands. When the acting chair
    abstained or did not vote, a tie waits for their `casting_vote` (they are asked).
    """
    vote = await _vote(session, actor, vote_id, lock="update")
    room = await enter_room(session, actor, now, vote.meeting_id)
    if vote.status not in (VoteStatus.OPEN, VoteStatus.AWAITING_CASTING):
        raise Refused("vote_closed")
    counts, chair_ballot = await _counts(session, room, vote, yes, no, abstain)
    quorate = status_of(room.seats).quorate
    if casting_vote is None and casting_vote_needed(counts[0], counts[1], chair_ballot):
        return await _ask_for_casting_vote(session, room, vote, counts, actor, now, quorate)
    try:
        result = tally(*counts, chair_ballot, quorate, casting_vote=casting_vote)
    except NotQuorate:
        status = status_of(room.seats)
        raise Refused("not_quorate", present=status.present, required=status.required) from None
    except InvalidVote:
        raise Refused("casting_vote_not_needed") from None
    vote.votes_for, vote.votes_against, vote.votes_abstain = counts
    vote.outcome, vote.status = result.outcome, VoteStatus.CLOSED
    vote.closed_at, vote.closed_by_id = now, actor.person_id
    if result.casting_vote_used:
        vote.casting_vote = casting_vote or chair_ballot
        vote.casting_vote_by_id = room.seats.acting_chair()
    session.add(vote)
    decision = await _decide(session, room, vote, actor, now, text)
    _audit(session, actor, now, "vote.close", vote, room)
    return VoteResult(
        vote.id or 0,
        vote.question,
        awaiting_casting=False,
        outcome=result.outcome,
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
        casting_vote_used=result.casting_vote_used,
        decision_id=decision.id,
    )


async def _counts(
    session: AsyncSession,
    room: Room,
    vote: Vote,
    yes: int | None,
    no: int | None,
    abstain: int | None,
) -> tuple[tuple[int, int, int], str | None]:
    """The counts and the acting chair's own ballot (None: did not vote, or counts entered)."""
    entered = (yes, no, abstain)
    if vote.mode == VoteMode.COUNTS:
        if None in entered:
            if vote.votes_for is None:
                raise Refused("counts_needed")
            return (vote.votes_for, vote.votes_against or 0, vote.votes_abstain or 0), None
        try:
            check_counts(yes or 0, no or 0, abstain or 0, status_of(room.seats).present)
        except InvalidCount as error:
            raise Refused("counts_invalid", str(error)) from None
        return (yes or 0, no or 0, abstain or 0), None
    if any(n is not None for n in entered):
        raise Refused("vote_by_buttons")
    ballots = (await session.exec(select(Ballot).where(Ballot.vote_id == vote.id))).all()
    acting = room.seats.acting_chair()
    chair_ballot = next((b.choice for b in ballots if b.seat_member_id == acting), None)
    return count_ballots(b.choice for b in ballots), chair_ballot


async def _ask_for_casting_vote(
    session: AsyncSession,
    room: Room,
    vote: Vote,
    counts: tuple[int, int, int],
    actor: Actor,
    now: datetime,
    quorate: bool,
) -> VoteResult:
    if not quorate:
        status = status_of(room.seats)
        raise Refused("not_quorate", present=status.present, required=status.required)
    vote.status = VoteStatus.AWAITING_CASTING
    vote.votes_for, vote.votes_against, vote.votes_abstain = counts
    session.add(vote)
    await session.flush()
    await tell(
        session,
        room.seats,
        [room.seats.acting_chair()],
        kind="vote_casting",
        key=f"vote-casting:{vote.id}",
        now=now,
        payload={"vote_id": vote.id, "question": vote.question, "yes": counts[0], "no": counts[1]},
    )
    _audit(session, actor, now, "vote.tie", vote, room)
    return VoteResult(vote.id or 0, vote.question, True, None, *counts, False, None)


async def _decide(
    session: AsyncSession, room: Room, vote: Vote, actor: Actor, now: datetime, text: str | None
) -> Decision:
    item = await session.get(AgendaItem, vote.item_id)
    assert item is not None and vote.outcome is not None
    language = room.seats.council.language
    wording = text or gettext(
        language, DECISION_TEXT[Outcome(vote.outcome)], question=vote.question
    )
    decision = new_decision(room, item, actor, now, wording)
    decision.vote_id = vote.id
    decision.votes_for, decision.votes_against = vote.votes_for, vote.votes_against
    decision.votes_abstain, decision.outcome = vote.votes_abstain, vote.outcome
    decision.casting_vote, decision.casting_vote_by_id = vote.casting_vote, vote.casting_vote_by_id
    decision.named = vote.named
    if vote.named and vote.mode == VoteMode.BUTTONS:
        ballots = await session.exec(
            select(Ballot).where(Ballot.vote_id == vote.id).order_by(col(Ballot.id))
        )
        decision.named_ballots = [
            {"seat_member_id": b.seat_member_id, "cast_by_id": b.cast_by_id, "choice": b.choice}
            for b in ballots.all()
        ]
    adopted = vote.outcome == Outcome.ADOPTED
    return await save_decision(session, room, decision, actor, now, approved=adopted)


async def enter_counts(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    vote_id: int,
    yes: int,
    no: int,
    abstain: int,
) -> VoteResult:
    """R-Q3: the secretariat enters the counts of a show of hands and closes the vote."""
    return await close_vote(
        session, actor=actor, now=now, vote_id=vote_id, yes=yes, no=no, abstain=abstain
    )


async def cancel_vote(session: AsyncSession, *, actor: Actor, now: datetime, vote_id: int) -> Vote:
    """R-M5: the acting chair withdraws a vote not yet closed (put by mistake, or the meeting
    lost its quorum); nothing is decided and the item can be taken up again."""
    vote = await _vote(session, actor, vote_id, lock="update")
    room = await enter_room(session, actor, now, vote.meeting_id)
    if vote.status not in (VoteStatus.OPEN, VoteStatus.AWAITING_CASTING):
        raise Refused("vote_closed")
    vote.status, vote.closed_at, vote.closed_by_id = VoteStatus.CANCELLED, now, actor.person_id
    session.add(vote)
    _audit(session, actor, now, "vote.cancel", vote, room)
    await session.flush()
    await touch(session, room.seats, now=now)
    return vote


async def record_show_of_hands(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    question: str,
    yes: int,
    no: int,
    abstain: int,
) -> VoteResult:
    """R-Q3: a vote by show of hands, put and closed at once with the counts the secretariat read;
    a tie waits for the acting chair's casting vote like any other."""
    vote = await put_to_vote(session, actor=actor, now=now, question=question, mode=VoteMode.COUNTS)
    return await close_vote(
        session, actor=actor, now=now, vote_id=vote.id or 0, yes=yes, no=no, abstain=abstain
    )


async def vote_of(session: AsyncSession, *, actor: Actor, vote_id: int) -> Vote:
    """The vote, if it belongs to the actor's council."""
    return await _vote(session, actor, vote_id)


async def _vote(
    session: AsyncSession, actor: Actor, vote_id: int, *, lock: str | None = None
) -> Vote:
    return (await _vote_and_meeting(session, actor, vote_id, lock=lock))[0]


async def _vote_and_meeting(
    session: AsyncSession, actor: Actor, vote_id: int, *, lock: str | None = None
) -> tuple[Vote, Meeting]:
    """The vote and its meeting, if they belong to the actor's council (else not found, R-P6)."""
    statement = (
        select(Vote, Meeting)
        .join(Meeting, col(Meeting.id) == col(Vote.meeting_id))
        .where(Vote.id == vote_id)
    )
    if lock is not None:
        statement = statement.with_for_update(of=Vote, read=lock == "share")
    found = (await session.exec(statement)).first()
    if found is None or found[1].council_id != actor.council_id:
        raise Refused("not_found", "no such vote in your council")
    return found[0], found[1]


# One statement in the SQL that SQLite and PostgreSQL share. SQLAlchemy's dialect inserts with ON
# CONFLICT carry no cache key, so they are compiled again on every call (about a millisecond and a
# half of a vote's CPU); a text() statement is compiled once and cached.
UPSERT_BALLOT = (
    text(
        "INSERT INTO ballot (vote_id, seat_member_id, cast_by_id, choice, cast_at)"
        " VALUES (:vote_id, :seat, :cast_by, :choice, :now)"
        " ON CONFLICT (vote_id, seat_member_id) DO UPDATE SET choice = excluded.choice,"
        " cast_by_id = excluded.cast_by_id, changed_at = excluded.cast_at"
        " RETURNING changed_at"
    )
    .bindparams(bindparam("now", type_=UTCDateTime()))
    .columns(column("changed_at", UTCDateTime()))
)


async def _upsert_ballot(
    session: AsyncSession, vote_id: int, seat: int, cast_by: int, choice: str, now: datetime
) -> bool:
    """Record the seat's ballot; True when it replaced an earlier one (changed_at is then set).

    One row per seat even when two presses race: the unique key decides, the later press wins."""
    values = {"vote_id": vote_id, "seat": seat, "cast_by": cast_by, "choice": choice, "now": now}
    connection = await session.connection()  # the session's own transaction
    changed_at = (await connection.execute(UPSERT_BALLOT, values)).scalar_one()
    return changed_at is not None


def _audit(
    session: AsyncSession, actor: Actor, now: datetime, action: str, vote: Vote, room: Room
) -> None:
    audit.record(
        session,
        now=now,
        action=action,
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"vote:{vote.id}",
        on_behalf_of=room.on_behalf_of,
    )
