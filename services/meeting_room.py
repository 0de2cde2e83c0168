"""The meeting room (R-M5, R-Q3): the acting chair steps through the agenda and records decisions.

The secretariat may do the same on the chair's behalf (the chair talks, the secretary clicks); the
row then names the acting chair in `on_behalf_of_id`. A decision is refused while the meeting is
not quorate (R-Q3). The R-S5 item on a long absence is decided here like any other item.
Counts and rules come from procedure/; this module records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.meeting_room import Ballot, Decision, MeetingFloor, Vote, VoteStatus
from models.tables import AgendaItem, LongAbsence, Meeting
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.agenda_prep import agenda_items
from services.errors import Refused
from services.long_absence import decide_at_meeting
from services.quorum import FloorLine, status_of, touch
from services.seats import Seats, load_seats, next_meeting, require, standing_meeting
from templates.i18n import gettext


def _(message: str) -> str:
    """Mark a msgid for extraction; stored in the council's language where it is used."""
    return message


# The common forms of a decision (stored in the council's language, then editable).
COMMON_FORMS = (
    _("Approved"),
    _("Noted"),
    _("Postponed"),
    _("Recommended to the municipal councils"),
)
NOT_APPROVED = _("Not approved")  # R-S5: the council does not approve the long absence
DECISION_TEXT_LIMIT = 4000


@dataclass
class Room:
    """An open meeting as the one leading it sees it: the meeting, its seats, for whom one acts."""

    meeting: Meeting
    seats: Seats
    on_behalf_of: int | None  # the acting chair, when the secretariat acts

    @property
    def meeting_id(self) -> int:
        return self.meeting.id or 0


@dataclass(frozen=True)
class ItemLine:
    """One item as the room sees it: its number on the agenda and what was decided."""

    id: int
    number: int
    title: str
    decision: str | None
    long_absence: bool = False  # R-S5: the decision says whether the council approves


@dataclass(frozen=True)
class FloorView:
    """R-M5: the agenda in order, the item under discussion and the quorum (R-Q3)."""

    meeting_id: int
    items: list[ItemLine]
    current: ItemLine | None
    open_vote_id: int | None
    quorate: bool
    present: int
    required: int
    acting_chair: str | None


async def enter_room(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    meeting_id: int | None = None,
    *,
    action: Action = Action.LEAD_MEETING,
    lock: bool = True,
) -> Room:
    """The open meeting (locked while it is led), once the actor may do `action` in it."""
    if meeting_id is None:
        meeting_id = (await next_meeting(session, actor, now)).id or 0
    meeting = await standing_meeting(session, actor, meeting_id, lock=lock)
    seats = await load_seats(session, meeting)
    require(actor, seats, action)
    if meeting.status != MeetingStatus.OPEN:
        raise Refused("meeting_closed" if meeting.status == MeetingStatus.CLOSED else "not_open")
    acting = seats.acting_chair()
    on_behalf = acting if action is Action.LEAD_MEETING and acting != actor.person_id else None
    return Room(meeting, seats, on_behalf)


