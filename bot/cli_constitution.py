"""The secretariat's command line for the constituent meeting (R-K1, R-K2) and the chair's and
vice chair's successors (R-K3), under `kkrbot term`; registered by bot/cli_term.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from bot import cli
from bot.cli_term import CouncilOption, parse_day, term_app

if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from models.tables import Council


async def council_by_slug(session: AsyncSession, slug: str) -> Council:
    """The council named on the command line; the services are imported only when a command runs,
    so `kkrbot --help` stays fast (issue 15)."""
    from services.councils import council_by_slug as by_slug

    return await by_slug(session, slug)


@term_app.command("convener")
def term_convener(ctx: typer.Context, council: CouncilOption) -> None:
    """R-K1: who calls the constituent meeting, and the day it must be held by."""
    from services.constitution import convener

    settings = cli._settings(ctx)

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        who = await convener(session, found)
        return f"{who.name} calls the constituent meeting, to be held by {who.deadline}"

    typer.echo(cli._in_transaction(settings, work))


@term_app.command("call")
def term_call(
    ctx: typer.Context,
    council: CouncilOption,
    at: Annotated[str, typer.Option(help="Local start, YYYY-MM-DD HH:MM.", show_default=False)],
    place: Annotated[str, typer.Option(help="Where.", show_default=False)],
) -> None:
    """R-K1: call the constituent meeting (on the convener's behalf); everyone is told."""
    from procedure.deadlines import alliance_notice_deadline
    from services.actors import secretariat_actor
    from services.annual_plan import closed_days
    from services.constitution import call_constituent_meeting
    from services.meetings import view

    settings = cli._settings(ctx)
    starts_at = cli._parse_at(at)

    async def work(session: AsyncSession) -> list[str]:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        meeting = await call_constituent_meeting(
            session, actor=actor, starts_at=starts_at, place=place, now=cli.clock()
        )
        shown = view(meeting, found)
        deadline = alliance_notice_deadline(shown.starts_at.date(), closed_days(found))
        return [*cli._meeting_lines(shown), f"alliances to the secretariat by {deadline} (R-K2)"]

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


@term_app.command("alliance")
def term_alliance(
    ctx: typer.Context,
    council: CouncilOption,
    parties: Annotated[str, typer.Argument(help="The parties, e.g. V,C.")],
) -> None:
    """R-K2: record an alliance notified to the secretariat (until three working days before)."""
    from services.actors import secretariat_actor
    from services.constitution import notify_alliance

    settings = cli._settings(ctx)

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        alliance = await notify_alliance(
            session, actor=actor, parties=parties.split(","), now=cli.clock()
        )
        return f"alliance {'+'.join(alliance.parties)} recorded on {alliance.notified_on}"

    typer.echo(cli._in_transaction(settings, work))


@term_app.command("constitute")
def term_constitute(
    ctx: typer.Context,
    council: CouncilOption,
    chair: Annotated[str, typer.Option(help="The person the chair's group names.")],
    vice_chair: Annotated[str, typer.Option(help="The person the vice chair's group names.")],
) -> None:
    """R-K2: the chair's and vice chair's groups by d'Hondt (alliances together); sets the offices
    and archives the previous term."""
    from services.actors import secretariat_actor
    from services.constitution import constitute

    settings = cli._settings(ctx)

    async def work(session: AsyncSession) -> list[str]:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        result = await constitute(
            session, actor=actor, chair=chair, vice_chair=vice_chair, now=cli.clock()
        )
        order = sorted(result.groups.items(), key=lambda g: -g[1])
        lines = ["groups (votes): " + ", ".join(f"{g} {v}" for g, v in order)]
        lines.append(f"1st seat (chair): {result.chair_group} — {result.chair}")
        lines.append(f"2nd seat (vice chair): {result.vice_group} — {result.vice_chair}")
        return lines

    for line in cli._in_transaction(settings, work):
        typer.echo(line)


@term_app.command("successor")
def term_successor(
    ctx: typer.Context,
    council: CouncilOption,
    office: Annotated[str, typer.Option(help="chair or vice_chair.", show_default=False)],
    name: Annotated[str, typer.Argument(help="The successor the group names.")],
    until: Annotated[
        str | None,
        typer.Option(help="For a period of absence: until YYYY-MM-DD.", show_default=False),
    ] = None,
) -> None:
    """R-K3: the group that elected the chair or vice chair names the successor."""
    from services.actors import secretariat_actor
    from services.constitution import name_successor

    settings = cli._settings(ctx)
    end = parse_day("--until", until) if until else None

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        record = await name_successor(
            session, actor=actor, office=office, name=name, until=end, now=cli.clock()
        )
        period = f" until {record.until}" if record.until else ""
        return f"{name} is {office.replace('_', ' ')}{period}, for {record.group_name}"

    typer.echo(cli._in_transaction(settings, work))


@term_app.command("returns")
def term_returns(
    ctx: typer.Context,
    council: CouncilOption,
    name: Annotated[str, typer.Argument(help="The chair or vice chair who can serve again.")],
) -> None:
    """R-K3: the prevented chair or vice chair serves again before the period ends: the office
    goes back from the successor (the sweep does it by itself when the period ends)."""
    from services.actors import secretariat_actor
    from services.offices import record_return

    settings = cli._settings(ctx)

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        actor = await secretariat_actor(session, found.id or 0)
        told = await record_return(session, actor=actor, name=name, now=cli.clock())
        return f"{name} holds the office again; {told} told"

    typer.echo(cli._in_transaction(settings, work))
