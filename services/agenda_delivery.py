"""Distributing the agenda (R-D2, R-D3, R-D5, R-P6): frozen versions, one notice per recipient per
version, and what the delivery worker needs to send one (text, the PDF, the material)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession
from sqlmodel.sql.expression import SelectOfScalar

from models import changes
from models.enums import MeetingKind, MeetingStatus
from models.tables import AgendaDocument, AgendaVersion, Council, Meeting
from procedure.agenda import agenda_changes
from procedure.deadlines import is_auto_distribution_due, is_distribution_on_time
from procedure.permissions import Action
from services import audit
from services.actors import SYSTEM_NAME, Actor, SystemActor
from services.agenda import council_of, item_views, require_changeable
from services.agenda_prep import (
    MAX_REASON,
    AgendaOverview,
    agenda_items,
    agenda_overview,
    meant_meeting_id,
)
from services.errors import Refused
from services.meetings import meeting_of, view
from services.outbox import enqueue
from services.pdf_renders import rendered_pdfs
from services.recipients import agenda_recipients
from services.seats import require_for_meeting
from templates.documents import AGENDA, agenda_file_name
from templates.i18n import supported

AGENDA_KIND = "agenda"


@dataclass(frozen=True)
class Distribution:
    """What went out: the version, to how many people, and whether it met R-D2."""

    meeting_id: int
    version: int
    recipients: int
    on_time: bool
    addendum: bool
    exception: str | None


def agenda_dedupe_key(meeting_id: int, version: int, person_id: int) -> str:
    """The contract with the attendance issue: one agenda notice per person per version."""
    return f"agenda:{meeting_id}:{version}:{person_id}"


async def enqueue_agenda(
    session: AsyncSession, *, meeting: Meeting, person_id: int, now: datetime
) -> bool:
    """Queue the meeting's current agenda version for one person; False if they have it already."""
    if meeting.agenda_version == 0:
        return False
    return await enqueue(
        session,
        person_id=person_id,
        kind=AGENDA_KIND,
        dedupe_key=agenda_dedupe_key(meeting.id or 0, meeting.agenda_version, person_id),
        now=now,
        payload={"meeting_id": meeting.id, "version": meeting.agenda_version},
        council_id=meeting.council_id,
    )


def _deadline_passed(meeting: Meeting, council: Council, now: datetime) -> bool:
    if meeting.kind != MeetingKind.ORDINARY:
        return False  # R-D5: extraordinary meetings have no deadline
    tz = ZoneInfo(council.timezone)
    return not is_distribution_on_time(now, meeting.starts_at.astimezone(tz).date(), tz)


