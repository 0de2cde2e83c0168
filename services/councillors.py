"""R-E3: the region's municipal councillors, imported from CSV; only they can be appointed."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.meeting_room import Councillor
from models.tables import Council
from services.errors import Refused

COLUMNS = ("name", "municipality", "party", "region")
REQUIRED = ("name", "municipality")


@dataclass(frozen=True)
class CouncillorRow:
    name: str
    municipality: str
    party: str | None
    region: str | None


def read_csv(
    text: str, columns: tuple[str, ...], required: tuple[str, ...]
) -> list[dict[str, str]]:
    """The rows of a CSV with a header, each cell stripped; the first error names its line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in required if c not in (reader.fieldnames or [])]
    if missing:
        raise Refused(
            "invalid_input",
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(columns)}",
        )
    rows = []
    for raw in reader:
        if not any((v or "").strip() for k, v in raw.items() if isinstance(v, str)):
            continue
        row = {c: (raw.get(c) or "").strip() for c in columns}
        for column in required:
            if not row[column]:
                raise Refused("invalid_input", f"line {reader.line_num}: the {column} is empty")
        row["line"] = str(reader.line_num)
        rows.append(row)
    if not rows:
        raise Refused("invalid_input", "the file has no rows")
    return rows


def parse_councillors_csv(text: str) -> list[CouncillorRow]:
    """R-E3: name, municipality, party, region (party and region may be empty)."""
    return [
        CouncillorRow(r["name"], r["municipality"], r["party"] or None, r["region"] or None)
        for r in read_csv(text, COLUMNS, REQUIRED)
    ]


async def import_councillors(
    session: AsyncSession, *, council: Council, rows: list[CouncillorRow], now: datetime
) -> tuple[int, int]:
    """R-E3: add new councillors and update known ones (by name and municipality); returns
    (added, updated). Nobody is removed: appointments keep pointing at who was appointed."""
    known = {
        (c.name.casefold(), c.municipality.casefold()): c
        for c in (
            await session.exec(select(Councillor).where(Councillor.council_id == council.id))
        ).all()
    }
    added = updated = 0
    for row in rows:
        found = known.get((row.name.casefold(), row.municipality.casefold()))
        if found is None:
            found = Councillor(
                council_id=council.id or 0,
                name=row.name,
                municipality=row.municipality,
                imported_at=now,
            )
            known[(row.name.casefold(), row.municipality.casefold())] = found
            added += 1
        else:
            updated += 1
        found.party, found.region, found.imported_at = row.party, row.region, now
        session.add(found)
    await session.flush()
    return added, updated


async def eligible(
    session: AsyncSession, council_id: int, name: str, municipality: str | None = None
) -> Councillor:
    """R-E3: the councillor of that name (and municipality), or a refusal saying why not."""
    # Compared in Python: SQLite's lower() knows only ASCII, and names have æ, ø and å.
    everyone = (
        await session.exec(select(Councillor).where(Councillor.council_id == council_id))
    ).all()
    if not everyone:
        raise Refused("no_councillors")
    wanted = name.strip().casefold()
    found = [c for c in everyone if c.name.casefold() == wanted]
    if municipality:
        found = [c for c in found if c.municipality.casefold() == municipality.strip().casefold()]
    if not found:
        raise Refused("not_a_councillor", name=name.strip())
    if len(found) > 1:
        raise Refused("councillor_ambiguous", name=name.strip())
    return found[0]
