"""The secretariat's command line (`kkrbot`): councils, members, invites, meetings, the database.

Every command migrates the database first, does its work in one transaction and prints only after
the commit; a refusal is one `error: ...` line on stderr and exit status 1, with nothing written.
"""

from __future__ import annotations

import html
import sys
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from typer.core import TyperGroup

try:  # typer ≥ 0.20 vendors click; older releases use the click distribution
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors  # type: ignore[no-redef]
# The database and service stack is imported by the command that needs it, so that `kkrbot
# --help` and a mistyped option answer at once (issue 15: < 0.3 s, not a second of imports).
if TYPE_CHECKING:
    from sqlmodel.ext.asyncio.session import AsyncSession

    from bot.settings import Settings
    from models.tables import Notice
    from services.errors import Refused
    from services.meetings import MeetingView

T = TypeVar("T")
AT_FORMAT = "%Y-%m-%d %H:%M"
AT_FORMAT_SHOWN = "YYYY-MM-DD HH:MM"


def utcnow() -> datetime:
    return datetime.now(UTC)


# The one place the CLI reads the clock; tests replace it (`monkeypatch.setattr(cli, "clock", ...)`).
clock: Callable[[], datetime] = utcnow


class _OneLineErrors(TyperGroup):
    """Usage errors (a missing option, a bad number) are one `error:` line and exit 1 too."""

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click_errors.ClickException as error:
            if type(error).__name__ == "NoArgsIsHelpError":  # a bare group: its help, not an error
                typer.echo(error.format_message())
                return _exit(0, standalone_mode)
            ctx = getattr(error, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            typer.echo(f"error: {_one_line(error.format_message())}{hint}", err=True)
            code = 1
        except typer.Abort:
            typer.echo("error: aborted", err=True)
            code = 1
        return _exit(code, standalone_mode)


def _exit(code: Any, standalone_mode: bool) -> Any:
    if not standalone_mode:
        return code
    sys.exit(code if isinstance(code, int) else 0)


def _one_line(text: str) -> str:
    return " ".join(text.split())


app = typer.Typer(
    cls=_OneLineErrors,
    name="kkrbot",
    help="kkrbot: the Telegram bot of a KKR council, and the secretariat's tools to set it up.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # plain help: rich alone takes longer to import than the answer may
)
PLAIN: dict[str, Any] = {"no_args_is_help": True, "rich_markup_mode": None}
council_app = typer.Typer(help="Create councils and set their rules' settings.", **PLAIN)
members_app = typer.Typer(help="Import a council's people from CSV.", **PLAIN)
meetings_app = typer.Typer(help="Plan and list meetings.", **PLAIN)
db_app = typer.Typer(help="The database.", **PLAIN)
attendance_app = typer.Typer(help="The attendance record (R-X3).", **PLAIN)
app.add_typer(council_app, name="council")
app.add_typer(members_app, name="members")
app.add_typer(meetings_app, name="meetings")
app.add_typer(db_app, name="db")
app.add_typer(attendance_app, name="attendance")

CouncilOption = Annotated[str, typer.Option("--council", help="The council's slug.")]


@app.callback()
def _options(
    ctx: typer.Context,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            help="SQLAlchemy URL of the database; overrides KKRBOT_DATABASE_URL.",
            show_default=False,
        ),
    ] = None,
) -> None:
    ctx.obj = database_url


def _settings(ctx: typer.Context) -> Settings:
    """The settings, read now from the environment (and .env), with the command-line override."""
    from pydantic import ValidationError

    from bot.settings import Settings

    try:
        settings = Settings()
    except ValidationError as error:
        problems = "; ".join(
            f"KKRBOT_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in error.errors()
        )
        _fail(f"invalid settings: {problems}")
    url = ctx.find_root().obj
    return settings.model_copy(update={"database_url": url}) if url else settings


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {_one_line(message)}", err=True)
    raise typer.Exit(1)


