"""The agenda's PDFs rendered ahead (issue 15): when a version is distributed in this process, its
PDF in every language is rendered at once by the worker process and stored with the version,
while the first notices are still being claimed — so no batch waits for WeasyPrint. (A version
distributed by another process is rendered by the delivery worker when it first needs it.)"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from models import changes
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.agenda_pdf import store_pdfs, versions_without_pdfs
from services.pdf_renders import rendered_pdfs
from templates.documents import AGENDA

log = logging.getLogger(__name__)


async def render_ahead(sessions: SessionFactory, clock: Callable[[], datetime]) -> None:
    """Run until cancelled: render what was distributed each time a distribution commits."""
    wake = changes.signal(changes.AGENDA)
    while True:
        await wake.wait()
        wake.clear()
        try:
            await render_waiting(sessions, clock())
        except Exception:  # the delivery worker renders it when it needs it
            log.exception("an agenda's PDFs were not rendered ahead")


async def render_waiting(sessions: SessionFactory, now: datetime) -> int:
    """Render and store the PDFs of recently distributed versions that have none; how many."""
    async with unit_of_work(sessions, write=False) as session:
        waiting = await versions_without_pdfs(session, now=now)
    for meeting_id, version, snapshot in waiting:
        pdfs = await rendered_pdfs(AGENDA, meeting_id, version, snapshot)  # outside the guard
        async with unit_of_work(sessions) as session:
            await store_pdfs(
                session,
                meeting_id=meeting_id,
                version=version,
                snapshot=snapshot,
                pdfs=pdfs,
                now=now,
            )
    return len(waiting)
