"""The secretariat's command line for a whole term (issue 14): the composition from the election,
the municipalities' leaders, members leaving and named, the annual plan, the constituent meeting.

Registered on `bot.cli.app` at the bottom of bot/cli.py; same rules as there: one transaction per
command, a refusal is `error: ...` lines on stderr and exit status 1 with nothing written.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from bot import cli

if TYPE_CHECKING:  # the stack is imported by the command that needs it (`kkrbot --help` is fast)
    from sqlmodel.ext.asyncio.session import AsyncSession

    from models.tables import Council
    from procedure.composition_trace import CompositionTrace

term_app = typer.Typer(help="A term: the composition from the election, the constituent meeting.")
municipalities_app = typer.Typer(help="The municipalities' mayors and deputy mayors (R-S2, R-K1).")
cli.app.add_typer(term_app, name="term")
cli.app.add_typer(municipalities_app, name="municipalities")

CouncilOption = cli.CouncilOption
DateOption = Annotated[str, typer.Option(help="A date as YYYY-MM-DD.", show_default=False)]


async def council_by_slug(session: AsyncSession, slug: str) -> Council:
    """services.councils.council_by_slug, imported when a command runs."""
    from services.councils import council_by_slug as find

    return await find(session, slug)


def read_bytes(file: Path) -> bytes:
    """The file's bytes (the services decode UTF-8, with or without BOM, or Windows-1252)."""
    try:
        return file.read_bytes()
    except FileNotFoundError:
        cli._fail(f"no such file: {file}")
    except OSError as error:
        cli._fail(f"cannot read {file}: {error.strerror or error}")


def parse_day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        cli._fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}")


def _pct(share: Fraction) -> str:
    return f"{float(share) * 100:6.2f} %"


def _num(value: Fraction) -> str:
    return f"{float(value):,.2f}".replace(",", " ")


def trace_lines(trace: CompositionTrace, municipalities: int) -> list[str]:
    """R-C1/R-C2: the computation, line by line, as the secretariat checks it."""
    lines = [
        "1. Qualification: at least 2 % of the region's votes "
        f"(total {_num(trace.total)}, 2 % = {_num(trace.total * trace.threshold)})",
    ]
    for p in trace.parties:
        mark = "qualifies" if p.qualifies else "under 2 %"
        lines.append(
            f"   {p.party:<6}{_num(p.votes):>14}  {_pct(p.share)}  {mark:<10}"
            f"  mayors {p.mayors}  at least {p.lower_bound}"
        )
    lines.append(
        "2. d'Hondt on the qualifying parties' votes: the smallest council that seats every party's"
        " lower bound"
    )
    for q in trace.quotients:
        lines.append(
            f"   seat {q.rank:>2}: {q.party:<6} {_num(q.value * q.divisor)} ÷ {q.divisor}"
            f" = {_num(q.value)}"
        )
    result = trace.result
    lines.append(
        f"   uncapped size {result.uncapped_size}; cap 2 × {municipalities} municipalities"
        f" = {result.cap}"
    )
    if result.capped:
        lines.append(
            "3. Reduction to the cap: every party starts at its lower bound; each further seat goes"
            " to the highest votes ÷ seats"
        )
        bounds = [p for p in trace.parties if p.lower_bound]
        lines.append(
            "   lower bounds: "
            + ", ".join(f"{p.party} {p.lower_bound}" for p in bounds)
            + f" = {sum(p.lower_bound for p in bounds)} seats"
        )
        for step in trace.cap_steps:
            lines.append(
                f"   seat {step.seat:>2}: {step.party:<6} votes ÷ seats = {_num(step.votes_per_seat)}"
            )
    else:
        lines.append("3. No reduction: the council is within the cap")
    lines.append(
        "Result: "
        + ", ".join(f"{party} {seats}" for party, seats in result.seats.items())
        + f" ({result.size} members)"
    )
    return lines


@term_app.command("new")
def term_new(
    ctx: typer.Context,
    council: CouncilOption,
    election: DateOption,
    votes: Annotated[Path, typer.Option(help="CSV: party;votes (a line 'i alt' for the total).")],
    mayors: Annotated[Path, typer.Option(help="CSV: municipality;party of its mayor.")],
) -> None:
    """R-C1/R-C2: compute the council's composition from the election and start the term."""
    from services.term import new_term, parse_mayors, parse_votes

    settings = cli._settings(ctx)
    election_day = parse_day("--election", election)
    votes_data, mayors_data = read_bytes(votes), read_bytes(mayors)

    async def work(session: AsyncSession) -> tuple[list[str], str]:
        found = await council_by_slug(session, council)
        term, trace = await new_term(
            session,
            council=found,
            election_day=election_day,
            votes=parse_votes(votes_data),
            mayors=parse_mayors(mayors_data, found),
            now=cli.clock(),
        )
        return trace_lines(trace, found.municipalities), f"term from {term.starts_on}"

    lines, started = cli._in_transaction(settings, work)
    for line in lines:
        typer.echo(line)
    typer.echo(f"{started}; the parties now name their people (kkrbot term members)")


