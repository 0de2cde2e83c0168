"""term: memberships over time, the election's composition, municipal leaders, vacancies,
alliances, office records, the annual-plan and closed-days settings (issue 14)

Reviewed after autogenerate: the membership's unnamed unique constraints (one membership per person,
one substitute per member) become partial unique indexes over the current rows, so history can
stay; SQLite's batch mode finds the unnamed constraints through a naming convention. The council's
new NOT NULL settings get server defaults so existing councils migrate.

Revision ID: 0006_term
Revises: 0003_attendance
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0006_term"
down_revision: str | None = '0005_record'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CURRENT = sa.text("ended_on IS NULL")
# SQLite reflects the unnamed unique constraints without names; the convention names them.
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _when(name: str) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, models.types.UTCDateTime(timezone=True), nullable=True)


def upgrade() -> None:
    op.create_table(
        "municipal_leaders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("mayor", sa.String(length=200), nullable=False),
        sa.Column("party", sa.String(length=40), nullable=True),
        sa.Column("mayor_since", sa.Date(), nullable=True),
        sa.Column("born", sa.Date(), nullable=True),
        sa.Column("first_deputy", sa.String(length=200), nullable=True),
        sa.Column("second_deputy", sa.String(length=200), nullable=True),
        sa.Column("chosen_substitute", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("municipality_id"),
    )
    op.create_table(
        "term",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("election_day", sa.Date(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        _when("archived_at"),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("constituent_meeting_id", sa.Integer(), nullable=True),
        _when("constituted_at"),
        sa.ForeignKeyConstraint(["constituent_meeting_id"], ["meeting.id"]),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("council_id", "election_day"),
    )
    with op.batch_alter_table("term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_council_id"), ["council_id"], unique=False)

    op.create_table(
        "alliance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("notified_on", sa.Date(), nullable=False),
        sa.Column("notified_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["notified_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("alliance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_alliance_term_id"), ["term_id"], unique=False)

    op.create_table(
        "office_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("office", sa.String(length=20), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=False),
        sa.Column("how", sa.String(length=20), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("until", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("office_record", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_office_record_council_id"), ["council_id"], unique=False
        )

    op.create_table(
        "term_party",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("term_id", sa.Integer(), nullable=False),
        sa.Column("party", sa.String(length=40), nullable=False),
        sa.Column("votes", sa.Float(), nullable=False),
        sa.Column("mayors", sa.Integer(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("qualifies", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(["term_id"], ["term.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("term_id", "party"),
    )
    with op.batch_alter_table("term_party", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_term_party_term_id"), ["term_id"], unique=False)

    op.create_table(
        "vacancy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("council_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("party", sa.String(length=40), nullable=True),
        sa.Column("municipality_id", sa.Integer(), nullable=True),
        sa.Column("left_id", sa.Integer(), nullable=True),
        sa.Column("for_member_id", sa.Integer(), nullable=True),
        sa.Column("offered_to_id", sa.Integer(), nullable=True),
        sa.Column("offer_answer", sa.String(length=20), nullable=True),
        _when("offered_at"),
        _when("answered_at"),
        sa.Column("substitute_id", sa.Integer(), nullable=True),
        sa.Column("over_cap", sa.Boolean(), nullable=False),
        sa.Column("office", sa.String(length=20), nullable=True),
        sa.Column("opened_on", sa.Date(), nullable=False),
        sa.Column("created_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("filled_by_id", sa.Integer(), nullable=True),
        _when("filled_at"),
        sa.ForeignKeyConstraint(["council_id"], ["council.id"]),
        sa.ForeignKeyConstraint(["filled_by_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["for_member_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["left_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["municipality_id"], ["municipality.id"]),
        sa.ForeignKeyConstraint(["offered_to_id"], ["person.id"]),
        sa.ForeignKeyConstraint(["substitute_id"], ["person.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("vacancy", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_vacancy_council_id"), ["council_id"], unique=False)

    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("meetings_per_year", sa.Integer(), nullable=False, server_default="5")
        )
        batch_op.add_column(
            sa.Column(
                "closed_days",
                sa.JSON(),
                nullable=False,
                server_default=sa.text("'[[6, 5], [12, 24], [12, 31]]'"),
            )
        )

    _drop_membership_unique_constraints()
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.add_column(sa.Column("started_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("ended_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.Text(), nullable=True))
    op.create_index(
        "uq_membership_current_person",
        "membership",
        ["council_id", "person_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )
    op.create_index(
        "uq_membership_current_substitute",
        "membership",
        ["substitute_for_id"],
        unique=True,
        sqlite_where=CURRENT,
        postgresql_where=CURRENT,
    )


def _drop_membership_unique_constraints() -> None:
    if op.get_bind().dialect.name == "sqlite":
        with op.batch_alter_table("membership", naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint("uq_membership_council_id", type_="unique")
            batch_op.drop_constraint("uq_membership_substitute_for_id", type_="unique")
        return
    op.drop_constraint("membership_council_id_person_id_key", "membership", type_="unique")
    op.drop_constraint("membership_substitute_for_id_key", "membership", type_="unique")


def downgrade() -> None:
    op.drop_index("uq_membership_current_substitute", table_name="membership")
    op.drop_index("uq_membership_current_person", table_name="membership")
    with op.batch_alter_table("membership", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_on")
        batch_op.drop_column("started_on")
        batch_op.create_unique_constraint(
            "membership_council_id_person_id_key", ["council_id", "person_id"]
        )
        batch_op.create_unique_constraint("membership_substitute_for_id_key", ["substitute_for_id"])
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("closed_days")
        batch_op.drop_column("meetings_per_year")
    for table in ("vacancy", "term_party", "office_record", "alliance", "term"):
        op.drop_table(table)
    op.drop_table("municipal_leaders")
