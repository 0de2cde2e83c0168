"""The term's CLI: a member leaves, the party names, a mayor changes party (R-S6)."""

from __future__ import annotations

from pathlib import Path

from tests.integration.test_cli import SLUG, council, database, kkrbot, ok

__all__ = ["council", "database"]  # the CLI tests' fixtures


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
