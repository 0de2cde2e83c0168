"""The stop that lets sends in flight finish (issue 16). Telegram's own limits — the pause after a
429, the per-chat and overall pace — are kept in bot/pacing.py."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Draining:
    """Set when the process stops (SIGTERM): the sends in flight finish and are recorded, nothing
    new is sent or claimed, and what a run still holds is given back at once (due now)."""

    requested: bool = False


class Released(Exception):
    """The process stops before this part was sent: the notice is given back, not failed."""
