"""Importing a council's people from the secretariat's CSV (R-P2–R-P5, R-S1)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole, Office
from models.tables import Council, Membership, Municipality, Person
from models.term import Vacancy
from procedure.danish_dates import DateInputError, parse_birth_date
from procedure.substitutes import substitute_violations
from services import audit
from services.councils import LANGUAGES
from services.csv_files import Line, read_lines, refuse_all
from services.errors import Refused
from services.municipalities import (
    check_municipality,
    leaders_by_municipality,
    mayor_substitute_breach,
    propose,
)

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
    born: date | None = None  # optional column: R-P3's "oldest member present"


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    without_substitute: list[str] = field(default_factory=list)


# Danish column names and role words, as a secretariat's spreadsheet has them.
COLUMN_ALIASES = {
    "navn": "name",
    "rolle": "role",
    "kommune": "municipality",
    "parti": "party",
    "stedfortræder for": "substitute_for",
    "post": "office",
    "hverv": "office",
    "sprog": "language",
    "foedselsdato": "born",
    "fødselsdato": "born",
    "født": "born",
    "birth date": "born",
}
OPTIONAL_COLUMNS = ("born",)
ROLE_WORDS = {
    "borgmester": MembershipRole.MAYOR,
    "medlem": MembershipRole.MEMBER,
    "stedfortræder": MembershipRole.SUBSTITUTE,
    "sekretariat": MembershipRole.SECRETARIAT,
    "observatør": MembershipRole.OBSERVER,
}
OFFICE_WORDS = {"formand": Office.CHAIR, "næstformand": Office.VICE_CHAIR}


def parse_members_csv(data: str | bytes, *, default_language: str = "da") -> list[MemberRow]:
    """Rows of the file, each checked for form; every error at once, each with its line (header =
    line 1). Reads Danish Excel files (semicolons, BOM or Windows-1252) and Danish words."""
    header, lines = read_lines(data, aliases=COLUMN_ALIASES)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise Refused(
            "invalid_input",
            f"line 1: missing column(s) {', '.join(missing)}; expected {','.join(COLUMNS)}",
        )
    rows, errors = [], []
    for line in lines:
        try:
            rows.append(_row(line, default_language))
        except Refused as error:
            errors.append(error.detail)
    refuse_all(errors)
    if not rows:
        raise Refused("invalid_input", "the file has no people in it")
    return rows


def _row(raw: Line, default_language: str) -> MemberRow:
    line, cell = raw.number, raw.get
    if raw.extra:
        raise Refused("invalid_input", f"line {line}: more cells than the {len(COLUMNS)} columns")
    name = cell("name")
    role = _word(cell("role"), ROLE_WORDS)
    if not name:
        raise Refused("invalid_input", f"line {line}: the name is empty")
    if role not in set(MembershipRole):
        roles = ", ".join(MembershipRole)
        raise Refused("invalid_input", f"line {line}: role must be one of {roles}, not {role!r}")
    office, language = _word(cell("office"), OFFICE_WORDS), cell("language") or default_language
    if office is not None and office not in set(Office):
        raise Refused(
            "invalid_input",
            f"line {line}: office must be empty, chair or vice_chair, not {office!r}",
        )
    if office and role not in VOTING_ROLES:
        raise Refused("invalid_input", f"line {line}: only a mayor or member can be {office}")
    if language not in LANGUAGES:
        raise Refused("invalid_input", f"line {line}: language must be da or en, not {language!r}")
    substitute_for = cell("substitute_for")
    if (role == MembershipRole.SUBSTITUTE) != (substitute_for is not None):
        raise Refused(
            "invalid_input",
            f"line {line}: substitute_for is required for a substitute and only for one",
        )
    municipality = cell("municipality")
    if role in VOTING_ROLES | {MembershipRole.SUBSTITUTE} and municipality is None:
        raise Refused("invalid_input", f"line {line}: a {role} needs a municipality")
    if role == MembershipRole.MAYOR and not cell("party"):
        raise Refused("invalid_input", f"line {line}: the mayor {name} needs a party (R-P2)")
    return MemberRow(
        line,
        name,
        role,
        municipality,
        cell("party"),
        substitute_for,
        office,
        language,
        _born(cell("born"), line),
    )


def _born(text: str | None, line: int) -> date | None:
    """R-P3: the optional birth date, written the Danish way (1.2.1965, 01-02-1965, ISO)."""
    if text is None:
        return None
    try:
        return parse_birth_date(text)
    except DateInputError as error:
        raise Refused(
            "invalid_input",
            f"line {line}: the birth date must be a date like 1.2.1965 or 1965-02-01, not {text!r}",
        ) from error


def _word(value: str | None, words: Mapping[str, str]) -> str | None:
    """A Danish word for a role or office as the stored English value (case does not matter)."""
    if value is None:
        return None
    return words.get(value.lower(), value.lower() if value.lower() in words.values() else value)


def check_rows(
    rows: list[MemberRow],
    municipalities: int,
    *,
    council: Council | None = None,
    cap: int | None = None,
) -> None:
    """Whole-file rules: unique names, one mayor per municipality, one chair and vice, R-S1, the
    region's municipalities and the size cap (R-C2); every breach at once, each with its line."""
    errors: list[str] = []
    seen: dict[str, MemberRow] = {}
    for row in rows:
        if row.name in seen:
            errors.append(f"line {row.line}: {_listed_twice(seen[row.name], row)}")
        else:
            seen[row.name] = row
    errors += _unique(
        rows, lambda r: r.municipality if r.role == MembershipRole.MAYOR else None, "mayor of"
    )
    errors += _unique(rows, lambda r: r.office, "the")
    names = {r.municipality for r in rows if r.municipality}
    if len(names) > municipalities:
        errors.append(
            f"the file names {len(names)} municipalities; the council has {municipalities}"
        )
    if council is not None:
        errors += [
            f"line {r.line}: {wrong}"
            for r in rows
            if r.municipality and (wrong := check_municipality(council, r.municipality))
        ]
    voting = [r for r in rows if r.role in VOTING_ROLES]
    if cap is not None and len(voting) > cap:
        errors.append(
            f"line {voting[cap].line}: the file has {len(voting)} mayors and members; the council"
            f" has at most {cap} (twice its municipalities, R-C2)"
        )
    if not errors:
        errors += _check_substitutes(rows)
    refuse_all(errors)


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


