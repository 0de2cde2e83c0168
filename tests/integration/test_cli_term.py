"""The term's CLI: a member leaves, the party names, a mayor changes party (R-S6)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.integration.test_cli import SLUG, council, council_file, database, kkrbot, ok

__all__ = ["council", "council_file", "database"]  # the CLI tests' fixtures


def test_a_member_leaves_and_the_substitute_is_asked(council: str) -> None:
    lines = ok(
        "members",
        "leave",
        "--council",
        SLUG,
        "Anne Rasmussen",
        "--date",
        "2026-11-23",
        "--reason",
        "flytter",
    )
    assert lines == [
        "Anne Rasmussen leaves the council from 2026-11-23",
        "Trine Ulrich (the substitute) is asked to become member",
    ]
    again = kkrbot(
        "members",
        "leave",
        "--council",
        SLUG,
        "Anne Rasmussen",
        "--date",
        "2026-11-23",
        "--reason",
        "igen",
    )
    assert again.exit_code == 1 and "Anne Rasmussen is not in the council any more" in again.stderr


def test_the_chair_leaving_leaves_the_office_vacant(council: str) -> None:
    lines = ok(
        "members",
        "leave",
        "--council",
        SLUG,
        "Gorm Iversen",
        "--date",
        "2026-11-23",
        "--reason",
        "ikke længere borgmester",
    )
    assert lines[-1].startswith("the office of chair is vacant")


def test_a_substitute_leaves_and_the_party_names_a_new_one(council: str) -> None:
    ok(
        "members",
        "leave",
        "--council",
        SLUG,
        "Trine Ulrich",
        "--date",
        "2026-11-23",
        "--reason",
        "udmeldt af partiet",
    )
    assert ok(
        "members",
        "add",
        "--council",
        SLUG,
        "Ny Person",
        "--party",
        "F",
        "--substitute",
        "--municipality",
        "Brønderslev",
    ) == ["Ny Person is the new substitute for F"]
    refused = kkrbot("members", "name", "--council", SLUG, "Endnu En", "--party", "F")
    assert refused.exit_code == 1 and "F has no open seat" in refused.stderr


def test_a_mayor_changes_party_and_stays(council: str) -> None:
    assert ok("members", "party", "--council", SLUG, "Nanna Mose", "--party", "V") == [
        "Nanna Mose stays member, now for V"
    ]


def test_the_new_commands_have_help(database: Path) -> None:
    for command in (
        ["members", "leave"],
        ["members", "name"],
        ["members", "party"],
        ["term", "new"],
        ["term", "members"],
        ["municipalities", "import"],
    ):
        result = kkrbot(*command, "--help")
        assert result.exit_code == 0 and "Usage:" in result.stdout


def test_the_constitution_commands_have_help(database: Path) -> None:
    for command in ("convener", "call", "alliance", "constitute", "successor", "returns"):
        assert kkrbot("term", command, "--help").exit_code == 0


def test_a_whole_constitution_through_the_cli(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot import cli
    from tests.integration.test_cli import CREATE, DEMO_CSV
    from tests.integration.test_constitution import SINCE

    monkeypatch.setattr(cli, "clock", lambda: datetime(2025, 12, 1, 9, 0, tzinfo=UTC))
    data = Path(__file__).parent.parent / "data"
    ok(*CREATE)
    ok(
        "term",
        "new",
        "--council",
        SLUG,
        "--election",
        "2025-11-18",
        "--votes",
        data / "votes-nordjylland-2025.csv",
        "--mayors",
        data / "mayors-nordjylland-2025.csv",
    )
    leaders = tmp_path / "leaders.csv"
    leaders.write_text(
        "kommune;borgmester;borgmester siden;født\n"
        + "\n".join(f"{m};{n};{s};{b}" for m, (n, s, b) in SINCE.items()),
        encoding="utf-8-sig",
    )
    assert (
        ok("municipalities", "import", "--council", SLUG, leaders)[0] == "11 municipalities stored"
    )
    assert ok("term", "members", "--council", SLUG, DEMO_CSV)[0].startswith("the new term's people")
    assert ok("term", "convener", "--council", SLUG) == [
        "Ole Lindholm calls the constituent meeting, to be held by 2026-01-31"
    ]
    lines = ok("term", "call", "--council", SLUG, "--at", "2026-01-20 14:00", "--place", "Aalborg")
    assert lines[-1] == "alliances to the secretariat by 2026-01-15 (R-K2)"
    assert ok("term", "alliance", "--council", SLUG, "V,C") == [
        "alliance V+C recorded on 2025-12-01"
    ]
    lines = ok(
        "term",
        "constitute",
        "--council",
        SLUG,
        "--chair",
        "Ole Lindholm",
        "--vice-chair",
        "Gorm Iversen",
    )
    assert lines == [
        "groups (votes): V+C 352, A 276, F 90, Æ 85, I 49, O 41, B 37, Ø 37",
        "1st seat (chair): V+C — Ole Lindholm",
        "2nd seat (vice chair): A — Gorm Iversen",
    ]
