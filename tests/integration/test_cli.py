"""The secretariat's CLI on a SQLite file: what it prints, and that a refusal writes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot import cli
from models.migrate import head_revision
from tests.conftest import copy_sqlite
from tests.integration.conftest import DEMO_CSV, csv_text

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SLUG = "kkr-nordjylland"
CREATE = ["council", "create", "--name", "KKR Nordjylland", "--region", "Nordjylland"]
CREATE += ["--municipalities", "11"]


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite file for the CLI, a fixed clock, and no stray settings from the environment."""
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    for name in ("TELEGRAM_TOKEN", "BOT_USERNAME", "INVITE_TTL_DAYS", "LANGUAGE", "TIMEZONE"):
        monkeypatch.delenv(f"KKRBOT_{name}", raising=False)
    path = tmp_path / "cli.db"
    monkeypatch.setenv("KKRBOT_DATABASE_URL", f"sqlite+aiosqlite:///{path}")
    monkeypatch.setattr(cli, "clock", lambda: NOW)
    return path


def kkrbot(*args: str | Path, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli.app, [str(a) for a in args], env=env)


def ok(*args: str | Path, env: dict[str, str] | None = None) -> list[str]:
    result = kkrbot(*args, env=env)
    assert result.exit_code == 0, result.output
    return result.stdout.splitlines()


