"""Tables of reliable operation (issue 16): which Telegram updates were handled already."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlmodel import Field, SQLModel

from models.types import UTCDateTime


class HandledUpdate(SQLModel, table=True):
    """One row per Telegram update_id taken for handling: a second instance (or a re-delivery after
    a restart) finds it and leaves the update alone. Old rows are pruned by the sweep."""

    __tablename__ = "handled_update"

    update_id: int = Field(
        sa_type=BigInteger, primary_key=True, sa_column_kwargs={"autoincrement": False}
    )
    handled_at: datetime = Field(sa_type=UTCDateTime, nullable=False, index=True)
