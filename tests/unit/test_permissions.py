"""R-P3–R-P6, R-S3: one table of who may do what."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from procedure.errors import UnknownAction
from procedure.permissions import LEADING, PERMISSIONS, Action, Role, allowed_actions, may

MEMBER_OWN = [
    Action.PROPOSE,
    Action.REPORT_ABSENCE,
    Action.SUMMON_SUBSTITUTE,
    Action.WITHDRAW_ABSENCE,
    Action.REQUEST_MEETING,
    Action.CHECK_IN,
    Action.VOTE,
]
CHAIR_POWERS = [
    Action.CALL_MEETING,
    Action.ORDER_AGENDA,
    Action.APPROVE_AGENDA,
    Action.ACCEPT_LATE_PROPOSAL,
    Action.RECORD_DEADLINE_EXCEPTION,
    Action.OPEN_MEETING,
    Action.CLOSE_MEETING,
]
ADMINISTRATION = [
    Action.PLAN_MEETINGS,
    Action.EDIT_AGENDA,
    Action.DISTRIBUTE_AGENDA,
    Action.CHECK_IN_OTHERS,
    Action.RECORD_VOTE,
    Action.LEAD_MEETING,
    Action.MANAGE_MEMBERS,
    Action.ISSUE_INVITES,
    Action.LINK_GROUP,
]


def test_every_action_has_a_row_in_the_table() -> None:
    assert set(PERMISSIONS) == set(Action)


@pytest.mark.parametrize("role", ["mayor", "member"])
@pytest.mark.parametrize("action", MEMBER_OWN)
def test_mayors_and_elected_members_may_do_a_members_own_business(
    role: str, action: Action
) -> None:
    assert may([role], action)


@pytest.mark.parametrize("action", CHAIR_POWERS)
def test_a_plain_member_holds_no_chair_power(action: Action) -> None:
    assert not may(["member"], action)


@pytest.mark.parametrize("action", CHAIR_POWERS)
def test_the_chair_holds_every_chair_power(action: Action) -> None:
    assert may(["mayor", "chair"], action)


@pytest.mark.parametrize("action", CHAIR_POWERS)
def test_the_vice_chair_holds_chair_powers_only_when_acting_for_an_absent_chair(
    action: Action,
) -> None:
    assert not may(["member", "vice_chair"], action)
    assert may(["member", "vice_chair"], action, acting_chair=True)


@pytest.mark.parametrize("action", CHAIR_POWERS)
def test_a_member_named_acting_chair_when_both_officers_are_absent_holds_the_chair_powers(
    action: Action,
) -> None:
    assert may(["member"], action, acting_chair=True)


@pytest.mark.parametrize("action", sorted(LEADING))
def test_a_chair_absent_from_the_meeting_holds_no_power_of_leading_it(action: Action) -> None:
    assert not may(["mayor", "chair"], action, acting_chair=False)


def test_a_chair_absent_from_a_meeting_stays_chair_of_the_council() -> None:
    assert may(["mayor", "chair"], Action.VOTE, acting_chair=False)  # still a member
    assert may(["mayor", "chair"], Action.CALL_MEETING, acting_chair=False)
    assert may(["mayor", "chair"], Action.VIEW_ATTENDANCE_RECORD, acting_chair=False)


def test_the_chair_and_vice_chair_are_members_and_vote() -> None:
    assert may(["chair"], Action.VOTE)
    assert may(["vice_chair"], Action.PROPOSE)


@pytest.mark.parametrize("action", ADMINISTRATION)
def test_the_secretariat_has_administrative_rights(action: Action) -> None:
    assert may(["secretariat"], action)


@pytest.mark.parametrize(
    "action",
    [Action.VOTE, Action.PROPOSE, Action.CHECK_IN, Action.OPEN_MEETING, Action.CALL_MEETING],
)
def test_the_secretariat_has_no_vote_and_no_chair_power(action: Action) -> None:
    assert not may(["secretariat"], action)


def test_observers_only_receive_the_agenda_and_see_meetings_and_quorum() -> None:
    assert allowed_actions(["observer"]) == {
        Action.RECEIVE_AGENDA,
        Action.VIEW_MEETINGS,
        Action.VIEW_QUORUM,
    }


def test_a_substitute_not_standing_in_may_answer_a_summons_and_see_dates_only() -> None:
    assert allowed_actions(["substitute"]) == {Action.ANSWER_SUMMONS, Action.VIEW_MEETINGS}


@pytest.mark.parametrize(
    "action", [Action.PROPOSE, Action.VOTE, Action.CHECK_IN, Action.RECEIVE_AGENDA]
)
def test_a_substitute_standing_in_may_propose_vote_check_in_and_receive_the_agenda(
    action: Action,
) -> None:
    assert not may(["substitute"], action)
    assert may(["substitute", "standing_in"], action)


def test_a_substitute_standing_in_does_not_report_absence_for_the_member() -> None:
    assert not may(["substitute", "standing_in"], Action.REPORT_ABSENCE)


def test_plain_strings_and_enums_are_accepted_alike() -> None:
    assert may({"chair"}, "open_meeting")
    assert may([Role.CHAIR], Action.OPEN_MEETING)


def test_an_unknown_role_grants_nothing() -> None:
    assert allowed_actions(["president", "admin"]) == frozenset()


def test_an_unknown_action_is_an_error_not_a_silent_refusal() -> None:
    with pytest.raises(UnknownAction, match="'fly'"):
        may(["chair"], "fly")


@given(
    roles=st.sets(st.sampled_from(list(Role))),
    more=st.sets(st.sampled_from(list(Role))),
    acting=st.sampled_from([None, True, False]),
)
def test_more_roles_never_take_a_right_away(
    roles: set[Role], more: set[Role], acting: bool | None
) -> None:
    assert allowed_actions(roles, acting_chair=acting) <= allowed_actions(
        roles | more, acting_chair=acting
    )


def test_the_meeting_is_led_by_the_acting_chair_or_the_secretariat_for_them() -> None:
    assert may(["secretariat"], Action.LEAD_MEETING)
    assert may(["mayor", "vice_chair"], Action.LEAD_MEETING, acting_chair=True)
    assert not may(["mayor", "vice_chair"], Action.LEAD_MEETING)
    assert not may(["observer"], Action.LEAD_MEETING)
    assert not may(["member"], Action.LEAD_MEETING)
