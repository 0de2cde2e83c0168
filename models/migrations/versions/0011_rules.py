"""rules: birth dates (R-P3's oldest member present), R-M2 requests that end and lapse (issue 11)

Revision ID: 0011_rules
Revises: 0007_chair
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import models.types

revision: str = "0011_rules"
down_revision: str | None = "0007_chair"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("request_lapse_days", sa.Integer(), nullable=False, server_default="60")
        )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.add_column(sa.Column("born", sa.Date(), nullable=True))
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("ended_at", models.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("end_reason", sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_request", schema=None) as batch_op:
        batch_op.drop_column("end_reason")
        batch_op.drop_column("ended_at")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_column("born")
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("request_lapse_days")