@term_app.command("members")
def term_members(
    ctx: typer.Context,
    council: CouncilOption,
    file: Annotated[Path, typer.Argument(help="The members file, as for `members import`.")],
) -> None:
    """R-C1: the parties' named people for the new term, checked against the computed seats."""
    from services.members import parse_members_csv
    from services.term import name_members

    settings = cli._settings(ctx)
    data = read_bytes(file)

    async def work(session: AsyncSession) -> int:
        found = await council_by_slug(session, council)
        rows = parse_members_csv(data, default_language=found.language)
        return await name_members(session, council=found, rows=rows, now=cli.clock())

    ended = cli._in_transaction(settings, work)
    typer.echo(f"the new term's people are in; {ended} membership(s) of the old term ended")


@municipalities_app.command("import")
def municipalities_import(
    ctx: typer.Context,
    council: CouncilOption,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV: municipality, mayor, party, mayor_since, born, first_deputy, second_deputy"
            " (Danish column names understood)."
        ),
    ],
) -> None:
    """R-S2/R-K1: each municipality's mayor and deputy mayors; prints each mayor's substitute."""
    from services.municipalities import (
        import_leaders,
        mayor_substitute_proposals,
        parse_leaders,
    )

    settings = cli._settings(ctx)
    data = read_bytes(file)

    async def work(session: AsyncSession) -> list[str]:
        found = await council_by_slug(session, council)
        count = await import_leaders(
            session, council=found, rows=parse_leaders(data, found), now=cli.clock()
        )
        await session.flush()
        lines = [f"{count} municipalities stored"]
        for p in await mayor_substitute_proposals(session, found):
            who = p.proposed or "the municipal council must choose (both deputies are members)"
            lines.append(f"{p.municipality}\t{p.mayor}\tsubstitute: {who}\t({p.reason})")
        return lines

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


# --- membership over time (R-S6) ----------------------------------------------------------------


async def _person(session: AsyncSession, council_id: int, name: str) -> int:
    from sqlmodel import select

    from models.tables import Person
    from services.errors import Refused

    person = (
        await session.exec(
            select(Person).where(Person.council_id == council_id, Person.name == name.strip())
        )
    ).first()
    if person is None:
        raise Refused("not_found", f"nobody called {name!r} in the council")
    return person.id or 0


@cli.members_app.command("leave")
def members_leave(
    ctx: typer.Context,
    council: CouncilOption,
    name: Annotated[str, typer.Argument(help="The member or substitute who leaves.")],
    on: Annotated[str, typer.Option("--date", help="From when, YYYY-MM-DD.", show_default=False)],
    reason: Annotated[
        str, typer.Option(help="Why, as the minutes should say.", show_default=False)
    ],
) -> None:
    """R-S6: a member or substitute leaves; their substitute is asked to become member."""
    from services.actors import secretariat_actor
    from services.membership_changes import leave

    settings = cli._settings(ctx)
    day = parse_day("--date", on)

    async def work(session: AsyncSession) -> list[str]:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        person_id = await _person(session, found.id or 0, name)
        departure = await leave(
            session, actor=actor, person_id=person_id, on=day, reason=reason, now=cli.clock()
        )
        lines = [f"{name} leaves the council from {day}"]
        if departure.asked:
            lines.append(f"{departure.asked} (the substitute) is asked to become member")
        else:
            lines.append("the party names the successor: kkrbot members name")
        if departure.office:
            lines.append(
                f"the office of {departure.office} is vacant (R-K3): kkrbot term successor"
            )
        return lines

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