def _unique(rows: list[MemberRow], key: Callable[[MemberRow], str | None], label: str) -> list[str]:
    taken: dict[str, MemberRow] = {}
    errors = []
    for row in rows:
        value = key(row)
        if value is None:
            continue
        if value in taken:
            errors.append(f"line {row.line}: {taken[value].name} is {label} {value} already")
        else:
            taken[value] = row
    return errors


def _check_substitutes(rows: list[MemberRow]) -> list[str]:
    """R-S1, checked by procedure/ one line at a time so each breach names its line."""
    members = [r.name for r in rows if r.role in VOTING_ROLES]
    roles = {r.name: r.role for r in rows}
    substitute_of: dict[str, str] = {}
    errors: list[str] = []
    for row in rows:
        if row.substitute_for is None:
            continue
        if row.substitute_for == row.name:
            errors.append(f"line {row.line}: {row.name} cannot be their own substitute (R-S1)")
            continue
        if row.substitute_for in roles and row.substitute_for not in members:
            errors.append(
                f"line {row.line}: {row.substitute_for} is a {roles[row.substitute_for]}, not a"
                " mayor or member, and cannot have a personal substitute (R-S1)"
            )
            continue
        if row.substitute_for not in members:
            errors.append(
                f"line {row.line}: {row.substitute_for} is not a mayor or member in the file"
            )
            continue
        substitute_of[row.name] = row.substitute_for
        # Only members already paired are passed, so "has no substitute yet" is not a breach while
        # the file is read; every other breach is reported at the line that caused it.
        paired = [m for m in members if m in substitute_of.values() or m in substitute_of]
        breaches = substitute_violations(substitute_of, paired)
        if breaches:
            errors.append(f"line {row.line}: {breaches[0]} (R-S1)")
            del substitute_of[row.name]
    return errors


