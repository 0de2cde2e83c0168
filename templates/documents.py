"""Documents rendered from the meeting's data: the agenda as HTML (for publishing, R-X1) and PDF."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from multiprocessing import get_context
from typing import Any

from templates.i18n import gettext, render, supported


def _(message: str) -> str:
    """Mark a msgid for extraction; translated where it is used."""
    return message


AGENDA_WORD = _("agenda")  # the agenda PDF's file name: dagsorden-2027-03-10-v1.pdf


def render_agenda_html(snapshot: dict[str, Any], language: str) -> str:
    """The agenda of one distributed version as a full HTML page (the same page is published)."""
    return render("documents/agenda.html.j2", language, agenda=snapshot)


def render_agenda_pdf(snapshot: dict[str, Any], language: str) -> bytes:
    """The agenda as a PDF, from the HTML page, with WeasyPrint."""
    from weasyprint import HTML  # imported here: loading pango costs a second at start-up

    pdf = HTML(string=render_agenda_html(snapshot, language)).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def render_agenda_pdfs_apart(
    snapshot: dict[str, Any], languages: Sequence[str]
) -> dict[str, bytes]:
    """The agenda's PDF in each language, rendered in a short-lived process of its own (spawned,
    so nothing of the bot is copied into it): WeasyPrint and pango, some 50 MB, never stay in the
    bot's memory, and every language costs one start-up, not one each. Blocks: call in a thread."""
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as worker:
        return worker.submit(_render_all, snapshot, tuple(languages)).result()


def _render_all(snapshot: dict[str, Any], languages: tuple[str, ...]) -> dict[str, bytes]:
    return {language: render_agenda_pdf(snapshot, language) for language in languages}


def agenda_file_name(snapshot: dict[str, Any], language: str) -> str:
    """'dagsorden-2027-03-10-v1.pdf' / 'agenda-2027-03-10-v1.pdf'."""
    day = datetime.fromisoformat(snapshot["starts_at"]).date().isoformat()
    word = gettext(supported(language), AGENDA_WORD)
    return f"{word}-{day}-v{snapshot['version']}.pdf"
