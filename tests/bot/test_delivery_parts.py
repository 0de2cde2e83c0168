"""A notice's text is never refused for its length: it is split at line breaks (issue 16)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.delivery import split_text, utf16_length

LIMIT = 4096


def test_a_short_text_is_one_message_with_its_buttons() -> None:
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="x")]])
    assert [(p.text, p.buttons) for p in split_text("Hej\nverden", buttons)] == [
        ("Hej\nverden", buttons)
    ]


def test_a_long_addendum_is_split_at_line_breaks_and_the_buttons_go_under_the_last() -> None:
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Ja", callback_data="x")]])
    lines = [f"{n}. Punkt med en lang overskrift om busruter og ældrepleje 😀" for n in range(300)]
    parts = split_text("\n".join(lines), buttons)
    assert len(parts) > 1
    assert all(utf16_length(p.text) <= LIMIT for p in parts)
    assert "".join(p.text for p in parts) == "\n".join(lines)
    assert [p.buttons for p in parts] == [None] * (len(parts) - 1) + [buttons]


@given(st.text(min_size=1, max_size=20_000).filter(str.strip))
def test_every_part_fits_and_nothing_is_lost(text: str) -> None:
    parts = split_text(text)
    assert all(0 < utf16_length(p.text) <= LIMIT for p in parts)
    # Only whitespace between parts may go (Telegram refuses an empty message).
    assert "".join("".join(p.text for p in parts).split()) == "".join(text.split())