async def distribute_agenda(
    session: AsyncSession,
    *,
    actor: Actor | SystemActor,
    meeting_id: int,
    now: datetime,
    reason: str | None = None,
    moved: bool = False,
) -> Distribution:
    """Send the agenda as its next version to everyone who receives it (R-P6).

    The system (the sweep) sends only an approved, unsent agenda once its R-D2 moment has come.
    After the R-D2 deadline the chair must give a reason (R-D3), which the agenda shows; a version
    after the first is an addendum that says what changed.
    """
    if isinstance(actor, SystemActor):
        actor.require(Action.DISTRIBUTE_AGENDA)
        found = await session.get(Meeting, meeting_id)
        if found is None:
            raise Refused("not_found", "no such meeting")
        meeting = found
    else:
        meeting = await meeting_of(session, actor, meeting_id)
        # R-P3: the meeting's acting chair sends it (the vice chair while the chair is absent).
        await require_for_meeting(session, actor, meeting, Action.DISTRIBUTE_AGENDA, now=now)
    require_changeable(meeting, now)
    council = await council_of(session, meeting.council_id)
    if isinstance(actor, SystemActor):
        _require_due(meeting, council, now)
    if meeting.agenda_version > 0 and meeting.agenda_changed_at is None and not moved:
        raise Refused(
            "already_distributed",
            "nothing changed since it went out",
            version=meeting.agenda_version,
        )
    items = await agenda_items(session, meeting_id)
    if not items:
        raise Refused("agenda_empty", "the agenda has no items")
    late = _deadline_passed(meeting, council, now)
    automatic_exception = False
    if reason is not None:
        reason = " ".join(reason.split())
        if not reason or len(reason) > MAX_REASON:
            raise Refused(
                "exception_reason_length",
                f"the reason must be 1 to {MAX_REASON} characters",
                limit=MAX_REASON,
            )
    if late and not moved:
        if isinstance(actor, SystemActor):
            automatic_exception = True  # the scheduler was down at the deadline: say so (R-D3)
            reason = None  # the system gives no reason; the agenda says it went out by itself
        elif reason is None and meeting.agenda_version == 0 and meeting.distribution_exception:
            reason = meeting.distribution_exception  # R-D3: the acting chair's, given at the move
        elif reason is None:
            raise Refused(
                "exception_reason_required",
                "the distribution deadline has passed",
                deadline=view(meeting, council).distribution_deadline,
            )
        else:  # R-D3/R-P3: the acting chair of this meeting gives the reason
            await require_for_meeting(
                session, actor, meeting, Action.RECORD_DEADLINE_EXCEPTION, now=now
            )
    previous = await _snapshot(session, meeting_id, meeting.agenda_version)
    version = meeting.agenda_version + 1
    snapshot = await _build_snapshot(session, meeting, council, items, now, version)
    snapshot["exception"] = reason if late or reason else None
    snapshot["exception_automatic"] = automatic_exception
    snapshot["distributed_by"] = SYSTEM_NAME if isinstance(actor, SystemActor) else actor.name
    snapshot["changes"] = _changes(previous, snapshot) if previous else None
    session.add(
        AgendaVersion(
            meeting_id=meeting_id,
            version=version,
            distributed_at=now,
            distributed_by_id=_person_id(actor),
            snapshot=snapshot,
        )
    )
    meeting.agenda_version = version
    meeting.agenda_distributed_at = now
    meeting.agenda_changed_at = None
    meeting.agenda_approved_at = meeting.agenda_approved_at or now
    if snapshot["exception"] or automatic_exception:
        meeting.distribution_exception = reason or "automatic distribution after the deadline"
    session.add(meeting)
    await session.flush()
    recipients = await agenda_recipients(session, meeting)
    for person_id in recipients:
        await enqueue_agenda(session, meeting=meeting, person_id=person_id, now=now)
    changes.note(session, changes.AGENDA)  # its PDFs are rendered as soon as this commits
    audit.record(
        session,
        now=now,
        action="agenda.distribute",
        council_id=meeting.council_id,
        actor_id=_person_id(actor),
        subject=f"meeting:{meeting_id}",
        **({"by": SYSTEM_NAME} if isinstance(actor, SystemActor) else {}),
        version=version,
        recipients=len(recipients),
        late=late,
    )
    return Distribution(
        meeting_id, version, len(recipients), not late, version > 1, snapshot["exception"]
    )


def _person_id(actor: Actor | SystemActor) -> int | None:
    return None if isinstance(actor, SystemActor) else actor.person_id


def _require_due(meeting: Meeting, council: Council, now: datetime) -> None:
    """R-D2: the system sends only what the sweep sends — an ordinary meeting's approved agenda,
    not yet sent, from the set time on the deadline day (not_allowed otherwise)."""
    tz = ZoneInfo(council.timezone)
    due = meeting.kind == MeetingKind.ORDINARY and is_auto_distribution_due(
        now,
        meeting.starts_at.astimezone(tz).date(),
        tz,
        approved_at=meeting.agenda_approved_at,
        already_sent=meeting.agenda_version > 0,
        at=council.distribution_time,
    )
    if not due:
        raise Refused(
            "not_allowed",
            "the system distributes only an approved agenda at its R-D2 moment",
            action=str(Action.DISTRIBUTE_AGENDA),
        )


