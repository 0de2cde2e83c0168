"""The bot's counters for /metrics (web/ops.py adds the outbox by kind and status): updates
handled and seen twice, Telegram's 429s, the sweep's duration. Plain numbers, written on the bot's
loop and read from the web server's thread."""

from __future__ import annotations

from dataclasses import dataclass

from bot.pacing import FLOOD
from scheduler.jobs import SWEEP_TIMES


@dataclass
class UpdateCounts:
    handled: int = 0
    duplicates: int = 0  # an update_id seen before (another instance, a webhook sent again)


UPDATES = UpdateCounts()


def counters() -> dict[str, float]:
    return {
        "kkrbot_updates_handled_total": UPDATES.handled,
        "kkrbot_updates_duplicate_total": UPDATES.duplicates,
        "kkrbot_telegram_429_total": FLOOD.hits,
        "kkrbot_sweeps_total": SWEEP_TIMES.count,
        "kkrbot_sweep_duration_seconds": SWEEP_TIMES.last_seconds,
    }
