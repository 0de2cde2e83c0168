"""The council's public pages (R-X1, R-P6): Starlette, server-rendered, no JavaScript.

Every route asks services.publishing for what it may show; an unpublished meeting, a withdrawn
document or a closed item's content never reaches a page, whatever URL is guessed. The private
calendar feed is reached only through its secret token. Imports services and templates, never bot.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any
from xml.etree import ElementTree

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from models.db import SessionFactory
from models.tables import Council
from models.unit_of_work import unit_of_work
from services.calendar import personal_feed, plan_feed
from services.publishing import (
    AGENDA,
    MINUTES,
    public_agenda,
    public_council,
    public_councils,
    public_feed,
    public_meeting,
    public_minutes,
    public_pdf,
    public_plan,
)
from templates.i18n import gettext, render
from web.language import choose_language

HEADERS = {
    # No script, no frames, nothing from elsewhere; the inline stylesheet is the only exception.
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",  # a private feed URL must not leak through a referrer
}
PDF_NAMES = {"dagsorden.pdf": AGENDA, "referat.pdf": MINUTES}
ATOM = "http://www.w3.org/2005/Atom"


def _(message: str) -> str:
    return message


NOT_FOUND = _("Not found")


def create_app(
    sessions: SessionFactory,
    *,
    base_url: str = "",
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The public site; `base_url` makes absolute links for feeds (behind a reverse proxy).
    `extra_routes` (the operator's: health, metrics, the webhook) are matched first."""

    def page(request: Request, template: str, status: int = 200, **context: Any) -> Response:
        language = choose_language(request)
        query = "?lang=en" if request.query_params.get("lang") == "en" else ""
        if request.query_params.get("lang") == "da":
            query = "?lang=da"
        html = render(
            f"web/{template}",
            language,
            path=request.url.path,
            query=query,
            **context,
        )
        return HTMLResponse(html, status_code=status, headers=HEADERS)

    def not_found(request: Request) -> Response:
        return page(request, "not_found.html.j2", status=404)

    async def council_of(request: Request) -> Council | None:
        async with unit_of_work(sessions, write=False) as session:
            return await public_council(session, request.path_params["slug"])

    async def home(request: Request) -> Response:
        async with unit_of_work(sessions, write=False) as session:
            councils = await public_councils(session)
        return page(request, "home.html.j2", councils=councils)

    async def plan(request: Request) -> Response:
        async with unit_of_work(sessions, write=False) as session:
            council = await public_council(session, request.path_params["slug"])
            if council is None:
                return not_found(request)
            meetings = await public_plan(session, council)
        now = clock()
        coming = [m for m in meetings if m.starts_at >= now and not m.held][::-1]
        past = [m for m in meetings if m not in coming]
        return page(request, "plan.html.j2", council=council, coming=coming, past=past)

    async def meeting(request: Request) -> Response:
        meeting_id = request.path_params["meeting_id"]
        async with unit_of_work(sessions, write=False) as session:
            council = await public_council(session, request.path_params["slug"])
            shown = await public_meeting(session, council, meeting_id) if council else None
            if council is None or shown is None:
                return not_found(request)
            agenda = await public_agenda(session, council, meeting_id)
            minutes = await public_minutes(session, council, meeting_id)
        return page(
            request,
            "meeting.html.j2",
            council=council,
            meeting=shown,
            agenda=agenda,
            minutes=minutes,
        )

    async def pdf(request: Request) -> Response:
        kind = PDF_NAMES.get(request.path_params["name"])
        async with unit_of_work(sessions, write=False) as session:
            council = await public_council(session, request.path_params["slug"])
            found = None
            if council is not None and kind is not None:
                found = await public_pdf(
                    session,
                    council,
                    request.path_params["meeting_id"],
                    kind,
                    choose_language(request, council.language),
                )
        if found is None:
            return not_found(request)
        name, content = found
        return Response(
            content,
            media_type="application/pdf",
            headers={**HEADERS, "Content-Disposition": f'inline; filename="{name}"'},
        )

    async def plan_ics(request: Request) -> Response:
        async with unit_of_work(sessions) as session:  # the event's SEQUENCE may be raised
            council = await public_council(session, request.path_params["slug"])
            if council is None:
                return not_found(request)
            content = await plan_feed(session, council=council, now=clock())
        return Response(content, media_type="text/calendar; charset=utf-8", headers=HEADERS)

    async def private_ics(request: Request) -> Response:
        async with unit_of_work(sessions) as session:  # the event's SEQUENCE may be raised
            content = await personal_feed(session, token=request.path_params["token"], now=clock())
        if content is None:
            return PlainTextResponse("Not found", status_code=404, headers=HEADERS)
        return Response(
            content,
            media_type="text/calendar; charset=utf-8",
            headers={**HEADERS, "Cache-Control": "private, no-store"},
        )

    async def atom(request: Request) -> Response:
        async with unit_of_work(sessions, write=False) as session:
            council = await public_council(session, request.path_params["slug"])
            if council is None:
                return not_found(request)
            entries = await public_feed(session, council)
        language = choose_language(request, council.language)
        root = base_url.rstrip("/") or str(request.base_url).rstrip("/")
        content = _atom(council, entries, language, root, clock())
        return Response(content, media_type="application/atom+xml", headers=HEADERS)

    routes = [
        *extra_routes,
        Route("/", home),
        Route("/{slug}/", plan),
        Route("/{slug}/moede/{meeting_id:int}/", meeting),
        Route("/{slug}/moede/{meeting_id:int}/{name}", pdf),
        Route("/{slug}/moedeplan.ics", plan_ics),
        Route("/{slug}/feed.atom", atom),
        Route("/kalender/{token}.ics", private_ics),
    ]

    async def on_404(request: Request, exc: Exception) -> Response:
        return not_found(request)

    return Starlette(routes=routes, exception_handlers={404: on_404})


