"""The button codec: what a button packs reads back the same; anything else is no longer valid."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.callbacks import (
    LIMIT,
    ROW_ID_LIMIT,
    Agenda,
    Attendance,
    ButtonDataTooLong,
    CallbackData,
    Dialog,
    Language,
    LeaveDecision,
    Order,
    Plan,
    Proposal,
    StaleButton,
)

ROW_IDS = st.integers(min_value=1, max_value=ROW_ID_LIMIT - 1)
OPTIONAL_IDS = st.none() | ROW_IDS
BUTTONS = st.one_of(
    st.builds(Language, code=st.sampled_from(["da", "en"])),
    st.builds(
        Agenda,
        meeting_id=ROW_IDS,
        action=st.sampled_from(["up", "down", "mat", "matdone", "rej", "take", "wd", "show"]),
        item_id=OPTIONAL_IDS,
    ),
    st.builds(
        Proposal, step=st.sampled_from(["pick", "mdone", "send", "stop"]), meeting_id=OPTIONAL_IDS
    ),
    st.builds(
        Attendance,
        meeting_id=ROW_IDS,
        action=st.sampled_from(["abs", "sum", "nos", "wd", "acc", "dec", "in", "out"]),
        member_id=OPTIONAL_IDS,
    ),
    st.builds(LeaveDecision, long_absence_id=ROW_IDS, approved=st.booleans()),
    st.builds(
        Dialog,
        choice=st.sampled_from(["stop", "ok", "skip", "done", "undo", "pick"]),
        dialogue_id=ROW_IDS,
        option=OPTIONAL_IDS,
    ),
    st.builds(
        Order,
        meeting_id=ROW_IDS,
        action=st.sampled_from(["pick", "page", "sel", "up", "to", "done", "mpick", "msel"]),
        item_id=OPTIONAL_IDS,
        n=OPTIONAL_IDS,
    ),
    st.builds(Plan, meeting_id=ROW_IDS, action=st.just("uncancel")),
)


@given(BUTTONS)
def test_a_packed_button_unpacks_to_itself_within_telegrams_limit(button: CallbackData) -> None:
    data = button.pack()
    assert len(data.encode()) <= LIMIT
    assert type(button).unpack(data) == button


@given(BUTTONS)
def test_only_its_own_family_reads_a_button(button: CallbackData) -> None:
    data = button.pack()
    readers = [f for f in CallbackData.families.values() if f.filter()(data)]
    assert readers == [type(button)]
    for other in CallbackData.families.values():
        if other is not type(button):
            assert other.unpack(data) is None


def test_every_family_has_a_short_prefix_of_its_own() -> None:
    prefixes = list(CallbackData.families)
    assert len(prefixes) == len(set(prefixes)) and all(len(p) <= 4 for p in prefixes)
    assert {"lang", "ag", "pr", "att", "la"} <= set(prefixes)


def test_propose_no_longer_borrows_the_agendas_prefix() -> None:
    assert Proposal("stop").pack() == "pr:stop"
    assert Agenda.unpack("pr:stop") is None


def test_the_formats_of_pinned_and_sent_buttons_still_read() -> None:
    """Check-in under the group message and a summons already sent keep working after an update."""
    assert Attendance.unpack("att:12:in") == Attendance(12, "in")
    assert Attendance.unpack("att:12:acc:34") == Attendance(12, "acc", 34)
    assert LeaveDecision.unpack("la:5:n") == LeaveDecision(5, False)
    assert Dialog.unpack("dl:ok:7") == Dialog("ok", 7)  # a confirmation asked before a pick
    assert Dialog.unpack("dl:pick:7:12") == Dialog("pick", 7, 12)  # which of a day's meetings


@pytest.mark.parametrize(
    ("family", "data"),
    [
        (Agenda, "ag:0:stop"),  # the old /propose cancel button
        (Agenda, "ag:5:pick"),  # the old /propose meeting choice
        (Agenda, "ag:5:up:7:8"),
        (Agenda, "ag:x:up"),
        (Agenda, "ag:-5:up"),
        (Agenda, "ag:5:up:"),
        (Attendance, "att:5:fly"),
        (Attendance, "att:2147483648:in"),  # beyond a row id
        (Attendance, f"att:{10**40}:in"),
        (Attendance, "att:٣:in"),  # a digit, but not an ASCII one
        (Attendance, "att:"),
        (Attendance, "att"),
        (LeaveDecision, "la:1:yes"),
        (Language, "lang:xx"),
        (Language, "lang:"),
    ],
)
def test_data_with_a_familys_prefix_that_no_longer_parses_is_stale(
    family: type[CallbackData], data: str
) -> None:
    with pytest.raises(StaleButton):
        family.unpack(data)
    assert not family.filter()(data)


@pytest.mark.parametrize("data", ["", ":", "nonsense", "x" * 200, None, 7])
def test_data_of_no_family_is_read_by_none(data: object) -> None:
    assert all(family.unpack(data) is None for family in CallbackData.families.values())
    assert not any(family.filter()(data) for family in CallbackData.families.values())


@pytest.mark.parametrize("bad", [0, -1, ROW_ID_LIMIT, 2**53])
def test_a_button_never_packs_an_id_that_is_not_a_row_id(bad: int) -> None:
    with pytest.raises(ValueError, match="not a row id"):
        Attendance(bad, "in").pack()


def test_a_button_over_64_bytes_is_refused_when_packed() -> None:
    @dataclass(frozen=True)
    class Wide(CallbackData):
        prefix: ClassVar[str] = "wide-test"
        a: int
        b: int
        c: int
        d: int
        e: int
        f: int

    big = ROW_ID_LIMIT - 1
    try:
        with pytest.raises(ButtonDataTooLong):
            Wide(big, big, big, big, big, big).pack()
        assert len(Wide(1, 2, 3, 4, 5, 6).pack()) <= LIMIT
    finally:
        del CallbackData.families["wide-test"]


def test_a_family_needs_a_prefix_of_its_own() -> None:
    with pytest.raises(TypeError, match="distinct prefix"):

        class Again(CallbackData):
            prefix: ClassVar[str] = "ag"

    assert CallbackData.families["ag"] is Agenda


def test_a_choice_the_family_does_not_name_is_never_packed() -> None:
    with pytest.raises(StaleButton):
        Language("fr").pack()  # type: ignore[arg-type]
