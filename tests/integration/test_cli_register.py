# ruff: noqa: F811  (the CLI fixtures are shared with test_cli.py by import)
"""The register on the CLI (R-E3, R-E4): bodies and councillors imported, appointments exported."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import make_engine, make_session_factory
from models.tables import Council
from services.appointments import appoint, body_named
from services.councillors import eligible
from tests.integration.test_cli import NOW, council, council_file, database, kkrbot, ok  # noqa: F401

BODIES = (
    "name,seats,term_start,term_end,note\n"
    "Sundhedskoordinationsudvalget,2,2026-01-01,2029-12-31,\n"
    "Det Regionale Arbejdsmarkedsråd,1,,,Via KL\n"
)
COUNCILLORS = (
    "name,municipality,party,region\n"
    "Maja Holm,Aalborg,A,Nordjylland\n"
    "Jens Kofoed,Thisted,V,Nordjylland\n"
)


@pytest.mark.parametrize(
    "command", [["bodies", "import"], ["councillors", "import"], ["appointments", "export"]]
)
def test_the_register_commands_have_help(command: list[str]) -> None:
    result = kkrbot(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.stdout


def test_bodies_and_councillors_are_imported_and_re_imported(council: str, tmp_path: Path) -> None:
    bodies, people = tmp_path / "bodies.csv", tmp_path / "councillors.csv"
    bodies.write_text(BODIES, encoding="utf-8")
    people.write_text(COUNCILLORS, encoding="utf-8")
    assert ok("bodies", "import", "--council", council, bodies) == ["2 added, 0 updated"]
    assert ok("bodies", "import", "--council", council, bodies) == ["0 added, 2 updated"]
    assert ok("councillors", "import", "--council", council, people) == ["2 added, 0 updated"]


def test_a_bad_bodies_file_is_one_error_line(council: str, tmp_path: Path) -> None:
    bodies = tmp_path / "bodies.csv"
    bodies.write_text("name,seats\nVækstforum,many\n", encoding="utf-8")
    result = kkrbot("bodies", "import", "--council", council, bodies)
    assert result.exit_code == 1
    assert "line 2: seats must be a whole number" in result.output


def test_the_register_is_exported_as_csv(council: str, database: Path, tmp_path: Path) -> None:
    bodies, people = tmp_path / "bodies.csv", tmp_path / "councillors.csv"
    bodies.write_text(BODIES, encoding="utf-8")
    people.write_text(COUNCILLORS, encoding="utf-8")
    ok("bodies", "import", "--council", council, bodies)
    ok("councillors", "import", "--council", council, people)
    asyncio.run(_appoint(database, "Maja Holm", "Sundhedskoordinationsudvalget"))
    assert ok("appointments", "export", "--council", council) == [
        "body,seat,name,municipality,party,term_start,term_end,chosen,election,round,quotient",
        "Sundhedskoordinationsudvalget,1,Maja Holm,Aalborg,A,2026-01-01,2029-12-31,elsewhere,,,",
    ]
    out = tmp_path / "register.csv"
    assert ok("appointments", "export", "--council", council, "-o", out) == [
        f"1 appointment(s) written to {out}"
    ]
    assert out.read_text(encoding="utf-8").startswith("body,seat,name")


async def _appoint(database: Path, name: str, body_name: str) -> None:
    engine = make_engine(f"sqlite+aiosqlite:///{database}")
    try:
        async with make_session_factory(engine)() as session, session.begin():
            council_id = (await session.exec(select(Council.id))).one() or 0
            body = await body_named(session, council_id, body_name)
            person = await eligible(session, council_id, name)
            await appoint(
                session,
                body=body,
                councillor=person,
                now=NOW,
                actor_id=None,
                chosen_how="elsewhere",
            )
    finally:
        await engine.dispose()
