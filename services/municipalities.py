"""The region's municipalities and their leaders: the shipped list of Denmark's 98 municipalities,
each municipality's mayor and deputy mayors (R-S2, R-K1) and the mayor's proposed substitute."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from importlib import resources

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole
from models.tables import Council, Membership, Municipality, Person
from models.term import MunicipalLeaders
from procedure.substitutes import mayor_substitute
from services import audit
from services.csv_files import Line, read_lines, refuse_all

LEADER_ALIASES = {
    "kommune": "municipality",
    "borgmester": "mayor",
    "parti": "party",
    "borgmester siden": "mayor_since",
    "borgmester fra": "mayor_since",
    "født": "born",
    "fødselsdato": "born",
    "1. viceborgmester": "first_deputy",
    "første viceborgmester": "first_deputy",
    "2. viceborgmester": "second_deputy",
    "anden viceborgmester": "second_deputy",
    "valgt stedfortræder": "chosen_substitute",
    "stedfortræder": "chosen_substitute",
}


@lru_cache(maxsize=1)
def _shipped() -> dict[str, list[str]]:
    text = resources.files("services").joinpath("data/municipalities.csv").read_text("utf-8")
    rows = [line for line in text.splitlines() if not line.startswith("#")]
    regions: dict[str, list[str]] = {}
    for row in csv.DictReader(io.StringIO("\n".join(rows))):
        regions.setdefault(row["region"], []).append(row["municipality"])
    return regions


def regions() -> dict[str, list[str]]:
    """Every region with its municipalities, as shipped (98 in all)."""
    return {region: list(names) for region, names in _shipped().items()}


def region_municipalities(region: str) -> list[str] | None:
    """The municipalities of a region ("Nordjylland", "Region Nordjylland"), None if unknown."""
    wanted = region.strip().lower().removeprefix("region ").strip()
    for name, municipalities in _shipped().items():
        if name.lower() == wanted:
            return list(municipalities)
    return None


def check_municipality(council: Council, name: str) -> str | None:
    """Why `name` is not a municipality of the council's region, or None when it is (or the
    region is not one the list knows, e.g. a test council)."""
    known = region_municipalities(council.region)
    if known is None or name in known:
        return None
    return f"{name} is not a municipality of {council.region}"


@dataclass(frozen=True)
class LeaderRow:
    line: int
    municipality: str
    mayor: str
    party: str | None
    mayor_since: date | None
    born: date | None
    first_deputy: str | None
    second_deputy: str | None
    chosen_substitute: str | None


def parse_leaders(data: bytes | str, council: Council) -> list[LeaderRow]:
    """The municipalities file, every error at once with its line."""
    header, lines = read_lines(data, aliases=LEADER_ALIASES)
    missing = [c for c in ("municipality", "mayor") if c not in header]
    errors = [f"line 1: missing column(s) {', '.join(missing)}"] if missing else []
    rows: list[LeaderRow] = []
    seen: dict[str, int] = {}
    for line in lines if not missing else []:
        row = _leader_row(line, council, errors)
        if row is None:
            continue
        if row.municipality in seen:
            errors.append(
                f"line {row.line}: {row.municipality} is listed already on line"
                f" {seen[row.municipality]}"
            )
        seen[row.municipality] = row.line
        rows.append(row)
    if not rows and not errors:
        errors.append("the file has no municipalities in it")
    refuse_all(errors)
    return rows


def _leader_row(line: Line, council: Council, errors: list[str]) -> LeaderRow | None:
    n = line.number
    municipality, mayor = line.get("municipality"), line.get("mayor")
    if not municipality or not mayor:
        errors.append(f"line {n}: a municipality and its mayor are needed")
        return None
    wrong = check_municipality(council, municipality)
    if wrong:
        errors.append(f"line {n}: {wrong}")
    dates = {}
    for column in ("mayor_since", "born"):
        dates[column] = _date(line.get(column), n, column, errors)
    return LeaderRow(
        n,
        municipality,
        mayor,
        line.get("party"),
        dates["mayor_since"],
        dates["born"],
        line.get("first_deputy"),
        line.get("second_deputy"),
        line.get("chosen_substitute"),
    )


def _date(text: str | None, line: int, column: str, errors: list[str]) -> date | None:
    if text is None:
        return None
    for form in ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, form).date()
        except ValueError:
            continue
    errors.append(
        f"line {line}: {column} must be a date like 2022-01-01 or 01-01-2022, not {text!r}"
    )
    return None


async def import_leaders(
    session: AsyncSession, *, council: Council, rows: list[LeaderRow], now: datetime
) -> int:
    """Store each municipality's mayor and deputies (R-S2, R-K1); returns how many were stored."""
    municipalities = await council_municipalities(session, council)
    for row in rows:
        municipality = municipalities.get(row.municipality)
        if municipality is None:
            municipality = Municipality(council_id=council.id or 0, name=row.municipality)
            session.add(municipality)
            await session.flush()
            municipalities[row.municipality] = municipality
        leaders = (
            await session.exec(
                select(MunicipalLeaders).where(MunicipalLeaders.municipality_id == municipality.id)
            )
        ).first() or MunicipalLeaders(municipality_id=municipality.id or 0, mayor=row.mayor)
        leaders.mayor, leaders.party = row.mayor, row.party
        leaders.mayor_since, leaders.born = row.mayor_since, row.born
        leaders.first_deputy, leaders.second_deputy = row.first_deputy, row.second_deputy
        leaders.chosen_substitute = row.chosen_substitute
        session.add(leaders)
    audit.record(
        session, now=now, action="municipalities.import", council_id=council.id, count=len(rows)
    )
    return len(rows)


