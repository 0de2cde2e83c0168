"""Importing a council's people from the secretariat's CSV (R-P2–R-P5, R-S1)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole, Office
from models.tables import Council, Membership, Municipality, Person
from procedure.substitutes import substitute_violations
from services import audit
from services.councils import LANGUAGES
from services.errors import InvalidInput

COLUMNS = ("name", "role", "municipality", "party", "substitute_for", "office", "language")
VOTING_ROLES = {MembershipRole.MAYOR, MembershipRole.MEMBER}


@dataclass(frozen=True)
class MemberRow:
    """One line of the import file, already checked for form."""

    line: int
    name: str
    role: str
    municipality: str | None
    party: str | None
    substitute_for: str | None
    office: str | None
    language: str


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    without_substitute: list[str] = field(default_factory=list)


def parse_members_csv(text: str, *, default_language: str = "da") -> list[MemberRow]:
    """Rows of the CSV, each checked for form; the first error names its line (header = line 1)."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}"
        )
    rows = [_row(reader.line_num, raw, default_language) for raw in reader if any(raw.values())]
    if not rows:
        raise InvalidInput("the file has no people in it")
    return rows


def _row(line: int, raw: dict[str, str | None], default_language: str) -> MemberRow:
    def cell(column: str) -> str | None:
        value = (raw.get(column) or "").strip()
        return value or None

    extra = [c for c in raw.get(None) or [] if (c or "").strip()]  # type: ignore[call-overload]
    if extra:
        raise InvalidInput(f"line {line}: more cells than the {len(COLUMNS)} columns")
    name, role = cell("name"), cell("role")
    if not name:
        raise InvalidInput(f"line {line}: the name is empty")
    if role not in set(MembershipRole):
        roles = ", ".join(MembershipRole)
        raise InvalidInput(f"line {line}: role must be one of {roles}, not {role!r}")
    office, language = cell("office"), cell("language") or default_language
    if office is not None and office not in set(Office):
        raise InvalidInput(
            f"line {line}: office must be empty, chair or vice_chair, not {office!r}"
        )
    if office and role not in VOTING_ROLES:
        raise InvalidInput(f"line {line}: only a mayor or member can be {office}")
    if language not in LANGUAGES:
        raise InvalidInput(f"line {line}: language must be da or en, not {language!r}")
    substitute_for = cell("substitute_for")
    if (role == MembershipRole.SUBSTITUTE) != (substitute_for is not None):
        raise InvalidInput(
            f"line {line}: substitute_for is required for a substitute and only for one"
        )
    municipality = cell("municipality")
    if role in VOTING_ROLES | {MembershipRole.SUBSTITUTE} and municipality is None:
        raise InvalidInput(f"line {line}: a {role} needs a municipality")
    return MemberRow(
        line, name, role, municipality, cell("party"), substitute_for, office, language
    )


def check_rows(rows: list[MemberRow], municipalities: int) -> None:
    """Whole-file rules: unique names, one mayor per municipality, one chair and vice, R-S1."""
    seen: dict[str, MemberRow] = {}
    for row in rows:
        if row.name in seen:
            raise InvalidInput(f"line {row.line}: {_listed_twice(seen[row.name], row)}")
        seen[row.name] = row
    _check_unique(
        rows, lambda r: r.municipality if r.role == MembershipRole.MAYOR else None, "mayor of"
    )
    _check_unique(rows, lambda r: r.office, "the")
    names = {r.municipality for r in rows if r.municipality}
    if len(names) > municipalities:
        raise InvalidInput(
            f"the file names {len(names)} municipalities; the council has {municipalities}"
        )
    _check_substitutes(rows)


def _listed_twice(first: MemberRow, again: MemberRow) -> str:
    """Why a name may appear once: R-S1 when a substitute is involved, else plain duplication."""
    substitute = MembershipRole.SUBSTITUTE
    if first.role == substitute and again.role == substitute:
        return (
            f"{again.name} is substitute for {first.substitute_for} already (line {first.line});"
            " a person is substitute for at most one member (R-S1)"
        )
    if substitute in (first.role, again.role):
        return (
            f"{again.name} is a {first.role} on line {first.line} and cannot also be a"
            f" {again.role} (R-S1)"
        )
    return f"{again.name} is listed already on line {first.line}"


def _check_unique(
    rows: list[MemberRow], key: Callable[[MemberRow], str | None], label: str
) -> None:
    taken: dict[str, MemberRow] = {}
    for row in rows:
        value = key(row)
        if value is None:
            continue
        if value in taken:
            raise InvalidInput(f"line {row.line}: {taken[value].name} is {label} {value} already")
        taken[value] = row


def _check_substitutes(rows: list[MemberRow]) -> None:
    """R-S1, checked by procedure/ one line at a time so the first breach names its line."""
    members = [r.name for r in rows if r.role in VOTING_ROLES]
    roles = {r.name: r.role for r in rows}
    substitute_of: dict[str, str] = {}
    for row in rows:
        if row.substitute_for is None:
            continue
        if row.substitute_for == row.name:
            raise InvalidInput(f"line {row.line}: {row.name} cannot be their own substitute (R-S1)")
        if row.substitute_for in roles and row.substitute_for not in members:
            raise InvalidInput(
                f"line {row.line}: {row.substitute_for} is a {roles[row.substitute_for]}, not a"
                " mayor or member, and cannot have a personal substitute (R-S1)"
            )
        if row.substitute_for not in members:
            raise InvalidInput(
                f"line {row.line}: {row.substitute_for} is not a mayor or member in the file"
            )
        substitute_of[row.name] = row.substitute_for
        # Only members already paired are passed, so "has no substitute yet" is not a breach while
        # the file is read; every other breach stops the import at the line that caused it.
        paired = [m for m in members if m in substitute_of.values() or m in substitute_of]
        breaches = substitute_violations(substitute_of, paired)
        if breaches:
            raise InvalidInput(f"line {row.line}: {breaches[0]} (R-S1)")


