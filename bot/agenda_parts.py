"""An agenda notice's parts (issue 15): the message goes at once, the PDF as soon as its render
is done — a render under way (started when the agenda was distributed) never holds back the
messages of a batch."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.agenda_delivery import Document, agenda_package
from services.agenda_pdf import pdf_stored, version_snapshot
from services.errors import Refused
from services.pdf_renders import rendered_pdfs
from templates.documents import AGENDA
from templates.i18n import supported


@dataclass(frozen=True)
class PendingPdf:
    """The agenda's PDF while it is rendered; the sender awaits it when the part's turn comes."""

    document: asyncio.Task[Document]


class NotBuilt(Exception):
    """A part could not be made (the PDF's render failed): the notice is tried again later."""


@dataclass(frozen=True)
class AgendaParts:
    """One version of an agenda in one language: the snapshot, the PDF (or its render), material."""

    snapshot: dict[str, Any]
    pdf: Document | PendingPdf
    material: list[Document]


async def agenda_parts(
    sessions: SessionFactory, meeting_id: int, version: int, language: str, now: datetime
) -> AgendaParts:
    language = supported(language)
    async with unit_of_work(sessions, write=False) as session:
        snapshot = await version_snapshot(session, meeting_id=meeting_id, version=version)
        if snapshot is None:
            raise Refused(
                "not_found", f"agenda version {version} of meeting {meeting_id} does not exist"
            )
        stored = await pdf_stored(
            session, meeting_id=meeting_id, version=version, language=language
        )
        if stored:
            package = await agenda_package(
                session, meeting_id=meeting_id, version=version, language=language, now=now
            )
            return AgendaParts(package.snapshot, package.pdf, package.material)
    material = [
        Document(file_name=m["file_name"], file_id=m["file_id"])
        for item in snapshot["items"]
        for m in item["material"]
    ]
    task = asyncio.ensure_future(_rendered(sessions, meeting_id, version, language, snapshot, now))
    task.add_done_callback(_seen)
    return AgendaParts(snapshot, PendingPdf(task), material)


async def _rendered(
    sessions: SessionFactory,
    meeting_id: int,
    version: int,
    language: str,
    snapshot: dict[str, Any],
    now: datetime,
) -> Document:
    """The PDF rendered (or the render under way awaited) outside the write guard, then stored."""
    pdfs = await rendered_pdfs(AGENDA, meeting_id, version, snapshot)
    async with unit_of_work(sessions) as session:
        package = await agenda_package(
            session,
            meeting_id=meeting_id,
            version=version,
            language=language,
            now=now,
            rendered=pdfs[language],
        )
    return package.pdf


def _seen(task: asyncio.Task[Document]) -> None:
    """A render that failed is reported by the notice that awaits it, or not at all."""
    if not task.cancelled():
        task.exception()
