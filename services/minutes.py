"""The minutes (R-X2, R-Q4, R-S7, R-D1, R-D3): drafted from the meeting's own data when it closes,
edited by the secretariat, approved by the acting chair, sent to everyone who received the agenda.

Each version is one frozen snapshot, like the agenda's: the PDF, the chat and the public page are
rendered from it. A draft is edited in place; a change after approval starts a new version, marked
as replacing the one before, which is approved again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, ItemStatus, MeetingStatus, SubstituteAnswer
from models.meeting_room import Decision
from models.record import ClosedItem, MinutesVersion
from models.tables import AgendaItem, AgendaVersion, Meeting, Notice
from procedure.permissions import Action
from procedure.quorum import attendance_record
from services import audit
from services.actors import Actor
from services.agenda_delivery import AGENDA_KIND
from services.attendance_record import attendance_picture
from services.errors import Refused
from services.outbox import enqueue
from services.recipients import agenda_recipients
from services.seats import Seats, load_seats, require, standing_meeting

MINUTES_KIND = "minutes"
DRAFT_KIND = "minutes_draft"
MAX_TEXT = 3000


# --- drafting --------------------------------------------------------------------------------------


async def draft_minutes(session: AsyncSession, *, meeting: Meeting, now: datetime) -> int:
    """R-X2: when the meeting closes, its first draft is written and the secretariat told.

    Returns the version drafted, or 0 when the meeting has minutes already (closing is once).
    """
    if await _latest(session, meeting.id or 0) is not None:
        return 0
    seats = await load_seats(session, meeting)
    snapshot = await build_snapshot(session, seats, now)
    session.add(
        MinutesVersion(meeting_id=meeting.id or 0, version=1, snapshot=snapshot, drafted_at=now)
    )
    await session.flush()
    for person_id in seats.secretariat:
        await enqueue(
            session,
            person_id=person_id,
            kind=DRAFT_KIND,
            dedupe_key=f"minutes-draft:{meeting.id}:1:{person_id}",
            now=now,
            payload={"meeting_id": meeting.id, "version": 1},
            council_id=meeting.council_id,
        )
    audit.record(
        session,
        now=now,
        action="minutes.draft",
        council_id=meeting.council_id,
        actor_id=None,
        subject=f"meeting:{meeting.id}",
        version=1,
    )
    return 1


async def build_snapshot(session: AsyncSession, seats: Seats, now: datetime) -> dict[str, Any]:
    """Everything the minutes say, from the meeting's rows: attendance, items, decisions."""
    meeting, council = seats.meeting, seats.council
    tz = ZoneInfo(council.timezone)
    items, agenda = await _items(session, meeting)
    decisions = await _decisions(session, meeting.id or 0, seats)
    moments = sorted(d["decided_at"] for d in decisions.values())
    return {
        "council": council.name,
        "meeting_id": meeting.id,
        "kind": meeting.kind,
        "starts_at": _iso(meeting.starts_at, tz),
        "place": meeting.place,
        "subject": meeting.subject,
        "opened_at": _iso(meeting.opened_at, tz),
        "closed_at": _iso(meeting.closed_at, tz),
        "version": 1,
        "replaces": None,
        "drafted_at": _iso(now, tz),
        "approved_at": None,
        "approved_by": None,
        "chair": seats.name(seats.acting_chair()) if seats.acting_chair() else None,
        **_attendance(seats, tz, moments),
        "exception": agenda["exception"],
        "exception_automatic": agenda["exception_automatic"],
        "distribution_deadline": agenda["distribution_deadline"],
        "items": _ordered(
            [{**item, "decision": decisions.get(item["id"]), "remark": None} for item in items]
        ),
        "remarks": [],
    }


def _iso(moment: datetime | None, tz: ZoneInfo) -> str | None:
    return moment.astimezone(tz).isoformat() if moment is not None else None


