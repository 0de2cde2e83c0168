"""The audit trail: one event per change, in the change's own transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import AuditEvent


def record(
    session: AsyncSession,
    *,
    now: datetime,
    action: str,
    council_id: int | None,
    actor_id: int | None = None,
    subject: str | None = None,
    **details: Any,
) -> None:
    """Add an audit event to the session (committed with the change it describes)."""
    session.add(
        AuditEvent(
            council_id=council_id,
            actor_id=actor_id,
            action=action,
            subject=subject,
            details=details,
            at=now,
        )
    )
