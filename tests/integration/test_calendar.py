"""Calendars: .ics per meeting (REQUEST/CANCEL, stable UID, SEQUENCE raised on change), the private
feed behind a revocable token, the public plan without subjects (R-P6)."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from models.tables import Council
from services.calendar import (
    calendar_feed_token,
    meeting_ics,
    personal_feed,
    plan_feed,
    revoke_calendar_feed,
)
from services.meeting_plan import cancel_meeting, move_meeting
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SUBSTITUTE, Council_


async def _ics(kkr: Council_, index: int = 0) -> Calendar:
    data = await kkr.run(meeting_ics, meeting_id=kkr.meetings[index], language="da", now=NOW)
    return Calendar.from_ical(data)


def _event(calendar: Calendar):  # type: ignore[no-untyped-def]
    (event,) = calendar.walk("VEVENT")
    return event


async def test_a_meeting_is_a_request_with_a_stable_uid_and_sequence_zero(kkr: Council_) -> None:
    calendar = await _ics(kkr)
    assert str(calendar["METHOD"]) == "REQUEST"
    event = _event(calendar)
    assert str(event["UID"]) == f"meeting-{kkr.meetings[0]}@kkr-nordjylland.kkrbot"
    assert int(event["SEQUENCE"]) == 0
    meeting = await kkr.meeting()
    assert event.decoded("DTSTART") == meeting.starts_at
    assert str(event["LOCATION"]) == meeting.place
    assert "Ordinært møde" in str(event["SUMMARY"])
    assert int(_event(await _ics(kkr))["SEQUENCE"]) == 0  # nothing changed: the same sequence


async def test_moving_raises_the_sequence_and_cancelling_sends_a_cancel(kkr: Council_) -> None:
    before = _event(await _ics(kkr))
    chair = await kkr.actor(CHAIR)
    meeting = await kkr.meeting()
    await kkr.run(
        move_meeting,
        actor=chair,
        meeting_id=meeting.id,
        starts_at=meeting.starts_at + timedelta(days=1),
        now=NOW,
    )
    moved = _event(await _ics(kkr))
    assert str(moved["UID"]) == str(before["UID"]) and int(moved["SEQUENCE"]) == 1
    assert moved.decoded("DTSTART") == meeting.starts_at + timedelta(days=1)
    await kkr.run(cancel_meeting, actor=chair, meeting_id=meeting.id, now=NOW)
    cancelled = await _ics(kkr)
    assert str(cancelled["METHOD"]) == "CANCEL"
    event = _event(cancelled)
    assert str(event["UID"]) == str(before["UID"]) and int(event["SEQUENCE"]) == 2
    assert str(event["STATUS"]) == "CANCELLED"


async def test_a_private_feed_lists_the_persons_meetings_until_revoked(kkr: Council_) -> None:
    member = await kkr.actor(MEMBER)
    token = await kkr.run(calendar_feed_token, actor=member, now=NOW)
    assert len(token) >= 32
    assert await kkr.run(calendar_feed_token, actor=member, now=NOW) == token  # the same link
    feed = Calendar.from_ical(await kkr.run(personal_feed, token=token, now=NOW))
    assert len(feed.walk("VEVENT")) == len(kkr.meetings)
    assert await kkr.run(revoke_calendar_feed, actor=member, now=NOW) == 1
    assert await kkr.run(personal_feed, token=token, now=NOW) is None
    assert await kkr.run(personal_feed, token="guessed", now=NOW) is None
    assert await kkr.run(calendar_feed_token, actor=member, now=NOW) != token


async def test_a_substitute_not_summoned_has_no_meetings_in_their_feed(kkr: Council_) -> None:
    token = await kkr.run(calendar_feed_token, actor=await kkr.actor(SUBSTITUTE), now=NOW)
    feed = Calendar.from_ical(await kkr.run(personal_feed, token=token, now=NOW))
    assert feed.walk("VEVENT") == []


async def test_the_public_plan_shows_no_subject_but_the_private_feed_does(kkr: Council_) -> None:
    await kkr.set_meeting(0, subject="Fortrolig sag om budget")
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        public = await plan_feed(session, council=council, now=NOW)
    assert b"Fortrolig" not in public
    assert len(Calendar.from_ical(public).walk("VEVENT")) == len(kkr.meetings)
    token = await kkr.run(calendar_feed_token, actor=await kkr.actor(MEMBER), now=NOW)
    assert b"Fortrolig" in await kkr.run(personal_feed, token=token, now=NOW)


async def _plan_events(kkr: Council_) -> dict[str, object]:
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        public = await plan_feed(session, council=council, now=NOW)
    return {str(e["UID"]): e for e in Calendar.from_ical(public).walk("VEVENT")}


async def test_an_event_lasts_the_councils_meeting_length_and_follows_a_change_of_it(
    kkr: Council_,
) -> None:
    from services.councils import CouncilSettings, change_settings

    meeting = await kkr.meeting()
    event = _event(await _ics(kkr))
    assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(hours=3)  # the default
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        await change_settings(
            session,
            council=council,
            changes=CouncilSettings(meeting_length_minutes=150),
            now=NOW,
        )
    longer = _event(await _ics(kkr))
    assert longer.decoded("DTEND") == meeting.starts_at + timedelta(minutes=150)
    assert int(longer["SEQUENCE"]) == 1  # calendars take the new end
    planned = (await _plan_events(kkr))[str(longer["UID"])]
    assert planned.decoded("DTEND") == meeting.starts_at + timedelta(minutes=150)  # type: ignore[attr-defined]


async def test_a_held_meeting_ends_in_calendars_when_it_closed(kkr: Council_) -> None:
    from tests.integration.record_helpers import held

    await held(kkr)
    meeting = await kkr.meeting()
    assert meeting.closed_at is not None
    event = _event(await _ics(kkr))
    assert event.decoded("DTEND") == meeting.closed_at
    token = await kkr.run(calendar_feed_token, actor=await kkr.actor(MEMBER), now=NOW)
    feed = Calendar.from_ical(await kkr.run(personal_feed, token=token, now=NOW))
    [own] = [e for e in feed.walk("VEVENT") if str(e["UID"]) == str(event["UID"])]
    assert own.decoded("DTEND") == meeting.closed_at
