"""The council's public record (R-X1, R-P6): what is published, by the setting or by hand, and the
public views the web pages render — the meeting plan, published agendas and minutes with closed
items redacted, their PDFs, and the feed of new documents.

Every public view checks publication itself: the web layer cannot show what this module does not
hand out, whatever URL is asked for.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus
from models.record import MinutesVersion, Publication, PublishSetting
from models.tables import AgendaVersion, Council, Meeting
from procedure import publishing
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.minutes import closed_item_ids
from services.seats import standing_meeting
from templates import documents
from templates.documents import agenda_file_name, minutes_file_name, render_pdfs_apart

AGENDA = documents.AGENDA
MINUTES = documents.MINUTES
KINDS = (AGENDA, MINUTES)


async def publish_setting(session: AsyncSession, council_id: int) -> PublishSetting:
    """The council's setting; the defaults (agenda on distribution, minutes on approval) if unset."""
    found = await session.get(PublishSetting, council_id)
    return found or PublishSetting(council_id=council_id)


async def _publication(session: AsyncSession, meeting_id: int, kind: str) -> Publication | None:
    return (
        await session.exec(
            select(Publication).where(
                Publication.meeting_id == meeting_id, Publication.kind == kind
            )
        )
    ).first()


async def _has_document(session: AsyncSession, meeting: Meeting, kind: str) -> bool:
    if kind == AGENDA:
        return meeting.agenda_version > 0
    approved = await session.exec(
        select(MinutesVersion.id).where(
            MinutesVersion.meeting_id == meeting.id, col(MinutesVersion.approved_at).is_not(None)
        )
    )
    return approved.first() is not None


async def set_published(
    session: AsyncSession,
    *,
    actor: Actor,
    meeting_id: int,
    kind: str,
    published: bool,
    now: datetime,
) -> bool:
    """`/offentliggoer`: the chair or the secretariat publishes a document or withdraws it."""
    actor.require(Action.PUBLISH)
    if kind not in KINDS:
        raise Refused("not_found", f"no such document: {kind}")
    meeting = await standing_meeting(session, actor, meeting_id)
    if published and not await _has_document(session, meeting, kind):
        raise Refused("nothing_to_publish")
    row = await _publication(session, meeting_id, kind) or Publication(
        meeting_id=meeting_id, kind=kind
    )
    if published:
        row.published_at, row.published_by_id, row.withdrawn_at = now, actor.person_id, None
    else:
        row.withdrawn_at = now
    session.add(row)
    audit.record(
        session,
        now=now,
        action="publish.publish" if published else "publish.withdraw",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"meeting:{meeting_id}",
        kind=kind,
    )
    return published


# --- the public views ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicMeeting:
    """A meeting on the public plan: time, place, kind; what of it is published, and since when."""

    id: int
    starts_at: datetime  # local
    place: str
    kind: str
    cancelled: bool
    held: bool
    agenda_version: int | None  # published agenda version, else None
    agenda_at: datetime | None
    minutes_version: int | None
    minutes_at: datetime | None


async def public_council(session: AsyncSession, slug: str) -> Council | None:
    from models.tables import Council as CouncilTable

    return (await session.exec(select(CouncilTable).where(CouncilTable.slug == slug))).first()


async def public_councils(session: AsyncSession) -> list[Council]:
    return list((await session.exec(select(Council).order_by(col(Council.name)))).all())


async def public_plan(session: AsyncSession, council: Council) -> list[PublicMeeting]:
    """R-X1: the council's meetings, newest first, with what is published of each (five queries)."""
    meetings = (
        await session.exec(
            select(Meeting)
            .where(Meeting.council_id == council.id)
            .order_by(col(Meeting.starts_at).desc())
        )
    ).all()
    ids = [m.id for m in meetings]
    setting = await publish_setting(session, council.id or 0)
    publications = {
        (p.meeting_id, p.kind): p
        for p in (
            await session.exec(select(Publication).where(col(Publication.meeting_id).in_(ids)))
        ).all()
    }
    agenda_at = dict(
        (
            await session.exec(
                select(AgendaVersion.meeting_id, func.max(AgendaVersion.distributed_at))
                .where(col(AgendaVersion.meeting_id).in_(ids))
                .group_by(col(AgendaVersion.meeting_id))
            )
        ).all()
    )
    minutes = {
        meeting_id: (version, at)
        for meeting_id, version, at in (
            await session.exec(
                select(
                    MinutesVersion.meeting_id,
                    func.max(MinutesVersion.version),
                    func.max(MinutesVersion.approved_at),
                )
                .where(
                    col(MinutesVersion.meeting_id).in_(ids),
                    col(MinutesVersion.approved_at).is_not(None),
                )
                .group_by(col(MinutesVersion.meeting_id))
            )
        ).all()
    }
    tz = ZoneInfo(council.timezone)
    plan = []
    for meeting in meetings:
        mid = meeting.id or 0
        agenda_shown = _shown(
            publications.get((mid, AGENDA)),
            meeting.agenda_version > 0,
            setting.agenda_on_distribution,
        )
        version, approved_at = minutes.get(mid, (None, None))
        minutes_shown = _shown(
            publications.get((mid, MINUTES)), version is not None, setting.minutes_on_approval
        )
        plan.append(
            PublicMeeting(
                id=mid,
                starts_at=meeting.starts_at.astimezone(tz),
                place=meeting.place,
                kind=meeting.kind,
                cancelled=meeting.status == MeetingStatus.CANCELLED,
                held=meeting.status == MeetingStatus.CLOSED,
                agenda_version=meeting.agenda_version if agenda_shown else None,
                agenda_at=_since(publications.get((mid, AGENDA)), agenda_at.get(mid), tz)
                if agenda_shown
                else None,
                minutes_version=version if minutes_shown else None,
                minutes_at=_since(publications.get((mid, MINUTES)), approved_at, tz)
                if minutes_shown
                else None,
            )
        )
    return plan


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    return moment.astimezone(tz) if moment is not None else None


