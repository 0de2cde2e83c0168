"""Reading the secretariat's spreadsheets: CSV as Danish Excel saves it (semicolons, UTF-8 with a
byte-order mark or Windows-1252) as well as plain comma-separated UTF-8."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass

from services.errors import Refused


@dataclass(frozen=True)
class Line:
    """One line of a file: its number (the header is line 1) and its cells by column name."""

    number: int
    cells: Mapping[str, str]
    extra: bool = False  # more cells than columns

    def get(self, column: str) -> str | None:
        """The cell stripped, or None when empty or missing."""
        value = (self.cells.get(column) or "").strip()
        return value or None


def decode(data: bytes | str) -> str:
    """Text from the file's bytes: UTF-8 (with or without BOM), else Windows-1252 (old Excel)."""
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def read_lines(
    data: bytes | str, *, aliases: Mapping[str, str] | None = None
) -> tuple[list[str], list[Line]]:
    """The header (lower-cased, Danish names mapped by `aliases`) and the non-empty lines."""
    text = decode(data)
    # A comment line (#) is skipped but counted, so line numbers are those the editor shows.
    first = next((ln for ln in text.splitlines() if ln.strip() and not _comment(ln)), "")
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    raw_header = next((cells for cells in reader if cells and not _comment(cells[0])), None)
    if raw_header is None:
        raise Refused("invalid_input", "the file is empty")
    header = [_column(h, aliases or {}) for h in raw_header]
    lines = []
    for cells in reader:
        if not any(c.strip() for c in cells) or _comment(cells[0]):
            continue
        named = dict(zip(header, cells, strict=False))
        extra = len(cells) > len(header) and any(c.strip() for c in cells[len(header) :])
        lines.append(Line(reader.line_num, named, extra))
    return header, lines


def _comment(text: str) -> bool:
    return text.lstrip().startswith("#")


def _column(name: str, aliases: Mapping[str, str]) -> str:
    key = " ".join(name.strip().lower().replace("_", " ").split())
    return aliases.get(key, key.replace(" ", "_"))


def number(text: str) -> float:
    """A number as Danes write it ("1.234,5" or "27,6") or as programs do ("1234.5")."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "").rstrip("%")
    if "," in cleaned or re.fullmatch(r"\d{1,3}(\.\d{3})+", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")  # dots group thousands
    return float(cleaned)


def refuse_all(errors: list[str]) -> None:
    """Every error of the file at once (each names its line), or nothing."""
    if errors:
        raise Refused("invalid_input", "; ".join(errors), errors=errors)