def members_without_substitute(rows: list[MemberRow]) -> list[str]:
    """Members the file gives no substitute (allowed while the municipal council chooses, R-S2)."""
    covered = {r.substitute_for for r in rows}
    return [r.name for r in rows if r.role in VOTING_ROLES and r.name not in covered]


async def import_members(
    session: AsyncSession, *, council: Council, rows: list[MemberRow], now: datetime
) -> ImportReport:
    """Create or update every person in `rows`; importing the same rows twice changes nothing."""
    check_rows(rows, council.municipalities)
    assert council.id is not None
    report = ImportReport()
    municipalities = await _municipalities(session, council, rows)
    people = {
        p.name: p
        for p in (await session.exec(select(Person).where(Person.council_id == council.id)))
    }
    memberships = {
        m.person_id: m
        for m in await session.exec(
            select(Membership).where(Membership.council_id == council.id, Membership.current())
        )
    }
    _check_people_outside_the_file(rows, people, memberships)
    await _release_moved_substitutes(session, rows, people, memberships)
    # Mayors and members first, so a substitute's member always exists when it is linked.
    for row in sorted(rows, key=lambda r: r.role == MembershipRole.SUBSTITUTE):
        person = people.get(row.name) or Person(council_id=council.id, name=row.name)
        before = (person.id, person.municipality_id, person.party, person.language)
        person.municipality_id = municipalities[row.municipality].id if row.municipality else None
        person.party, person.language = row.party, row.language
        session.add(person)
        people[row.name] = person
        changed = before != (person.id, person.municipality_id, person.party, person.language)
        await session.flush()
        changed |= await _upsert_membership(session, council.id, person, row, people)
        bucket = (
            report.created if before[0] is None else report.updated if changed else report.unchanged
        )
        bucket.append(row.name)
    report.without_substitute = members_without_substitute(rows)
    audit.record(
        session,
        now=now,
        action="members.import",
        council_id=council.id,
        created=len(report.created),
        updated=len(report.updated),
    )
    return report


def _check_people_outside_the_file(
    rows: list[MemberRow], people: dict[str, Person], memberships: dict[int, Membership]
) -> None:
    """R-S1 and the offices hold across the whole council, not only the people in the file."""
    in_file = {r.name for r in rows}
    names = {p.id: name for name, p in people.items()}
    substitute_rows = {r.substitute_for: r for r in rows if r.substitute_for}
    office_rows = {r.office: r for r in rows if r.office}
    for name, person in people.items():
        membership = memberships.get(person.id or 0)
        if name in in_file or membership is None:
            continue
        member = names.get(membership.substitute_for_id)
        if member in substitute_rows:
            raise InvalidInput(
                f"line {substitute_rows[member].line}: {name}, who is not in this file, is"
                f" substitute for {member} already (R-S1: one personal substitute per member)"
            )
        if membership.office in office_rows:
            raise InvalidInput(
                f"line {office_rows[membership.office].line}: {name}, who is not in this file,"
                f" is the {membership.office} already"
            )


async def _release_moved_substitutes(
    session: AsyncSession,
    rows: list[MemberRow],
    people: dict[str, Person],
    memberships: dict[int, Membership],
) -> None:
    """Unlink substitutes whose member changes first, so that a swap never meets the unique index."""
    released = False
    for row in rows:
        person = people.get(row.name)
        membership = memberships.get(person.id or 0) if person else None
        if membership is None or membership.substitute_for_id is None:
            continue
        member = people.get(row.substitute_for or "")
        if member is None or member.id != membership.substitute_for_id:
            membership.substitute_for_id = None
            session.add(membership)
            released = True
    if released:
        await session.flush()


async def _municipalities(
    session: AsyncSession, council: Council, rows: list[MemberRow]
) -> dict[str, Municipality]:
    existing = {
        m.name: m
        for m in await session.exec(
            select(Municipality).where(Municipality.council_id == council.id)
        )
    }
    for name in sorted({r.municipality for r in rows if r.municipality} - set(existing)):
        existing[name] = Municipality(council_id=council.id or 0, name=name)
        session.add(existing[name])
    if len(existing) > council.municipalities:
        raise InvalidInput(
            f"the council would have {len(existing)} municipalities; it has {council.municipalities}"
        )
    await session.flush()
    return existing


async def _upsert_membership(
    session: AsyncSession,
    council_id: int,
    person: Person,
    row: MemberRow,
    people: dict[str, Person],
) -> bool:
    membership = (
        await session.exec(
            select(Membership).where(Membership.person_id == person.id, Membership.current())
        )
    ).first() or Membership(council_id=council_id, person_id=person.id or 0, role=row.role)
    stands_for = people[row.substitute_for].id if row.substitute_for else None
    before = (membership.id, membership.role, membership.office, membership.substitute_for_id)
    membership.role, membership.office, membership.substitute_for_id = (
        row.role,
        row.office,
        stands_for,
    )
    session.add(membership)
    await session.flush()
    return before[1:] != (membership.role, membership.office, membership.substitute_for_id)