@cli.members_app.command("name")
def members_name(
    ctx: typer.Context,
    council: CouncilOption,
    name: Annotated[str, typer.Argument(help="The person the party names.")],
    party: Annotated[str, typer.Option(help="The party naming them.", show_default=False)],
    substitute: Annotated[
        bool, typer.Option("--substitute", help="Name a substitute, not a member.")
    ] = False,
    mayor: Annotated[
        bool, typer.Option("--mayor", help="The municipality's new mayor takes its seat.")
    ] = False,
    municipality: Annotated[
        str | None, typer.Option(help="Their municipality.", show_default=False)
    ] = None,
) -> None:
    """R-S6: the party's new member or substitute for its open seat."""
    from services.actors import secretariat_actor
    from services.membership_changes import MAYOR, MEMBER, SUBSTITUTE, name_person
    from services.municipalities import council_municipalities

    settings = cli._settings(ctx)
    kind = MAYOR if mayor else SUBSTITUTE if substitute else MEMBER

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        municipality_id = None
        if municipality:
            known = await council_municipalities(session, found)
            if municipality not in known:
                cli._fail(f"{municipality} is not one of the council's municipalities")
            municipality_id = known[municipality].id
        await name_person(
            session,
            actor=actor,
            kind=kind,
            party=party,
            name=name,
            municipality_id=municipality_id,
            now=cli.clock(),
        )
        return f"{name} is the new {kind} for {party}"

    typer.echo(cli._in_transaction(settings, work))


@cli.members_app.command("party")
def members_party(
    ctx: typer.Context,
    council: CouncilOption,
    name: Annotated[str, typer.Argument(help="The mayor who changed party.")],
    party: Annotated[str, typer.Option(help="The new party.", show_default=False)],
) -> None:
    """R-S6: a mayor changes party and stays; the old party may name a new member."""
    from services.actors import secretariat_actor
    from services.membership_changes import change_party

    settings = cli._settings(ctx)

    async def work(session: AsyncSession) -> list[str]:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        vacancy = await change_party(
            session,
            actor=actor,
            person_id=await _person(session, found.id or 0, name),
            party=party,
            now=cli.clock(),
        )
        lines = [f"{name} stays member, now for {party}"]
        if vacancy is not None:
            lines.append(
                f"{vacancy.party} may name a new member (kkrbot members name); the council may"
                f" then exceed {2 * found.municipalities} members (R-S6)"
            )
        return lines

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


cli.members_app.command(
    "add", help="The same as `members name`: a party's new member or substitute."
)(members_name)


# --- the annual plan (R-M1) --------------------------------------------------------------------


@cli.meetings_app.command("plan")
def meetings_plan(
    ctx: typer.Context,
    council: CouncilOption,
    year: Annotated[int, typer.Option(help="The year planned.", show_default=False)],
    dates: Annotated[
        str,
        typer.Option(help="The meeting days, YYYY-MM-DD separated by commas.", show_default=False),
    ],
    place: Annotated[str, typer.Option(help="Where they are held.")] = "KKR",
    at: Annotated[str, typer.Option(help="Local start time, HH:MM.")] = "10:00",
) -> None:
    """R-M1: lay out the year's ordinary meetings at once; warns on the count and closed days."""
    from services.annual_plan import plan_year
    from services.meetings import view

    settings = cli._settings(ctx)
    days = [parse_day("--dates", part) for part in dates.split(",") if part.strip()]
    start = cli._parse_time("--at", at)
    assert start is not None

    async def work(session: AsyncSession) -> list[str]:
        from services.actors import secretariat_actor

        found = await council_by_slug(session, council)
        plan = await plan_year(
            session,
            council=found,
            year=year,
            days=days,
            place=place,
            now=cli.clock(),
            at=start,
            actor=await secretariat_actor(session, found.id or 0),  # the CLI is the secretariat's
        )
        lines = []
        for meeting in plan.meetings:
            lines += cli._meeting_lines(view(meeting, found))
        for warning in plan.warnings:
            lines.append("warning: " + _plan_warning(warning))
        lines.append(
            f"{len(plan.added)} added, {len(plan.existing)} planned already; {plan.told} told"
        )
        return lines

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


def _plan_warning(warning: object) -> str:
    from procedure.annual_plan import PlanWarning

    assert isinstance(warning, PlanWarning)
    if warning.kind == "count":
        return (
            f"{warning.planned} ordinary meetings planned; the council's setting is"
            f" {warning.expected} (kkrbot council settings --meetings-per-year)"
        )
    if warning.kind == "holiday":
        return f"{warning.day} is a public holiday ({warning.name})"
    if warning.kind == "weekend":
        return f"{warning.day} is a {warning.day:%A}" if warning.day else "a weekend"
    return f"{warning.day} is a day the council's offices are closed"


# The constituent meeting and successors (R-K1–R-K3) are in bot/cli_constitution.py.
import bot.cli_constitution  # noqa: E402, F401
