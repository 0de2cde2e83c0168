"""A new term from the municipal election (R-C1, R-C2): the composition computed from the region's
votes and mayors, stored with the term, and the parties' naming of their people checked against it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole
from models.tables import Council, Membership
from models.term import Term, TermParty
from procedure.composition_trace import CompositionTrace, explain
from procedure.errors import CompositionError
from services import audit
from services.csv_files import number as read_number
from services.csv_files import read_lines, refuse_all
from services.errors import Refused
from services.members import VOTING_ROLES, MemberRow, import_members
from services.municipalities import check_municipality, region_municipalities

VOTE_ALIASES = {"parti": "party", "liste": "party", "stemmer": "votes", "procent": "votes"}
MAYOR_ALIASES = {"kommune": "municipality", "parti": "party", "borgmester": "mayor"}
TOTAL_WORDS = {"i alt", "total", "ialt"}


@dataclass(frozen=True)
class Votes:
    """The region's votes per party (numbers or percentages) and their total."""

    by_party: dict[str, float]
    total: float | None  # None: the sum of the lines


def parse_votes(data: bytes | str) -> Votes:
    """party;votes per line; a line "i alt"/"total" gives the total when small lists are left out."""
    header, lines = read_lines(data, aliases=VOTE_ALIASES)
    if "party" not in header or "votes" not in header:
        raise Refused("invalid_input", "line 1: the votes file needs the columns party and votes")
    by_party: dict[str, float] = {}
    total: float | None = None
    errors = []
    for line in lines:
        party, text = line.get("party"), line.get("votes")
        if not party or text is None:
            errors.append(f"line {line.number}: a party and its votes are needed")
            continue
        try:
            value = read_number(text)
        except ValueError:
            errors.append(f"line {line.number}: {text!r} is not a number of votes")
            continue
        if party.lower() in TOTAL_WORDS:
            total = value
        elif party in by_party:
            errors.append(f"line {line.number}: {party} is listed twice")
        else:
            by_party[party] = value
    if not by_party and not errors:
        errors.append("the votes file has no parties in it")
    refuse_all(errors)
    return Votes(by_party, total)


def parse_mayors(data: bytes | str, council: Council) -> dict[str, str]:
    """municipality;party for every municipality of the region (each once): municipality -> party."""
    header, lines = read_lines(data, aliases=MAYOR_ALIASES)
    if "municipality" not in header or "party" not in header:
        raise Refused(
            "invalid_input", "line 1: the mayors file needs the columns municipality and party"
        )
    parties: dict[str, str] = {}
    errors = []
    for line in lines:
        municipality, party = line.get("municipality"), line.get("party")
        if not municipality or not party:
            errors.append(f"line {line.number}: a municipality and its mayor's party are needed")
            continue
        wrong = check_municipality(council, municipality)
        if wrong:
            errors.append(f"line {line.number}: {wrong}")
        if municipality in parties:
            errors.append(f"line {line.number}: {municipality} is listed twice")
        parties[municipality] = party
    known = region_municipalities(council.region)
    if known is not None and not errors:
        missing = [m for m in known if m not in parties]
        if missing:
            errors.append(f"the mayors file lacks {', '.join(missing)}")
    if len(parties) > council.municipalities:
        errors.append(f"{len(parties)} mayors; the council has {council.municipalities}")
    refuse_all(errors)
    return parties


def compute(votes: Votes, mayors: dict[str, str], council: Council) -> CompositionTrace:
    """R-C1/R-C2: the composition with every step, or a refusal saying what is wrong."""
    counts = Counter(mayors.values())
    unknown = sorted(p for p in counts if p not in votes.by_party)
    if unknown:
        raise Refused(
            "invalid_input", f"the mayors' parties {', '.join(unknown)} have no votes in the file"
        )
    try:
        return explain(votes.by_party, dict(counts), council.municipalities, total=votes.total)
    except CompositionError as error:
        raise Refused("invalid_input", str(error)) from error


