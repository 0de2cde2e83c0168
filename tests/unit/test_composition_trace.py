"""R-C1/R-C2: the computation the secretariat checks line by line leads to the composition."""

from __future__ import annotations

from collections import Counter

from hypothesis import assume, given
from hypothesis import strategies as st

from procedure.composition import compose
from procedure.composition_trace import explain
from procedure.errors import CompositionError
from tests.unit.test_composition import NORDJYLLAND_MAYORS, NORDJYLLAND_VOTES


def test_nordjylland_qualifies_nine_parties_and_caps_thirty_seats_to_twenty_two() -> None:
    trace = explain(NORDJYLLAND_VOTES, NORDJYLLAND_MAYORS, 11, total=100)
    assert [p.party for p in trace.parties if p.qualifies] == list(NORDJYLLAND_VOTES)
    assert len(trace.quotients) == 30
    assert trace.quotients[0].party == "A" and trace.quotients[0].divisor == 1
    # Lower bounds: V 8, A 2, C 1 and one for each of the six others = 17; five seats to give.
    assert [s.seat for s in trace.cap_steps] == [18, 19, 20, 21, 22]
    assert [s.party for s in trace.cap_steps] == ["A", "C", "A", "F", "Æ"]
    assert dict(trace.result.seats) == {
        "A": 4,
        "V": 8,
        "C": 2,
        "F": 2,
        "Æ": 2,
        "I": 1,
        "O": 1,
        "B": 1,
        "Ø": 1,
    }


def test_a_list_under_two_percent_is_shown_as_not_qualifying() -> None:
    trace = explain({**NORDJYLLAND_VOTES, "K": 1.9}, NORDJYLLAND_MAYORS, 11, total=100)
    line = next(p for p in trace.parties if p.party == "K")
    assert not line.qualifies and line.lower_bound == 0


votes_st = st.dictionaries(
    st.sampled_from("ABCDEFGHIJ"), st.integers(min_value=1, max_value=100_000), min_size=1
)


@given(votes_st, st.integers(min_value=1, max_value=12), st.data())
def test_the_steps_always_add_up_to_the_composition(
    votes: dict[str, int], municipalities: int, data: st.DataObject
) -> None:
    parties = sorted(votes)
    mayors: dict[str, int] = {}
    for _ in range(data.draw(st.integers(min_value=0, max_value=municipalities))):
        party = data.draw(st.sampled_from(parties))
        mayors[party] = mayors.get(party, 0) + 1
    try:
        trace = explain(votes, mayors, municipalities)
    except CompositionError:
        assume(False)
        return
    seats = compose(votes, mayors, municipalities)
    qualifying = {p.party for p in trace.parties if p.qualifies}
    if trace.result.capped:
        bounds = Counter({p.party: p.lower_bound for p in trace.parties if p.qualifies})
        bounds.update(s.party for s in trace.cap_steps)
        assert {p: n for p, n in bounds.items() if n} == {
            p: n for p, n in seats.items() if p in qualifying
        }
    else:
        counted = Counter(q.party for q in trace.quotients)
        assert dict(counted) == {p: n for p, n in seats.items() if p in qualifying}
        values = [q.value for q in trace.quotients]
        assert values == sorted(values, reverse=True)