def contents(path: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to show that a refused command changed nothing."""
    with sqlite3.connect(path) as db:
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(db.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}


@pytest.fixture(scope="session")
def council_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the first `council` keeps its database for the others to start from."""
    return tmp_path_factory.mktemp("cli") / "council.db"


@pytest.fixture
def council(database: Path, council_file: Path) -> str:
    """The council made through the CLI once per session (its output checked then), copied after."""
    if council_file.exists():
        copy_sqlite(council_file, database)
        return SLUG
    assert ok(*CREATE)[-1] == SLUG
    assert ok("members", "import", "--council", SLUG, DEMO_CSV) == [
        "46 created, 0 updated, 0 unchanged"
    ]
    with closing(sqlite3.connect(database)) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone holds everything
    shutil.copyfile(database, council_file)
    return SLUG


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["council", "create"],
        ["members", "import"],
        ["invites"],
        ["council", "settings"],
        ["meetings", "add"],
        ["meetings", "list"],
        ["db", "upgrade"],
        ["outbox"],
        ["run"],
        ["demo"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = kkrbot(*command, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.stdout


def test_creating_a_council_prints_its_slug_alone_on_the_last_line(database: Path) -> None:
    assert ok(*CREATE, "--language", "en")[-1] == SLUG
    assert contents(database)["council"][0][1:4] == (SLUG, "KKR Nordjylland", "Nordjylland")


def test_re_importing_the_same_file_changes_nothing(council: str, database: Path) -> None:
    before = contents(database)
    result = kkrbot("members", "import", "--council", council, DEMO_CSV)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["0 created, 0 updated, 46 unchanged"]
    after = contents(database)
    assert after.pop("audit_event")[:-1] == before.pop("audit_event")
    assert after == before


def test_members_without_a_substitute_are_named_in_a_warning(
    database: Path, tmp_path: Path
) -> None:
    ok(*CREATE)
    members = tmp_path / "members.csv"
    members.write_text(
        csv_text("Anna Holm,mayor,Aalborg,A,,chair,da", "Bo Dam,member,Aalborg,V,,,da"),
        encoding="utf-8",
    )
    result = kkrbot("members", "import", "--council", SLUG, members)
    assert result.exit_code == 0
    assert result.stdout.splitlines() == ["2 created, 0 updated, 0 unchanged"]
    assert result.stderr.splitlines() == [
        "warning: 2 member(s) without a personal substitute (R-S1): Anna Holm, Bo Dam"
    ]


def test_invites_print_name_token_and_deep_link_for_everyone(council: str) -> None:
    result = kkrbot("invites", "--council", council, env={"KKRBOT_BOT_USERNAME": "kkr_test_bot"})
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert len(lines) == 46 and all(len(fields) == 3 for fields in lines)
    name, token, link = lines[0]
    assert name == "Gorm Iversen"
    assert link == f"https://t.me/kkr_test_bot?start={token}"
    assert "valid until 2026-12-07 09:00 UTC" in result.stderr


def test_invites_use_the_default_bot_username_when_none_is_set(council: str) -> None:
    first = ok("invites", "--council", council)[0]
    assert first.split("\t")[2].startswith("https://t.me/kkrbot_bot?start=")


def test_an_ordinary_meeting_is_added_with_its_deadlines_in_local_time(council: str) -> None:
    assert ok(
        "meetings", "add", "--council", council, "--at", "2027-03-10 10:00", "--place", "Aalborg"
    ) == [
        "meeting 1\tordinary\tWed 2027-03-10 10:00 CET\tAalborg",
        "  proposal deadline (R-D1):     Sun 2027-02-28 23:59 CET",
        "  distribution deadline (R-D2): Wed 2027-03-03 23:59 CET",
    ]


def test_coming_meetings_are_listed_soonest_first(council: str) -> None:
    assert ok("meetings", "list", "--council", council) == ["no coming meetings"]
    add = ["meetings", "add", "--council", council, "--place"]
    ok(*add, "Hjørring", "--at", "2027-04-01 10:00")
    ok(*add, "Online", "--at", "2026-12-01 15:00")
    assert ok("meetings", "list", "--council", council) == [
        "meeting 2\tordinary\tTue 2026-12-01 15:00 CET\tOnline",
        "  proposal deadline (R-D1):     Sat 2026-11-21 23:59 CET",
        "  distribution deadline (R-D2): Tue 2026-11-24 23:59 CET",
        "meeting 1\tordinary\tThu 2027-04-01 10:00 CEST\tHjørring",
        "  proposal deadline (R-D1):     Mon 2027-03-22 23:59 CET",
        "  distribution deadline (R-D2): Thu 2027-03-25 23:59 CET",
    ]


def test_council_settings_are_shown_and_changed_with_what_they_were(council: str) -> None:
    shown = ok("council", "settings", "--council", council)
    assert "distribution-time\t09:00" in shown and "proposal-reminder-days\t3,1" in shown
    changed = ok(
        "council", "settings", "--council", council,
        "--distribution-time", "10:30", "--proposal-reminder-days", "1,5",
    )  # fmt: skip
    assert "distribution-time\t10:30\t(was 09:00)" in changed
    assert "proposal-reminder-days\t5,1\t(was 3,1)" in changed
    assert "agenda-reminder-time\t08:00" in changed, "the others stay as they were"
    assert "distribution-time\t10:30" in ok("council", "settings", "--council", council)


def test_db_upgrade_prints_the_revision_reached(database: Path) -> None:
    reached = [f"database at revision {head_revision()}"]
    assert ok("db", "upgrade") == reached
    assert ok("db", "upgrade") == reached


def test_the_database_url_option_overrides_the_setting(database: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    ok("--database-url", f"sqlite+aiosqlite:///{other}", *CREATE)
    assert other.exists() and not database.exists()


def test_run_without_a_token_explains_in_one_line(database: Path) -> None:
    result = kkrbot("run")
    assert result.exit_code == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: no Telegram bot token: set KKRBOT_TELEGRAM_TOKEN")


ATLANTIS = ["--timezone", "Europe/Atlantis"]
BAD_MEMBERS = csv_text(
    "Anna Holm,mayor,Aalborg,A,,,da",
    "Bo Dam,member,Aalborg,V,,,da",
    "Cai Lund,substitute,Aalborg,A,Anna Holm,,da",
    "Cai Lund,substitute,Aalborg,V,Bo Dam,,da",
)


@pytest.mark.parametrize(
    ("command", "message"),
    [
        (CREATE, "error: a council with the slug 'kkr-nordjylland' exists already"),
        (
            [*CREATE[:-1], "zero"],
            "error: Invalid value for '--municipalities'",
        ),
        (["council", "create", "--name", "X"], "error: Missing option '--region'"),
        (
            [*CREATE[:2], "--name", "X", "--region", "Y", "--municipalities", "3", *ATLANTIS],
            "error: unknown time zone 'Europe/Atlantis'",
        ),
        (["members", "import", "--council", "nope", "{csv}"], "error: no council with the slug"),
        (["members", "import", "--council", SLUG, "missing.csv"], "error: no such file"),
        (
            ["members", "import", "--council", SLUG, "{csv}"],
            "error: line 5: Cai Lund is substitute for Anna Holm already (line 4)",
        ),
        (["invites", "--council", "nope"], "error: no council with the slug 'nope'"),
        (
            ["meetings", "add", "--council", SLUG, "--at", "10/03/2027 10:00", "--place", "X"],
            "error: --at must be the council's local date and time as YYYY-MM-DD HH:MM",
        ),
        (
            ["meetings", "add", "--council", SLUG, "--at", "2026-11-01 10:00", "--place", "X"],
            "error: the meeting must start in the future",
        ),
        (
            ["meetings", "add", "--council", SLUG, "--at", "2027-03-28 02:30", "--place", "X"],
            "error: 2027-03-28 02:30 does not exist in Europe/Copenhagen (clock change)",
        ),
        (["meetings", "list", "--council", "nope"], "error: no council with the slug 'nope'"),
        (
            ["council", "settings", "--council", SLUG, "--distribution-time", "9.00"],
            "error: --distribution-time must be a local time as HH:MM, not '9.00'",
        ),
        (
            ["council", "settings", "--council", SLUG, "--proposal-reminder-days", "3,x"],
            "error: --proposal-reminder-days must be whole days separated by commas",
        ),
        (
            ["council", "settings", "--council", SLUG, "--meeting-reminder-hours", "0"],
            "error: meeting_reminder_hours must be 1 to 168, not 0",
        ),
        (["meetings", "frobnicate"], "error: No such command 'frobnicate'"),
    ],
)
def test_a_bad_input_is_one_error_line_exit_1_and_leaves_the_database_unchanged(
    council: str, database: Path, tmp_path: Path, command: list[str], message: str
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_MEMBERS, encoding="utf-8")
    before = contents(database)
    result = kkrbot(*[str(bad) if part == "{csv}" else part for part in command])
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith(message)
    assert result.stdout == ""
    assert contents(database) == before


def test_an_unreachable_database_is_one_error_line(database: Path) -> None:
    url = "postgresql+asyncpg://nobody@127.0.0.1:1/none"
    result = kkrbot("--database-url", url, "db", "upgrade")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: cannot use the database postgresql+asyncpg://nobody@127.0.0.1:1")


def test_attendance_export_writes_the_file_the_period_names(council: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    target = tmp_path / "out.xlsx"
    args = ["attendance", "export", "--council", council, "--from", "2026-01-01"]
    assert ok(*args, "--to", "2026-12-31", "-o", target) == [f"0 rows, 0 people: {target}"]
    assert load_workbook(target).sheetnames == ["Fremmøde", "I alt"]
    assert ok(*args, "--to", "2026-12-31", "--format", "csv")[0].endswith(
        "fremmoede-2026-01-01-2026-12-31.csv"
    )
    refused = kkrbot(*args, "--to", "2025-12-31")
    assert refused.exit_code == 1 and "error:" in refused.output
    assert kkrbot(*args, "--to", "31-12-2026").exit_code == 1


def test_outbox_lists_what_telegram_did_not_take_and_resends_it(
    council: str, database: Path
) -> None:
    assert ok("outbox") == ["nothing held back"]
    with sqlite3.connect(database) as db:
        db.execute(
            "INSERT INTO notice (dedupe_key, person_id, kind, payload, status, created_at, due_at,"
            " attempts, parts_sent, last_error) VALUES ('k', 1, 'agenda', '{}', 'held',"
            " '2026-11-23 09:00:00.000000', '2026-11-23 09:00:00.000000', 5, 0, 'Bad Gateway')"
        )
    [line] = ok("outbox")
    assert line.startswith("1\theld\tagenda\tperson 1\t") and line.endswith("Bad Gateway")
    assert ok("outbox", "--resend", "1")[-1] == "1 notice(s) queued again"
    assert ok("outbox") == ["nothing held back"]
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT status, attempts FROM notice").fetchall() == [("pending", 0)]


def test_who_leads_when_both_officers_are_absent_is_a_council_setting(council: str) -> None:
    assert "acting-chair-choice\toldest" in ok("council", "settings", "--council", council)
    changed = ok("council", "settings", "--council", council, "--acting-chair-choice", "chosen")
    assert "acting-chair-choice\tchosen\t(was oldest)" in changed
    result = kkrbot("council", "settings", "--council", council, "--acting-chair-choice", "eldest")
    assert result.exit_code == 1 and "oldest, chosen" in result.output


def test_an_extraordinary_meeting_is_not_made_at_the_command_line(council: str) -> None:
    """R-M2/R-D5: nobody would have called it, and no summons nor agenda would go out."""
    add = ["meetings", "add", "--council", council, "--place", "Online", "--at", "2026-12-01 15:00"]
    result = kkrbot(*add, "--extraordinary", "--subject", "Budget")
    assert result.exit_code == 1 and "/indkald" in result.output
    assert ok("meetings", "list", "--council", council) == ["no coming meetings"]


def test_the_meeting_length_for_calendars_is_a_council_setting(council: str) -> None:
    assert "meeting-length-minutes\t180" in ok("council", "settings", "--council", council)
    changed = ok("council", "settings", "--council", council, "--meeting-length-minutes", "150")
    assert "meeting-length-minutes\t150\t(was 180)" in changed
    result = kkrbot("council", "settings", "--council", council, "--meeting-length-minutes", "5")
    assert result.exit_code != 0 and "meeting_length_minutes must be 15 to 1440" in result.output


def test_the_publishing_setting_is_shown_and_changed_with_the_others(council: str) -> None:
    shown = ok("council", "settings", "--council", council)
    assert "publish-agenda\tdistributed" in shown and "publish-minutes\tapproved" in shown
    changed = ok("council", "settings", "--council", council, "--publish-minutes", "by-hand")
    assert "publish-minutes\tby-hand\t(was approved)" in changed
    assert "publish-agenda\tdistributed" in changed
    assert "publish-minutes\tby-hand" in ok("council", "settings", "--council", council)
    result = kkrbot("council", "settings", "--council", council, "--publish-agenda", "never")
    assert result.exit_code != 0 and "distributed or by-hand" in result.output
