"""chair: the named acting chair of a meeting (R-P3) and the settings of issue 11

Revision ID: 0007_chair
Revises: 0003_attendance
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_chair"
down_revision: str | None = "0009_reliable"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNCIL_SETTINGS = (
    ("late_summons_answer_hours", "6"),
    ("summons_reminder_hours", "24"),
    ("addendum_reminder_hours", "1"),
)


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "acting_chair_choice", sa.String(length=20), nullable=False, server_default="oldest"
            )
        )
        for name, default in COUNCIL_SETTINGS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default=default))
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.add_column(sa.Column("acting_chair_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_meeting_acting_chair_id", "person", ["acting_chair_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_constraint("fk_meeting_acting_chair_id", type_="foreignkey")
        batch_op.drop_column("acting_chair_id")
    with op.batch_alter_table("council", schema=None) as batch_op:
        for name, _ in reversed(COUNCIL_SETTINGS):
            batch_op.drop_column(name)
        batch_op.drop_column("acting_chair_choice")
