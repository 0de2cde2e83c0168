"""What the record adds to notices: the minutes with their PDF, and an .ics file with every summons,
moved or cancelled meeting so members' calendars follow (METHOD REQUEST / CANCEL)."""

from __future__ import annotations

from datetime import datetime

from models.db import SessionFactory
from services.agenda_delivery import Document
from services.calendar import meeting_ics
from services.minutes import DRAFT_KIND, MINUTES_KIND, minutes_package
from services.outbox import Delivery
from templates.i18n import render, supported

MINUTES_KINDS = (MINUTES_KIND, DRAFT_KIND)
CALENDAR_KINDS = ("summons", "meeting_moved", "meeting_cancelled")


async def minutes_parts(
    delivery: Delivery, sessions: SessionFactory, now: datetime
) -> tuple[str, Document]:
    """The minutes notice's text and its PDF (the approved version, or the draft)."""
    language = supported(delivery.language)
    async with sessions() as session, session.begin():
        package = await minutes_package(
            session,
            meeting_id=int(delivery.payload["meeting_id"]),
            version=int(delivery.payload["version"]),
            language=language,
            now=now,
        )
    text = render(f"notices/{delivery.kind}.html.j2", language, minutes=package.snapshot)
    return text, package.pdf


async def calendar_parts(
    delivery: Delivery, sessions: SessionFactory, now: datetime
) -> list[Document]:
    """The meeting's .ics after a summons, move or cancellation; nothing for other notices."""
    meeting_id = delivery.payload.get("meeting_id")
    if delivery.kind not in CALENDAR_KINDS or meeting_id is None:
        return []
    async with sessions() as session, session.begin():
        content = await meeting_ics(
            session, meeting_id=int(meeting_id), language=delivery.language, now=now
        )
    return [Document(file_name=f"meeting-{meeting_id}.ics", content=content)]