def _in_transaction(settings: Settings, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Migrate, then run `work` in one transaction; any refusal rolls everything back."""
    from models.db import make_engine, make_session_factory
    from models.migrate import upgrade
    from models.unit_of_work import unit_of_work

    async def go() -> T:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            async with unit_of_work(make_session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return _guarded(settings, go)


def _guarded(settings: Settings, go: Callable[[], Coroutine[Any, Any, T]]) -> T:

    from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

    from services.errors import Refused

    try:
        import asyncio  # here: `kkrbot --help` needs no event loop

        return asyncio.run(go())
    except Refused as error:
        for line in error.params.get("errors", [])[:-1]:  # every error of a file, one a line
            typer.echo(f"error: {_one_line(str(line))}", err=True)
        if error.params.get("errors"):
            _fail(str(error.params["errors"][-1]))
        _fail(_said(error))
    except IntegrityError as error:
        _fail(f"the database refused the change: {_one_line(str(error.orig))}")
    except ArgumentError as error:
        _fail(f"cannot use the database URL {settings.database_url!r}: {error}")
    except (DBAPIError, OSError) as error:
        reason = getattr(error, "orig", None) or error
        _fail(
            f"cannot use the database {_safe_url(settings.database_url)}: {_one_line(str(reason))}"
        )


def _said(error: Refused) -> str:
    """A refusal given only as a code is said in English words (bot/texts.py), not as the code."""
    from bot.texts import REFUSALS, refusal

    if error.detail == error.code and error.code in REFUSALS:
        return html.unescape(refusal(error, "en"))
    return str(error)


def _safe_url(url: str) -> str:
    """The URL without its password, fit to print."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return repr(url)


# --- council -----------------------------------------------------------------------------------


@council_app.command("create")
def council_create(
    ctx: typer.Context,
    name: Annotated[str, typer.Option(help='The council\'s name, e.g. "KKR Nordjylland".')],
    region: Annotated[str, typer.Option(help="The region it serves, e.g. Nordjylland.")],
    municipalities: Annotated[int, typer.Option(help="How many municipalities the region has.")],
    language: Annotated[
        str | None, typer.Option(help="da or en [default: KKRBOT_LANGUAGE, da]", show_default=False)
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(
            help="IANA time zone [default: KKRBOT_TIMEZONE, Europe/Copenhagen]", show_default=False
        ),
    ] = None,
) -> None:
    """Create a council (R-P1); prints its slug alone on the last line."""
    from services.councils import create_council

    settings = _settings(ctx)

    async def work(session: AsyncSession) -> tuple[str, str]:
        council = await create_council(
            session,
            name=name,
            region=region,
            municipalities=municipalities,
            now=clock(),
            language=language or settings.language,
            timezone=timezone or settings.timezone,
        )
        return council.name, council.slug

    council_name, slug = _in_transaction(settings, work)
    typer.echo(f"created {council_name}; its slug is")
    typer.echo(slug)


SettingOption = Annotated[str | None, typer.Option(show_default=False)]


@council_app.command("settings")
def council_settings_command(
    ctx: typer.Context,
    council: CouncilOption,
    proposal_deadline_days: Annotated[
        int | None, typer.Option(help="R-D1: days before an ordinary meeting.", show_default=False)
    ] = None,
    distribution_time: Annotated[
        str | None,
        typer.Option(
            help="R-D2: HH:MM the approved agenda goes out by itself.", show_default=False
        ),
    ] = None,
    proposal_reminder_days: Annotated[
        str | None,
        typer.Option(help="R-D4: members, days before R-D1, e.g. 3,1.", show_default=False),
    ] = None,
    proposal_reminder_time: SettingOption = None,
    agenda_reminder_days: Annotated[
        str | None,
        typer.Option(
            help="R-D4: chair and secretariat, days before R-D2, e.g. 2,0.", show_default=False
        ),
    ] = None,
    agenda_reminder_time: SettingOption = None,
    meeting_reminder_hours: Annotated[
        int | None, typer.Option(help="R-D4: everyone, hours before a meeting.", show_default=False)
    ] = None,
    substitute_answer_hours: Annotated[
        int | None,
        typer.Option(help="R-S7: a summons' answer is due this long before.", show_default=False),
    ] = None,
    late_summons_answer_hours: Annotated[
        int | None,
        typer.Option(
            help="R-S7: a summons sent late still gets this many hours to answer.",
            show_default=False,
        ),
    ] = None,
    summons_reminder_hours: Annotated[
        int | None,
        typer.Option(
            help="R-S7: an unanswered summons is repeated this long before its deadline.",
            show_default=False,
        ),
    ] = None,
    addendum_reminder_hours: Annotated[
        int | None,
        typer.Option(
            help="R-D3: an unsent change to a sent agenda is reminded after this many hours.",
            show_default=False,
        ),
    ] = None,
    acting_chair_choice: Annotated[
        str | None,
        typer.Option(
            help="R-P3: chair and vice chair absent: 'oldest' member present or 'chosen'.",
            show_default=False,
        ),
    ] = None,
    language: SettingOption = None,
    timezone: SettingOption = None,
    meetings_per_year: Annotated[
        int | None,
        typer.Option(help="R-M1: ordinary meetings in the annual plan.", show_default=False),
    ] = None,
    closed_days: Annotated[
        str | None,
        typer.Option(
            help="R-K2: closed days as MM-DD, e.g. 06-05,12-24,12-31.", show_default=False
        ),
    ] = None,
    request_lapse_days: Annotated[
        int | None,
        typer.Option(
            help="R-M2: a request for an extraordinary meeting lapses after this many days.",
            show_default=False,
        ),
    ] = None,
    meeting_length_minutes: Annotated[
        int | None,
        typer.Option(
            help="How long a meeting lasts in members' calendars (a held one: until it closed).",
            show_default=False,
        ),
    ] = None,
    publish_agenda: Annotated[
        str | None,
        typer.Option(
            help="R-X1: the agenda is public when 'distributed', or only 'by-hand'.",
            show_default=False,
        ),
    ] = None,
    publish_minutes: Annotated[
        str | None,
        typer.Option(
            help="R-X1: the minutes are public when 'approved', or only 'by-hand'.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Show the council's settings, or change those given; the scheduler follows at its next sweep."""
    from services.councils import (
        CouncilSettings,
        change_settings,
        council_by_slug,
        council_settings,
    )
    from services.publishing import publish_setting
    from services.publishing_setting import configure_publishing

    settings = _settings(ctx)
    changes = CouncilSettings(
        proposal_deadline_days=proposal_deadline_days,
        distribution_time=_parse_time("--distribution-time", distribution_time),
        proposal_reminder_days=_parse_days("--proposal-reminder-days", proposal_reminder_days),
        proposal_reminder_time=_parse_time("--proposal-reminder-time", proposal_reminder_time),
        agenda_reminder_days=_parse_days("--agenda-reminder-days", agenda_reminder_days),
        agenda_reminder_time=_parse_time("--agenda-reminder-time", agenda_reminder_time),
        meeting_reminder_hours=meeting_reminder_hours,
        substitute_answer_hours=substitute_answer_hours,
        late_summons_answer_hours=late_summons_answer_hours,
        summons_reminder_hours=summons_reminder_hours,
        addendum_reminder_hours=addendum_reminder_hours,
        acting_chair_choice=acting_chair_choice,
        language=language,
        timezone=timezone,
        meetings_per_year=meetings_per_year,
        closed_days=_parse_closed_days(closed_days),
        request_lapse_days=request_lapse_days,
        meeting_length_minutes=meeting_length_minutes,
    )

    agenda_auto = _parse_choice("--publish-agenda", publish_agenda, "distributed")
    minutes_auto = _parse_choice("--publish-minutes", publish_minutes, "approved")

    async def work(session: AsyncSession) -> tuple[dict[str, Any], dict[str, Any]]:
        found = await council_by_slug(session, council)
        changed = await change_settings(session, council=found, changes=changes, now=clock())
        before = await publish_setting(session, found.id or 0)
        was = (before.agenda_on_distribution, before.minutes_on_approval)
        after = await configure_publishing(
            session,
            council=found,
            now=clock(),
            agenda_on_distribution=agenda_auto,
            minutes_on_approval=minutes_auto,
        )
        shown = council_settings(found)
        for name, old, new, word in (
            ("publish_agenda", was[0], after.agenda_on_distribution, "distributed"),
            ("publish_minutes", was[1], after.minutes_on_approval, "approved"),
        ):
            shown[name] = word if new else "by-hand"
            if old != new:
                changed[name] = (word if old else "by-hand", shown[name])
        return changed, shown

    changed, now_set = _in_transaction(settings, work)
    for name, value in now_set.items():
        mark = f"\t(was {_setting_shown(changed[name][0])})" if name in changed else ""
        typer.echo(f"{name.replace('_', '-')}\t{_setting_shown(value)}{mark}")


def _parse_choice(option: str, value: str | None, automatic: str) -> bool | None:
    """R-X1: `automatic` (distributed/approved) or by-hand; None leaves the setting as it is."""
    if value is None:
        return None
    if value.strip().lower() not in (automatic, "by-hand"):
        _fail(f"{option} must be {automatic} or by-hand, not {value!r}")
    return value.strip().lower() == automatic


def _parse_time(option: str, value: str | None) -> time | None:
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%H:%M").time()
    except ValueError:
        _fail(f"{option} must be a local time as HH:MM, not {value!r}")


def _parse_days(option: str, value: str | None) -> list[int] | None:
    if value is None:
        return None
    try:
        return [int(part) for part in value.split(",") if part.strip()]
    except ValueError:
        _fail(f"{option} must be whole days separated by commas, e.g. 3,1, not {value!r}")


def _parse_closed_days(value: str | None) -> list[list[int]] | None:
    if value is None:
        return None
    try:
        return [
            [int(p) for p in part.strip().split("-")] for part in value.split(",") if part.strip()
        ]
    except ValueError:
        _fail(f"--closed-days must be MM-DD separated by commas, e.g. 06-05,12-24, not {value!r}")


def _setting_shown(value: object) -> str:
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, list) and value and isinstance(value[0], list):
        return ",".join(f"{m:02d}-{d:02d}" for m, d in value)
    if isinstance(value, list):
        return ",".join(str(day) for day in value) or "none"
    return str(value)


# --- members -----------------------------------------------------------------------------------


@members_app.command("import")
def members_import(
    ctx: typer.Context,
    council: CouncilOption,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns name,role,municipality,party,substitute_for,office,language.",
            show_default=False,
        ),
    ],
) -> None:
    """Create or update the council's people from a CSV file; re-importing it changes nothing."""
    from services.councils import council_by_slug
    from services.members import import_members, parse_members_csv

    settings = _settings(ctx)
    text = _read_bytes(file)

    async def work(session: AsyncSession) -> tuple[int, int, int, list[str]]:
        found = await council_by_slug(session, council)
        rows = parse_members_csv(text, default_language=found.language)
        report = await import_members(session, council=found, rows=rows, now=clock())
        return (
            len(report.created),
            len(report.updated),
            len(report.unchanged),
            report.without_substitute,
        )

    created, updated, unchanged, without = _in_transaction(settings, work)
    typer.echo(f"{created} created, {updated} updated, {unchanged} unchanged")
    if without:
        typer.echo(
            f"warning: {len(without)} member(s) without a personal substitute (R-S1): "
            + ", ".join(without),
            err=True,
        )


def _read_bytes(file: Path) -> bytes:
    """The file as saved (UTF-8 with or without BOM, or Windows-1252 from Danish Excel)."""
    try:
        return file.read_bytes()
    except FileNotFoundError:
        _fail(f"no such file: {file}")
    except OSError as error:
        _fail(f"cannot read {file}: {error.strerror or error}")


# --- invites -----------------------------------------------------------------------------------


@app.command("invites")
def invites(ctx: typer.Context, council: CouncilOption) -> None:
    """Issue a fresh invite to everyone not yet linked: name<TAB>token<TAB>deep link per line.

    Earlier unused invites of the same people stop working; each invite works once.
    """
    from telegram.helpers import create_deep_linked_url

    from services.councils import council_by_slug
    from services.invites import issue_invites

    settings = _settings(ctx)
    try:
        create_deep_linked_url(settings.bot_username, "check")
    except ValueError:
        _fail(f"KKRBOT_BOT_USERNAME {settings.bot_username!r} is not a bot username")
    ttl = timedelta(days=settings.invite_ttl_days)

    async def work(session: AsyncSession) -> list[tuple[str, str, datetime]]:
        found = await council_by_slug(session, council)
        issued = await issue_invites(session, council=found, now=clock(), ttl=ttl)
        return [(i.person_name, i.token, i.expires_at) for i in issued]

    issued = _in_transaction(settings, work)
    for name, token, _expires in issued:
        typer.echo(f"{name}\t{token}\t{create_deep_linked_url(settings.bot_username, token)}")
    if issued:
        typer.echo(
            f"{len(issued)} invite(s), single-use, valid until {issued[0][2]:%Y-%m-%d %H:%M} UTC",
            err=True,
        )
    else:
        typer.echo("everyone of the council is linked already; no invites issued", err=True)


# --- meetings ----------------------------------------------------------------------------------


def _parse_at(value: str) -> datetime:
    try:
        return datetime.strptime(value.strip(), AT_FORMAT)
    except ValueError:
        _fail(f"--at must be the council's local date and time as {AT_FORMAT_SHOWN}, not {value!r}")


def _when(moment: datetime) -> str:
    return f"{moment:%a %Y-%m-%d %H:%M %Z}"


def _meeting_lines(shown: MeetingView) -> list[str]:
    lines = [f"meeting {shown.id}\t{shown.kind}\t{_when(shown.starts_at)}\t{shown.place}"]
    if shown.subject:
        lines.append(f"  subject: {shown.subject}")
    if shown.proposal_deadline is not None:
        lines.append(f"  proposal deadline (R-D1):     {_when(shown.proposal_deadline)}")
    if shown.distribution_deadline is not None:
        lines.append(f"  distribution deadline (R-D2): {_when(shown.distribution_deadline)}")
    return lines


@meetings_app.command("add")
def meetings_add(
    ctx: typer.Context,
    council: CouncilOption,
    at: Annotated[
        str,
        typer.Option(
            help=f"Start, the council's local time: {AT_FORMAT_SHOWN}.", show_default=False
        ),
    ],
    place: Annotated[str, typer.Option(help="Where the meeting is held.", show_default=False)],
    extraordinary: Annotated[
        bool, typer.Option("--extraordinary", help="An extraordinary meeting (R-M2, no deadlines).")
    ] = False,
    subject: Annotated[
        str | None, typer.Option(help="What the meeting is about.", show_default=False)
    ] = None,
) -> None:
    """Put a meeting in the plan; prints its id and, if ordinary, its R-D1/R-D2 deadlines."""
    from models.enums import MeetingKind
    from services.councils import council_by_slug
    from services.meetings import add_meeting, view

    settings = _settings(ctx)
    starts_at = _parse_at(at)
    kind = MeetingKind.EXTRAORDINARY if extraordinary else MeetingKind.ORDINARY

    async def work(session: AsyncSession) -> MeetingView:
        from services.actors import secretariat_actor

        found = await council_by_slug(session, council)
        meeting = await add_meeting(
            session,
            actor=await secretariat_actor(session, found.id or 0),  # the CLI is the secretariat's
            council=found,
            starts_at=starts_at,
            place=place,
            now=clock(),
            kind=kind,
            subject=(subject or "").strip() or None,
        )
        return view(meeting, found)

    for line in _meeting_lines(_in_transaction(settings, work)):
        typer.echo(line)


@meetings_app.command("list")
def meetings_list(ctx: typer.Context, council: CouncilOption) -> None:
    """The council's coming meetings, soonest first, with their deadlines in local time."""
    from services.councils import council_by_slug
    from services.meetings import council_meetings

    settings = _settings(ctx)

    async def work(session: AsyncSession) -> list[MeetingView]:
        found = await council_by_slug(session, council)
        return await council_meetings(session, council=found, now=clock())

    coming = _in_transaction(settings, work)
    if not coming:
        typer.echo("no coming meetings")
    for shown in coming:
        for line in _meeting_lines(shown):
            typer.echo(line)


# --- attendance --------------------------------------------------------------------------------


@attendance_app.command("export")
def attendance_export_command(
    ctx: typer.Context,
    council: CouncilOption,
    start: Annotated[
        str, typer.Option("--from", help="First day, YYYY-MM-DD.", show_default=False)
    ],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.", show_default=False)],
    file_format: Annotated[str, typer.Option("--format", help="csv or xlsx.")] = "xlsx",
    output: Annotated[
        Path | None,
        typer.Option(
            "-o",
            "--output",
            help="The file to write [default: a name from the period].",
            show_default=False,
        ),
    ] = None,
) -> None:
    """R-X3: one row per person per meeting held in the period, and totals per person."""
    from services.actors import secretariat_actor
    from services.attendance_export import attendance_export, export_file_name, to_csv, to_xlsx
    from services.councils import council_by_slug

    settings = _settings(ctx)
    if file_format not in ("csv", "xlsx"):
        _fail(f"the format must be csv or xlsx, not {file_format!r}")
    first, last = _parse_day("--from", start), _parse_day("--to", end)

    async def work(session: AsyncSession) -> Any:
        found = await council_by_slug(session, council)
        return await attendance_export(
            session,
            council_id=found.id or 0,
            start=first,
            end=last,
            actor=await secretariat_actor(session, found.id or 0),
            now=clock(),
        )

    export = _in_transaction(settings, work)
    content = to_csv(export) if file_format == "csv" else to_xlsx(export)
    target = output or Path(export_file_name(export, file_format))
    target.write_bytes(content)
    typer.echo(f"{len(export.rows)} rows, {len(export.totals)} people: {target}")


def _parse_day(option: str, value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} must be a date as YYYY-MM-DD, not {value!r}")


# --- database ----------------------------------------------------------------------------------


@db_app.command("upgrade")
def db_upgrade(ctx: typer.Context) -> None:
    """Apply the migrations (they also run on every start); prints the revision reached."""
    from models.db import make_engine
    from models.migrate import current_revision, upgrade

    settings = _settings(ctx)

    async def go() -> str | None:
        engine = make_engine(settings.database_url)
        try:
            await upgrade(engine)
            return await current_revision(engine)
        finally:
            await engine.dispose()

    revision = _guarded(settings, go)
    typer.echo(f"database at revision {revision}")


# --- the outbox --------------------------------------------------------------------------------


@app.command("outbox")
def outbox(
    ctx: typer.Context,
    resend_ids: Annotated[
        list[int] | None,
        typer.Option(
            "--resend", help="Send this notice again (repeat for several).", show_default=False
        ),
    ] = None,
    resend_all: Annotated[
        bool, typer.Option("--resend-all", help="Send every held-back or failed notice again.")
    ] = False,
) -> None:
    """Notices Telegram did not take (held back, failed, or waiting for a person who blocked the
    bot), with the reason; --resend / --resend-all put them back in the queue."""
    from services.outbox import not_delivered, resend

    settings = _settings(ctx)

    async def work(session: AsyncSession) -> tuple[list[Notice], int]:
        listed = await not_delivered(session)
        ids = [n.id or 0 for n in listed] if resend_all else list(resend_ids or [])
        resent = await resend(session, notice_ids=ids, now=clock()) if ids else 0
        return listed, resent

    listed, resent = _in_transaction(settings, work)
    if not listed:
        typer.echo("nothing held back")
    for notice in listed:
        reason = _one_line(notice.last_error or "")[:120]
        typer.echo(
            f"{notice.id}\t{notice.status}\t{notice.kind}\tperson {notice.person_id}"
            f"\tsince {_when(notice.created_at)}\t{reason}"
        )
    if resend_ids or resend_all:
        typer.echo(f"{resent} notice(s) queued again")


# --- the bot -----------------------------------------------------------------------------------


@app.command("run")
def run(
    ctx: typer.Context,
    webhook: Annotated[
        str | None,
        typer.Option(
            "--webhook",
            help="Receive updates by webhook at this https URL (proxied to KKRBOT_WEB_PORT)"
            " instead of long polling; also KKRBOT_WEBHOOK_URL.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Run the bot against Telegram (long polling, or a webhook); needs KKRBOT_TELEGRAM_TOKEN."""
    settings = _settings(ctx)
    if not settings.telegram_token:
        _fail(
            "no Telegram bot token: set KKRBOT_TELEGRAM_TOKEN to the token @BotFather gave you"
            " (or try `kkrbot demo`, which needs none)"
        )
    if webhook:
        settings = settings.model_copy(update={"webhook_url": webhook})
    if settings.webhook_url:
        from bot.webhook import check_webhook_url

        problem = check_webhook_url(settings.webhook_url)
        if problem:
            _fail(problem)
        if not settings.web_port:
            _fail(
                "webhook mode needs the web port (KKRBOT_WEB_PORT), where Telegram's posts arrive"
            )
    from bot.migration import start_migration

    # The migrations run in a process of their own while this one loads the bot's modules.
    migration = start_migration(settings)
    _keep_out_unused()
    from bot.main import run as run_bot  # lazily: the CLI works without the bot's dependencies

    run_bot(settings, migration)


# Modules a running bot never uses, which its libraries import when they happen to be installed
# (issue 15): httpx's command-line client (rich, pygments, click; 8 MB) whenever rich is there, and
# trio (10 MB with attrs, outcome, sortedcontainers), which httpcore loads beside anyio whenever the
# dev tools (selenium) are installed. Marked absent before the stack is imported, each library takes
# its "not installed" path; the bot runs on asyncio through anyio either way.
UNUSED_BY_RUN = ("httpx._main", "trio")


def _keep_out_unused() -> None:
    for name in UNUSED_BY_RUN:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]  # None: "cannot be imported"


@app.command("demo")
def demo(
    ctx: typer.Context,
    script: Annotated[
        Path | None,
        typer.Option(
            help="Play this script (`as NAME`, a message, `press LABEL`) and print the transcript.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """The real bot against a local Telegram emulator, with a seeded demo council."""
    settings = _settings(ctx)
    if script is not None and not script.is_file():
        _fail(f"no such script: {script}")
    # Imported here: only the demo brings in the emulator (telegram_emulator), never `kkrbot run`.
    import bot.demo

    demo_main = getattr(bot.demo, "main", None)
    if demo_main is None:
        _fail("the demo is not part of this build yet")
    demo_main(settings, script)


# --- The register of appointments (issue 12, R-E3, R-E4)

bodies_app = typer.Typer(help="The bodies the council appoints to (R-E4).", no_args_is_help=True)
councillors_app = typer.Typer(
    help="The region's municipal councillors, who can be appointed (R-E3).", no_args_is_help=True
)
appointments_app = typer.Typer(help="The register of appointments (R-E4).", no_args_is_help=True)
app.add_typer(bodies_app, name="bodies")
app.add_typer(councillors_app, name="councillors")
app.add_typer(appointments_app, name="appointments")


@bodies_app.command("import")
def bodies_import(
    ctx: typer.Context,
    council: CouncilOption,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns name,seats,term_start,term_end,note (dates YYYY-MM-DD).",
            show_default=False,
        ),
    ],
) -> None:
    """Create or update the bodies of the register from a CSV file (by name)."""
    from services.appointments import import_bodies, parse_bodies_csv
    from services.councils import council_by_slug
    from services.csv_files import decode

    settings = _settings(ctx)
    text = decode(_read_bytes(file))

    async def work(session: AsyncSession) -> tuple[int, int]:
        found = await council_by_slug(session, council)
        return await import_bodies(session, council=found, rows=parse_bodies_csv(text))

    added, updated = _in_transaction(settings, work)
    typer.echo(f"{added} added, {updated} updated")


@councillors_app.command("import")
def councillors_import(
    ctx: typer.Context,
    council: CouncilOption,
    file: Annotated[
        Path,
        typer.Argument(
            help="CSV with the columns name,municipality,party,region.", show_default=False
        ),
    ],
) -> None:
    """Add or update the region's municipal councillors (by name and municipality)."""
    from services.councillors import import_councillors, parse_councillors_csv
    from services.councils import council_by_slug
    from services.csv_files import decode

    settings = _settings(ctx)
    text = decode(_read_bytes(file))

    async def work(session: AsyncSession) -> tuple[int, int]:
        found = await council_by_slug(session, council)
        rows = parse_councillors_csv(text)
        return await import_councillors(session, council=found, rows=rows, now=clock())

    added, updated = _in_transaction(settings, work)
    typer.echo(f"{added} added, {updated} updated")


@appointments_app.command("export")
def appointments_export(
    ctx: typer.Context,
    council: CouncilOption,
    output: Annotated[
        Path | None,
        typer.Option(
            "-o", "--output", help="Write the CSV here [default: print it].", show_default=False
        ),
    ] = None,
) -> None:
    """Write the register of appointments as CSV, for the council's web page."""
    from services.appointments import export_csv, register_of
    from services.councils import council_by_slug

    settings = _settings(ctx)

    async def work(session: AsyncSession) -> str:
        found = await council_by_slug(session, council)
        return export_csv(await register_of(session, found.id or 0))

    text = _in_transaction(settings, work)
    if output is None:
        typer.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    typer.echo(f"{text.count(chr(10)) - 1} appointment(s) written to {output}")


# The operator's commands (issue 16: `db backup`) and the term's (issue 14) live in modules of
# their own and register themselves on `app`.
import bot.cli_ops  # noqa: E402
import bot.cli_term  # noqa: E402, F401


def main() -> None:
    """The console script `kkrbot`."""
    app()


if __name__ == "__main__":
    main()
