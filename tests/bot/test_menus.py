"""Menus per role and moment (issue 17): within Telegram's limits for every role, the actions of
the moment first, the chair's powers for the acting chair (R-P3), only group commands in groups."""

from __future__ import annotations

import re
from itertools import product

import pytest

from bot.commands import COMMANDS, commands_for, menu
from bot.menus import person_menu
from services.menus import MEETING_DAY, PREPARE, MenuState

ROLES = [
    {"mayor", "chair"},
    {"member", "vice_chair"},
    {"mayor"},
    {"member"},
    {"substitute"},
    {"substitute", "standing_in"},
    {"secretariat"},
    {"observer"},
]
NAME = re.compile(r"^[a-z0-9_]{1,32}$")


@pytest.mark.parametrize(
    ("roles", "moment", "acting", "language"),
    list(product(ROLES, (PREPARE, MEETING_DAY), (False, True), ("da", "en"))),
)
def test_every_menu_is_within_telegrams_limits(
    roles: set[str], moment: str, acting: bool, language: str
) -> None:
    shown = person_menu(MenuState(1, 1, language, frozenset(roles), moment, acting))
    assert 1 <= len(shown) <= 100
    assert len({name for name, _ in shown}) == len(shown)
    for name, description in shown:
        assert NAME.match(name) and 1 <= len(description) <= 256


def _names(roles: set[str], moment: str = PREPARE, acting: bool = False) -> list[str]:
    return [c.name for c in commands_for(roles, moment=moment, acting_chair=acting)]


def test_the_chairs_menu_leads_with_the_agenda_before_the_meeting() -> None:
    assert _names({"mayor", "chair"})[:3] == ["items", "approve", "distribute"]


def test_the_chairs_menu_leads_with_the_meeting_on_its_day() -> None:
    assert _names({"mayor", "chair"}, MEETING_DAY)[:3] == ["open", "attendance", "close"]


def test_the_vice_chair_sees_the_chairs_powers_only_while_acting() -> None:
    vice = {"member", "vice_chair"}
    assert not {"approve", "open", "close", "item"} & set(_names(vice, MEETING_DAY))
    acting = _names(vice, MEETING_DAY, acting=True)
    assert acting[:3] == ["open", "attendance", "close"]
    assert {"approve", "item", "vote"} <= set(acting)
    assert _names(vice, PREPARE, acting=True)[0] == "approve"


def test_a_member_is_not_offered_the_chairs_commands() -> None:
    assert not {"items", "approve", "open"} & set(_names({"mayor"}, MEETING_DAY, acting=False))


def test_in_a_group_only_group_commands_are_listed() -> None:
    shown = commands_for({"mayor", "chair"}, in_group=True)
    assert shown and all(c.group for c in shown)


def test_a_long_description_is_cut_to_telegrams_limit() -> None:
    [(name, text)] = menu([COMMANDS[0]], "en")
    assert name == "meetings" and len(text) <= 256


def test_a_person_who_is_no_longer_a_member_has_no_menu_of_their_own() -> None:
    assert person_menu(MenuState(1, 1, "", frozenset(), PREPARE, False)) == []
