"""perf: what the sweep has done (sweep_mark) and the indexes of the due-work queries (issue 15)

Revision ID: 0010_perf
Revises: 0003_attendance
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import models.types

revision: str = "0010_perf"
down_revision: str | None = '0008_dialogue'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sweep_mark",
        sa.Column("task", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("done_for", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("task", "subject_id"),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            "ix_attendance_pending_summons",
            ["substitute_answer", "no_answer_reported_at"],
            unique=False,
        )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            "ix_meeting_agenda_changed_at",
            ["agenda_changed_at"],
            unique=False,
            postgresql_where=sa.text("agenda_changed_at IS NOT NULL"),
            sqlite_where=sa.text("agenda_changed_at IS NOT NULL"),
        )


def downgrade() -> None:
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index("ix_meeting_agenda_changed_at")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index("ix_attendance_pending_summons")
    op.drop_table("sweep_mark")
