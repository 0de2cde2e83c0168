"""R-K1: the longest-serving mayor calls the constituent meeting; on a tie, the oldest."""

from __future__ import annotations

from datetime import date

import pytest

from procedure.constitution import constituent_convener
from procedure.errors import ProcedureError

SINCE = {"Aalborg": date(2018, 1, 1), "Hjørring": date(2010, 1, 1), "Thisted": date(2014, 1, 1)}
BORN = {"Aalborg": date(1960, 5, 1), "Hjørring": date(1970, 3, 3), "Thisted": date(1950, 1, 1)}


def test_the_mayor_who_has_been_mayor_longest_calls_the_constituent_meeting() -> None:
    assert constituent_convener(SINCE, BORN) == "Hjørring"


def test_between_equally_senior_mayors_the_oldest_calls_it() -> None:
    since = {**SINCE, "Thisted": date(2010, 1, 1)}
    assert constituent_convener(since, BORN) == "Thisted"


def test_a_full_tie_is_refused_rather_than_settled_by_the_order_of_names() -> None:
    with pytest.raises(ProcedureError, match="equally senior and equally old"):
        constituent_convener(
            {"A": date(2010, 1, 1), "B": date(2010, 1, 1)}, dict.fromkeys("AB", date(1960, 1, 1))
        )


def test_a_missing_birth_date_is_refused() -> None:
    with pytest.raises(ProcedureError, match="birth dates"):
        constituent_convener(SINCE, {"Aalborg": date(1960, 5, 1)})


def test_percentages_become_whole_votes_in_the_same_proportion() -> None:
    from procedure.constitution import whole_votes

    assert whole_votes({"A": 27.6, "V": 23.1, "K": 2}) == {"A": 276, "V": 231, "K": 20}


def test_a_party_is_found_in_its_alliance() -> None:
    from procedure.constitution import group_of

    assert group_of("B", ["A", "B+C"]) == "B+C"
    assert group_of("D", ["A", "B+C"]) is None
