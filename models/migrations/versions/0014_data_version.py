"""data version: a token the database changes with every change of who people are and which
meetings there are, so that every process may keep what it read of them until the token moves
(issue 15)

Revision ID: 0014_data_version
Revises: 0013_record
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_data_version"
down_revision: str | None = "0013_record"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Kept in step with models.data_version.TRACKED (a migration is frozen: it names them itself).
TRACKED = ("council", "person", "membership", "telegram_link", "meeting")

# A random token, not a counter: a database put back from a copy (a backup, a test's template)
# and then changed differently must never show a token it showed before for other contents.
#
# On PostgreSQL the token moves when the transaction commits (a deferred constraint trigger), once
# per transaction (a transaction-local setting remembers that it moved):
# - at commit, the row is the last lock the writer takes and holds only while it commits. Moved
#   at the first change instead, it was held through the rest of the transaction, and a writer
#   that had locked a meeting (FOR UPDATE) before changing it could deadlock with one that had
#   moved the token and then wanted that meeting (tests/integration/test_data_version.py);
# - a reader of the same transaction never pairs the old token with the new rows;
# - a bulk import sends a statement per row: updating the one row 100,000 times in a transaction
#   made seeding 100,000 meetings take 64 s instead of 10.
POSTGRES_BUMP = """
CREATE OR REPLACE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $bump$
BEGIN
    IF current_setting('kkrbot.data_version_moved', true) IS DISTINCT FROM 'yes' THEN
        UPDATE data_version SET token = floor((random() - 0.5) * 9.2e18)::bigint WHERE id = 1;
        PERFORM set_config('kkrbot.data_version_moved', 'yes', true);
    END IF;
    RETURN NULL;
END
$bump$
"""


def upgrade() -> None:
    op.create_table(
        "data_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("token", sa.BigInteger(), nullable=False),
    )
    postgres = op.get_bind().dialect.name == "postgresql"
    op.execute(
        "INSERT INTO data_version (id, token) VALUES (1, "
        + ("floor((random() - 0.5) * 9.2e18)::bigint)" if postgres else "random())")
    )
    if postgres:
        op.execute(POSTGRES_BUMP)
    for table in TRACKED:
        if postgres:  # at commit (see POSTGRES_BUMP); TRUNCATE has statement triggers only
            op.execute(
                f"CREATE CONSTRAINT TRIGGER data_version_{table} AFTER INSERT OR UPDATE OR DELETE"
                f" ON {table} DEFERRABLE INITIALLY DEFERRED FOR EACH ROW"
                " EXECUTE FUNCTION data_version_bump()"
            )
            op.execute(
                f"CREATE TRIGGER data_version_{table}_truncate AFTER TRUNCATE ON {table}"
                " FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump()"
            )
            continue
        for event in ("INSERT", "UPDATE", "DELETE"):  # SQLite has row triggers only
            op.execute(
                f"CREATE TRIGGER data_version_{table}_{event.lower()} AFTER {event} ON {table}"
                " BEGIN UPDATE data_version SET token = random() WHERE id = 1; END"
            )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in TRACKED:
        if postgres:
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table} ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_truncate ON {table}")
            continue
        for event in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS data_version_{table}_{event}")
    if postgres:
        op.execute("DROP FUNCTION IF EXISTS data_version_bump()")
    op.drop_table("data_version")
