"""Every refusal a service can give is said in the person's language, never as English detail."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import services
from bot.texts import GENERIC_REFUSAL, REFUSALS, refusal
from services.errors import Refused, ServiceError

SERVICES = Path(services.__file__).parent
# Refused("code", ...) written in services/, however the call is wrapped over lines.
REFUSED_CODE = re.compile(r"""Refused\(\s*(?:f?)["']([a-z_]+)["']""")
# Codes composed at run time: answer_<current answer> (procedure.attendance.next_answer).
COMPOSED = {"answer_accepted", "answer_declined", "answer_pending", "answer_not_summoned"}
CLI_ONLY = {"invalid_input"}  # members file and council set-up: the secretariat's CLI prints detail


def refused_codes() -> set[str]:
    codes: set[str] = set()
    for path in SERVICES.glob("*.py"):
        codes |= set(REFUSED_CODE.findall(path.read_text(encoding="utf-8")))
    return codes


def error_class_codes() -> set[str]:
    return {cls.code for cls in ServiceError.__subclasses__() if cls is not Refused} - CLI_ONLY


def test_the_services_refuse_with_codes_the_scan_can_see() -> None:
    assert {"place_length", "meeting_clash", "summons_not_yours"} <= refused_codes()


@pytest.mark.parametrize("code", sorted(refused_codes() | error_class_codes() | COMPOSED))
@pytest.mark.parametrize("language", ["da", "en"])
def test_every_refusal_has_a_sentence_of_its_own(code: str, language: str) -> None:
    assert code in REFUSALS, f"{code} would be shown as the service's English detail"
    params = dict.fromkeys(re.findall(r"%\((\w+)\)s", REFUSALS[code]), "7")
    text = refusal(Refused(code, "english detail", **params), language)
    assert "english detail" not in text and "%(" not in text


def test_danish_refusals_are_translated() -> None:
    untranslated = [
        code
        for code, msgid in REFUSALS.items()
        if refusal(Refused(code, **dict.fromkeys(re.findall(r"%\((\w+)\)s", msgid), "7")), "da")
        == refusal(Refused(code, **dict.fromkeys(re.findall(r"%\((\w+)\)s", msgid), "7")), "en")
    ]
    assert untranslated == []


def test_an_unknown_code_falls_back_to_the_generic_sentence() -> None:
    assert GENERIC_REFUSAL not in REFUSALS.values()
    assert "x" in refusal(Refused("no_such_code", "x"), "en")
