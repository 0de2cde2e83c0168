"""Membership over time (R-S6): a member or substitute leaves, a substitute steps up or declines, a
party names a new member or substitute, a mayor changes party.

Nothing is deleted: a membership that ends keeps its row (ended_on, end_reason), so attendance,
votes and minutes still say who was who. Every query of today's members reads only current rows
(`Membership.current()`), so quorum (R-Q1), recipients (R-P6), menus and invitations follow at once.

The use cases live in `services/membership/`, one module per branch; this module names them.
"""

from __future__ import annotations

from services.membership.common import (
    MAYOR,
    MEMBER,
    OFFER_TO_ANSWER,
    SUBSTITUTE,
    open_vacancies,
)
from services.membership.leaving import Departure, leave, member_named
from services.membership.naming import name_person
from services.membership.party_change import change_party
from services.membership.stepping_up import answer_offer

__all__ = [
    "MAYOR",
    "MEMBER",
    "OFFER_TO_ANSWER",
    "SUBSTITUTE",
    "Departure",
    "answer_offer",
    "change_party",
    "leave",
    "member_named",
    "name_person",
    "open_vacancies",
]