async def _build_snapshot(
    session: AsyncSession,
    meeting: Meeting,
    council: Council,
    items: list[Any],
    now: datetime,
    version: int,
) -> dict[str, Any]:
    shown = view(meeting, council)
    tz = ZoneInfo(council.timezone)
    return {
        "council": council.name,
        "meeting_id": meeting.id,
        "kind": meeting.kind,
        "starts_at": shown.starts_at.isoformat(),
        "place": meeting.place,
        "subject": meeting.subject,
        "version": version,
        "distributed_at": now.astimezone(tz).isoformat(),
        "distribution_deadline": (
            shown.distribution_deadline.isoformat() if shown.distribution_deadline else None
        ),
        "items": [
            {
                "id": item.id,
                "number": number,
                "title": item.title,
                "description": item.description,
                "proposer": item.proposer,
                "late": item.late,
                "material": [
                    {"file_id": m.file_id, "file_name": m.file_name, "file_size": m.file_size}
                    for m in item.material
                ],
            }
            for number, item in enumerate(await item_views(session, items), start=1)
        ],
    }


def _changes(previous: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """What the addendum tells its readers (R-M3: never a silent edit)."""
    titles = {i["id"]: i["title"] for i in previous["items"]} | {
        i["id"]: i["title"] for i in current["items"]
    }
    changes = agenda_changes(
        [i["id"] for i in previous["items"]], [i["id"] for i in current["items"]]
    )
    files_before = {i["id"]: [m["file_id"] for m in i["material"]] for i in previous["items"]}
    return {
        "added": [titles[i] for i in changes.added],
        "removed": [titles[i] for i in changes.removed],
        "reordered": changes.reordered,
        "material": [
            i["title"]
            for i in current["items"]
            if i["id"] in files_before
            and files_before[i["id"]] != [m["file_id"] for m in i["material"]]
        ],
        "moved_from": (
            previous["starts_at"]
            if (previous["starts_at"], previous["place"])
            != (current["starts_at"], current["place"])
            else None
        ),
        "moved_from_place": previous["place"] if previous["place"] != current["place"] else None,
    }


async def _snapshot(session: AsyncSession, meeting_id: int, version: int) -> dict[str, Any] | None:
    if version == 0:
        return None
    row = (
        await session.exec(
            select(AgendaVersion).where(
                AgendaVersion.meeting_id == meeting_id, AgendaVersion.version == version
            )
        )
    ).first()
    return dict(row.snapshot) if row else None


async def request_agenda(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> int:
    """`/agenda`: the latest version of the next distributed agenda again, to a recipient (R-P6)."""
    actor.require(Action.VIEW_MEETINGS)
    query = select(Meeting).where(
        Meeting.council_id == actor.council_id,
        Meeting.status == MeetingStatus.PLANNED,
        Meeting.agenda_version > 0,
        Meeting.starts_at > now,
    )
    if meeting_id is not None:
        query = query.where(Meeting.id == meeting_id)
    meeting = (await session.exec(query.order_by(col(Meeting.starts_at)))).first()
    if meeting is None:
        raise Refused("not_found", "no distributed agenda of a coming meeting")
    if actor.person_id not in await agenda_recipients(session, meeting):
        raise Refused(
            "not_allowed", "the agenda reaches members, summoned substitutes, observers and staff"
        )
    await enqueue(
        session,
        person_id=actor.person_id,
        kind=AGENDA_KIND,
        dedupe_key=f"agenda-again:{meeting.id}:{meeting.agenda_version}:{actor.person_id}:{now.isoformat()}",
        now=now,
        payload={"meeting_id": meeting.id, "version": meeting.agenda_version},
        council_id=meeting.council_id,
    )
    return meeting.agenda_version


# --- what the delivery worker sends ------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    """A document to send: by Telegram file id when known, else uploaded from `content`."""

    file_name: str
    file_id: str | None = None
    content: bytes | None = None
    agenda_document_id: int | None = None  # remember the file id Telegram gives the upload
    minutes_document_id: int | None = None  # the same for the approved minutes' PDF


@dataclass(frozen=True)
class AgendaPackage:
    """One version of an agenda for one language: the message's data, the PDF, the material."""

    snapshot: dict[str, Any]
    pdf: Document
    material: list[Document]


async def render_agenda_if_needed(
    session: AsyncSession, *, meeting_id: int, version: int, language: str
) -> bytes | None:
    """The version's PDF in `language` when none is stored yet (a read: the delivery renders it
    outside the write guard, seconds of CPU, and passes it to agenda_package)."""
    stored = await session.exec(_document_query(meeting_id, version, language))
    snapshot = await _snapshot(session, meeting_id, version)
    if stored.first() is not None or snapshot is None:
        return None
    return (await rendered_pdfs(AGENDA, meeting_id, version, snapshot))[supported(language)]


async def agenda_package(
    session: AsyncSession,
    *,
    meeting_id: int,
    version: int,
    language: str,
    now: datetime,
    rendered: bytes | None = None,
) -> AgendaPackage:
    """The version as distributed; its PDF is rendered once per language and then reused
    (`rendered`: the PDF render_agenda_if_needed made, if it had to)."""
    snapshot = await _snapshot(session, meeting_id, version)
    if snapshot is None:
        raise Refused(
            "not_found", f"agenda version {version} of meeting {meeting_id} does not exist"
        )
    document = await _agenda_document(
        session, meeting_id, version, language, snapshot, now, rendered
    )
    pdf = Document(
        file_name=document.file_name,
        file_id=document.telegram_file_id,
        content=None if document.telegram_file_id else document.content,
        agenda_document_id=document.id,
    )
    material = [
        Document(file_name=m["file_name"], file_id=m["file_id"])
        for item in snapshot["items"]
        for m in item["material"]
    ]
    return AgendaPackage(snapshot, pdf, material)


async def _agenda_document(
    session: AsyncSession,
    meeting_id: int,
    version: int,
    language: str,
    snapshot: dict[str, Any],
    now: datetime,
    rendered: bytes | None = None,
) -> AgendaDocument:
    query = _document_query(meeting_id, version, language)
    found = (await session.exec(query)).first()
    if found is not None:
        return found
    content = (
        rendered
        or (await rendered_pdfs(AGENDA, meeting_id, version, snapshot))[supported(language)]
    )
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.exec(
        insert(AgendaDocument)
        .values(
            meeting_id=meeting_id,
            version=version,
            language=language,
            file_name=agenda_file_name(snapshot, language),
            content=content,
            created_at=now,
        )
        .on_conflict_do_nothing(index_elements=["meeting_id", "version", "language"])
    )
    return (await session.exec(query)).one()


def _document_query(meeting_id: int, version: int, language: str) -> SelectOfScalar[AgendaDocument]:
    return select(AgendaDocument).where(
        AgendaDocument.meeting_id == meeting_id,
        AgendaDocument.version == version,
        AgendaDocument.language == language,
    )


async def remember_file_id(session: AsyncSession, *, agenda_document_id: int, file_id: str) -> None:
    """Telegram's id of the uploaded PDF: every later recipient gets it without a new upload."""
    document = await session.get(AgendaDocument, agenda_document_id)
    if document is not None and document.telegram_file_id is None:
        document.telegram_file_id = file_id
        session.add(document)


# Before the agenda goes out, the chat shows what will happen and asks to confirm (issue 17).


@dataclass(frozen=True)
class DistributionPreview:
    """The agenda about to go out, whether as an addendum, and to how many people."""

    overview: AgendaOverview
    recipients: int
    addendum: bool


async def distribution_preview(
    session: AsyncSession, *, actor: Actor, now: datetime, meeting_id: int | None = None
) -> DistributionPreview:
    """What /distribute would send (the next meeting's agenda unless `meeting_id` says which),
    refused as distribute_agenda would refuse it; nothing changes."""
    if meeting_id is None:  # the meeting whose agenda waits, or the person is asked which
        meeting_id = await meant_meeting_id(session, actor=actor, now=now, approving=False)
    meeting = await meeting_of(session, actor, meeting_id)
    await require_for_meeting(session, actor, meeting, Action.DISTRIBUTE_AGENDA, now=now)  # R-P3
    require_changeable(meeting, now)
    if meeting.agenda_version > 0 and meeting.agenda_changed_at is None:
        raise Refused(
            "already_distributed",
            "nothing changed since it went out",
            version=meeting.agenda_version,
        )
    if not await agenda_items(session, meeting_id):
        raise Refused("agenda_empty", "the agenda has no items")
    overview = await agenda_overview(session, actor=actor, meeting_id=meeting_id, now=now)
    recipients = await agenda_recipients(session, meeting)
    return DistributionPreview(overview, len(recipients), meeting.agenda_version > 0)
