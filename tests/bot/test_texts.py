"""Texts that fit Telegram's limits (issue 17): cut at word boundaries, long lists counted."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.texts import MESSAGE_LIMIT, cut, fit, shortened, split

WORDS = st.lists(st.text("abcæøå ", min_size=1, max_size=12), min_size=1, max_size=80).map(" ".join)


@given(WORDS, st.integers(min_value=10, max_value=200))
def test_a_cut_text_fits_and_ends_at_a_word_boundary(text: str, width: int) -> None:
    shown = cut(text, width)
    assert len(shown) <= width
    if shown != text:
        assert shown.endswith("…")
        assert text.startswith(shown[:-1])


@given(st.lists(st.text(min_size=1, max_size=300), max_size=40))
def test_a_long_list_shows_five_names_and_counts_the_rest(names: list[str]) -> None:
    shown = shortened(names, "da")
    assert len(shown) <= 5 * 62 + 30
    if len(names) > 5:
        assert shown.endswith(f"…og {len(names) - 5} mere")


def test_the_rest_is_counted_in_english_too() -> None:
    assert shortened([f"Item {n}" for n in range(23)], "en").endswith("…and 18 more")


@given(st.text(max_size=9000))
def test_every_message_fits_telegrams_limit(text: str) -> None:
    shown = fit(text)
    assert len(shown) <= MESSAGE_LIMIT
    assert shown == text or shown.endswith("…")


@given(st.lists(st.text(alphabet="ab æ\n", min_size=0, max_size=900), min_size=1, max_size=30))
def test_a_long_text_is_split_into_messages_that_fit_and_keep_every_line(
    paragraphs: list[str],
) -> None:
    text = "\n\n".join(paragraphs)
    parts = split(text, 1000)
    assert all(len(part) <= 1000 for part in parts)
    kept = [line for part in parts for line in part.split("\n") if line]
    assert kept == [line for line in text.strip("\n").split("\n") if line]


def test_a_short_text_stays_one_message() -> None:
    assert split("Dagsorden\n\n1. Busplan") == ["Dagsorden\n\n1. Busplan"]
