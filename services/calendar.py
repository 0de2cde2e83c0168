"""Calendars: a meeting as an iCalendar event (METHOD REQUEST or CANCEL, one stable UID per meeting,
SEQUENCE raised on each change of time, place or status), a person's private feed of their own
meetings behind a secret, revocable token, and the council's public meeting plan (R-X1)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, MeetingStatus, MembershipRole
from models.record import CalendarFeed, MeetingCalendar
from models.tables import Attendance, Council, Meeting, Membership, Person
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.recipients import SUMMONED
from templates.i18n import gettext

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODUCT = "-//kkrbot//KKR meetings//DA"
ORGANIZER = "mailto:noreply@kkrbot.invalid"  # RFC 5546 wants an organizer; nobody answers it
TOKEN_BYTES = 24


def _(message: str) -> str:
    """Mark a msgid for extraction; translated where it is used."""
    return message


KIND_WORDS = {"ordinary": _("Ordinary meeting"), "extraordinary": _("Extraordinary meeting")}
CANCELLED_WORD = _("Cancelled")


def meeting_end(meeting: Meeting, council: Council) -> datetime:
    """When the event ends: a held meeting when it closed; else the council's meeting length
    after the start (a meeting is called with a start time only)."""
    if meeting.closed_at is not None and meeting.closed_at > meeting.starts_at:
        return meeting.closed_at
    return meeting.starts_at + timedelta(minutes=council.meeting_length_minutes)


def _fingerprint(meeting: Meeting, council: Council) -> str:
    ends = meeting_end(meeting, council).isoformat()
    return f"{meeting.starts_at.isoformat()}|{ends}|{meeting.place}|{meeting.status}"[:200]


async def calendar_sequence(
    session: AsyncSession, meeting: Meeting, council: Council | None = None
) -> int:
    """The event's SEQUENCE: raised once for every change of time, place or status seen.

    Called by the services that move and cancel meetings, and again whenever an event is built, so
    a change made some other way still raises it before anyone's calendar sees the new event.
    """
    if council is None:
        council = await session.get(Council, meeting.council_id)
        assert council is not None
    fingerprint = _fingerprint(meeting, council)
    query = select(MeetingCalendar).where(MeetingCalendar.meeting_id == meeting.id)
    row = (await session.exec(query)).first()
    if row is None:
        # Two readers of a new meeting's event at once: the second insert is a no-op.
        dialect = session.bind.dialect.name if session.bind else "sqlite"
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        await session.exec(
            insert(MeetingCalendar)
            .values(meeting_id=meeting.id, sequence=0, fingerprint=fingerprint)
            .on_conflict_do_nothing(index_elements=["meeting_id"])
        )
        return 0
    if row.fingerprint != fingerprint:
        row.sequence, row.fingerprint = row.sequence + 1, fingerprint
        session.add(row)
        await session.flush()
    return row.sequence


def meeting_uid(meeting: Meeting, council: Council) -> str:
    """One UID per meeting for ever: calendars match the update or cancellation to the event."""
    return f"meeting-{meeting.id}@{council.slug}.kkrbot"


async def _event(
    session: AsyncSession,
    meeting: Meeting,
    council: Council,
    language: str,
    now: datetime,
    *,
    private: bool,
) -> Event:
    from icalendar import Event, vCalAddress, vText  # see _calendar

    event = Event()
    event.add("uid", meeting_uid(meeting, council))
    event.add("sequence", await calendar_sequence(session, meeting, council))
    event.add("dtstamp", now)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting_end(meeting, council))
    summary = f"{council.name}: {gettext(language, KIND_WORDS[meeting.kind])}"
    if meeting.status == MeetingStatus.CANCELLED:
        summary = f"{gettext(language, CANCELLED_WORD)}: {summary}"
    event.add("summary", summary)
    event.add("location", meeting.place)
    if private and meeting.subject:
        event.add("description", meeting.subject)  # R-P6: the subject only to insiders
    cancelled = meeting.status == MeetingStatus.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    organizer = vCalAddress(ORGANIZER)
    organizer.params["cn"] = vText(council.name)
    event["organizer"] = organizer
    return event


def _calendar(method: str | None, name: str) -> Calendar:
    # icalendar (some 7 MB with its time-zone tables) is imported when a calendar is made, not
    # when the bot starts (issue 15): most processes send none between restarts.
    from icalendar import Calendar

    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", name)
    return calendar


async def meeting_ics(
    session: AsyncSession, *, meeting_id: int, language: str, now: datetime
) -> bytes:
    """The .ics a summons, a move or a cancellation carries: REQUEST, or CANCEL once cancelled."""
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        raise Refused("not_found", "no such meeting")
    council = await session.get(Council, meeting.council_id)
    assert council is not None
    method = "CANCEL" if meeting.status == MeetingStatus.CANCELLED else "REQUEST"
    calendar = _calendar(method, council.name)
    calendar.add_component(await _event(session, meeting, council, language, now, private=True))
    return bytes(calendar.to_ical())


async def plan_ics(
    session: AsyncSession, *, meeting_ids: Sequence[int], language: str, now: datetime
) -> bytes:
    """R-M1: the year's plan as one calendar file (PUBLISH): every meeting with the UID its summons,
    move or cancellation will carry later, so calendars update the same events."""
    meetings = (
        await session.exec(
            select(Meeting)
            .where(col(Meeting.id).in_(list(meeting_ids)))
            .order_by(col(Meeting.starts_at))
        )
    ).all()
    if not meetings:
        raise Refused("not_found", "no such meeting")
    council = await session.get(Council, meetings[0].council_id)
    assert council is not None
    calendar = _calendar("PUBLISH", council.name)
    for meeting in meetings:
        if meeting.council_id != council.id:
            continue  # a plan is one council's, whatever the ids say
        # The plan goes to substitutes too (dates only, R-P6): time, place and kind, no subject.
        calendar.add_component(
            await _event(session, meeting, council, language, now, private=False)
        )
    return bytes(calendar.to_ical())


def ics_file_name(meeting: Meeting) -> str:
    return f"meeting-{meeting.id}.ics"


# --- the private feed ----------------------------------------------------------------------------


async def calendar_feed_token(session: AsyncSession, *, actor: Actor, now: datetime) -> str:
    """`/kalender`: the person's feed token, made on first asking (the same one until revoked)."""
    actor.require(Action.VIEW_MEETINGS)
    found = (
        await session.exec(
            select(CalendarFeed).where(
                CalendarFeed.person_id == actor.person_id, col(CalendarFeed.revoked_at).is_(None)
            )
        )
    ).first()
    if found is not None:
        return found.token
    token = secrets.token_urlsafe(TOKEN_BYTES)
    session.add(CalendarFeed(token=token, person_id=actor.person_id, created_at=now))
    audit.record(
        session,
        now=now,
        action="calendar.issue",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"person:{actor.person_id}",
    )
    return token


