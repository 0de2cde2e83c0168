"""Preparing the agenda (R-M3, R-M4): the chair and the secretariat see, order, add, take in, reject
and approve the items of a meeting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ItemStatus, MeetingStatus
from models.tables import AgendaItem, Meeting
from procedure.agenda import items_without_material, move
from procedure.deadlines import distribution_deadline
from procedure.errors import ProcedureError
from procedure.permissions import Action, may
from services import audit
from services.actors import Actor
from services.agenda import (
    ON_AGENDA,
    ItemView,
    MaterialIn,
    add_material,
    check_description,
    check_material,
    check_title,
    council_of,
    item_views,
    next_position,
    require_changeable,
    touch,
)
from services.errors import Refused
from services.meetings import MeetingView, meeting_of, upcoming_meetings, view
from services.outbox import enqueue
from services.recipients import roles_at_meeting
from services.seats import require_for_meeting

MAX_REASON = 1000


@dataclass(frozen=True)
class AgendaOverview:
    """A meeting's agenda as it stands, and what is waiting for the chair."""

    meeting: MeetingView
    items: list[ItemView]  # on the agenda, in the chair's order (R-M4)
    late: list[ItemView]  # late proposals waiting to be taken in (R-D1)
    without_material: list[ItemView]  # R-M3: the warning before distribution
    approved: bool
    version: int  # the last distributed version, 0 if none
    changed_since_distribution: bool
    distribution_deadline_passed: bool

    @property
    def distributed(self) -> bool:
        return self.version > 0


