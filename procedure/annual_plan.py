"""The annual plan of ordinary meetings (R-M1): what a secretariat should look at twice."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date

from procedure.deadlines import DEFAULT_CLOSED_DAYS, danish_holiday, is_working_day

DEFAULT_MEETINGS_PER_YEAR = 5  # R-M1 interpretation (Tillæg): by default five ordinary meetings


@dataclass(frozen=True)
class PlanWarning:
    """R-M1: a reason to look again: the count, or a day offices are closed."""

    kind: str  # "count", "weekend", "holiday" or "closed"
    day: date | None = None
    name: str | None = None  # the holiday's name
    planned: int | None = None
    expected: int | None = None


def plan_warnings(
    days: Iterable[date],
    expected: int = DEFAULT_MEETINGS_PER_YEAR,
    closed_days: Collection[tuple[int, int]] = DEFAULT_CLOSED_DAYS,
) -> list[PlanWarning]:
    """R-M1: warnings for a year's plan: a count other than the council's setting, and each
    meeting on a weekend, a Danish public holiday or a day the council's offices are closed."""
    planned = sorted(set(days))
    warnings = []
    if len(planned) != expected:
        warnings.append(PlanWarning("count", planned=len(planned), expected=expected))
    for day in planned:
        if is_working_day(day, closed_days):
            continue
        holiday = danish_holiday(day)
        if holiday is not None:
            warnings.append(PlanWarning("holiday", day, name=holiday))
        elif day.weekday() >= 5:
            warnings.append(PlanWarning("weekend", day))
        else:
            warnings.append(PlanWarning("closed", day))
    return warnings