async def revoke_calendar_feed(session: AsyncSession, *, actor: Actor, now: datetime) -> int:
    """The person's feed URL stops working (a leaked link); `/kalender` then gives a new one."""
    feeds = await session.exec(
        select(CalendarFeed).where(
            CalendarFeed.person_id == actor.person_id, col(CalendarFeed.revoked_at).is_(None)
        )
    )
    revoked = 0
    for feed in feeds.all():
        feed.revoked_at = now
        session.add(feed)
        revoked += 1
    audit.record(
        session,
        now=now,
        action="calendar.revoke",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        subject=f"person:{actor.person_id}",
        revoked=revoked,
    )
    return revoked


async def personal_feed(session: AsyncSession, *, token: str, now: datetime) -> bytes | None:
    """The feed behind a token: the person's own meetings; None for an unknown or revoked token."""
    feed = (
        await session.exec(
            select(CalendarFeed).where(
                CalendarFeed.token == token, col(CalendarFeed.revoked_at).is_(None)
            )
        )
    ).first()
    if feed is None:
        return None
    row = (
        await session.exec(
            select(Person, Membership, Council)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .join(Council, col(Council.id) == col(Person.council_id))
            .where(Person.id == feed.person_id)
        )
    ).first()
    if row is None:
        return None
    person, membership, council = row
    meetings = await _own_meetings(session, council.id or 0, person.id or 0, membership.role)
    calendar = _calendar("PUBLISH", council.name)
    for meeting in meetings:
        calendar.add_component(
            await _event(session, meeting, council, person.language, now, private=True)
        )
    return bytes(calendar.to_ical())


async def _own_meetings(
    session: AsyncSession, council_id: int, person_id: int, role: str
) -> Sequence[Meeting]:
    """R-P6: a member, observer or secretary has every meeting; a substitute those summoned to."""
    query = select(Meeting).where(Meeting.council_id == council_id)
    if role == MembershipRole.SUBSTITUTE:
        query = query.where(
            col(Meeting.id).in_(
                select(Attendance.meeting_id).where(
                    Attendance.substitute_id == person_id,
                    Attendance.status == AttendanceStatus.ABSENT,
                    col(Attendance.substitute_answer).in_(SUMMONED),
                )
            )
        )
    return (await session.exec(query.order_by(col(Meeting.starts_at)))).all()


async def plan_feed(session: AsyncSession, *, council: Council, now: datetime) -> bytes:
    """R-X1: the council's public meeting plan (time, place, kind; never a subject)."""
    meetings = await session.exec(
        select(Meeting).where(Meeting.council_id == council.id).order_by(col(Meeting.starts_at))
    )
    calendar = _calendar("PUBLISH", council.name)
    for meeting in meetings.all():
        calendar.add_component(
            await _event(session, meeting, council, council.language, now, private=False)
        )
    return bytes(calendar.to_ical())
