"""The texts people read, in both languages (issue 17): no rule IDs (those stay in code, tests
and docs), the same placeholders in the Danish as in the English, no empty translation, and a
Danish text for every English one the code uses."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

import templates
from templates.i18n import LOCALE_DIR

ROOT = Path(templates.__file__).parent.parent
RULE_ID = re.compile(r"\b(R-[A-Z]+\d+|B\d+\.\d+)\b")
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2)}
METHODS = {"**.py": "python", "**.j2": "jinja2"}
OPTIONS = {"**.j2": {"extensions": "jinja2.ext.i18n"}}


def danish() -> Catalog:
    with (LOCALE_DIR / "da" / "LC_MESSAGES" / "kkrbot.po").open("rb") as po:
        return read_po(po, locale="da")


def forms(value: str | tuple[str, ...]) -> tuple[str, ...]:
    return value if isinstance(value, tuple) else (value,)


def test_no_text_a_person_reads_names_a_rule_id() -> None:
    found = [
        text
        for message in danish()
        if message.id
        for text in forms(message.id) + forms(message.string)
        if RULE_ID.search(text)
    ]
    assert found == []


def test_every_danish_text_has_the_placeholders_of_its_english_one() -> None:
    differing = [
        message.id
        for message in danish()
        if message.id
        and any(
            set(PLACEHOLDER.findall(text)) != set(PLACEHOLDER.findall(forms(message.id)[-1]))
            for text in forms(message.string)
        )
    ]
    assert differing == []


def test_no_danish_text_is_empty() -> None:
    empty = [m.id for m in danish() if m.id and not all(s.strip() for s in forms(m.string))]
    assert empty == []


def test_every_english_text_the_code_uses_has_a_danish_one() -> None:
    catalogue = danish()
    used = {
        forms(message)[0]
        for folder in ("bot", "services", "templates", "scheduler")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=list(METHODS.items()),
            options_map=OPTIONS,
            keywords=KEYWORDS,
        )
    }
    missing = sorted(text for text in used if text and catalogue.get(text) is None)
    assert missing == []


def test_no_english_text_the_code_uses_names_a_rule_id() -> None:
    used = [
        text
        for folder in ("bot", "services", "templates")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=list(METHODS.items()),
            options_map=OPTIONS,
            keywords=KEYWORDS,
        )
        for text in forms(message)
        if RULE_ID.search(text)
    ]
    assert used == []


def _used_texts() -> list[str]:
    return [
        text
        for folder in ("bot", "services", "templates", "scheduler")
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder,
            method_map=list(METHODS.items()),
            options_map=OPTIONS,
            keywords=KEYWORDS,
        )
        for text in forms(message)
        if text
    ]


def _commands(language: str) -> set[str]:
    from bot.commands import COMMANDS

    return {c.shown_name(language) for c in COMMANDS} - {
        c.shown_name("en" if language == "da" else "da") for c in COMMANDS
    }


def test_no_english_text_tells_people_to_type_a_danish_command() -> None:
    danish_only = _commands("da")
    typed = re.compile(r"/(\w+)")
    found = [
        text
        for text in _used_texts()
        if any(name in danish_only for name in typed.findall(text))
        and "://" not in text  # a web address is no command
    ]
    assert found == []


def test_the_danish_texts_name_the_danish_commands() -> None:
    catalogue = danish()
    english_only = _commands("en")
    typed = re.compile(r"/(\w+)")
    found = [
        text
        for text in _used_texts()
        if (message := catalogue.get(text)) is not None
        for shown in forms(message.string)
        if any(name in english_only for name in typed.findall(shown))
    ]
    assert found == []