def _attendance(seats: Seats, tz: ZoneInfo, moments: list[str]) -> dict[str, Any]:
    """R-Q4, R-S7: present, who stood in for whom, absent with and without notice, and the
    substitutes who declined or never answered. Times only where someone missed a decision."""
    record = attendance_record(attendance_picture(seats))
    present, substituted, with_notice, without_notice, unavailable = [], [], [], [], []
    for member in seats.members:
        row = seats.rows.get(member)
        times = _times(row, tz, moments)
        if member in record.in_person:
            present.append({"name": seats.name(member), **times})
        elif (substitute := record.substituted.get(member)) is not None:
            substituted.append(
                {"member": seats.name(member), "substitute": seats.name(substitute), **times}
            )
        elif row is not None and row.status == AttendanceStatus.ABSENT:
            with_notice.append(
                {
                    "name": seats.name(member),
                    "reason": row.absence_reason,
                    "substitute": seats.name(row.substitute_id) if row.substitute_id else None,
                    "answer": _answer(row),
                }
            )
        else:
            without_notice.append(seats.name(member))
        if row is not None and row.substitute_id and _answer(row) in ("declined", "no_answer"):
            unavailable.append(
                {
                    "substitute": seats.name(row.substitute_id),
                    "member": seats.name(member),
                    "answer": _answer(row),
                }
            )
    return {
        "present": present,
        "substituted": substituted,
        "absent_with_notice": with_notice,
        "absent_without_notice": without_notice,
        "substitutes_unavailable": unavailable,
    }


def _answer(row: Any) -> str:
    """R-S7: the substitute's answer as the minutes record it."""
    if row.substitute_answer == SubstituteAnswer.PENDING and row.no_answer_reported_at:
        return "no_answer"
    return str(row.substitute_answer)


def _times(row: Any, tz: ZoneInfo, moments: list[str]) -> dict[str, Any]:
    """Arrival and departure, shown when the person was not there for every decision."""
    if row is None or row.arrived_at is None:
        return {"arrived": None, "left": None, "missed_decisions": False}
    arrived = row.arrived_at.astimezone(tz).isoformat()
    left = row.left_at.astimezone(tz).isoformat() if row.left_at else None
    missed = any(
        datetime.fromisoformat(m) < row.arrived_at
        or (row.left_at is not None and datetime.fromisoformat(m) > row.left_at)
        for m in moments
    )
    return {"arrived": arrived, "left": left, "missed_decisions": missed}


