"""What the record adds to notices: the minutes with their PDF, and an .ics file with every summons,
moved or cancelled meeting (also an agenda sent again because the meeting moved) so members'
calendars follow (METHOD REQUEST / CANCEL)."""

from __future__ import annotations

from datetime import datetime

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.agenda_delivery import Document
from services.calendar import meeting_ics, plan_ics
from services.minutes import DRAFT_KIND, MINUTES_KIND
from services.minutes_documents import minutes_package, render_minutes_if_needed
from services.outbox import Delivery
from templates.i18n import render, supported

MINUTES_KINDS = (MINUTES_KIND, DRAFT_KIND)
CALENDAR_KINDS = ("summons", "meeting_moved", "meeting_cancelled")
PLAN_KIND = "annual_plan"  # R-M1: the year's meetings in one file


async def minutes_parts(
    delivery: Delivery, sessions: SessionFactory, now: datetime
) -> tuple[str, Document]:
    """The minutes notice's text and its PDF (the approved version, or the draft)."""
    language = supported(delivery.language)
    meeting_id, version = int(delivery.payload["meeting_id"]), int(delivery.payload["version"])
    # The PDF is rendered (CPU) before the write guard is taken, not while held.
    async with unit_of_work(sessions, write=False) as session:
        pdf = await render_minutes_if_needed(
            session, meeting_id=meeting_id, version=version, language=language
        )
    async with unit_of_work(sessions) as session:
        package = await minutes_package(
            session,
            meeting_id=meeting_id,
            version=version,
            language=language,
            now=now,
            rendered=pdf,
        )
    text = render(f"notices/{delivery.kind}.html.j2", language, minutes=package.snapshot)
    return text, package.pdf


async def calendar_parts(
    delivery: Delivery, sessions: SessionFactory, now: datetime
) -> list[Document]:
    """The meeting's .ics after a summons, move or cancellation, the year's with the annual plan;
    nothing for other notices."""
    if delivery.kind == PLAN_KIND and delivery.payload.get("meeting_ids"):
        return await plan_calendar_file(sessions, delivery, now)
    meeting_id = delivery.payload.get("meeting_id")
    if delivery.kind not in CALENDAR_KINDS or meeting_id is None:
        return []
    return await meeting_calendar_file(sessions, int(meeting_id), delivery.language, now)


def moved(snapshot: dict[str, object]) -> bool:
    """An agenda version that went out because the meeting moved (time or place)."""
    changes = snapshot.get("changes")
    return isinstance(changes, dict) and bool(
        changes.get("moved_from") or changes.get("moved_from_place")
    )


async def meeting_calendar_file(
    sessions: SessionFactory, meeting_id: int, language: str, now: datetime
) -> list[Document]:
    """The meeting's .ics as a document to send."""
    async with unit_of_work(sessions) as session:  # the event's SEQUENCE may be raised
        content = await meeting_ics(session, meeting_id=meeting_id, language=language, now=now)
    return [Document(file_name=f"meeting-{meeting_id}.ics", content=content)]


async def plan_calendar_file(
    sessions: SessionFactory, delivery: Delivery, now: datetime
) -> list[Document]:
    """R-M1: the annual plan's meetings as one .ics (stable UIDs: later summons update them)."""
    ids = [int(i) for i in delivery.payload["meeting_ids"]]
    async with unit_of_work(sessions) as session:  # a new meeting's SEQUENCE row may be written
        content = await plan_ics(session, meeting_ids=ids, language=delivery.language, now=now)
    return [Document(file_name=f"meetings-{delivery.payload['year']}.ics", content=content)]
