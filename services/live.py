"""Live messages (DESIGN.md): the council's group and the pinned quorum message kept up to date.

Services mark a message dirty (services.quorum.touch); the bot's worker asks here which ones are
dirty, renders them, edits Telegram, and reports back what it rendered. A change that lands while
the worker edits keeps the message dirty, because the worker records the change count it rendered.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import aliased
from sqlmodel import and_, col, or_, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.meeting_room import Vote, VoteStatus
from models.tables import Council, LiveMessage, Meeting
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.meeting_room import floor_line
from services.quorum import QuorumView, build_view, touch
from services.seats import load_seats, next_meeting


@dataclass(frozen=True)
class LiveRender:
    """A dirty live message with what it must show now."""

    live_id: int
    chat_id: int
    message_id: int | None
    last_text: str | None
    changes: int
    language: str
    view: QuorumView
    replaces: int | None = None  # the chat's previous quorum message, to unpin once this one is up


async def dirty_messages(
    session: AsyncSession, *, limit: int = 20, exclude: Collection[int] = ()
) -> list[LiveRender]:
    """Live messages with changes not yet shown (SKIP LOCKED: one worker per message); `exclude`
    holds those the worker edited too recently (its debounce), left dirty for a later run."""
    earlier = aliased(Meeting)
    still_before = (
        select(earlier.id)
        .where(
            earlier.council_id == Meeting.council_id,
            col(earlier.status).in_([MeetingStatus.PLANNED, MeetingStatus.OPEN]),
            col(earlier.starts_at) < col(Meeting.starts_at),
        )
        .exists()
    )
    # R-Q3: while a vote is open the message shows how many have voted; a vote does not mark it
    # dirty (one short write per vote), the editor counts at most once per interval instead.
    voting = (
        select(Vote.id)
        .where(col(Vote.meeting_id) == col(LiveMessage.meeting_id), Vote.status == VoteStatus.OPEN)
        .exists()
    )
    rows = await session.exec(
        select(LiveMessage)
        .join(Meeting, col(Meeting.id) == col(LiveMessage.meeting_id))
        .where(
            or_(
                col(LiveMessage.changes) > col(LiveMessage.rendered_changes),
                and_(col(Meeting.status) == MeetingStatus.OPEN, voting),
            ),
            col(LiveMessage.id).not_in(list(exclude)),
            # One quorum message at a time in the group: a later meeting's waits, dirty, until
            # the meetings before it are over (R-Q2 shows the coming meeting).
            ~still_before,
        )
        .order_by(col(LiveMessage.dirty_since))
        .limit(limit)
        .with_for_update(skip_locked=True, of=LiveMessage)
    )
    found = []
    for live in rows.all():
        meeting = await session.get(Meeting, live.meeting_id) if live.meeting_id else None
        if meeting is None:
            continue
        seats = await load_seats(session, meeting)
        found.append(
            LiveRender(
                live.id or 0,
                live.chat_id,
                live.message_id,
                live.last_text,
                live.changes,
                seats.council.language,
                replace(build_view(seats), floor=await floor_line(session, meeting)),
                await _previous_message(session, live) if live.message_id is None else None,
            )
        )
    return found


async def _previous_message(session: AsyncSession, live: LiveMessage) -> int | None:
    """The message the chat showed for the meeting before (one pinned quorum message at a time)."""
    rows = await session.exec(
        select(LiveMessage.message_id)
        .where(
            LiveMessage.chat_id == live.chat_id,
            LiveMessage.kind == live.kind,
            col(LiveMessage.id) != live.id,
            col(LiveMessage.message_id).is_not(None),
        )
        .order_by(col(LiveMessage.id).desc())
        .limit(1)
    )
    return rows.first()


async def mark_rendered(
    session: AsyncSession,
    *,
    live_id: int,
    changes: int,
    message_id: int,
    text: str,
    now: datetime,
) -> None:
    """The worker showed the message as of `changes`; later changes keep it dirty."""
    live = await session.get(LiveMessage, live_id, with_for_update=True)
    if live is None:
        return
    live.message_id, live.last_text, live.edited_at = message_id, text, now
    live.rendered_changes = max(live.rendered_changes, changes)
    if live.rendered_changes >= live.changes:
        live.dirty_since = None
    session.add(live)


async def link_group(session: AsyncSession, *, actor: Actor, chat_id: int, now: datetime) -> str:
    """Link the council's Telegram group (the secretariat, in that group); returns the council name.

    The pinned quorum message for the coming meeting is created at once (R-Q2).
    """
    actor.require(Action.LINK_GROUP)
    other = (
        await session.exec(
            select(Council).where(Council.group_chat_id == chat_id, Council.id != actor.council_id)
        )
    ).first()
    if other is not None:
        raise Refused("group_taken")
    council = await session.get(Council, actor.council_id, with_for_update=True)
    if council is None:
        raise Refused("not_found", "the council does not exist any more")
    if council.group_chat_id != chat_id:
        # Messages in the old group are no longer kept up to date.
        await session.exec(
            update(LiveMessage)
            .where(col(LiveMessage.chat_id) == council.group_chat_id)
            .values(rendered_changes=LiveMessage.changes)
        )
    council.group_chat_id = chat_id
    session.add(council)
    audit.record(
        session,
        now=now,
        action="council.link_group",
        council_id=council.id,
        actor_id=actor.person_id,
        chat_id=chat_id,
    )
    await session.flush()
    try:
        meeting = await next_meeting(session, actor, now)
    except Refused as refused:
        if refused.code != "not_found":
            raise
        return council.name
    if meeting.status in (MeetingStatus.PLANNED, MeetingStatus.OPEN):
        await touch(session, await load_seats(session, meeting, now), now=now)
    return council.name
