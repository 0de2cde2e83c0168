"""R-S2, R-C2 and the import that checks the rules: Danish spreadsheets, every error at once."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from models.db import SessionFactory
from models.tables import Council
from services.errors import Refused
from services.members import import_members, parse_members_csv
from services.municipalities import import_leaders, mayor_substitute_proposals, parse_leaders
from tests.conftest import NOW
from tests.integration.conftest import new_council

LEADERS = (
    "kommune;borgmester;parti;borgmester siden;født;1. viceborgmester;2. viceborgmester\n"
    "Aalborg;Anna Holm;A;01-01-2014;12-03-1961;Bo Dam;Cai Lund\n"
    "Læsø;Karl Ø;C;2018-01-01;1970-05-05;Dan Berg;Eva Fisk\n"
)


async def _leaders(sessions: SessionFactory, council: Council, text: str = LEADERS) -> None:
    async with sessions() as session, session.begin():
        await import_leaders(session, council=council, rows=parse_leaders(text, council), now=NOW)


def test_a_danish_excel_members_file_in_windows_1252_with_semicolons_is_read() -> None:
    data = (
        "Navn;Rolle;Kommune;Parti;Stedfortræder for;Post;Sprog\n"
        "Anna Holm;Borgmester;Aalborg;A;;formand;da\n"
        "Søren Ørum;stedfortræder;Aalborg;A;Anna Holm;;da\n"
        "Kirsten Holm;sekretariat;;;;;\n"
        "Ole Obs;observatør;;;;;\n"
    ).encode("cp1252")
    rows = parse_members_csv(data)
    assert [(r.name, r.role, r.office) for r in rows] == [
        ("Anna Holm", "mayor", "chair"),
        ("Søren Ørum", "substitute", None),
        ("Kirsten Holm", "secretariat", None),
        ("Ole Obs", "observer", None),
    ]


def test_every_error_of_the_file_is_reported_at_once_with_its_line() -> None:
    data = "\ufeffnavn;rolle;kommune;parti;stedfortræder for;post;sprog\n" + (
        "Anna Holm;borgmester;Aalborg;;;;da\n"  # a mayor without a party
        "Bo Dam;medlem;Aalborg;V;;;xx\n"  # an unknown language
        "Cai Lund;kaptajn;Aalborg;V;;;da\n"  # an unknown role
    )
    with pytest.raises(Refused) as refused:
        parse_members_csv(data)
    errors = refused.value.params["errors"]
    assert [e.split(":")[0] for e in errors] == ["line 2", "line 3", "line 4"]
    assert "needs a party" in errors[0]


async def test_a_municipality_of_another_region_is_refused(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    rows = parse_members_csv(
        "name,role,municipality,party,substitute_for,office,language\n"
        "Anna Holm,mayor,Aalborg,A,,,da\nSven Syd,mayor,Vejle,V,,,da\n"
    )
    with pytest.raises(Refused, match="line 3: Vejle is not a municipality of Nordjylland"):
        async with sessions() as session, session.begin():
            await import_members(session, council=council, rows=rows, now=now)


async def test_more_members_than_the_cap_are_refused(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now, municipalities=1, name="KKR Lille")
    lines = [f"P{i},member,Aalborg,A,,,da" for i in range(3)]
    rows = parse_members_csv(
        "name,role,municipality,party,substitute_for,office,language\n" + "\n".join(lines)
    )
    with pytest.raises(Refused, match=r"at most 2 .*twice its municipalities"):
        async with sessions() as session, session.begin():
            await import_members(session, council=council, rows=rows, now=now)


async def test_the_leaders_import_proposes_the_first_deputy_unless_a_member(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    async with sessions() as session, session.begin():
        rows = parse_members_csv(
            "name,role,municipality,party,substitute_for,office,language\n"
            "Anna Holm,mayor,Aalborg,A,,,da\nBo Dam,member,Aalborg,V,,,da\n"
            "Karl Ø,mayor,Læsø,C,,,da\n"
        )
        await import_members(session, council=council, rows=rows, now=now)
    await _leaders(sessions, council)
    async with sessions() as session:
        proposals = await mayor_substitute_proposals(session, council)
    assert [(p.municipality, p.proposed, p.reason) for p in proposals] == [
        ("Aalborg", "Cai Lund", "second_deputy"),  # Bo Dam, 1st deputy, is a member
        ("Læsø", "Dan Berg", "first_deputy"),
    ]


async def test_a_mayors_substitute_against_r_s2_is_refused_with_the_reason(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    await _leaders(sessions, council)
    rows = parse_members_csv(
        "name,role,municipality,party,substitute_for,office,language\n"
        "Anna Holm,mayor,Aalborg,A,,,da\nBo Dam,member,Aalborg,V,,,da\n"
        "Eva Fisk,substitute,Aalborg,A,Anna Holm,,da\n"
    )
    with pytest.raises(
        Refused,
        match="line 4: Eva Fisk cannot be substitute for the mayor"
        " Anna Holm: the substitute is Cai Lund",
    ):
        async with sessions() as session, session.begin():
            await import_members(session, council=council, rows=rows, now=now)


async def test_leaders_dates_are_read_in_danish_and_iso_form(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    rows = parse_leaders(LEADERS, council)
    assert (rows[0].mayor_since, rows[0].born) == (date(2014, 1, 1), date(1961, 3, 12))
    with pytest.raises(Refused, match="line 2: Vejle is not a municipality"):
        parse_leaders(LEADERS.replace("Aalborg", "Vejle"), council)
