"""R-X1, R-P6: the council's public pages — the plan, published agendas and minutes only, closed
items never, nothing of an unpublished meeting by any URL; Danish or English; valid, accessible
HTML; the Atom and .ics feeds; the private calendar feed behind its token."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from xml.etree import ElementTree

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from services.calendar import calendar_feed_token, revoke_calendar_feed
from services.errors import Refused
from services.minutes import approve_minutes
from services.publishing import set_published
from services.publishing_setting import change_publish_setting
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MAYOR, MEMBER, SECRETARY, Council_, MinutesMeeting
from tests.integration.record_helpers import (
    BUDGET,
    LATE_ITEM,
    PERSONNEL,
    REASON,
    agenda_out,
)
from tests.integration.web_helpers import site, strict_html

SLUG = "kkr-nordjylland"
LATER = NOW + timedelta(days=30)


def _meeting_url(kkr: Council_, index: int = 0) -> str:
    return f"/{SLUG}/moede/{kkr.meetings[index]}/"


def _pdf_text(content: bytes) -> str:
    reader = PdfReader(BytesIO(content))
    return " ".join(" ".join(p.extract_text() for p in reader.pages).split())


async def _approved(kkr: Council_) -> None:
    await kkr.run(
        approve_minutes, actor=await kkr.actor(CHAIR), meeting_id=kkr.meetings[0], now=LATER
    )


def _all_urls(kkr: Council_, index: int = 0) -> list[str]:
    base = _meeting_url(kkr, index)
    return [base, f"{base}dagsorden.pdf", f"{base}referat.pdf"]


async def test_the_plan_lists_the_meetings_in_danish_and_english(kkr: Council_) -> None:
    async with site(kkr.sessions) as web:
        danish = await web.get(f"/{SLUG}/")
        english = await web.get(f"/{SLUG}/", params={"lang": "en"})
        browser = await web.get(f"/{SLUG}/", headers={"Accept-Language": "en-GB,en;q=0.9"})
        home = await web.get("/")
    assert danish.status_code == 200 and '<html lang="da">' in danish.text
    assert "Kommende møder" in danish.text and "Ikke offentliggjort" in danish.text
    assert '<html lang="en">' in english.text and "Coming meetings" in english.text
    assert '<html lang="en">' in browser.text
    assert f'href="/{SLUG}/"' in home.text
    assert "<script" not in danish.text


async def test_nothing_of_a_meeting_is_reachable_before_its_agenda_goes_out(
    kkr: Council_,
) -> None:
    async with site(kkr.sessions) as web:
        for index in range(len(kkr.meetings)):
            for url in _all_urls(kkr, index):
                assert (await web.get(url)).status_code == 404, url
        for guess in ("/kkr-nordjylland/moede/999/", "/kkr-andet/", "/kalender/guess.ics"):
            assert (await web.get(guess)).status_code == 404


async def test_a_distributed_agenda_is_published_without_the_closed_item(kkr: Council_) -> None:
    await agenda_out(kkr)
    async with site(kkr.sessions) as web:
        page = await web.get(_meeting_url(kkr))
        pdf = await web.get(f"{_meeting_url(kkr)}dagsorden.pdf")
        minutes = await web.get(f"{_meeting_url(kkr)}referat.pdf")
        plan = await web.get(f"/{SLUG}/")
    assert page.status_code == 200
    assert BUDGET in page.text and LATE_ITEM in page.text and REASON in page.text
    assert PERSONNEL not in page.text and "Lukket punkt" in page.text
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = _pdf_text(pdf.content)
    assert BUDGET in text and PERSONNEL not in text and "Lukket punkt" in text
    assert minutes.status_code == 404  # no minutes yet
    assert _meeting_url(kkr) in plan.text


async def test_withdrawn_by_hand_it_is_gone_and_published_by_hand_it_is_back(
    kkr: Council_,
) -> None:
    await agenda_out(kkr)
    secretary = await kkr.actor(SECRETARY)
    meeting = kkr.meetings[0]
    await kkr.run(
        set_published, actor=secretary, meeting_id=meeting, kind="agenda", published=False, now=NOW
    )
    async with site(kkr.sessions) as web:
        for url in _all_urls(kkr):
            assert (await web.get(url)).status_code == 404
        await kkr.run(
            set_published,
            actor=secretary,
            meeting_id=meeting,
            kind="agenda",
            published=True,
            now=NOW,
        )
        assert (await web.get(_meeting_url(kkr))).status_code == 200
    with pytest.raises(Refused, match="may not"):
        await kkr.run(
            set_published,
            actor=await kkr.actor(MEMBER),
            meeting_id=meeting,
            kind="agenda",
            published=True,
            now=NOW,
        )
    with pytest.raises(Refused) as refused:  # nothing to publish
        await kkr.run(
            set_published,
            actor=secretary,
            meeting_id=meeting,
            kind="minutes",
            published=True,
            now=NOW,
        )
    assert refused.value.code == "nothing_to_publish"


async def test_with_the_setting_off_the_agenda_waits_for_a_person_to_publish_it(
    kkr: Council_,
) -> None:
    await kkr.run(
        change_publish_setting,
        actor=await kkr.actor(SECRETARY),
        now=NOW,
        agenda_on_distribution=False,
    )
    await agenda_out(kkr)
    async with site(kkr.sessions) as web:
        assert (await web.get(_meeting_url(kkr))).status_code == 404
        await kkr.run(
            set_published,
            actor=await kkr.actor(CHAIR),
            meeting_id=kkr.meetings[0],
            kind="agenda",
            published=True,
            now=NOW,
        )
        assert (await web.get(_meeting_url(kkr))).status_code == 200


async def test_minutes_are_published_when_approved_never_with_closed_content_or_reasons(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    async with site(kkr.sessions) as web:
        before = await web.get(f"{_meeting_url(kkr)}referat.pdf")
        page_before = await web.get(_meeting_url(kkr))
        await _approved(kkr)
        page = await web.get(_meeting_url(kkr))
        pdf = await web.get(f"{_meeting_url(kkr)}referat.pdf")
    assert before.status_code == 404 and "Referat" not in page_before.text.split("<main")[1]
    assert page.status_code == 200 and "Budgettet godkendes." in page.text
    assert "Direktøren ansættes." not in page.text and PERSONNEL not in page.text
    assert MAYOR in page.text and "ferie" not in page.text  # absent, but not why
    text = _pdf_text(pdf.content)
    assert "Budgettet godkendes." in text and "Direktøren ansættes." not in text
    assert PERSONNEL not in text and "ferie" not in text and "Lukket punkt" in text


async def test_the_pages_are_valid_html_with_landmarks_headings_and_language(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    await _approved(kkr)
    async with site(kkr.sessions) as web:
        pages = [
            await web.get(url)
            for url in ("/", f"/{SLUG}/", _meeting_url(kkr), f"/{SLUG}/?lang=en", "/nowhere/")
        ]
    for page in pages:
        tree = strict_html(page.text)  # raises on any HTML5 parse error
        root = tree.getroot() if hasattr(tree, "getroot") else tree  # type: ignore[attr-defined]
        html = root if root.tag == "html" else root.find("html")
        assert html.get("lang") in ("da", "en")
        assert len(root.findall(".//h1")) == 1
        assert root.find(".//main") is not None and root.find(".//header") is not None
        assert root.find(".//nav[@aria-label]") is not None
        for table in root.findall(".//table"):
            assert table.find("caption") is not None
            assert all(th.get("scope") for th in table.findall(".//th"))
        for link in root.findall(".//a"):
            assert "".join(link.itertext()).strip(), "every link has text"
        assert root.find(".//script") is None


async def test_the_atom_feed_lists_published_documents_and_the_plan_is_a_calendar(
    kkr: Council_,
    minutes_meeting: MinutesMeeting,
) -> None:
    await _approved(kkr)
    async with site(kkr.sessions) as web:
        atom = await web.get(f"/{SLUG}/feed.atom")
        ics = await web.get(f"/{SLUG}/moedeplan.ics")
    feed = ElementTree.fromstring(atom.content)
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = feed.findall("a:entry", ns)
    assert len(entries) == 2  # the agenda and the minutes of the one meeting
    assert entries[0].find("a:title", ns).text.startswith("Referat")  # type: ignore[union-attr]
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == len(kkr.meetings)


async def test_the_private_calendar_feed_works_until_revoked(kkr: Council_) -> None:
    member = await kkr.actor(MEMBER)
    token = await kkr.run(calendar_feed_token, actor=member, now=NOW)
    async with site(kkr.sessions) as web:
        feed = await web.get(f"/kalender/{token}.ics")
        assert feed.status_code == 200 and feed.headers["cache-control"] == "private, no-store"
        assert len(Calendar.from_ical(feed.content).walk("VEVENT")) == len(kkr.meetings)
        await kkr.run(revoke_calendar_feed, actor=member, now=NOW)
        assert (await web.get(f"/kalender/{token}.ics")).status_code == 404


async def test_the_secretariat_sees_what_is_published_of_each_meeting(
    kkr: Council_, minutes_meeting: MinutesMeeting
) -> None:
    from services.publishing import publication_status

    secretary = await kkr.actor(SECRETARY)
    [status] = await kkr.run(publication_status, actor=secretary, now=LATER)
    assert status.has_agenda and not status.has_minutes  # a draft is nothing to publish
    assert status.meeting.agenda_version == 1 and status.meeting.minutes_version is None
    await _approved(kkr)
    [status] = await kkr.run(publication_status, actor=secretary, now=LATER)
    assert status.has_minutes and status.meeting.minutes_version == 1
    with pytest.raises(Refused, match="may not"):
        await kkr.run(publication_status, actor=await kkr.actor(MEMBER), now=LATER)
