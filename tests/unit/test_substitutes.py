"""R-S1 one personal substitute per member, R-S2 the mayor's substitute, R-S4/R-S5 long absence."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedure.errors import ProcedureError
from procedure.substitutes import (
    add_months,
    is_long_absence,
    mayor_substitute,
    substitute_violations,
)

MEMBERS = ["Hansen", "Jensen", "Nielsen"]
GOOD = {"Holm": "Hansen", "Juhl": "Jensen", "Nygaard": "Nielsen"}


def test_one_substitute_for_every_member_breaks_nothing() -> None:
    assert substitute_violations(GOOD, MEMBERS) == []


def test_a_member_without_a_substitute_is_a_breach() -> None:
    pairs = {"Holm": "Hansen", "Juhl": "Jensen"}
    assert substitute_violations(pairs, MEMBERS) == ["Nielsen has no personal substitute"]


def test_a_member_with_two_substitutes_is_a_breach() -> None:
    pairs = {**GOOD, "Hviid": "Hansen"}
    assert substitute_violations(pairs, MEMBERS) == [
        "Hansen has 2 personal substitutes (Holm, Hviid), not one"
    ]


def test_a_member_cannot_also_be_a_substitute() -> None:
    pairs = {**GOOD, "Jensen": "Nielsen"}
    breaches = substitute_violations(pairs, MEMBERS)
    assert breaches[0] == "Jensen is a member and cannot also be a substitute"


def test_a_substitute_for_someone_who_is_not_a_member_is_a_breach() -> None:
    breaches = substitute_violations({**GOOD, "Vestergaard": "Olsen"}, MEMBERS)
    assert breaches == ["Vestergaard is substitute for Olsen, who is not a member"]


def test_nobody_is_their_own_substitute() -> None:
    breaches = substitute_violations({"Hansen": "Hansen"}, ["Hansen"])
    assert breaches == ["Hansen cannot be their own substitute"]


def test_breaches_of_the_pairing_come_before_members_still_without_a_substitute() -> None:
    breaches = substitute_violations({"Jensen": "Hansen"}, ["Hansen", "Jensen"])
    assert breaches == [
        "Jensen is a member and cannot also be a substitute",
        "Jensen has no personal substitute",
    ]


def test_violations_also_work_with_database_ids() -> None:
    assert substitute_violations({11: 1, 12: 2}, [1, 2, 3]) == ["3 has no personal substitute"]


@settings(max_examples=100)
@given(
    pairs=st.dictionaries(st.sampled_from("abcdefgh"), st.sampled_from("abcdefgh")),
    members=st.sets(st.sampled_from("abcdefgh")),
)
def test_no_breach_is_reported_exactly_when_r_s1_holds(
    pairs: dict[str, str], members: set[str]
) -> None:
    holds = (
        sorted(pairs.values()) == sorted(members)  # every member exactly one substitute
        and not set(pairs) & members  # no member is a substitute
    )
    assert (substitute_violations(pairs, members) == []) is holds


# R-S2


def test_the_mayors_substitute_is_the_first_deputy_mayor() -> None:
    assert mayor_substitute("First", "Second", MEMBERS) == "First"


def test_a_first_deputy_who_is_a_member_gives_way_to_the_second() -> None:
    assert mayor_substitute("Jensen", "Second", MEMBERS) == "Second"


def test_when_both_deputies_are_members_the_municipal_council_chooses() -> None:
    assert mayor_substitute("Jensen", "Nielsen", MEMBERS) is None


def test_a_deputy_who_already_substitutes_for_another_member_is_passed_over() -> None:
    assert mayor_substitute("Holm", "Second", MEMBERS, taken=GOOD) == "Second"


def test_a_municipality_without_a_first_deputy_on_record_proposes_the_second() -> None:
    assert mayor_substitute(None, "Second", MEMBERS) == "Second"


# R-S4, R-S5


def test_an_absence_of_exactly_three_months_is_long() -> None:
    assert is_long_absence(date(2026, 1, 1), date(2026, 4, 1))


def test_an_absence_a_day_short_of_three_months_is_not_long() -> None:
    assert not is_long_absence(date(2026, 1, 1), date(2026, 3, 31))


def test_three_months_from_the_last_day_of_a_month_ends_on_the_shorter_months_last_day() -> None:
    assert add_months(date(2025, 11, 30), 3) == date(2026, 2, 28)
    assert is_long_absence(date(2025, 11, 30), date(2026, 2, 28))


def test_a_return_before_the_absence_starts_is_refused() -> None:
    with pytest.raises(ProcedureError, match="before the absence starts"):
        is_long_absence(date(2026, 4, 1), date(2026, 3, 1))
