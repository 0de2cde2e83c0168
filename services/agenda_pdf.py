"""The agenda's PDFs (issue 15): every language at once, rendered by a worker process as soon as a
version is distributed — before its notices are sent (services/pdf_renders.py) — and kept with the
stored version (`AgendaDocument`): what was sent, what is shown again and what is published are one
document.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AgendaDocument, AgendaVersion
from templates.documents import agenda_file_name

RECENT = timedelta(days=1)  # versions distributed since then are rendered ahead


async def versions_without_pdfs(
    session: AsyncSession, *, now: datetime, limit: int = 5
) -> list[tuple[int, int, dict[str, Any]]]:
    """Recently distributed versions with no stored PDF yet: (meeting id, version, snapshot)."""
    stored = (
        select(AgendaDocument.id)
        .where(
            AgendaDocument.meeting_id == AgendaVersion.meeting_id,
            AgendaDocument.version == AgendaVersion.version,
        )
        .exists()
    )
    rows = await session.exec(
        select(AgendaVersion)
        .where(col(AgendaVersion.distributed_at) >= now - RECENT, ~stored)
        .order_by(col(AgendaVersion.distributed_at).desc())
        .limit(limit)
    )
    return [(v.meeting_id, v.version, dict(v.snapshot)) for v in rows.all()]


async def store_pdfs(
    session: AsyncSession,
    *,
    meeting_id: int,
    version: int,
    snapshot: dict[str, Any],
    pdfs: dict[str, bytes],
    now: datetime,
) -> None:
    """Keep the version's PDFs with it (a PDF stored already stays as it is)."""
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    for language, content in pdfs.items():
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


async def version_snapshot(
    session: AsyncSession, *, meeting_id: int, version: int
) -> dict[str, Any] | None:
    """The stored snapshot of one distributed version (None: no such version)."""
    row = (
        await session.exec(
            select(AgendaVersion.snapshot).where(
                AgendaVersion.meeting_id == meeting_id, AgendaVersion.version == version
            )
        )
    ).first()
    return dict(row) if row is not None else None


async def pdf_stored(
    session: AsyncSession, *, meeting_id: int, version: int, language: str
) -> bool:
    """Whether the version's PDF in `language` is kept already."""
    row = await session.exec(
        select(AgendaDocument.id).where(
            AgendaDocument.meeting_id == meeting_id,
            AgendaDocument.version == version,
            AgendaDocument.language == language,
        )
    )
    return row.first() is not None
