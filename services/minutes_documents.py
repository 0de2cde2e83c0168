"""The minutes as the delivery worker sends them (R-X2): a version's PDF, rendered outside the write
guard by the PDF worker process (services/pdf_renders.py); an approved version's PDF stored once per
language and, once uploaded, sent by Telegram's file id. A draft changes, so it is never stored:
rendered again whenever its content changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.record import MinutesDocument, MinutesVersion
from services.agenda_delivery import Document
from services.errors import Refused
from services.pdf_renders import rendered_pdfs
from templates.documents import MINUTES, minutes_file_name


@dataclass(frozen=True)
class MinutesPackage:
    snapshot: dict[str, Any]
    pdf: Document


async def _version(session: AsyncSession, meeting_id: int, version: int) -> MinutesVersion:
    row = (
        await session.exec(
            select(MinutesVersion).where(
                MinutesVersion.meeting_id == meeting_id, MinutesVersion.version == version
            )
        )
    ).first()
    if row is None:
        raise Refused(
            "not_found", f"minutes version {version} of meeting {meeting_id} do not exist"
        )
    return row


def _document_query(meeting_id: int, version: int, language: str) -> Any:
    return select(MinutesDocument).where(
        MinutesDocument.meeting_id == meeting_id,
        MinutesDocument.version == version,
        MinutesDocument.language == language,
    )


async def render_minutes_if_needed(
    session: AsyncSession, *, meeting_id: int, version: int, language: str
) -> bytes | None:
    """The version's PDF when none is stored (a read: the delivery renders it outside the write
    guard and passes it to minutes_package); a draft is always rendered, never stored."""
    row = await _version(session, meeting_id, version)
    stored = (await session.exec(_document_query(meeting_id, version, language))).first()
    if stored is not None and row.approved_at is not None:
        return None
    return await _rendered(meeting_id, version, dict(row.snapshot), language)


async def _rendered(
    meeting_id: int, version: int, snapshot: dict[str, Any], language: str
) -> bytes:
    """The version's PDF in `language`, by the worker process (every language at once)."""
    return (await rendered_pdfs(MINUTES, meeting_id, version, snapshot))[language]


async def minutes_package(
    session: AsyncSession,
    *,
    meeting_id: int,
    version: int,
    language: str,
    now: datetime,
    rendered: bytes | None = None,
) -> MinutesPackage:
    """A version as sent: an approved one's PDF is stored once per language and then reused
    (`rendered`: the PDF render_minutes_if_needed made, if it had to)."""
    row = await _version(session, meeting_id, version)
    snapshot = dict(row.snapshot)
    name = minutes_file_name(snapshot, language)
    if row.approved_at is None:  # a draft changes: never stored
        content = rendered or await _rendered(meeting_id, version, snapshot, language)
        return MinutesPackage(snapshot, Document(file_name=name, content=content))
    query = _document_query(meeting_id, version, language)
    document = (await session.exec(query)).first()
    if document is None:
        content = rendered or await _rendered(meeting_id, version, snapshot, language)
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.exec(
            insert(MinutesDocument)
            .values(
                meeting_id=meeting_id,
                version=version,
                language=language,
                file_name=name,
                content=content,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=["meeting_id", "version", "language"])
        )
        document = (await session.exec(query)).one()
    pdf = Document(
        file_name=document.file_name,
        file_id=document.telegram_file_id,
        content=None if document.telegram_file_id else document.content,
        minutes_document_id=document.id,
    )
    return MinutesPackage(snapshot, pdf)


async def remember_minutes_file_id(
    session: AsyncSession, *, minutes_document_id: int, file_id: str
) -> None:
    """Telegram's id of the uploaded PDF: later recipients get it without a new upload."""
    found = await session.get(MinutesDocument, minutes_document_id)
    if found is not None and found.telegram_file_id is None:
        found.telegram_file_id = file_id
        session.add(found)
