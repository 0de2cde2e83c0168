"""R-C1/R-C2: a term's composition from the election, for all five regions, through the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from procedure.composition import compose
from services.municipalities import region_municipalities, regions
from services.term import parse_votes
from tests.integration.test_cli import CREATE, database, kkrbot, ok

__all__ = ["database"]  # the CLI tests' fixture: a SQLite file and a fixed clock

DATA = Path(__file__).parent.parent / "data"
REGIONS = {
    "nordjylland": ("Nordjylland", 11),
    "midtjylland": ("Midtjylland", 19),
    "syddanmark": ("Syddanmark", 22),
    "sjaelland": ("Sjælland", 17),
    "hovedstaden": ("Hovedstaden", 29),
}


def test_the_shipped_list_has_denmarks_98_municipalities_in_five_regions() -> None:
    shipped = regions()
    assert {r: len(m) for r, m in shipped.items()} == {
        name: count for name, count in REGIONS.values()
    }
    assert sum(len(m) for m in shipped.values()) == 98
    assert region_municipalities("Region Nordjylland") == shipped["Nordjylland"]


def _mayors(file: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    for line in file.read_text(encoding="utf-8-sig").splitlines()[2:]:
        party = line.split(";")[1]
        counts[party] = counts.get(party, 0) + 1
    return counts


@pytest.mark.parametrize("region", list(REGIONS))
def test_every_regions_composition_respects_the_rules(region: str) -> None:
    _name, municipalities = REGIONS[region]
    votes = parse_votes((DATA / f"votes-{region}-2025.csv").read_bytes())
    mayors = _mayors(DATA / f"mayors-{region}-2025.csv")
    assert sum(mayors.values()) == municipalities
    seats = compose(votes.by_party, mayors, municipalities, total=votes.total)
    assert sum(seats.values()) <= 2 * municipalities  # the cap
    assert all(seats.get(p, 0) >= n for p, n in mayors.items())  # mayors are lower bounds
    qualifying = [p for p, v in votes.by_party.items() if v >= 0.02 * (votes.total or 0)]
    assert all(seats.get(p, 0) >= 1 for p in qualifying)  # every qualifying party keeps a seat


def test_term_new_prints_the_nordjylland_2025_computation_and_the_exact_result(
    database: Path,
) -> None:
    ok(*CREATE)
    lines = ok(
        "term",
        "new",
        "--council",
        "kkr-nordjylland",
        "--election",
        "2025-11-18",
        "--votes",
        DATA / "votes-nordjylland-2025.csv",
        "--mayors",
        DATA / "mayors-nordjylland-2025.csv",
    )
    text = "\n".join(lines)
    assert "1. Qualification" in text and "2 % = 2.00" in text
    assert "   A              27.60   27.60 %  qualifies   mayors 2  at least 2" in lines
    assert "   seat  1: A      27.60 ÷ 1 = 27.60" in lines
    assert "uncapped size 30; cap 2 × 11 municipalities = 22" in text
    assert "   seat 30: V      23.10 ÷ 8 = 2.89" in lines  # V's eighth mayor sets the size
    assert "   lower bounds: A 2, V 8, C 1, F 1, Æ 1, I 1, O 1, B 1, Ø 1 = 17 seats" in lines
    assert "   seat 18: A      votes ÷ seats = 13.80" in lines
    assert "Result: A 4, V 8, C 2, F 2, Æ 2, I 1, O 1, B 1, Ø 1 (22 members)" in lines
    assert lines[-1].startswith("term from 2026-01-01")


def test_a_mayors_file_with_a_municipality_of_another_region_is_refused_with_its_line(
    database: Path, tmp_path: Path
) -> None:
    ok(*CREATE)
    mayors = tmp_path / "mayors.csv"
    text = (DATA / "mayors-nordjylland-2025.csv").read_text(encoding="utf-8-sig")
    mayors.write_text(text.replace("Læsø;C", "Vejle;C"), encoding="cp1252")
    result = kkrbot(
        "term",
        "new",
        "--council",
        "kkr-nordjylland",
        "--election",
        "2025-11-18",
        "--votes",
        DATA / "votes-nordjylland-2025.csv",
        "--mayors",
        mayors,
    )
    assert result.exit_code == 1
    assert "line 8: Vejle is not a municipality of Nordjylland" in result.stderr
    assert "lacks Læsø" not in result.stderr  # one error reported, the rest follows from it
