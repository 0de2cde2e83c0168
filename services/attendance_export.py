"""R-X3: the attendance of a council's meetings in a period, as the basis for allowances (diæter) and
travel claims (kørselsgodtgørelse): one row per person per meeting and totals per person, as CSV
(semicolon-separated, as Danish spreadsheets read it) or XLSX (a sheet of rows, a sheet of totals).

Who attended, and for whom, is the attendance record of each closed meeting (R-Q4,
services.attendance_record); this module only lays it out.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO, StringIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MeetingStatus, MembershipRole
from models.tables import Council, Meeting, Membership, Municipality, Person
from procedure.permissions import Action
from procedure.quorum import attendance_record
from services.actors import Actor
from services.attendance_record import attendance_picture
from services.errors import Refused
from services.seats import load_seats
from templates.i18n import gettext

IN_PERSON = "in_person"
SUBSTITUTE = "substitute"
ABSENT = "absent"
MAX_DAYS = 5 * 366  # a period longer than a council's term is a typo


def _(message: str) -> str:
    """Mark a msgid for extraction; translated where it is used."""
    return message


ROW_COLUMNS = (
    _("Date"),
    _("Meeting"),
    _("Name"),
    _("Municipality"),
    _("Role"),
    _("Attendance"),
    _("Substitute for"),
    _("Arrived"),
    _("Left"),
    _("Meeting duration (hours)"),
    _("Time present (hours)"),
)
TOTAL_COLUMNS = (
    _("Name"),
    _("Municipality"),
    _("Meetings attended"),
    _("Of these as substitute"),
    _("Meeting hours"),
    _("Hours present"),
)
ATTENDANCE_WORDS = {
    IN_PERSON: _("In person"),
    SUBSTITUTE: _("As substitute"),
    ABSENT: _("Not present"),
}
WORDS = {
    MembershipRole.MAYOR: _("Mayor"),
    MembershipRole.MEMBER: _("Member"),
    MembershipRole.SUBSTITUTE: _("Substitute"),
    "rows": _("Attendance"),
    "totals": _("Totals"),
    "ordinary": _("Ordinary meeting"),
    "extraordinary": _("Extraordinary meeting"),
}


@dataclass(frozen=True)
class ExportRow:
    """One person at one meeting (R-X3); an absent member's row has no times."""

    meeting_id: int
    day: date
    meeting: str  # kind and place, as the payroll office reads it
    person_id: int
    name: str
    municipality: str
    role: str
    attendance: str  # IN_PERSON, SUBSTITUTE or ABSENT
    substitute_for: str | None
    arrived: datetime | None  # in the council's zone
    left: datetime | None
    meeting_minutes: int
    present_minutes: int


@dataclass(frozen=True)
class PersonTotal:
    """R-X3: what one person is owed allowances for in the period."""

    person_id: int
    name: str
    municipality: str
    meetings: int
    as_substitute: int
    meeting_minutes: int
    present_minutes: int


@dataclass(frozen=True)
class AttendanceExport:
    council: str
    language: str
    start: date
    end: date
    rows: list[ExportRow]
    totals: list[PersonTotal]


async def attendance_export(
    session: AsyncSession,
    *,
    council_id: int,
    start: date,
    end: date,
    actor: Actor,
    now: datetime,
) -> AttendanceExport:
    """R-X3: the closed meetings held from `start` to `end` (local dates, both included), for the
    council's secretariat (the CLI acts as its first member)."""
    actor.require(Action.EXPORT_ATTENDANCE)
    if actor.council_id != council_id:
        raise Refused("not_found", "no such council")
    if end < start or (end - start).days > MAX_DAYS:
        raise Refused("export_period", start=start.isoformat(), end=end.isoformat())
    council = await session.get(Council, council_id)
    if council is None:
        raise Refused("not_found", "no such council")
    tz = ZoneInfo(council.timezone)
    people = await _people(session, council_id)
    rows: list[ExportRow] = []
    for meeting in await _closed_meetings(session, council_id, now):
        if start <= meeting.starts_at.astimezone(tz).date() <= end:
            rows += await _meeting_rows(session, meeting, tz, council.language, people)
    return AttendanceExport(council.name, council.language, start, end, rows, totals(rows))


async def _closed_meetings(session: AsyncSession, council_id: int, now: datetime) -> list[Meeting]:
    found = await session.exec(
        select(Meeting)
        .where(Meeting.council_id == council_id, Meeting.status == MeetingStatus.CLOSED)
        .order_by(col(Meeting.starts_at))
    )
    return list(found.all())


async def _people(session: AsyncSession, council_id: int) -> dict[int, tuple[str, str]]:
    """Person id -> (municipality, role)."""
    found = await session.exec(
        select(Person, Membership, Municipality)
        .join(Membership, col(Membership.person_id) == col(Person.id))
        .join(Municipality, col(Municipality.id) == col(Person.municipality_id), isouter=True)
        .where(Person.council_id == council_id)
    )
    return {
        person.id or 0: (municipality.name if municipality else "", membership.role)
        for person, membership, municipality in found.all()
    }


