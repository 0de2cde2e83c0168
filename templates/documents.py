"""Documents rendered from the meeting's data: the agenda and the minutes as HTML (for publishing,
R-X1) and PDF; the bot has its PDFs made by a worker process (render_pdfs_apart)."""

from __future__ import annotations

import json
import os
import pickle
import subprocess
import sys
from collections.abc import Sequence
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


AGENDA, MINUTES = "agenda", "minutes"  # the documents the PDF worker renders


def render_pdfs_apart(
    kind: str, snapshot: dict[str, Any], languages: Sequence[str], *, public: bool = False
) -> dict[str, bytes]:
    """The agenda's or the minutes' PDF (`kind`) in each language, rendered by a short-lived
    process of its own (`python -m templates.documents`): WeasyPrint and pango, some 50 MB, never
    stay in the bot's memory, and every language costs one start-up, not one each. Blocks: call it
    in a thread.

    `KKRBOT_PDF_WORKER=inline` renders in the calling process instead: the tests do, where a
    start-up of two seconds per document costs more than the memory."""
    if os.environ.get("KKRBOT_PDF_WORKER", "process") == "inline":
        return _render(kind, snapshot, languages, public=public)
    request = json.dumps(
        {"kind": kind, "snapshot": snapshot, "languages": list(languages), "public": public}
    )
    done = subprocess.run(
        [sys.executable, "-m", "templates.documents"],
        input=request.encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"the PDF worker failed: {done.stderr.decode(errors='replace')[-2000:]}")
    rendered: dict[str, bytes] = pickle.loads(done.stdout)
    return rendered


def _worker() -> None:
    """The worker's side: a request as JSON on stdin, the PDFs by language pickled on stdout."""
    request = json.load(sys.stdin)
    pdfs = _render(
        request["kind"], request["snapshot"], request["languages"], public=request["public"]
    )
    sys.stdout.buffer.write(pickle.dumps(pdfs))


def _render(
    kind: str, snapshot: dict[str, Any], languages: Sequence[str], *, public: bool
) -> dict[str, bytes]:
    render = {AGENDA: render_agenda_pdf, MINUTES: render_minutes_pdf}[kind]
    return {language: render(snapshot, language, public=public) for language in languages}


if __name__ == "__main__":
    _worker()
