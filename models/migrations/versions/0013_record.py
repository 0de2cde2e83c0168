"""record: how long a meeting lasts in calendars (a council setting, issue 13)

Revision ID: 0013_record
Revises: 0007_chair
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_record"
down_revision: str | None = "0011_rules"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "meeting_length_minutes", sa.Integer(), nullable=False, server_default="180"
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("council", schema=None) as batch_op:
        batch_op.drop_column("meeting_length_minutes")