async def _meeting_rows(
    session: AsyncSession,
    meeting: Meeting,
    tz: ZoneInfo,
    language: str,
    people: dict[int, tuple[str, str]],
) -> list[ExportRow]:
    seats = await load_seats(session, meeting)
    record = attendance_record(attendance_picture(seats))
    began = meeting.opened_at or meeting.starts_at
    ended = meeting.closed_at or began
    meeting_minutes = _minutes(began, ended)
    title = f"{gettext(language, WORDS[meeting.kind])}, {meeting.place}"
    rows = []
    for member in seats.members:
        row = seats.rows.get(member)
        substitute = record.substituted.get(member)
        if member in record.in_person:
            person, attendance, stood_for = member, IN_PERSON, None
        elif substitute is not None:
            person, attendance, stood_for = substitute, SUBSTITUTE, seats.name(member)
        else:
            person, attendance, stood_for = member, ABSENT, None
        came = attendance != ABSENT and row is not None
        arrived = row.arrived_at if came and row else None
        left = (row.left_at or ended) if came and row else None
        municipality, role = people.get(person, ("", ""))
        rows.append(
            ExportRow(
                meeting_id=meeting.id or 0,
                day=meeting.starts_at.astimezone(tz).date(),
                meeting=title,
                person_id=person,
                name=seats.name(person),
                municipality=municipality,
                role=role,
                attendance=attendance,
                substitute_for=stood_for,
                arrived=arrived.astimezone(tz) if arrived else None,
                left=left.astimezone(tz) if left and arrived else None,
                meeting_minutes=meeting_minutes,
                present_minutes=_minutes(arrived, left) if arrived and left else 0,
            )
        )
    return rows


def _minutes(start: datetime, end: datetime) -> int:
    return max(0, round((end - start).total_seconds() / 60))


def totals(rows: list[ExportRow]) -> list[PersonTotal]:
    """R-X3: per person who attended, the sums of their rows (absences earn nothing)."""
    sums: dict[int, PersonTotal] = {}
    for row in rows:
        if row.attendance == ABSENT:
            continue
        before = sums.get(row.person_id) or PersonTotal(
            row.person_id, row.name, row.municipality, 0, 0, 0, 0
        )
        sums[row.person_id] = PersonTotal(
            person_id=row.person_id,
            name=row.name,
            municipality=row.municipality,
            meetings=before.meetings + 1,
            as_substitute=before.as_substitute + (row.attendance == SUBSTITUTE),
            meeting_minutes=before.meeting_minutes + row.meeting_minutes,
            present_minutes=before.present_minutes + row.present_minutes,
        )
    return sorted(sums.values(), key=lambda t: (t.municipality, t.name))


# --- the files ---------------------------------------------------------------------------------


def _hours(minutes: int) -> float:
    return round(minutes / 60, 2)


def _time(moment: datetime | None) -> str:
    return moment.strftime("%H:%M") if moment else ""


def _row_values(row: ExportRow, language: str) -> list[object]:
    return [
        row.day,
        row.meeting,
        row.name,
        row.municipality,
        gettext(language, WORDS[row.role]) if row.role in WORDS else row.role,
        gettext(language, ATTENDANCE_WORDS[row.attendance]),
        row.substitute_for or "",
        _time(row.arrived),
        _time(row.left),
        _hours(row.meeting_minutes),
        _hours(row.present_minutes),
    ]


def _total_values(total: PersonTotal) -> list[object]:
    return [
        total.name,
        total.municipality,
        total.meetings,
        total.as_substitute,
        _hours(total.meeting_minutes),
        _hours(total.present_minutes),
    ]


def _header(columns: tuple[str, ...], language: str) -> list[str]:
    return [gettext(language, c) for c in columns]


def to_csv(export: AttendanceExport) -> bytes:
    """The rows, a blank line, then the totals; UTF-8 with a BOM and ';' so Excel opens it right."""
    language = export.language
    decimal = "," if language == "da" else "."
    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")

    def cell(value: object) -> object:
        return str(value).replace(".", decimal) if isinstance(value, float) else value

    writer.writerow(_header(ROW_COLUMNS, language))
    for row in export.rows:
        writer.writerow([cell(v) for v in _row_values(row, language)])
    writer.writerow([])
    writer.writerow(_header(TOTAL_COLUMNS, language))
    for total in export.totals:
        writer.writerow([cell(v) for v in _total_values(total)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def to_xlsx(export: AttendanceExport) -> bytes:
    """Two sheets: one row per person per meeting, and the totals per person."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    language = export.language
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext(language, WORDS["rows"])
    sheet.append(_header(ROW_COLUMNS, language))
    for row in export.rows:
        sheet.append(_row_values(row, language))
    for cell in sheet["A"][1:]:
        cell.number_format = "yyyy-mm-dd"
    summary = book.create_sheet(gettext(language, WORDS["totals"]))
    summary.append(_header(TOTAL_COLUMNS, language))
    for total in export.totals:
        summary.append(_total_values(total))
    for each in (sheet, summary):
        for cell in each[1]:
            cell.font = Font(bold=True)
        each.freeze_panes = "A2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def export_file_name(export: AttendanceExport, file_format: str) -> str:
    """'fremmoede-2027-01-01-2027-06-30.xlsx'."""
    word = gettext(export.language, _("attendance"))
    return f"{word}-{export.start.isoformat()}-{export.end.isoformat()}.{file_format}"
