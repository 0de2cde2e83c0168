"""Personal substitutes (R-S1, R-S2) and long absence (R-S4, R-S5).

`substitute_of[substitute] = member` throughout, as in quorum.py. Since it is a mapping, a person
can be listed as substitute for only one member; every other breach of R-S1 is reported.
"""

from __future__ import annotations

import calendar
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from typing import TypeVar

from procedure.errors import ProcedureError

P = TypeVar("P", bound=Hashable)
LONG_ABSENCE_MONTHS = 3  # R-S4, R-S5


def substitute_violations(substitute_of: Mapping[P, P], members: Iterable[P]) -> list[str]:
    """R-S1: every breach of "one personal substitute per member", each as a readable sentence.

    Breaches of the pairing come first (most specific), members without a substitute last.
    """
    member_list = list(dict.fromkeys(members))
    member_set = set(member_list)
    breaches: list[str] = []
    for substitute, member in substitute_of.items():
        if substitute == member:
            breaches.append(f"{substitute} cannot be their own substitute")
        elif substitute in member_set:
            breaches.append(f"{substitute} is a member and cannot also be a substitute")
        if member not in member_set:
            breaches.append(f"{substitute} is substitute for {member}, who is not a member")
    substitutes_by_member: dict[P, list[P]] = {}
    for substitute, member in substitute_of.items():
        substitutes_by_member.setdefault(member, []).append(substitute)
    for member in member_list:
        several = substitutes_by_member.get(member, [])
        if len(several) > 1:
            names = ", ".join(str(s) for s in several)
            breaches.append(f"{member} has {len(several)} personal substitutes ({names}), not one")
    breaches += [
        f"{m} has no personal substitute" for m in member_list if m not in substitutes_by_member
    ]
    return breaches


def mayor_substitute(
    first_deputy: str | None,
    second_deputy: str | None,
    members: Iterable[str],
    *,
    taken: Iterable[str] = (),
) -> str | None:
    """R-S2: the mayor's substitute, or None when the municipal council must choose one.

    The 1st deputy mayor, unless a member of the council; then the 2nd deputy mayor, likewise. A
    deputy who is already another member's substitute (`taken`) is passed over too, because R-S1
    lets a person substitute for one member only.
    """
    excluded = set(members) | set(taken)
    for deputy in (first_deputy, second_deputy):
        if deputy is not None and deputy not in excluded:
            return deputy
    return None


def is_long_absence(first_day_absent: date, expected_back: date) -> bool:
    """R-S4/R-S5: whether an absence is expected to last at least 3 months."""
    if expected_back < first_day_absent:
        raise ProcedureError(
            f"the expected return {expected_back} is before the absence starts {first_day_absent}"
        )
    return expected_back >= add_months(first_day_absent, LONG_ABSENCE_MONTHS)


def add_months(day: date, months: int) -> date:
    """R-S4/R-S5: the same day `months` calendar months later (the month's last day if shorter)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