def _since(row: Publication | None, made: datetime | None, tz: ZoneInfo) -> datetime | None:
    """When the document became public: when it was made, or later when published by hand."""
    by_hand = row.published_at if row is not None else None
    moments = [m for m in (made, by_hand) if m is not None]
    return _local(max(moments), tz) if moments else None


def _shown(row: Publication | None, exists: bool, automatic: bool) -> bool:
    return publishing.is_published(
        exists=exists,
        automatic=automatic,
        by_hand=row is not None and row.published_at is not None,
        withdrawn=row is not None and row.withdrawn_at is not None,
    )


async def public_meeting(
    session: AsyncSession, council: Council, meeting_id: int
) -> PublicMeeting | None:
    """A meeting of the council with something published; None otherwise (learn nothing)."""
    for meeting in await public_plan(session, council):
        if meeting.id == meeting_id:
            published = meeting.agenda_version or meeting.minutes_version
            return meeting if published else None
    return None


async def public_agenda(
    session: AsyncSession, council: Council, meeting_id: int
) -> dict[str, Any] | None:
    """R-X1/R-P6: the published agenda (its latest version), closed items redacted; else None."""
    shown = await public_meeting(session, council, meeting_id)
    if shown is None or shown.agenda_version is None:
        return None
    version = (
        await session.exec(
            select(AgendaVersion).where(
                AgendaVersion.meeting_id == meeting_id,
                AgendaVersion.version == shown.agenda_version,
            )
        )
    ).one()
    closed = await closed_item_ids(session, meeting_id)
    return publishing.public_agenda(version.snapshot, closed)


async def public_minutes(
    session: AsyncSession, council: Council, meeting_id: int
) -> dict[str, Any] | None:
    """R-X1/R-P6: the published minutes (latest approved version), redacted; else None."""
    shown = await public_meeting(session, council, meeting_id)
    if shown is None or shown.minutes_version is None:
        return None
    version = (
        await session.exec(
            select(MinutesVersion).where(
                MinutesVersion.meeting_id == meeting_id,
                MinutesVersion.version == shown.minutes_version,
            )
        )
    ).one()
    closed = await closed_item_ids(session, meeting_id)
    return publishing.public_minutes(version.snapshot, closed)


async def public_pdf(
    session: AsyncSession, council: Council, meeting_id: int, kind: str, language: str
) -> tuple[str, bytes] | None:
    """The published document as a PDF (file name, content), or None when it is not published."""
    if kind == AGENDA:
        snapshot = await public_agenda(session, council, meeting_id)
    elif kind == MINUTES:
        snapshot = await public_minutes(session, council, meeting_id)
    else:
        return None
    if snapshot is None:
        return None
    key = json.dumps(snapshot, sort_keys=True, ensure_ascii=False)
    content = await asyncio.to_thread(_render, kind, key, language)
    name = (agenda_file_name if kind == AGENDA else minutes_file_name)(snapshot, language)
    return name, content


@lru_cache(maxsize=32)
def _render(kind: str, snapshot_json: str, language: str) -> bytes:
    """Rendered once per published content and language (a new mark or version is a new key), by
    the PDF worker process: WeasyPrint does not stay in the memory of the bot that serves the pages."""
    return render_pdfs_apart(kind, json.loads(snapshot_json), [language], public=True)[language]


@dataclass(frozen=True)
class FeedEntry:
    """A document that became public: for the Atom feed."""

    meeting: PublicMeeting
    kind: str
    version: int
    at: datetime


async def public_feed(session: AsyncSession, council: Council, limit: int = 50) -> list[FeedEntry]:
    """R-X1: the published documents, newest first."""
    entries = []
    for meeting in await public_plan(session, council):
        if meeting.agenda_version is not None and meeting.agenda_at is not None:
            entries.append(FeedEntry(meeting, AGENDA, meeting.agenda_version, meeting.agenda_at))
        if meeting.minutes_version is not None and meeting.minutes_at is not None:
            entries.append(FeedEntry(meeting, MINUTES, meeting.minutes_version, meeting.minutes_at))
    return sorted(entries, key=lambda e: e.at, reverse=True)[:limit]


@dataclass(frozen=True)
class PublicationStatus:
    """For `/offentliggoer`: what of a meeting could be published, and what is."""

    meeting: PublicMeeting
    has_agenda: bool
    has_minutes: bool


async def publication_status(
    session: AsyncSession, *, actor: Actor, now: datetime, limit: int = 6
) -> list[PublicationStatus]:
    """The council's meetings with a document, latest first: what is public and what is not."""
    actor.require(Action.PUBLISH)
    council = await session.get(Council, actor.council_id)
    if council is None:
        raise Refused("not_found", "no such council")
    shown = {m.id: m for m in await public_plan(session, council)}
    meetings = (
        await session.exec(
            select(Meeting)
            .where(Meeting.council_id == actor.council_id, Meeting.agenda_version > 0)
            .order_by(col(Meeting.starts_at).desc())
            .limit(limit)
        )
    ).all()
    return [
        PublicationStatus(
            meeting=shown[m.id or 0],
            has_agenda=True,
            has_minutes=await _has_document(session, m, MINUTES),
        )
        for m in meetings
    ]
