"""The agenda's PDFs come from a short-lived worker process (issue 15), so WeasyPrint never stays in
the bot's memory. The other tests render in their own process (KKRBOT_PDF_WORKER=inline, set in
tests/conftest.py); this one runs the worker itself."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from templates.documents import AGENDA, render_pdfs_apart

SNAPSHOT = {  # as services/agenda_delivery.py stores a distributed version
    "council": "KKR Nordjylland",
    "meeting_id": 1,
    "kind": "ordinary",
    "starts_at": "2027-03-10T10:00:00+01:00",
    "place": "Aalborg Rådhus",
    "subject": None,
    "version": 1,
    "distributed_at": "2027-03-03T09:00:00+01:00",
    "distribution_deadline": "2027-03-03T23:59:00+01:00",
    "changes": None,
    "exception": None,
    "exception_automatic": False,
    "items": [
        {
            "id": 7,
            "number": 1,
            "title": "Fælles busplan",
            "description": "Regional kollektiv trafik",
            "proposer": "Anne Rasmussen",
            "late": False,
            "material": [],
        }
    ],
}


def test_the_worker_process_renders_the_agenda_in_every_language_asked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KKRBOT_PDF_WORKER", "process")
    pdfs = render_pdfs_apart(AGENDA, SNAPSHOT, ["da", "en"])
    assert sorted(pdfs) == ["da", "en"]
    texts = {lang: PdfReader(io.BytesIO(pdf)).pages[0].extract_text() for lang, pdf in pdfs.items()}
    assert all("Fælles busplan" in text for text in texts.values())
    assert "Dagsorden" in texts["da"] and "Agenda" in texts["en"]
