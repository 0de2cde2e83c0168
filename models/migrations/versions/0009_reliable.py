"""reliable: handled updates (each update_id once), notice claims by worker and send intent

Revision ID: 0009_reliable
Revises: 0003_attendance
Create Date: 2026-12-02 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0009_reliable"
down_revision: str | None = "0010_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "handled_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", models.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    with op.batch_alter_table("handled_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_handled_update_handled_at"), ["handled_at"], unique=False)
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.add_column(sa.Column("claimed_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("sending_part", sa.Integer(), nullable=True))
    # R-P6: a person linked by /start in a group had the group as their chat; a person's chat is
    # their private chat, whose id is their user id.
    op.execute("UPDATE telegram_link SET chat_id = telegram_user_id WHERE chat_id <> telegram_user_id")


def downgrade() -> None:
    with op.batch_alter_table("notice", schema=None) as batch_op:
        batch_op.drop_column("sending_part")
        batch_op.drop_column("claimed_by")
    with op.batch_alter_table("handled_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_handled_update_handled_at"))
    op.drop_table("handled_update")
