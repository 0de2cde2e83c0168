"""R-X3: the attendance export for allowances — one row per person per meeting, totals per person."""

from __future__ import annotations

import csv
from datetime import date, timedelta
from io import BytesIO, StringIO

import pytest
from openpyxl import load_workbook

from services.attendance_export import (
    ABSENT,
    IN_PERSON,
    SUBSTITUTE,
    attendance_export,
    to_csv,
    to_xlsx,
)
from services.errors import Refused
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, VICE, Council_
from tests.integration.conftest import SUBSTITUTE as STOOD_IN
from tests.integration.record_helpers import held

DANISH_COLUMNS = [
    "Dato",
    "Møde",
    "Navn",
    "Kommune",
    "Rolle",
    "Fremmøde",
    "Stedfortræder for",
    "Ankomst",
    "Afgang",
    "Mødets varighed (timer)",
    "Tid til stede (timer)",
]


async def _export(kkr: Council_, by: str = SECRETARY):  # type: ignore[no-untyped-def]
    return await kkr.run(
        attendance_export,
        council_id=kkr.council_id,
        start=NOW.date(),
        end=NOW.date() + timedelta(days=365),
        actor=await kkr.actor(by),
        now=NOW,
    )


async def test_each_seat_of_a_held_meeting_is_a_row_with_who_attended_it(kkr: Council_) -> None:
    day = await held(kkr)
    export = await _export(kkr)
    assert len(export.rows) == 22  # one per member's seat; the second meeting is not held yet
    rows = {row.name: row for row in export.rows}
    stood_in = rows[STOOD_IN]
    assert stood_in.attendance == SUBSTITUTE and stood_in.substitute_for == MEMBER
    assert stood_in.role == "substitute" and stood_in.municipality
    assert stood_in.arrived is not None and stood_in.present_minutes == 180 - 10
    assert MEMBER not in rows  # the seat was hers; the substitute attended it
    vice = rows[VICE]
    assert vice.attendance == IN_PERSON and vice.present_minutes == 60 - 2
    assert rows[CHAIR].meeting_minutes == 180 and rows[CHAIR].present_minutes == 180  # opened it
    assert rows["Anders Gade"].attendance == ABSENT and rows["Anders Gade"].arrived is None
    assert all(row.day == (day + timedelta(hours=1)).date() for row in export.rows)


async def test_the_totals_equal_the_rows(kkr: Council_) -> None:
    await held(kkr)
    export = await _export(kkr)
    attended = [row for row in export.rows if row.attendance != ABSENT]
    assert sum(t.meetings for t in export.totals) == len(attended) == 3
    assert sum(t.present_minutes for t in export.totals) == sum(r.present_minutes for r in attended)
    assert sum(t.as_substitute for t in export.totals) == 1


async def test_the_xlsx_opens_with_the_expected_columns_and_a_sheet_of_totals(
    kkr: Council_,
) -> None:
    await held(kkr)
    export = await _export(kkr)
    book = load_workbook(BytesIO(to_xlsx(export)))
    assert book.sheetnames == ["Fremmøde", "I alt"]
    rows = list(book["Fremmøde"].iter_rows(values_only=True))
    assert list(rows[0]) == DANISH_COLUMNS
    assert len(rows) == 1 + len(export.rows)
    by_name = {r[2]: r for r in rows[1:]}
    assert by_name[STOOD_IN][5] == "Som stedfortræder" and by_name[STOOD_IN][6] == MEMBER
    totals = list(book["I alt"].iter_rows(values_only=True))
    assert totals[0][:3] == ("Navn", "Kommune", "Møder med fremmøde")
    assert sum(t[2] for t in totals[1:]) == sum(1 for r in rows[1:] if r[5] != "Ikke til stede")
    present_hours = sum(r[10] for r in rows[1:])
    assert sum(t[5] for t in totals[1:]) == pytest.approx(present_hours)


async def test_the_csv_is_semicolon_separated_with_the_totals_after_the_rows(
    kkr: Council_,
) -> None:
    await held(kkr)
    export = await _export(kkr)
    data = to_csv(export)
    assert data.startswith("\ufeff".encode())
    lines = list(csv.reader(StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert lines[0] == DANISH_COLUMNS
    blank = lines.index([])
    assert blank == 1 + len(export.rows)
    assert lines[blank + 1][0] == "Navn" and len(lines) == blank + 2 + len(export.totals)


async def test_only_the_secretariat_exports_and_a_backwards_period_is_refused(
    kkr: Council_,
) -> None:
    with pytest.raises(Refused, match="may not"):
        await _export(kkr, by=MEMBER)
    with pytest.raises(Refused) as refused:
        await kkr.run(
            attendance_export,
            council_id=kkr.council_id,
            start=date(2027, 1, 2),
            end=date(2027, 1, 1),
            actor=await kkr.actor(SECRETARY),
            now=NOW,
        )
    assert refused.value.code == "export_period"


async def test_a_period_without_meetings_held_exports_only_headers(kkr: Council_) -> None:
    export = await _export(kkr)
    assert export.rows == [] and export.totals == []
    assert load_workbook(BytesIO(to_xlsx(export)))["Fremmøde"].max_row == 1