def members_without_substitute(rows: list[MemberRow]) -> list[str]:
    """Members the file gives no substitute (allowed while the municipal council chooses, R-S2)."""
    covered = {r.substitute_for for r in rows}
    return [r.name for r in rows if r.role in VOTING_ROLES and r.name not in covered]


async def import_members(
    session: AsyncSession, *, council: Council, rows: list[MemberRow], now: datetime
) -> ImportReport:
    """Create or update every person in `rows`; importing the same rows twice changes nothing."""
    check_rows(rows, council.municipalities, council=council)
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
    await _check_cap(session, council, rows, people, memberships)
    await _check_mayor_substitutes(session, council, rows)
    await _release_moved_substitutes(session, rows, people, memberships)
    # Mayors and members first, so a substitute's member always exists when it is linked.
    for row in sorted(rows, key=lambda r: r.role == MembershipRole.SUBSTITUTE):
        person = people.get(row.name) or Person(council_id=council.id, name=row.name)
        before = (person.id, person.municipality_id, person.party, person.language, person.born)
        person.municipality_id = municipalities[row.municipality].id if row.municipality else None
        person.party, person.language = row.party, row.language
        if row.born is not None:  # a file without the column keeps the dates already known
            person.born = row.born
        session.add(person)
        people[row.name] = person
        after = (person.id, person.municipality_id, person.party, person.language, person.born)
        changed = before != after
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


async def _check_cap(
    session: AsyncSession,
    council: Council,
    rows: list[MemberRow],
    people: dict[str, Person],
    memberships: dict[int, Membership],
) -> None:
    """R-C2: at most twice the municipalities, counting the current members outside the file too,
    unless R-S6 allowed more (a mayor changed party and the party named a new member)."""
    in_file = {r.name for r in rows}
    voting = {r.name for r in rows if r.role in VOTING_ROLES}
    for name, person in people.items():
        membership = memberships.get(person.id or 0)
        if name not in in_file and membership is not None and membership.role in VOTING_ROLES:
            voting.add(name)
    cap = 2 * council.municipalities + await over_cap_allowance(session, council.id or 0)
    if len(voting) > cap:
        rows_voting = [r for r in rows if r.role in VOTING_ROLES]
        line = rows_voting[-1].line if rows_voting else 1
        raise Refused(
            "invalid_input",
            f"line {line}: the council would have {len(voting)} mayors and members; it has at most"
            f" {cap} (twice its municipalities, R-C2)",
        )


async def over_cap_allowance(session: AsyncSession, council_id: int) -> int:
    """R-S6: how many members above the cap the council may have (mayors who changed party)."""
    rows = await session.exec(
        select(Vacancy.id).where(Vacancy.council_id == council_id, col(Vacancy.over_cap))
    )
    return len(rows.all())


async def _check_mayor_substitutes(
    session: AsyncSession, council: Council, rows: list[MemberRow]
) -> None:
    """R-S2: a mayor's substitute is the deputy mayor the rule gives, where the leaders are known."""
    leaders = await leaders_by_municipality(session, council)
    mayors = {r.name: r for r in rows if r.role == MembershipRole.MAYOR}
    members = {r.name for r in rows if r.role in VOTING_ROLES}
    substitutes = {r.name: r.substitute_for or "" for r in rows if r.substitute_for}
    errors = []
    for row in rows:
        mayor = mayors.get(row.substitute_for or "")
        known = leaders.get(mayor.municipality or "") if mayor else None
        if mayor is None or known is None or known.mayor != row.substitute_for:
            continue
        breach = mayor_substitute_breach(
            propose(mayor.municipality or "", known, members, substitutes), row.name
        )
        if breach:
            errors.append(f"line {row.line}: {breach}")
    refuse_all(errors)


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
            raise Refused(
                "invalid_input",
                f"line {substitute_rows[member].line}: {name}, who is not in this file, is"
                f" substitute for {member} already (R-S1: one personal substitute per member)",
            )
        if membership.office in office_rows:
            raise Refused(
                "invalid_input",
                f"line {office_rows[membership.office].line}: {name}, who is not in this file,"
                f" is the {membership.office} already",
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
        raise Refused(
            "invalid_input",
            f"the council would have {len(existing)} municipalities; it has {council.municipalities}",
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
