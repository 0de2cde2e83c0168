"""Documents rendered from the meeting's data: the agenda as HTML (for publishing, R-X1) and PDF."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from templates.i18n import gettext, render, supported


def _(message: str) -> str:
    """Mark a msgid for extraction; translated where it is used."""
    return message


AGENDA_WORD = _("agenda")  # the agenda PDF's file name: dagsorden-2027-03-10-v1.pdf


def render_agenda_html(snapshot: dict[str, Any], language: str, *, public: bool = False) -> str:
    """The agenda of one distributed version as a full HTML page (the same page is published)."""
    return render("documents/agenda.html.j2", language, agenda=snapshot, public=public)


def render_agenda_pdf(snapshot: dict[str, Any], language: str, *, public: bool = False) -> bytes:
    """The agenda as a PDF, from the HTML page, with WeasyPrint."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    pdf = HTML(string=render_agenda_html(snapshot, language, public=public)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def agenda_file_name(snapshot: dict[str, Any], language: str) -> str:
    """'dagsorden-2027-03-10-v1.pdf' / 'agenda-2027-03-10-v1.pdf'."""
    day = datetime.fromisoformat(snapshot["starts_at"]).date().isoformat()
    word = gettext(supported(language), AGENDA_WORD)
    return f"{word}-{day}-v{snapshot['version']}.pdf"


MINUTES_WORD = _("minutes")  # the minutes PDF's file name: referat-2027-03-10-v1.pdf
CLOSED_ITEM = _("Closed item")


def render_minutes_html(snapshot: dict[str, Any], language: str, *, public: bool = False) -> str:
    """The minutes of one version as a full HTML page, in the agenda's house style."""
    return render("documents/minutes.html.j2", language, minutes=snapshot, public=public)


def render_minutes_pdf(snapshot: dict[str, Any], language: str, *, public: bool = False) -> bytes:
    """The minutes as a PDF, from the HTML page, with WeasyPrint."""
    from weasyprint import HTML

    pdf = HTML(string=render_minutes_html(snapshot, language, public=public)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def minutes_file_name(snapshot: dict[str, Any], language: str) -> str:
    """'referat-2027-03-10-v1.pdf' / 'minutes-2027-03-10-v1.pdf'."""
    day = datetime.fromisoformat(snapshot["starts_at"]).date().isoformat()
    word = gettext(supported(language), MINUTES_WORD)
    return f"{word}-{day}-v{snapshot['version']}.pdf"