async def _items(
    session: AsyncSession, meeting: Meeting
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The items as the last distributed agenda had them (numbers, late marks, R-D3 reason)."""
    closed = await closed_item_ids(session, meeting.id or 0)
    versions = (
        await session.exec(
            select(AgendaVersion)
            .where(AgendaVersion.meeting_id == meeting.id)
            .order_by(col(AgendaVersion.version))
        )
    ).all()
    exception = next(
        (v.snapshot.get("exception") for v in versions if v.snapshot.get("exception")), None
    )
    agenda = {
        "exception": exception,
        "exception_automatic": any(v.snapshot.get("exception_automatic") for v in versions),
        "distribution_deadline": versions[-1].snapshot.get("distribution_deadline")
        if versions
        else None,
    }
    if versions:
        items = [
            {"id": i["id"], "number": i["number"], "title": i["title"], "late": i["late"]}
            for i in versions[-1].snapshot["items"]
        ]
    else:  # an extraordinary meeting whose agenda never went out as a version
        rows = await session.exec(
            select(AgendaItem)
            .where(
                AgendaItem.meeting_id == meeting.id,
                col(AgendaItem.status).in_([ItemStatus.PROPOSED, ItemStatus.ACCEPTED]),
            )
            .order_by(col(AgendaItem.position), col(AgendaItem.id))
        )
        items = [
            {"id": i.id, "number": n, "title": i.title, "late": i.late}
            for n, i in enumerate(rows.all(), start=1)
        ]
    return [{**i, "closed": i["id"] in closed} for i in items], agenda


async def _decisions(
    session: AsyncSession, meeting_id: int, seats: Seats
) -> dict[int, dict[str, Any]]:
    """R-Q3: each item's decision with its counts, and who voted against in a named vote."""
    rows = await session.exec(select(Decision).where(Decision.meeting_id == meeting_id))
    tz = ZoneInfo(seats.council.timezone)
    found = {}
    for decision in rows.all():
        ballots = decision.named_ballots or []
        found[decision.item_id] = {
            "text": decision.text,
            "decided_at": decision.decided_at.astimezone(tz).isoformat(),
            "outcome": decision.outcome,
            "votes_for": decision.votes_for,
            "votes_against": decision.votes_against,
            "votes_abstain": decision.votes_abstain,
            "named": decision.named,
            "against": [_ballot_name(seats, b) for b in ballots if b.get("choice") == "no"],
            "casting_vote": decision.casting_vote,
            "casting_vote_by": seats.name(decision.casting_vote_by_id)
            if decision.casting_vote_by_id
            else None,
            "present": decision.present,
        }
    return found


def _ballot_name(seats: Seats, ballot: dict[str, Any]) -> str:
    """A named ballot: the member, or the substitute and whose seat they held."""
    seat, cast_by = ballot.get("seat_member_id"), ballot.get("cast_by_id")
    if cast_by is not None and cast_by != seat:
        return f"{seats.name(cast_by)} ({seats.name(seat)})"
    return seats.name(seat)


def _ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """In the order treated: decided items by the time of their decision, the rest as numbered."""
    return sorted(
        items,
        key=lambda i: (
            i["decision"] is None,
            i["decision"]["decided_at"] if i["decision"] else "",
            i["number"],
        ),
    )


# --- editing and approving -----------------------------------------------------------------------


async def _latest(session: AsyncSession, meeting_id: int) -> MinutesVersion | None:
    return (
        await session.exec(
            select(MinutesVersion)
            .where(MinutesVersion.meeting_id == meeting_id)
            .order_by(col(MinutesVersion.version).desc())
        )
    ).first()


async def latest_approved(session: AsyncSession, meeting_id: int) -> MinutesVersion | None:
    return (
        await session.exec(
            select(MinutesVersion)
            .where(
                MinutesVersion.meeting_id == meeting_id,
                col(MinutesVersion.approved_at).is_not(None),
            )
            .order_by(col(MinutesVersion.version).desc())
        )
    ).first()


async def _editable(
    session: AsyncSession, actor: Actor, meeting_id: int, now: datetime
) -> MinutesVersion:
    """The draft to change: the latest version, or after approval a new one that replaces it."""
    actor.require(Action.WRITE_MINUTES)
    await standing_meeting(session, actor, meeting_id)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    if latest.approved_at is None:
        return latest
    version = latest.version + 1
    snapshot = {
        **latest.snapshot,
        "version": version,
        "replaces": latest.version,
        "approved_at": None,
        "approved_by": None,
    }
    draft = MinutesVersion(
        meeting_id=meeting_id, version=version, snapshot=snapshot, drafted_at=now
    )
    session.add(draft)
    await session.flush()
    return draft


def _text(text: str) -> str:
    text = text.strip()
    if not text or len(text) > MAX_TEXT:
        raise Refused("minutes_text_length", limit=MAX_TEXT)
    return text


async def edit_decision_text(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    text: str,
    now: datetime,
    item_id: int | None = None,
    number: int | None = None,
) -> int:
    """The secretariat words an item's decision as the minutes record it (the item by id, or by
    its number on the agenda, as in chat); returns the version."""
    text = _text(text)
    draft = await _editable(session, actor, meeting_id, now)
    items = [dict(i) for i in draft.snapshot["items"]]
    item = _find(items, item_id, number)
    item["decision"] = {**(item["decision"] or _no_decision()), "text": text}
    _save(session, draft, items=items)
    _audit(session, actor, now, "minutes.edit_decision", meeting_id, draft.version, item=item_id)
    return draft.version


def _find(items: list[dict[str, Any]], item_id: int | None, number: int | None) -> dict[str, Any]:
    item = next(
        (i for i in items if i["id"] == item_id or (item_id is None and i["number"] == number)),
        None,
    )
    if item is None:
        raise Refused("no_such_item", number=number or 0)
    return item


def _no_decision() -> dict[str, Any]:
    """A decision the meeting did not record in the bot, written into the minutes afterwards."""
    return {
        "text": "",
        "decided_at": None,
        "outcome": None,
        "votes_for": None,
        "votes_against": None,
        "votes_abstain": None,
        "named": False,
        "against": [],
        "casting_vote": None,
        "casting_vote_by": None,
        "present": None,
    }


async def add_remark(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    text: str,
    now: datetime,
    item_id: int | None = None,
    number: int | None = None,
) -> int:
    """The secretariat adds a remark to an item (by id or number), or to the minutes as a whole."""
    text = _text(text)
    draft = await _editable(session, actor, meeting_id, now)
    if item_id is None and number is None:
        _save(session, draft, remarks=[*draft.snapshot.get("remarks", []), text])
    else:
        items = [dict(i) for i in draft.snapshot["items"]]
        item = _find(items, item_id, number)
        item["remark"] = text
        _save(session, draft, items=items)
    _audit(session, actor, now, "minutes.remark", meeting_id, draft.version, item=item_id)
    return draft.version


def _save(session: AsyncSession, draft: MinutesVersion, **changes: Any) -> None:
    # A new dict: the JSON column is not change-tracked in place.
    draft.snapshot = {**draft.snapshot, **changes}
    session.add(draft)


def _audit(
    session: AsyncSession,
    actor: Actor,
    now: datetime,
    action: str,
    meeting_id: int,
    version: int,
    **details: Any,
) -> None:
    audit.record(
        session,
        now=now,
        action=action,
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting_id}",
        version=version,
        **details,
    )


