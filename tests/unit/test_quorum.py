"""R-Q1, R-Q2, R-Q4: who counts as present, and whether the council is quorate."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procedure.errors import InvalidCount
from procedure.quorum import (
    AttendancePicture,
    attendance_record,
    count_present,
    expected_attendance,
    is_quorate,
    quorum_status,
    required_for_quorum,
)

# The Nordjylland council after 2025: 22 members, m1..m22, each with a personal substitute s1..s22.
MEMBERS = [f"m{i}" for i in range(1, 23)]
SUBSTITUTE_OF = {f"s{i}": f"m{i}" for i in range(1, 23)}


@pytest.mark.parametrize(("members", "required"), [(22, 11), (21, 11), (20, 10), (1, 1), (2, 1)])
def test_a_quorum_is_half_the_members_rounded_up(members: int, required: int) -> None:
    assert required_for_quorum(members) == required


def test_eleven_of_twenty_two_members_are_quorate_and_ten_are_not() -> None:
    assert is_quorate(22, 11)
    assert not is_quorate(22, 10)


def test_a_council_without_members_has_no_quorum_to_compute() -> None:
    with pytest.raises(InvalidCount, match="at least one member"):
        required_for_quorum(0)


def test_more_present_than_members_is_refused() -> None:
    with pytest.raises(InvalidCount):
        is_quorate(22, 23)


def test_a_substitute_attending_for_an_absent_member_counts_as_that_member() -> None:
    present = [*MEMBERS[:10], "s22"]
    assert count_present(MEMBERS, present, SUBSTITUTE_OF) == 11


def test_a_member_and_their_own_substitute_together_count_once() -> None:
    assert count_present(MEMBERS, ["m1", "s1"], SUBSTITUTE_OF) == 1


def test_the_secretariat_observers_and_strangers_never_count() -> None:
    assert count_present(MEMBERS, ["secretary", "observer", "someone"], SUBSTITUTE_OF) == 0


def test_a_substitute_for_someone_who_is_not_a_member_does_not_count() -> None:
    assert count_present(["m1"], ["s2"], {"s2": "former member"}) == 0


def test_database_ids_work_as_well_as_names() -> None:
    assert count_present([1, 2, 3], [1, 12], {12: 2, 13: 3}) == 2


people = st.sampled_from([*MEMBERS[:8], *list(SUBSTITUTE_OF)[:8], "secretary", "observer"])


@settings(max_examples=200)
@given(
    members=st.sets(st.sampled_from(MEMBERS[:8]), min_size=1),
    present=st.lists(people),
    pairs=st.dictionaries(people, people),
)
def test_count_present_never_exceeds_the_members_whoever_turns_up(
    members: set[str], present: list[str], pairs: dict[str, str]
) -> None:
    counted = count_present(members, present, pairs)
    assert 0 <= counted <= len(members)
    assert count_present(members, [*present, *members], pairs) == len(members)


@settings(max_examples=100)
@given(present=st.sets(st.sampled_from([*MEMBERS, *SUBSTITUTE_OF])), extra=st.sampled_from(MEMBERS))
def test_one_more_person_arriving_never_lowers_the_count(present: set[str], extra: str) -> None:
    before = count_present(MEMBERS, present, SUBSTITUTE_OF)
    assert count_present(MEMBERS, present | {extra}, SUBSTITUTE_OF) >= before


def test_the_quorum_status_tells_how_many_are_missing() -> None:
    status = quorum_status(AttendancePicture.of(MEMBERS, MEMBERS[:9], SUBSTITUTE_OF))
    assert (status.members, status.present, status.required) == (22, 9, 11)
    assert not status.quorate
    assert status.missing == 2


def test_a_quorate_status_misses_nobody() -> None:
    status = quorum_status(AttendancePicture.of(MEMBERS, MEMBERS[:15], SUBSTITUTE_OF))
    assert status.quorate
    assert status.missing == 0


def test_the_forecast_counts_members_not_reported_absent_and_substitutes_who_accepted() -> None:
    absent = MEMBERS[:12]
    picture = expected_attendance(MEMBERS, absent, SUBSTITUTE_OF, accepted=["s1"])
    status = quorum_status(picture)
    assert status.present == 11
    assert status.quorate


def test_the_forecast_does_not_count_a_substitute_who_has_not_answered() -> None:
    picture = expected_attendance(MEMBERS, MEMBERS[:12], SUBSTITUTE_OF, accepted=[])
    assert quorum_status(picture).present == 10


def test_a_picture_is_frozen_and_does_not_see_later_changes_to_its_inputs() -> None:
    pairs = {"s1": "m1"}
    picture = AttendancePicture.of(["m1"], ["s1"], pairs)
    pairs["s1"] = "someone else"
    assert quorum_status(picture).present == 1
    with pytest.raises(AttributeError):
        picture.present = frozenset()  # type: ignore[misc]


def test_the_minutes_list_the_absent_members_and_who_substituted_for_whom() -> None:
    picture = AttendancePicture.of(["m1", "m2", "m3"], ["m1", "s2", "secretary"], SUBSTITUTE_OF)
    record = attendance_record(picture)
    assert record.in_person == {"m1"}
    assert record.absent == {"m2", "m3"}
    assert dict(record.substituted) == {"m2": "s2"}
    assert record.unrepresented == {"m3"}


def test_a_substitute_whose_member_came_after_all_is_not_recorded_as_substituting() -> None:
    record = attendance_record(AttendancePicture.of(["m1"], ["m1", "s1"], SUBSTITUTE_OF))
    assert record.in_person == {"m1"}
    assert dict(record.substituted) == {}


def test_the_minutes_separate_absence_with_notice_from_absence_without() -> None:
    picture = AttendancePicture.of(["m1", "m2", "m3", "m4"], ["m1", "s2"], SUBSTITUTE_OF)
    record = attendance_record(picture, notified=["m2", "m3", "m1"])
    assert record.absent_with_notice == {"m3"}  # m2 is substituted, m1 came after all
    assert record.absent_without_notice == {"m4"}


@given(
    present=st.sets(st.sampled_from(["m1", "m2", "m3", "s1", "s2"])),
    notified=st.sets(st.sampled_from(["m1", "m2", "m3"])),
)
def test_every_member_is_in_exactly_one_place_of_the_record(
    present: set[str], notified: set[str]
) -> None:
    members = {"m1", "m2", "m3"}
    record = attendance_record(AttendancePicture.of(members, present, SUBSTITUTE_OF), notified)
    places = [
        record.in_person,
        frozenset(record.substituted),
        record.absent_with_notice,
        record.absent_without_notice,
    ]
    assert sum(len(p) for p in places) == len(members)
    assert frozenset().union(*places) == members
