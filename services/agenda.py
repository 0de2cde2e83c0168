"""Proposals for the agenda (R-D1): which meetings are open, proposing, one's own items, withdrawing."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import ItemStatus, MeetingKind, MeetingStatus
from models.tables import AgendaItem, Council, Material, Meeting, Person
from procedure.deadlines import is_proposal_on_time, proposal_deadline
from procedure.permissions import Action, may
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.meetings import MeetingView, meeting_of, view
from services.outbox import enqueue
from services.recipients import roles_at_meeting
from services.seats import meeting_preparers

MAX_TITLE = 200
MAX_DESCRIPTION = 3000
# Telegram lets a bot fetch files up to 20 MB; material we cannot fetch we cannot publish (R-X1).
MAX_FILE_BYTES = 20 * 1024 * 1024
ON_AGENDA = (ItemStatus.PROPOSED, ItemStatus.ACCEPTED)


@dataclass(frozen=True)
class MaterialIn:
    """A document sent in the chat, as Telegram describes it."""

    file_id: str
    file_name: str
    file_unique_id: str | None = None
    mime_type: str | None = None
    file_size: int | None = None


@dataclass(frozen=True)
class MaterialView:
    id: int
    file_id: str
    file_name: str
    file_size: int | None


@dataclass(frozen=True)
class ItemView:
    """An agenda item as the chair, the secretariat and its proposer see it."""

    id: int
    meeting_id: int
    position: int
    title: str
    description: str
    status: str
    late: bool
    proposer: str | None
    proposed_by_id: int | None
    submitted_at: datetime
    rejection_reason: str | None
    material: list[MaterialView] = field(default_factory=list)


@dataclass(frozen=True)
class ProposalResult:
    """R-D1: the item as recorded; a late one waits for the chair (`on_time` False)."""

    item: ItemView
    meeting: MeetingView
    on_time: bool
    deadline: datetime


# Format characters that show nothing: zero-width space, joiners, word joiner, byte-order mark.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u00ad"


def visible(ch: str) -> bool:
    """Whether a character shows on screen (not whitespace, not a format or control character)."""
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Zs", "Zl", "Zp")


def check_title(title: str) -> str:
    """A title of 1 to MAX_TITLE characters, whitespace trimmed; a title of only invisible
    characters (zero-width spaces and the like) would make an invisible item, and is refused."""
    title = " ".join(title.split()).strip(INVISIBLE)
    if not any(visible(ch) for ch in title):
        raise Refused("title_empty", "the title is empty")
    if len(title) > MAX_TITLE:
        raise Refused("title_too_long", "the title is too long", length=len(title), limit=MAX_TITLE)
    return title


def check_description(description: str) -> str:
    """A description of at most MAX_DESCRIPTION characters (empty is allowed)."""
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise Refused(
            "description_too_long",
            "the description is too long",
            length=len(description),
            limit=MAX_DESCRIPTION,
        )
    return description


def check_material(material: MaterialIn) -> MaterialIn:
    """R-M3: material the bot can fetch and pass on (Telegram's 20 MB limit for bots)."""
    if material.file_size is not None and material.file_size > MAX_FILE_BYTES:
        raise Refused(
            "file_too_big",
            "the file is too big",
            size_mb=round(material.file_size / 1024 / 1024, 1),
            limit_mb=MAX_FILE_BYTES // 1024 // 1024,
        )
    return material


async def council_of(session: AsyncSession, council_id: int) -> Council:
    council = await session.get(Council, council_id)
    if council is None:
        raise Refused("not_found", "the council does not exist")
    return council


def require_changeable(meeting: Meeting, now: datetime) -> None:
    """An agenda can change while the meeting is planned and has not begun."""
    if meeting.status != MeetingStatus.PLANNED or meeting.starts_at <= now:
        raise Refused("meeting_not_open", "the meeting is cancelled, has begun or is over")


def deadline_of(meeting: Meeting, council: Council) -> datetime:
    """R-D1: the meeting's proposal deadline in the council's zone."""
    tz = ZoneInfo(council.timezone)
    return proposal_deadline(
        meeting.starts_at.astimezone(tz).date(), tz, council.proposal_deadline_days
    )


def is_on_time(meeting: Meeting, council: Council, now: datetime) -> bool:
    tz = ZoneInfo(council.timezone)
    day = meeting.starts_at.astimezone(tz).date()
    return is_proposal_on_time(now, day, tz, council.proposal_deadline_days)


async def meetings_open_for_proposals(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> list[MeetingView]:
    """R-D1: the ordinary meetings the actor may still propose items for, soonest first."""
    council = await council_of(session, actor.council_id)
    meetings = await session.exec(
        select(Meeting)
        .where(
            Meeting.council_id == actor.council_id,
            Meeting.kind == MeetingKind.ORDINARY,
            Meeting.status == MeetingStatus.PLANNED,
            Meeting.starts_at > now,
        )
        .order_by(col(Meeting.starts_at))
    )
    allowed = False
    found: list[MeetingView] = []
    closed: list[MeetingView] = []
    for meeting in meetings.all():
        if not may(await roles_at_meeting(session, actor, meeting), Action.PROPOSE):
            continue
        allowed = True
        (found if is_on_time(meeting, council, now) else closed).append(view(meeting, council))
    if not allowed and not actor.may(Action.PROPOSE):
        raise Refused(
            "not_allowed", "only members and substitutes standing in propose", action="propose"
        )
    if not found and closed:
        # R-D1: refused with the deadline in local time; the chair may still take an item in.
        raise Refused(
            "proposals_closed",
            "the proposal deadline has passed",
            when=closed[0].starts_at,
            deadline=closed[0].proposal_deadline,
        )
    if not found:
        raise Refused("no_open_meeting", "no ordinary meeting is open for proposals")
    return found


async def next_position(session: AsyncSession, meeting_id: int) -> int:
    last = (
        await session.exec(
            select(func.max(AgendaItem.position)).where(AgendaItem.meeting_id == meeting_id)
        )
    ).one()
    return (last or 0) + 1


def add_material(
    session: AsyncSession, item: AgendaItem, material: list[MaterialIn], actor: Actor, now: datetime
) -> None:
    for document in material:
        checked = check_material(document)
        session.add(
            Material(
                item_id=item.id or 0,
                telegram_file_id=checked.file_id,
                file_unique_id=checked.file_unique_id,
                file_name=checked.file_name[:255] or "document",
                mime_type=checked.mime_type,
                file_size=checked.file_size,
                added_by_id=actor.person_id,
                added_at=now,
            )
        )


async def touch(
    meeting: Meeting, session: AsyncSession, now: datetime, *, by: int | None = None
) -> None:
    """A change to a distributed agenda goes out as a new version, never silently; a change to an
    approved agenda not yet sent ends the approval (R-D2): approval covers the agenda as it was
    approved, so the sweep never sends a change nobody approved. The acting chair and the
    secretariat are told (not the one who made the change)."""
    if meeting.agenda_version > 0:
        meeting.agenda_changed_at = now
        session.add(meeting)
        return
    approved_at = meeting.agenda_approved_at
    if approved_at is None:
        return
    meeting.agenda_approved_at = None
    session.add(meeting)
    council = await council_of(session, meeting.council_id)
    shown = view(meeting, council)
    for person_id in await meeting_preparers(session, meeting, now):
        if person_id != by:
            await enqueue(
                session,
                person_id=person_id,
                kind="agenda_approval_lapsed",
                dedupe_key=f"approval-lapsed:{meeting.id}:{approved_at.isoformat()}:{person_id}",
                now=now,
                payload={
                    "meeting_id": meeting.id,
                    "starts_at": shown.starts_at.isoformat(),
                    "place": shown.place,
                    "council": council.name,
                },
                council_id=meeting.council_id,
            )


async def propose_item(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    title: str,
    description: str,
    material: list[MaterialIn],
    now: datetime,
) -> ProposalResult:
    """R-D1: a member's (or a standing-in substitute's) proposal; after the deadline it waits, late."""
    meeting = await meeting_of(session, actor, meeting_id)
    if not may(await roles_at_meeting(session, actor, meeting), Action.PROPOSE):
        raise Refused(
            "not_allowed", "only members and substitutes standing in propose", action="propose"
        )
    require_changeable(meeting, now)
    if meeting.kind != MeetingKind.ORDINARY:
        raise Refused("meeting_not_open", "proposals are for ordinary meetings (R-D1)")
    title, description = check_title(title), check_description(description)
    for document in material:
        check_material(document)
    council = await council_of(session, actor.council_id)
    on_time = is_on_time(meeting, council, now)
    item = AgendaItem(
        meeting_id=meeting_id,
        position=await next_position(session, meeting_id),
        title=title,
        description=description,
        proposed_by_id=actor.person_id,
        submitted_at=now,
        status=ItemStatus.PROPOSED if on_time else ItemStatus.LATE,
        late=not on_time,
    )
    session.add(item)
    await session.flush()
    add_material(session, item, material, actor, now)
    if on_time:
        await touch(meeting, session, now, by=actor.person_id)
    shown = view(meeting, council)
    deadline = deadline_of(meeting, council).astimezone(ZoneInfo(council.timezone))
    payload = {
        "item_id": item.id,
        "title": title,
        "proposer": actor.name,
        "starts_at": shown.starts_at.isoformat(),
        "late": not on_time,
        "deadline": deadline.isoformat(),
        "material": len(material),
    }
    for person_id in await meeting_preparers(session, meeting, now):
        if person_id != actor.person_id:
            await enqueue(
                session,
                person_id=person_id,
                kind="proposal_received",
                dedupe_key=f"proposal:{item.id}:{person_id}",
                now=now,
                payload=payload,
                council_id=actor.council_id,
            )
    audit.record(
        session,
        now=now,
        action="item.propose",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
        meeting_id=meeting_id,
        on_time=on_time,
    )
    [shown_item] = await item_views(session, [item])
    return ProposalResult(shown_item, shown, on_time, deadline)


async def item_views(session: AsyncSession, items: list[AgendaItem]) -> list[ItemView]:
    """Items with their proposer's name and their material, in the order given."""
    ids = [item.id for item in items]
    material: dict[int, list[MaterialView]] = {}
    for document in await session.exec(
        select(Material).where(col(Material.item_id).in_(ids)).order_by(col(Material.id))
    ):
        material.setdefault(document.item_id, []).append(
            MaterialView(
                document.id or 0,
                document.telegram_file_id,
                document.file_name,
                document.file_size,
            )
        )
    proposer_ids = {item.proposed_by_id for item in items if item.proposed_by_id}
    names = {
        person.id: person.name
        for person in await session.exec(select(Person).where(col(Person.id).in_(proposer_ids)))
    }
    return [
        ItemView(
            id=item.id or 0,
            meeting_id=item.meeting_id,
            position=item.position,
            title=item.title,
            description=item.description,
            status=item.status,
            late=item.late,
            proposer=names.get(item.proposed_by_id) if item.proposed_by_id else None,
            proposed_by_id=item.proposed_by_id,
            submitted_at=item.submitted_at,
            rejection_reason=item.rejection_reason,
            material=material.get(item.id or 0, []),
        )
        for item in items
    ]


@dataclass(frozen=True)
class MyItem:
    item: ItemView
    meeting: MeetingView
    withdrawable: bool


async def my_items(session: AsyncSession, *, actor: Actor, now: datetime) -> list[MyItem]:
    """The actor's own proposals for coming meetings; withdrawable until the agenda goes out."""
    council = await council_of(session, actor.council_id)
    rows = (
        await session.exec(
            select(AgendaItem, Meeting)
            .join(Meeting, col(Meeting.id) == col(AgendaItem.meeting_id))
            .where(
                AgendaItem.proposed_by_id == actor.person_id,
                Meeting.council_id == actor.council_id,
                Meeting.starts_at > now,
            )
            .order_by(col(Meeting.starts_at), col(AgendaItem.position))
        )
    ).all()
    shown = await item_views(session, [item for item, _ in rows])
    return [
        MyItem(item_view, view(meeting, council), _withdrawable(item, meeting, now))
        for item_view, (item, meeting) in zip(shown, rows, strict=True)
    ]


def _withdrawable(item: AgendaItem, meeting: Meeting, now: datetime) -> bool:
    return (
        item.status in (ItemStatus.PROPOSED, ItemStatus.LATE)
        and meeting.agenda_version == 0
        and meeting.status == MeetingStatus.PLANNED
        and meeting.starts_at > now
    )


async def withdraw_item(
    session: AsyncSession, *, actor: Actor, item_id: int, now: datetime
) -> ItemView:
    """The proposer takes back their own proposal, until the agenda is distributed."""
    item = await session.get(AgendaItem, item_id)
    if item is None:
        raise Refused("not_found", "no such item")
    meeting = await meeting_of(session, actor, item.meeting_id)
    if item.proposed_by_id != actor.person_id:
        raise Refused("not_allowed", "only the proposer withdraws a proposal", action="withdraw")
    if not _withdrawable(item, meeting, now):
        raise Refused("item_not_changeable", "the proposal can no longer be withdrawn")
    item.status, item.decided_at, item.decided_by_id = ItemStatus.WITHDRAWN, now, actor.person_id
    session.add(item)
    for person_id in await meeting_preparers(session, meeting, now):
        if person_id != actor.person_id:
            await enqueue(
                session,
                person_id=person_id,
                kind="proposal_withdrawn",
                dedupe_key=f"withdrawn:{item.id}:{person_id}",
                now=now,
                payload={"title": item.title, "proposer": actor.name},
                council_id=actor.council_id,
            )
    audit.record(
        session,
        now=now,
        action="item.withdraw",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"item:{item.id}",
    )
    [shown] = await item_views(session, [item])
    return shown