async def new_term(
    session: AsyncSession,
    *,
    council: Council,
    election_day: date,
    votes: Votes,
    mayors: dict[str, str],
    now: datetime,
) -> tuple[Term, CompositionTrace]:
    """R-C1/R-C2: record a term after the election with the seats computed for each party."""
    trace = compute(votes, mayors, council)
    existing = (
        await session.exec(
            select(Term).where(Term.council_id == council.id, Term.election_day == election_day)
        )
    ).first()
    if existing is not None:
        raise Refused("term_exists", election_day=election_day.isoformat())
    # The municipal councils' term begins on 1 January after the election (R-K1).
    term = Term(
        council_id=council.id or 0,
        election_day=election_day,
        starts_on=date(election_day.year + 1, 1, 1),
        created_at=now,
    )
    session.add(term)
    await session.flush()
    seats = trace.result.seats
    for line in trace.parties:
        session.add(
            TermParty(
                term_id=term.id or 0,
                party=line.party,
                votes=float(votes.by_party[line.party]),
                mayors=line.mayors,
                seats=seats.get(line.party, 0),
                qualifies=line.qualifies,
            )
        )
    audit.record(
        session,
        now=now,
        action="term.new",
        council_id=council.id,
        subject=f"term:{term.id}",
        seats=dict(seats),
    )
    return term, trace


async def current_term(session: AsyncSession, council_id: int) -> Term:
    """The council's latest term not archived; refused as not_found when there is none."""
    term = (
        await session.exec(
            select(Term)
            .where(Term.council_id == council_id, col(Term.archived_at).is_(None))
            .order_by(col(Term.election_day).desc())
        )
    ).first()
    if term is None:
        raise Refused("not_found", "the council has no term; start one with `kkrbot term new`")
    return term


async def term_parties(session: AsyncSession, term: Term) -> list[TermParty]:
    rows = await session.exec(
        select(TermParty).where(TermParty.term_id == term.id).order_by(col(TermParty.id))
    )
    return list(rows.all())


def naming_mismatches(rows: list[MemberRow], parties: list[TermParty]) -> list[str]:
    """R-C1/R-C2: where the parties' named mayors and members differ from the computed seats."""
    named = Counter(r.party or "" for r in rows if r.role in VOTING_ROLES)
    seats = {p.party: p.seats for p in parties if p.seats}
    errors = []
    for party in [*seats, *sorted(p for p in named if p not in seats)]:
        if named.get(party, 0) != seats.get(party, 0):
            lines = [str(r.line) for r in rows if r.role in VOTING_ROLES and r.party == party]
            where = f"line(s) {', '.join(lines)}" if lines else "no line"
            errors.append(
                f"{party or 'no party'}: {named.get(party, 0)} named ({where}), the election gives"
                f" {seats.get(party, 0)}"
            )
    return errors


async def name_members(
    session: AsyncSession, *, council: Council, rows: list[MemberRow], now: datetime
) -> int:
    """The parties name their people for the new term: the file must match the computed table;
    every current membership of a mayor, member or substitute ends, and the file's people begin."""
    term = await current_term(session, council.id or 0)
    refuse_all(naming_mismatches(rows, await term_parties(session, term)))
    # The change takes effect when made (a membership is current until it ends); named before
    # the term begins, the old term's people hand over that day, named later, on the first day.
    today = now.astimezone(ZoneInfo(council.timezone)).date()
    changed_on = min(today, term.starts_on)
    ended = 0
    for membership in await session.exec(
        select(Membership).where(Membership.council_id == council.id, Membership.current())
    ):
        if membership.role in (MembershipRole.SECRETARIAT, MembershipRole.OBSERVER):
            continue  # staff and observers are not elected; they stay
        membership.ended_on = changed_on
        membership.end_reason = "term"
        session.add(membership)
        ended += 1
    await session.flush()
    await import_members(session, council=council, rows=rows, now=now)
    for membership in await session.exec(
        select(Membership).where(
            Membership.council_id == council.id,
            Membership.current(),
            col(Membership.started_on).is_(None),
        )
    ):
        membership.started_on = changed_on
        session.add(membership)
    audit.record(session, now=now, action="term.name_members", council_id=council.id, ended=ended)
    return ended