@dataclass(frozen=True)
class Approval:
    meeting_id: int
    version: int
    recipients: int


async def approve_minutes(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> Approval:
    """R-X2: the acting chair approves; the minutes go to everyone who received the agenda."""
    meeting = await standing_meeting(session, actor, meeting_id)
    seats = await load_seats(session, meeting)
    require(actor, seats, Action.APPROVE_MINUTES)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    if latest.approved_at is not None:
        raise Refused("minutes_approved", version=latest.version)
    tz = ZoneInfo(seats.council.timezone)
    latest.approved_at, latest.approved_by_id = now, actor.person_id
    _save(session, latest, approved_at=_iso(now, tz), approved_by=actor.name)
    await session.flush()
    recipients = await minutes_recipients(session, meeting)
    for person_id in recipients:
        await enqueue(
            session,
            person_id=person_id,
            kind=MINUTES_KIND,
            dedupe_key=f"minutes:{meeting_id}:{latest.version}:{person_id}",
            now=now,
            payload={"meeting_id": meeting_id, "version": latest.version},
            council_id=meeting.council_id,
        )
    _audit(
        session,
        actor,
        now,
        "minutes.approve",
        meeting_id,
        latest.version,
        recipients=len(recipients),
    )
    return Approval(meeting_id, latest.version, len(recipients))


async def minutes_recipients(session: AsyncSession, meeting: Meeting) -> list[int]:
    """R-X2/R-P6: everyone who received any version of the agenda, and whoever receives it now."""
    sent = await session.exec(
        select(Notice.person_id).where(
            Notice.kind == AGENDA_KIND,
            col(Notice.dedupe_key).startswith(f"agenda:{meeting.id}:"),
        )
    )
    return list(
        dict.fromkeys([*sorted(set(sent.all())), *await agenda_recipients(session, meeting)])
    )


async def minutes_draft(
    session: AsyncSession, *, actor: Actor, meeting_id: int | None = None, now: datetime
) -> dict[str, Any]:
    """The latest version (draft or approved) for the secretariat and the chair to read."""
    if meeting_id is None:
        meeting_id = await _last_closed(session, actor)
    meeting = await standing_meeting(session, actor, meeting_id)
    seats = await load_seats(session, meeting)
    if not (actor.may(Action.WRITE_MINUTES)):
        require(actor, seats, Action.APPROVE_MINUTES)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    return dict(latest.snapshot)


async def _last_closed(session: AsyncSession, actor: Actor) -> int:
    found = (
        await session.exec(
            select(Meeting.id)
            .where(Meeting.council_id == actor.council_id, Meeting.status == MeetingStatus.CLOSED)
            .order_by(col(Meeting.starts_at).desc())
        )
    ).first()
    if found is None:
        raise Refused("no_minutes")
    return found


async def request_draft_pdf(
    session: AsyncSession, *, actor: Actor, meeting_id: int, now: datetime
) -> int:
    """The secretariat or the chair asks for the latest version's PDF (a draft too) in the chat."""
    meeting = await standing_meeting(session, actor, meeting_id)
    if not actor.may(Action.WRITE_MINUTES):
        require(actor, await load_seats(session, meeting), Action.APPROVE_MINUTES)
    latest = await _latest(session, meeting_id)
    if latest is None:
        raise Refused("no_minutes")
    await enqueue(
        session,
        person_id=actor.person_id,
        kind=MINUTES_KIND if latest.approved_at else DRAFT_KIND,
        dedupe_key=f"minutes-pdf:{meeting_id}:{latest.version}:{actor.person_id}:{now.isoformat()}",
        now=now,
        payload={"meeting_id": meeting_id, "version": latest.version},
        council_id=meeting.council_id,
    )
    return latest.version


async def request_minutes(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> int:
    """`/referat`: the approved minutes of the last meeting (or the one asked) again (R-P6)."""
    if meeting_id is None:
        meeting_id = await _last_closed(session, actor)
    meeting = await standing_meeting(session, actor, meeting_id)
    approved = await latest_approved(session, meeting_id)
    if approved is None:
        raise Refused("no_minutes")
    insider = actor.may(Action.RECEIVE_AGENDA)
    if not insider and actor.person_id not in await minutes_recipients(session, meeting):
        raise Refused(
            "not_allowed",
            "the minutes reach members, substitutes who attended, observers and staff",
            action="receive_minutes",
        )
    await enqueue(
        session,
        person_id=actor.person_id,
        kind=MINUTES_KIND,
        dedupe_key=f"minutes-again:{meeting_id}:{approved.version}:{actor.person_id}:{now.isoformat()}",
        now=now,
        payload={"meeting_id": meeting_id, "version": approved.version},
        council_id=meeting.council_id,
    )
    return approved.version


# --- closed items ---------------------------------------------------------------------------------


async def closed_item_ids(session: AsyncSession, meeting_id: int) -> set[int]:
    rows = await session.exec(
        select(ClosedItem.item_id)
        .join(AgendaItem, col(AgendaItem.id) == col(ClosedItem.item_id))
        .where(AgendaItem.meeting_id == meeting_id)
    )
    return set(rows.all())


async def mark_item_closed(
    session: AsyncSession, *, actor: Actor, item_id: int, closed: bool, now: datetime
) -> bool:
    """R-P6: the chair marks an item closed ("Lukket punkt") or open again; returns the state."""
    actor.require(Action.CLOSE_ITEM)
    item = await session.get(AgendaItem, item_id)
    if item is None:
        raise Refused("not_found", "no such item")
    await standing_meeting(session, actor, item.meeting_id)
    found = await session.get(ClosedItem, item_id)
    if closed and found is None:
        session.add(ClosedItem(item_id=item_id, marked_by_id=actor.person_id, marked_at=now))
    elif not closed and found is not None:
        await session.delete(found)
    await _mark_in_minutes(session, item.meeting_id, item_id, closed)
    _audit(
        session,
        actor,
        now,
        "item.closed" if closed else "item.opened",
        item.meeting_id,
        0,
        item=item_id,
    )
    return closed


async def _mark_in_minutes(
    session: AsyncSession, meeting_id: int, item_id: int, closed: bool
) -> None:
    """A draft follows the mark at once; an approved version keeps what it said (the public page
    reads the current marks as well, so nothing closed is ever shown)."""
    latest = await _latest(session, meeting_id)
    if latest is None or latest.approved_at is not None:
        return
    items = [dict(i, closed=closed) if i["id"] == item_id else i for i in latest.snapshot["items"]]
    _save(session, latest, items=items)


@dataclass(frozen=True)
class ClosableItem:
    id: int
    number: int
    title: str
    closed: bool


async def closable_items(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> tuple[int, list[ClosableItem]]:
    """`/lukket`: the items of the meeting in progress or the next one, with their closed mark."""
    from services.agenda_prep import agenda_items
    from services.seats import next_meeting

    actor.require(Action.CLOSE_ITEM)
    meeting = await next_meeting(session, actor, now)
    closed = await closed_item_ids(session, meeting.id or 0)
    items = await agenda_items(session, meeting.id or 0)
    return meeting.id or 0, [
        ClosableItem(i.id or 0, n, i.title, (i.id or 0) in closed)
        for n, i in enumerate(items, start=1)
    ]