async def preparable_meetings(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> list[MeetingView]:
    """The coming meetings whose agenda the actor prepares (R-M3), soonest first."""
    actor.require(Action.EDIT_AGENDA)
    council = await council_of(session, actor.council_id)
    meetings = await session.exec(
        select(Meeting)
        .where(
            Meeting.council_id == actor.council_id,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > now,
        )
        .order_by(col(Meeting.starts_at))
    )
    return [view(meeting, council) for meeting in meetings]


async def agenda_overview(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> AgendaOverview:
    """R-M3/R-M4: the items in order with their material, late proposals, missing material."""
    actor.require(Action.EDIT_AGENDA)
    meeting = await meeting_of(session, actor, meeting_id)
    return await overview_of(session, meeting, now)


async def overview_of(session: AsyncSession, meeting: Meeting, now: datetime) -> AgendaOverview:
    council = await council_of(session, meeting.council_id)
    items = await item_views(session, await agenda_items(session, meeting.id or 0))
    late = await item_views(
        session,
        list(
            await session.exec(
                select(AgendaItem)
                .where(
                    AgendaItem.meeting_id == meeting.id,
                    AgendaItem.status == ItemStatus.LATE,
                )
                .order_by(col(AgendaItem.submitted_at))
            )
        ),
    )
    missing_ids = set(items_without_material({item.id: len(item.material) for item in items}))
    missing = [item for item in items if item.id in missing_ids]
    shown = view(meeting, council)
    tz = ZoneInfo(council.timezone)
    deadline = distribution_deadline(meeting.starts_at.astimezone(tz).date(), tz)
    return AgendaOverview(
        meeting=shown,
        items=items,
        late=late,
        without_material=missing,
        approved=meeting.agenda_approved_at is not None,
        version=meeting.agenda_version,
        changed_since_distribution=meeting.agenda_changed_at is not None,
        distribution_deadline_passed=shown.distribution_deadline is not None and now > deadline,
    )


async def agenda_items(session: AsyncSession, meeting_id: int) -> list[AgendaItem]:
    """The items on the agenda, in the chair's order."""
    return list(
        await session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting_id, col(AgendaItem.status).in_(ON_AGENDA))
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
    )


async def _item(session: AsyncSession, actor: Actor, item_id: int) -> tuple[AgendaItem, Meeting]:
    item = await session.get(AgendaItem, item_id)
    if item is None:
        raise Refused("not_found", "no such item")
    return item, await meeting_of(session, actor, item.meeting_id)


async def move_item(
    session: AsyncSession, *, actor: Actor, item_id: int, steps: int, now: datetime
) -> AgendaOverview:
    """R-M4: the chair moves an item earlier (negative steps) or later in the agenda."""
    item, meeting = await _item(session, actor, item_id)
    await require_for_meeting(session, actor, meeting, Action.ORDER_AGENDA, now=now)  # R-P3
    require_changeable(meeting, now)
    items = await agenda_items(session, meeting.id or 0)
    try:
        order = move([i.id for i in items], item.id, steps)
    except ProcedureError as error:
        raise Refused("item_not_changeable", str(error)) from error
    by_id = {i.id: i for i in items}
    if order != [i.id for i in items]:
        for position, moved_id in enumerate(order, start=1):
            by_id[moved_id].position = position
            session.add(by_id[moved_id])
        await touch(meeting, session, now, by=actor.person_id)
        audit.record(
            session,
            now=now,
            action="agenda.order",
            council_id=actor.council_id,
            actor_id=actor.person_id,
            subject=f"meeting:{meeting.id}",
            order=order,
        )
    await session.flush()
    return await overview_of(session, meeting, now)


async def add_own_item(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    title: str,
    description: str,
    material: list[MaterialIn],
    now: datetime,
) -> ItemView:
    """R-M3: the chair or the secretariat puts an item of their own on the agenda."""
    actor.require(Action.EDIT_AGENDA)
    meeting = await meeting_of(session, actor, meeting_id)
    require_changeable(meeting, now)
    item = AgendaItem(
        meeting_id=meeting_id,
        position=await next_position(session, meeting_id),
        title=check_title(title),
        description=check_description(description),
        proposed_by_id=actor.person_id,
        submitted_at=now,
        status=ItemStatus.ACCEPTED,
    )
    session.add(item)
    await session.flush()
    add_material(session, item, material, actor, now)
    await touch(meeting, session, now, by=actor.person_id)
    audit.record(
        session,
        now=now,
        action="item.add",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
    )
    [shown] = await item_views(session, [item])
    return shown


async def add_item_material(
    session: AsyncSession, *, actor: Actor, item_id: int, material: list[MaterialIn], now: datetime
) -> ItemView:
    """R-M3: material added to an item by the chair, the secretariat or the item's proposer.

    The proposer adds to their own item only while they may still propose for that meeting (a
    substitute no longer standing in may not); after distribution the change goes out as an
    addendum that names the item (never a silent edit)."""
    item, meeting = await _material_item(session, actor, item_id, now)
    for document in material:
        check_material(document)  # all checked before any is recorded
    add_material(session, item, material, actor, now)
    if material and item.status in ON_AGENDA:
        await touch(meeting, session, now, by=actor.person_id)
    if material:
        audit.record(
            session,
            now=now,
            action="item.material",
            council_id=actor.council_id,
            actor_id=actor.person_id,
            subject=f"item:{item.id}",
            files=[document.file_name for document in material],
        )
    await session.flush()
    [shown] = await item_views(session, [item])
    return shown


async def material_target(
    session: AsyncSession, *, actor: Actor, item_id: int, now: datetime
) -> ItemView:
    """R-M3: the item the actor is about to add material to, if they may (as add_item_material)."""
    item, _meeting = await _material_item(session, actor, item_id, now)
    [shown] = await item_views(session, [item])
    return shown


async def _material_item(
    session: AsyncSession, actor: Actor, item_id: int, now: datetime
) -> tuple[AgendaItem, Meeting]:
    """The chair and secretariat add material to any item; a proposer to their own, while they
    may still propose for that meeting (a substitute no longer standing in may not)."""
    item, meeting = await _item(session, actor, item_id)
    if item.proposed_by_id != actor.person_id or not may(
        await roles_at_meeting(session, actor, meeting), Action.PROPOSE
    ):
        actor.require(Action.EDIT_AGENDA)
    require_changeable(meeting, now)
    if item.status in (ItemStatus.REJECTED, ItemStatus.WITHDRAWN):
        raise Refused(
            "item_not_changeable", "the item is not on the agenda nor waiting for the chair"
        )
    return item, meeting


async def take_in_late(
    session: AsyncSession, *, actor: Actor, item_id: int, now: datetime
) -> ItemView:
    """R-D1: the chair takes a late proposal onto the agenda; it stays marked late."""
    item, meeting = await _item(session, actor, item_id)
    await require_for_meeting(session, actor, meeting, Action.ACCEPT_LATE_PROPOSAL, now=now)  # R-P3
    require_changeable(meeting, now)
    if item.status != ItemStatus.LATE:
        raise Refused("item_not_changeable", "only a late proposal that waits can be taken in")
    item.status, item.late = ItemStatus.ACCEPTED, True
    item.decided_at, item.decided_by_id = now, actor.person_id
    item.position = await next_position(session, meeting.id or 0)
    session.add(item)
    await touch(meeting, session, now, by=actor.person_id)
    await _tell_proposer(session, item, "proposal_taken_in", now, actor)
    audit.record(
        session,
        now=now,
        action="item.take_in_late",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
    )
    [shown] = await item_views(session, [item])
    return shown


async def rejection_target(
    session: AsyncSession, *, actor: Actor, item_id: int, now: datetime
) -> ItemView:
    """The proposal the actor is about to decline, if they may (as reject_item): shown before the
    reason is asked for, so the confirmation can name the item and its proposer."""
    item, _meeting = await _rejectable(session, actor, item_id, now)
    [shown] = await item_views(session, [item])
    return shown


def check_rejection_reason(reason: str) -> str:
    """A rejection's reason: 1 to MAX_REASON characters, whitespace folded."""
    reason = " ".join(reason.split())
    if not reason or len(reason) > MAX_REASON:
        raise Refused("rejection_reason_length", "a rejection needs a reason", limit=MAX_REASON)
    return reason


async def _rejectable(
    session: AsyncSession, actor: Actor, item_id: int, now: datetime
) -> tuple[AgendaItem, Meeting]:
    """R-D1: only a late proposal can be declined, by the acting chair. An on-time proposal
    cannot be: the chair must put it on the agenda (the proposer may withdraw it)."""
    item, meeting = await _item(session, actor, item_id)
    if item.status == ItemStatus.PROPOSED:
        raise Refused("on_time_proposal", "R-D1: an on-time proposal goes on the agenda")
    await require_for_meeting(session, actor, meeting, Action.ACCEPT_LATE_PROPOSAL, now=now)
    require_changeable(meeting, now)
    if item.status != ItemStatus.LATE:
        raise Refused("item_not_changeable", "only a late proposal can be declined")
    return item, meeting


async def reject_item(
    session: AsyncSession, *, actor: Actor, item_id: int, reason: str, now: datetime
) -> ItemView:
    """R-D1: a late proposal is declined with a reason, which the proposer is sent."""
    item, _meeting = await _rejectable(session, actor, item_id, now)
    reason = check_rejection_reason(reason)
    item.status, item.rejection_reason = ItemStatus.REJECTED, reason
    item.decided_at, item.decided_by_id = now, actor.person_id
    session.add(item)
    await _tell_proposer(session, item, "proposal_rejected", now, actor, once=False, reason=reason)
    audit.record(
        session,
        now=now,
        action="item.reject",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
    )
    [shown] = await item_views(session, [item])
    return shown


async def undo_rejection(
    session: AsyncSession, *, actor: Actor, item_id: int, now: datetime
) -> ItemView:
    """A rejection taken back by the person who made it, until the agenda has gone out since:
    the proposal is as it was before (on the agenda, or waiting for the chair), the proposer told."""
    actor.require(Action.EDIT_AGENDA)
    item, meeting = await _item(session, actor, item_id)
    require_changeable(meeting, now)
    if item.status != ItemStatus.REJECTED or item.decided_by_id != actor.person_id:
        raise Refused("rejection_not_undoable", "only one's own rejection can be taken back")
    sent = meeting.agenda_distributed_at
    if sent is not None and item.decided_at is not None and sent >= item.decided_at:
        raise Refused("rejection_not_undoable", "the agenda has gone out since the rejection")
    item.status = ItemStatus.LATE if item.late else ItemStatus.PROPOSED
    item.rejection_reason, item.decided_at, item.decided_by_id = None, None, None
    session.add(item)
    if item.status in ON_AGENDA:
        await touch(meeting, session, now)
    await _tell_proposer(session, item, "rejection_undone", now, actor, once=False)
    audit.record(
        session,
        now=now,
        action="item.unreject",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
    )
    [shown] = await item_views(session, [item])
    return shown


async def _tell_proposer(
    session: AsyncSession,
    item: AgendaItem,
    kind: str,
    now: datetime,
    actor: Actor,
    *,
    once: bool = True,
    **extra: str,
) -> None:
    """Tell the proposer (not the actor themself); `once` False: a decision that may be taken
    and taken back again, so each one is its own notice."""
    if item.proposed_by_id is None or item.proposed_by_id == actor.person_id:
        return
    meeting = await session.get(Meeting, item.meeting_id)
    council = await council_of(session, actor.council_id)
    assert meeting is not None
    await enqueue(
        session,
        person_id=item.proposed_by_id,
        kind=kind,
        dedupe_key=f"{kind}:{item.id}" if once else f"{kind}:{item.id}:{now.isoformat()}",
        now=now,
        payload={
            "title": item.title,
            "starts_at": view(meeting, council).starts_at.isoformat(),
            "by": actor.name,
            **extra,
        },
        council_id=actor.council_id,
    )


async def approve_agenda(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> AgendaOverview:
    """R-D2: the chair marks the agenda ready; the scheduler sends it at the set time if unsent."""
    meeting = await meeting_of(session, actor, meeting_id)
    await require_for_meeting(session, actor, meeting, Action.APPROVE_AGENDA, now=now)  # R-P3
    require_changeable(meeting, now)
    if meeting.agenda_version > 0 and meeting.agenda_changed_at is None:
        raise Refused(
            "already_distributed", "the agenda has been distributed", version=meeting.agenda_version
        )
    if not await agenda_items(session, meeting_id):
        raise Refused("agenda_empty", "the agenda has no items")
    if meeting.agenda_approved_at is None:
        meeting.agenda_approved_at = now
        session.add(meeting)
        audit.record(
            session,
            now=now,
            action="agenda.approve",
            council_id=actor.council_id,
            actor_id=actor.person_id,
            subject=f"meeting:{meeting.id}",
        )
    await session.flush()
    return await overview_of(session, meeting, now)


# The chat names "the next meeting" rather than an id: these look it up in the same transaction.


async def next_agenda(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> tuple[AgendaOverview, list[MeetingView]]:
    """/items: the agenda of the next meeting the actor prepares, and the meetings after it."""
    meetings = await preparable_meetings(session, actor=actor, now=now)
    if not meetings:
        raise Refused("not_found", "no coming meeting")
    overview = await agenda_overview(session, actor=actor, meeting_id=meetings[0].id, now=now)
    return overview, meetings[1:]


async def next_meeting_id(session: AsyncSession, *, actor: Actor, now: datetime) -> int:
    """The next coming meeting; whether the person may act on it is the service's to say."""
    meetings = await upcoming_meetings(session, actor=actor, now=now)
    if not meetings:
        raise Refused("not_found", "no coming meeting")
    return meetings[0].id


async def meant_meeting_id(
    session: AsyncSession, *, actor: Actor, now: datetime, approving: bool
) -> int:
    """The meeting a command without one means (/godkend, /udsend): the only coming meeting whose
    agenda waits for it — approval, or sending (a first version or a change); none waiting: the
    next one (its refusal then says why). Several waiting: the person is asked which."""
    meetings = await upcoming_meetings(session, actor=actor, now=now)
    if not meetings:
        raise Refused("not_found", "no coming meeting")
    waiting = []
    for shown in meetings:
        meeting = await session.get(Meeting, shown.id)
        if meeting is not None and await _waits(session, meeting, approving=approving):
            waiting.append(shown)
    if len(waiting) > 1:
        raise Refused(
            "which_meeting",
            "several meetings have an agenda waiting",
            meeting_ids=[m.id for m in waiting],
            starts=[m.starts_at.isoformat() for m in waiting],
        )
    return (waiting or meetings)[0].id


async def _waits(session: AsyncSession, meeting: Meeting, *, approving: bool) -> bool:
    """Whether the meeting's agenda waits for approval (or, `approving` False, for sending)."""
    if meeting.status != MeetingStatus.PLANNED or not await agenda_items(session, meeting.id or 0):
        return False
    changed = meeting.agenda_version == 0 or meeting.agenda_changed_at is not None
    if approving:
        return changed and meeting.agenda_approved_at is None
    return changed


async def approve_next_agenda(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> AgendaOverview:
    """/approve: the chair approves the agenda waiting for it (R-D2), or is asked which."""
    meeting_id = await meant_meeting_id(session, actor=actor, now=now, approving=True)
    return await approve_agenda(session, actor=actor, meeting_id=meeting_id, now=now)


async def next_agenda_overview(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> AgendaOverview:
    """/distribute: the agenda waiting to be sent as it stands, or the person is asked which."""
    meeting_id = await meant_meeting_id(session, actor=actor, now=now, approving=False)
    return await agenda_overview(session, actor=actor, meeting_id=meeting_id, now=now)