async def council_municipalities(
    session: AsyncSession, council: Council
) -> dict[str, Municipality]:
    rows = await session.exec(select(Municipality).where(Municipality.council_id == council.id))
    return {m.name: m for m in rows.all()}


async def leaders_by_municipality(
    session: AsyncSession, council: Council
) -> dict[str, MunicipalLeaders]:
    """The leaders known for each municipality of the council, by municipality name."""
    rows = await session.exec(
        select(Municipality, MunicipalLeaders)
        .join(MunicipalLeaders, col(MunicipalLeaders.municipality_id) == col(Municipality.id))
        .where(Municipality.council_id == council.id)
    )
    return {m.name: leaders for m, leaders in rows.all()}


@dataclass(frozen=True)
class SubstituteProposal:
    """R-S2: the substitute proposed for a mayor, and why (None: the municipal council chooses)."""

    municipality: str
    mayor: str
    proposed: str | None
    reason: str  # "first_deputy", "second_deputy", "chosen" or "council_must_choose"


async def mayor_substitute_proposals(
    session: AsyncSession, council: Council
) -> list[SubstituteProposal]:
    """R-S2: for every municipality with known leaders, the mayor's right substitute."""
    members, substitutes = await _current_names(session, council)
    proposals = []
    for name, leaders in sorted((await leaders_by_municipality(session, council)).items()):
        proposals.append(propose(name, leaders, members, substitutes))
    return proposals


def propose(
    municipality: str,
    leaders: MunicipalLeaders,
    members: set[str],
    substitutes: dict[str, str],
) -> SubstituteProposal:
    """R-S2 for one mayor: 1st deputy, else 2nd, unless a member or another member's substitute."""
    taken = {s for s, member in substitutes.items() if member != leaders.mayor}
    proposed = mayor_substitute(leaders.first_deputy, leaders.second_deputy, members, taken=taken)
    if proposed is not None:
        reason = "first_deputy" if proposed == leaders.first_deputy else "second_deputy"
    elif leaders.chosen_substitute and leaders.chosen_substitute not in members | taken:
        proposed, reason = leaders.chosen_substitute, "chosen"
    else:
        reason = "council_must_choose"
    return SubstituteProposal(municipality, leaders.mayor, proposed, reason)


def mayor_substitute_breach(proposal: SubstituteProposal, substitute: str) -> str | None:
    """R-S2: why registering `substitute` for the mayor breaks the rule, or None."""
    if proposal.proposed is None or substitute == proposal.proposed:
        return None
    return (
        f"{substitute} cannot be substitute for the mayor {proposal.mayor}: the substitute is"
        f" {proposal.proposed} ({proposal.reason.replace('_', ' ')}, R-S2)"
    )


async def _current_names(
    session: AsyncSession, council: Council
) -> tuple[set[str], dict[str, str]]:
    """The current mayors' and members' names, and substitute -> member by name."""
    rows = (
        await session.exec(
            select(Person, Membership)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .where(Membership.council_id == council.id, Membership.current())
        )
    ).all()
    names = {p.id: p.name for p, _ in rows}
    members = {p.name for p, m in rows if m.role in (MembershipRole.MAYOR, MembershipRole.MEMBER)}
    substitutes = {
        p.name: names.get(m.substitute_for_id, "?")
        for p, m in rows
        if m.role == MembershipRole.SUBSTITUTE and m.substitute_for_id
    }
    return members, substitutes
