"""Importing a council's people (R-P2–R-P5, R-S1): form, whole-file rules, idempotence."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlmodel import col, select

from models.db import SessionFactory
from models.tables import AuditEvent, Council, Membership, Municipality, Person
from services.members import ImportReport, import_members, parse_members_csv
from tests.conftest import NOW
from tests.integration.conftest import csv_text, demo_text, new_council
from tests.refusals import refused_with

ANNA = "Anna Holm,mayor,Aalborg,A,,chair,da"
BO = "Bo Dam,member,Aalborg,V,,,en"
CAI_FOR_ANNA = "Cai Lund,substitute,Aalborg,A,Anna Holm,,da"
DAN_FOR_BO = "Dan Berg,substitute,Aalborg,V,Bo Dam,,da"


async def run_import(sessions: SessionFactory, council: Council, text: str) -> ImportReport:
    async with sessions() as session, session.begin():
        rows = parse_members_csv(text)
        return await import_members(session, council=council, rows=rows, now=NOW)


async def substitutes(sessions: SessionFactory, council: Council) -> dict[str, str]:
    """substitute name -> member name, as stored."""
    async with sessions() as session:
        people = {
            p.id: p.name
            for p in await session.exec(select(Person).where(Person.council_id == council.id))
        }
        links = await session.exec(
            select(Membership).where(
                Membership.council_id == council.id, col(Membership.substitute_for_id).is_not(None)
            )
        )
        return {people[m.person_id]: people[m.substitute_for_id or 0] for m in links}


async def count(sessions: SessionFactory, table: type) -> int:
    async with sessions() as session:
        return len((await session.exec(select(table))).all())


async def test_the_demo_file_creates_46_people_with_their_roles_and_substitutes(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    async with sessions() as session, session.begin():
        report = await import_members(
            session, council=council, rows=parse_members_csv(demo_text()), now=now
        )
    assert (len(report.created), report.updated, report.unchanged) == (46, [], [])
    assert report.without_substitute == []
    async with sessions() as session:
        roles = [m.role for m in await session.exec(select(Membership))]
        municipalities = (await session.exec(select(Municipality))).all()
        gorm = (await session.exec(select(Person).where(Person.name == "Gorm Iversen"))).one()
        gorm_membership = (
            await session.exec(select(Membership).where(Membership.person_id == gorm.id))
        ).one()
    assert {r: roles.count(r) for r in set(roles)} == {
        "mayor": 11,
        "member": 11,
        "substitute": 22,
        "secretariat": 2,
    }
    assert len(municipalities) == 11
    assert (gorm.party, gorm.language, gorm_membership.office) == ("A", "da", "chair")
    assert (await substitutes(sessions, council))["Poul Quist"] == "Gorm Iversen"


async def test_re_importing_the_same_file_changes_nothing(
    sessions: SessionFactory, council: Council
) -> None:
    before = await substitutes(sessions, council)
    report = await run_import(sessions, council, demo_text())
    assert (report.created, report.updated, len(report.unchanged)) == ([], [], 46)
    assert await substitutes(sessions, council) == before
    assert await count(sessions, Person) == 46


async def test_a_changed_line_is_reported_as_updated_and_stored(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    await run_import(sessions, council, csv_text(ANNA, BO, CAI_FOR_ANNA))
    report = await run_import(
        sessions, council, csv_text(ANNA, "Bo Dam,member,Aalborg,F,,vice_chair,da", CAI_FOR_ANNA)
    )
    assert (report.created, report.updated, report.unchanged) == (
        [],
        ["Bo Dam"],
        ["Anna Holm", "Cai Lund"],
    )
    async with sessions() as session:
        bo = (await session.exec(select(Person).where(Person.name == "Bo Dam"))).one()
        office = (
            await session.exec(select(Membership.office).where(Membership.person_id == bo.id))
        ).one()
    assert (bo.party, bo.language, office) == ("F", "da", "vice_chair")


async def test_members_without_a_substitute_are_listed_but_imported(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    report = await run_import(sessions, council, csv_text(ANNA, BO, CAI_FOR_ANNA))
    assert report.without_substitute == ["Bo Dam"]
    assert len(report.created) == 3


async def test_two_substitutes_can_swap_members_on_re_import(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    await run_import(sessions, council, csv_text(ANNA, BO, CAI_FOR_ANNA, DAN_FOR_BO))
    report = await run_import(
        sessions,
        council,
        csv_text(
            ANNA,
            BO,
            "Cai Lund,substitute,Aalborg,A,Bo Dam,,da",
            "Dan Berg,substitute,Aalborg,V,Anna Holm,,da",
        ),
    )
    assert sorted(report.updated) == ["Cai Lund", "Dan Berg"]
    assert await substitutes(sessions, council) == {"Cai Lund": "Bo Dam", "Dan Berg": "Anna Holm"}


async def test_a_member_can_become_a_substitute_and_a_substitute_a_member(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    await run_import(sessions, council, csv_text(ANNA, BO, CAI_FOR_ANNA, DAN_FOR_BO))
    await run_import(
        sessions,
        council,
        csv_text(
            ANNA,
            "Dan Berg,member,Aalborg,V,,,da",
            CAI_FOR_ANNA,
            "Bo Dam,substitute,Aalborg,V,Dan Berg,,da",
        ),
    )
    assert await substitutes(sessions, council) == {"Cai Lund": "Anna Holm", "Bo Dam": "Dan Berg"}


async def test_a_substitute_held_by_someone_outside_the_file_is_refused_with_the_line_number(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    await run_import(sessions, council, csv_text(ANNA, BO, CAI_FOR_ANNA))
    with refused_with("invalid_input", match=r"^line 4: .*Cai Lund.*not in this file.*R-S1"):
        await run_import(
            sessions, council, csv_text(ANNA, BO, "Eva Kro,substitute,Aalborg,A,Anna Holm,,da")
        )
    assert await substitutes(sessions, council) == {"Cai Lund": "Anna Holm"}


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            (ANNA, BO, CAI_FOR_ANNA, "Cai Lund,substitute,Aalborg,V,Bo Dam,,da"),
            r"^line 5: Cai Lund is substitute for Anna Holm already \(line 4\).*R-S1",
        ),
        (
            (ANNA, BO, "Bo Dam,substitute,Aalborg,A,Anna Holm,,da"),
            r"^line 4: Bo Dam is a member on line 3 and cannot also be a substitute \(R-S1",
        ),
        (
            (CAI_FOR_ANNA, ANNA, "Cai Lund,member,Aalborg,V,,,da"),
            r"^line 4: Cai Lund is a substitute on line 2 and cannot also be a member \(R-S1",
        ),
        (
            (ANNA, BO, CAI_FOR_ANNA, "Dan Berg,substitute,Aalborg,A,Anna Holm,,da"),
            r"^line 5: Anna Holm has 2 personal substitutes \(Cai Lund, Dan Berg\), not one \(R-S1\)",
        ),
        (
            (ANNA, CAI_FOR_ANNA, "Dan Berg,substitute,Aalborg,A,Cai Lund,,da"),
            r"^line 4: Cai Lund is a substitute, not a mayor or member.*\(R-S1\)",
        ),
        (
            (ANNA, "Cai Lund,substitute,Aalborg,A,Cai Lund,,da"),
            r"^line 3: Cai Lund cannot be their own substitute \(R-S1\)",
        ),
    ],
    ids=[
        "a person substitute for two members",
        "a member who is also a substitute",
        "a substitute who is also a member",
        "a member with two substitutes",
        "a substitute for a substitute",
        "a substitute for themselves",
    ],
)
async def test_an_r_s1_breach_is_refused_with_the_line_number_and_nothing_is_written(
    sessions: SessionFactory, now: datetime, lines: tuple[str, ...], message: str
) -> None:
    council = await new_council(sessions, now)
    with refused_with("invalid_input", match=message):
        await run_import(sessions, council, csv_text(*lines))
    assert await count(sessions, Person) == 0
    assert await count(sessions, Municipality) == 0


async def test_a_person_substitute_for_two_members_is_refused_with_the_line_number(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    text = csv_text(ANNA, BO, CAI_FOR_ANNA, "Cai Lund,substitute,Aalborg,V,Bo Dam,,da")
    with refused_with(
        "invalid_input", match=r"^line 5: Cai Lund is substitute for Anna Holm already"
    ):
        await run_import(sessions, council, text)


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ((ANNA, "Eva Kro,boss,Aalborg,A,,,da"), r"^line 3: role must be one of mayor, member"),
        ((ANNA, ",member,Aalborg,A,,,da"), r"^line 3: the name is empty"),
        ((ANNA, "Eva Kro,member,Aalborg,A,,boss,da"), r"^line 3: office must be empty"),
        ((ANNA, "Eva Kro,observer,,,,chair,da"), r"^line 3: only a mayor or member can be chair"),
        ((ANNA, "Eva Kro,member,Aalborg,A,,,de"), r"^line 3: language must be da or en"),
        ((ANNA, "Eva Kro,member,,A,,,da"), r"^line 3: a member needs a municipality"),
        ((ANNA, "Eva Kro,member,Aalborg,A,Anna Holm,,da"), r"^line 3: substitute_for is required"),
        ((ANNA, "Eva Kro,substitute,Aalborg,A,,,da"), r"^line 3: substitute_for is required"),
        ((ANNA, "Eva Kro,mayor,Aalborg,V,,,da"), r"^line 3: Anna Holm is mayor of Aalborg already"),
        ((ANNA, "Eva Kro,member,Skagen,V,,chair,da"), r"^line 3: Anna Holm is the chair already"),
        ((ANNA, "Eva Kro,member,Aalborg,A,,,da,x"), r"^line 3: .*more cells than the 7 columns"),
        ((ANNA, "Eva Kro,substitute,Aalborg,A,Zed,,da"), r"^line 3: Zed is not a mayor or member"),
        ((ANNA, ANNA), r"^line 3: Anna Holm is listed already on line 2"),
    ],
)
async def test_a_malformed_line_is_refused_with_its_line_number(
    sessions: SessionFactory, now: datetime, lines: tuple[str, ...], message: str
) -> None:
    council = await new_council(sessions, now)
    with refused_with("invalid_input", match=message):
        await run_import(sessions, council, csv_text(*lines))
    assert await count(sessions, Person) == 0


async def test_a_file_without_the_columns_is_refused_on_line_1() -> None:
    with refused_with("invalid_input", match=r"^line 1: missing column\(s\) substitute_for"):
        parse_members_csv("name,role,municipality,party,office,language\nA,mayor,X,A,,da\n")


async def test_a_file_with_no_people_is_refused() -> None:
    with refused_with("invalid_input", match="no people"):
        parse_members_csv(csv_text())


async def test_more_municipalities_than_the_council_has_are_refused(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now, municipalities=1)
    with refused_with("invalid_input", match="names 2 municipalities; the council has 1"):
        await run_import(sessions, council, csv_text(ANNA, "Eva Kro,member,Skagen,V,,,da"))


async def test_a_byte_order_mark_and_blank_lines_are_tolerated(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    report = await run_import(sessions, council, "\ufeff" + csv_text(ANNA, ",,,,,,", BO))
    assert report.created == ["Anna Holm", "Bo Dam"]


async def test_an_import_is_audited(sessions: SessionFactory, council: Council) -> None:
    async with sessions() as session:
        events = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "members.import"))
        ).all()
    assert [(e.council_id, e.details) for e in events] == [
        (council.id, {"created": 46, "updated": 0})
    ]


async def test_people_of_one_council_are_not_touched_by_another_councils_import(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    other = await new_council(sessions, now, name="KKR Sjælland")
    report = await run_import(sessions, other, demo_text())
    assert len(report.created) == 46
    assert await count(sessions, Person) == 92
    assert len(await substitutes(sessions, council)) == 22
