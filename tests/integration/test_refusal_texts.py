"""Every refusal a service can give is said in the person's language, never as English detail:
each code has its English sentence and a Danish translation with the same placeholders."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import services
from bot.texts import GENERIC_REFUSAL, NOT_ALLOWED, REFUSALS, refusal
from services.errors import Refused
from templates.i18n import translations

SERVICES = Path(services.__file__).parent
# Refused("code", ...) written in services/, however the call is wrapped over lines.
REFUSED_CODE = re.compile(r"""Refused\(\s*(?:f?)["']([a-z_]+)["']""")
# Codes composed at run time: answer_<current answer> (procedure.attendance.next_answer).
COMPOSED = {"answer_accepted", "answer_declined", "answer_pending", "answer_not_summoned"}
CLI_ONLY = {"invalid_input"}  # members file and council set-up: the secretariat's CLI prints detail
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def refused_codes() -> set[str]:
    codes: set[str] = set()
    for path in SERVICES.glob("*.py"):
        codes |= set(REFUSED_CODE.findall(path.read_text(encoding="utf-8")))
    return codes


def test_the_services_refuse_with_codes_the_scan_can_see() -> None:
    assert {"place_length", "meeting_clash", "summons_not_yours", "not_found"} <= refused_codes()


def test_no_refusal_class_is_left_beside_the_one_refusal_type() -> None:
    assert Refused.__subclasses__() == []


@pytest.mark.parametrize("code", sorted((refused_codes() | COMPOSED) - CLI_ONLY))
@pytest.mark.parametrize("language", ["da", "en"])
def test_every_refusal_has_a_sentence_of_its_own(code: str, language: str) -> None:
    assert code in REFUSALS, f"{code} would be shown as the service's English detail"
    params = dict.fromkeys(PLACEHOLDER.findall(REFUSALS[code]), "7")
    text = refusal(Refused(code, "english detail", **params), language)
    assert "english detail" not in text and "%(" not in text


@pytest.mark.parametrize("msgid", sorted({*REFUSALS.values(), *NOT_ALLOWED.values()}))
def test_every_refusal_has_a_danish_translation_with_the_same_placeholders(msgid: str) -> None:
    danish = translations("da").gettext(msgid)
    assert danish != msgid, f"not translated: {msgid}"
    assert sorted(PLACEHOLDER.findall(danish)) == sorted(PLACEHOLDER.findall(msgid))


def test_an_unknown_code_falls_back_to_the_generic_sentence() -> None:
    assert GENERIC_REFUSAL not in REFUSALS.values()
    assert "x" in refusal(Refused("no_such_code", "x"), "en")