def _atom(council: Council, entries: list[Any], language: str, root: str, now: datetime) -> bytes:
    """R-X1: an Atom feed of the documents as they are published."""
    ElementTree.register_namespace("", ATOM)
    feed = ElementTree.Element(f"{{{ATOM}}}feed", {"xml:lang": language})
    plan_url = f"{root}/{council.slug}/"

    def sub(parent: ElementTree.Element, tag: str, text: str | None = None, **attrs: str) -> None:
        element = ElementTree.SubElement(parent, f"{{{ATOM}}}{tag}", attrs)
        element.text = text

    sub(feed, "id", plan_url)
    sub(feed, "title", council.name)
    sub(feed, "updated", (entries[0].at if entries else now).isoformat())
    sub(feed, "link", href=plan_url)
    sub(feed, "link", rel="self", href=f"{plan_url}feed.atom")
    author = ElementTree.SubElement(feed, f"{{{ATOM}}}author")
    sub(author, "name", council.name)
    for entry in entries:
        item = ElementTree.SubElement(feed, f"{{{ATOM}}}entry")
        page_url = f"{plan_url}moede/{entry.meeting.id}/"
        word = gettext(language, "Agenda" if entry.kind == AGENDA else "Minutes")
        day = entry.meeting.starts_at.date().isoformat()
        sub(item, "id", f"{page_url}#{entry.kind}-{entry.version}")
        sub(item, "title", f"{word} {day}, {entry.meeting.place} (v{entry.version})")
        sub(item, "updated", entry.at.isoformat())
        sub(item, "link", href=page_url)
        pdf = "dagsorden.pdf" if entry.kind == AGENDA else "referat.pdf"
        sub(item, "link", rel="enclosure", type="application/pdf", href=f"{page_url}{pdf}")
    return bytes(ElementTree.tostring(feed, encoding="utf-8", xml_declaration=True))