async def floor_view(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> FloorView:
    """R-M5: the chair's panel: items, the one under discussion, an open vote, the quorum."""
    room = await enter_room(session, actor, now, meeting_id, action=Action.VIEW_QUORUM)
    return await _view(session, room)


async def next_item(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> FloorView:
    """R-M5: move to the next item (the first, when none is under discussion yet)."""
    return await _step(session, actor, now, meeting_id, +1)


async def previous_item(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> FloorView:
    """R-M5: move back to the item before."""
    return await _step(session, actor, now, meeting_id, -1)


async def jump_to_item(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    item_id: int | None = None,
    number: int | None = None,
    meeting_id: int | None = None,
) -> FloorView:
    """R-M5: take up an item out of order, by id or by its number on the agenda (1, 2, ...)."""
    room = await enter_room(session, actor, now, meeting_id)
    items = await agenda_items(session, room.meeting_id)
    if number is not None:
        if not 1 <= number <= len(items):
            raise Refused("no_such_item", number=number, count=len(items))
        item_id = items[number - 1].id
    if item_id not in [i.id for i in items]:
        raise Refused("no_such_item", number=number or 0, count=len(items))
    return await _move(session, room, actor, now, item_id)


async def _step(
    session: AsyncSession, actor: Actor, now: datetime, meeting_id: int | None, steps: int
) -> FloorView:
    room = await enter_room(session, actor, now, meeting_id)
    ids = [i.id for i in await agenda_items(session, room.meeting_id)]
    if not ids:
        raise Refused("agenda_empty")
    floor = await _floor(session, room.meeting_id)
    here = ids.index(floor.item_id) if floor.item_id in ids else -1
    target = 0 if here < 0 and steps > 0 else here + steps
    if not 0 <= target < len(ids):
        raise Refused("no_next_item" if steps > 0 else "no_previous_item")
    return await _move(session, room, actor, now, ids[target])


async def _move(
    session: AsyncSession, room: Room, actor: Actor, now: datetime, item_id: int | None
) -> FloorView:
    if await open_vote(session, room.meeting_id) is not None:
        raise Refused("vote_open")  # the vote belongs to the item under discussion
    floor = await _floor(session, room.meeting_id)
    floor.item_id, floor.moved_at = item_id, now
    floor.moved_by_id, floor.on_behalf_of_id = actor.person_id, room.on_behalf_of
    session.add(floor)
    audit.record(
        session,
        now=now,
        action="meeting.item",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"agenda_item:{item_id}",
        on_behalf_of=room.on_behalf_of,
    )
    await session.flush()
    await touch(session, room.seats, now=now)
    return await _view(session, room)


async def current_item(session: AsyncSession, room: Room, item_id: int | None) -> AgendaItem:
    """The item meant: the one given (on this meeting's agenda) or the one under discussion."""
    if item_id is None:
        item_id = (await _floor(session, room.meeting_id)).item_id
        if item_id is None:
            raise Refused("no_current_item")
    item = await session.get(AgendaItem, item_id)
    if item is None or item.meeting_id != room.meeting_id:
        raise Refused("not_found", "no such item in this meeting")
    return item


def require_quorum(room: Room) -> None:
    """R-Q3: refuse while the meeting is not quorate, saying how many are present and needed."""
    status = status_of(room.seats)
    if not status.quorate:
        raise Refused("not_quorate", present=status.present, required=status.required)


async def record_decision(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    text: str | None = None,
    form: int | None = None,
    item_id: int | None = None,
    approved: bool | None = None,
    meeting_id: int | None = None,
) -> Decision:
    """R-M5/R-Q3: the decision on the item under discussion, without a vote: a typed text, or
    common form number `form` (1–4) in the council's language.

    For the R-S5 item on a long absence, `approved` says whether the council found the conditions
    met; the long absence follows the decision.
    """
    room = await enter_room(session, actor, now, meeting_id)
    if form is not None:
        if not 1 <= form <= len(COMMON_FORMS):
            raise Refused("decision_text_empty")
        text = common_forms(room.seats.council.language)[form - 1]
    if text is None and approved is False:
        text = gettext(room.seats.council.language, NOT_APPROVED)
    item = await current_item(session, room, item_id)
    if await open_vote(session, room.meeting_id) is not None:
        raise Refused("vote_open")
    require_quorum(room)
    decision = new_decision(room, item, actor, now, text or "")
    return await save_decision(session, room, decision, actor, now, approved=approved)


def new_decision(room: Room, item: AgendaItem, actor: Actor, now: datetime, text: str) -> Decision:
    """A decision row for the item, the text checked (not yet saved)."""
    text = text.strip()
    if not text:
        raise Refused("decision_text_empty")
    if len(text) > DECISION_TEXT_LIMIT:
        raise Refused("decision_text_too_long", length=len(text), limit=DECISION_TEXT_LIMIT)
    return Decision(
        meeting_id=room.meeting_id,
        item_id=item.id or 0,
        text=text,
        decided_at=now,
        decided_by_id=actor.person_id,
        on_behalf_of_id=room.on_behalf_of,
        present=status_of(room.seats).present,
    )


async def save_decision(
    session: AsyncSession,
    room: Room,
    decision: Decision,
    actor: Actor,
    now: datetime,
    *,
    approved: bool | None,
) -> Decision:
    """Store the item's one decision, apply an R-S5 decision, tell the room."""
    already = (
        await session.exec(select(Decision).where(Decision.item_id == decision.item_id))
    ).first()
    if already is not None:
        raise Refused("already_decided")
    leave = (
        await session.exec(
            select(LongAbsence).where(LongAbsence.agenda_item_id == decision.item_id)
        )
    ).first()
    if leave is not None:
        if approved is None:
            raise Refused("say_whether_approved")
        await decide_at_meeting(session, leave, approved=approved, now=now, actor=actor)
    session.add(decision)
    audit.record(
        session,
        now=now,
        action="meeting.decision",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"agenda_item:{decision.item_id}",
        on_behalf_of=room.on_behalf_of,
        vote_id=decision.vote_id,
    )
    await session.flush()
    await touch(session, room.seats, now=now)
    return decision


def common_forms(language: str) -> list[str]:
    """The common forms of a decision in the council's language, for the chair to pick and edit."""
    return [gettext(language, form) for form in COMMON_FORMS]


async def open_vote(session: AsyncSession, meeting_id: int) -> Vote | None:
    """The meeting's vote not yet closed, if any (one at a time)."""
    return (
        await session.exec(
            select(Vote).where(
                Vote.meeting_id == meeting_id,
                col(Vote.status).in_([VoteStatus.OPEN, VoteStatus.AWAITING_CASTING]),
            )
        )
    ).first()


async def decisions_of(session: AsyncSession, meeting_id: int) -> dict[int, Decision]:
    """The meeting's decisions by item id (for the minutes and the panel)."""
    rows = await session.exec(select(Decision).where(Decision.meeting_id == meeting_id))
    return {d.item_id: d for d in rows.all()}


async def floor_line(session: AsyncSession, meeting: Meeting) -> FloorLine | None:
    """R-M5/R-Q3: what the pinned message adds: the item under discussion and, during a vote, how
    many seats have voted (never how)."""
    if meeting.status != MeetingStatus.OPEN or meeting.id is None:
        return None
    floor = (
        await session.exec(select(MeetingFloor).where(MeetingFloor.meeting_id == meeting.id))
    ).first()
    items = await agenda_items(session, meeting.id)
    ids = [i.id for i in items]
    if floor is None or floor.item_id not in ids:
        return None
    vote = await open_vote(session, meeting.id)
    voted = None
    if vote is not None:
        voted = (
            await session.exec(
                select(func.count()).select_from(Ballot).where(Ballot.vote_id == vote.id)
            )
        ).one()
    item = items[ids.index(floor.item_id)]
    decision = (await decisions_of(session, meeting.id)).get(floor.item_id or 0)
    counted = decision is not None and decision.votes_for is not None
    return FloorLine(
        number=ids.index(floor.item_id) + 1,
        title=item.title,
        vote_question=vote.question if vote else None,
        voted=int(voted) if voted is not None else None,
        decision=decision.text if decision else None,
        votes=(
            (decision.votes_for or 0, decision.votes_against or 0, decision.votes_abstain or 0)
            if decision is not None and counted
            else None
        ),
    )


async def _floor(session: AsyncSession, meeting_id: int) -> MeetingFloor:
    floor = (
        await session.exec(
            select(MeetingFloor).where(MeetingFloor.meeting_id == meeting_id).with_for_update()
        )
    ).first()
    return floor or MeetingFloor(meeting_id=meeting_id)


async def _view(session: AsyncSession, room: Room) -> FloorView:
    items = await agenda_items(session, room.meeting_id)
    decided = await decisions_of(session, room.meeting_id)
    leaves = await session.exec(
        select(LongAbsence.agenda_item_id).where(
            col(LongAbsence.agenda_item_id).in_([i.id for i in items])
        )
    )
    on_leave = set(leaves.all())
    lines = [
        ItemLine(
            i.id or 0,
            n,
            i.title,
            decided[i.id].text if i.id in decided else None,
            long_absence=i.id in on_leave,
        )
        for n, i in enumerate(items, start=1)
    ]
    floor = await _floor(session, room.meeting_id)
    vote = await open_vote(session, room.meeting_id)
    status = status_of(room.seats)
    acting = room.seats.acting_chair()
    return FloorView(
        meeting_id=room.meeting_id,
        items=lines,
        current=next((line for line in lines if line.id == floor.item_id), None),
        open_vote_id=vote.id if vote else None,
        quorate=status.quorate,
        present=status.present,
        required=status.required,
        acting_chair=room.seats.name(acting) if acting is not None else None,
    )
