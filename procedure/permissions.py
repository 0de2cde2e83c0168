"""Who may do what: one table for every action of the services (R-P3, R-P4, R-P5, R-P6, R-S3).

Roles are the membership role ("mayor", "member", "substitute", "secretariat", "observer") plus any
office ("chair", "vice_chair") and one situational role:

- "standing_in": a substitute who attends a meeting in an absent member's place (summoned and
  accepted, R-S3, or for a long absence, R-S4/R-S5). Only then may a substitute propose, vote, check
  in and receive the agenda (R-P6). Chosen as a role, not a keyword, because it is a fact about the
  person for a given meeting that the services know when they build the roles.

The chair and vice chair are members, so an office brings a member's rights. For one meeting the
chair powers belong to its acting chair (R-P3): `acting_chair=True` gives them (the vice chair when
the chair is absent, or the member named when both are), `acting_chair=False` takes them from an
absent chair; without a meeting in question the standing roles decide. The
secretariat has administrative rights but no vote (R-P4); observers only see and receive (R-P5).
Unknown role strings grant nothing; an unknown action is an error (a typo must not pass silently).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum
from types import MappingProxyType

from procedure.errors import UnknownAction


class Role(StrEnum):
    """R-P2–R-P5: the roles (and offices) that permissions are granted to."""

    MAYOR = "mayor"
    MEMBER = "member"
    SUBSTITUTE = "substitute"
    SECRETARIAT = "secretariat"
    OBSERVER = "observer"
    CHAIR = "chair"
    VICE_CHAIR = "vice_chair"
    STANDING_IN = "standing_in"


class Action(StrEnum):
    """Everything a person can ask the services to do."""

    # A member's own business
    PROPOSE = "propose"  # R-D1
    REPORT_ABSENCE = "report_absence"  # R-S3
    SUMMON_SUBSTITUTE = "summon_substitute"  # R-S3
    WITHDRAW_ABSENCE = "withdraw_absence"  # R-S3
    REQUEST_MEETING = "request_meeting"  # R-M2
    CHECK_IN = "check_in"  # R-Q2
    VOTE = "vote"  # R-Q3
    ANSWER_SUMMONS = "answer_summons"  # R-S7
    # Seeing the council's business (R-P6)
    VIEW_MEETINGS = "view_meetings"
    RECEIVE_AGENDA = "receive_agenda"
    VIEW_QUORUM = "view_quorum"  # R-Q2
    # Chair powers
    CALL_MEETING = "call_meeting"  # R-M2, R-M3
    ORDER_AGENDA = "order_agenda"  # R-M4
    APPROVE_AGENDA = "approve_agenda"  # R-D2
    ACCEPT_LATE_PROPOSAL = "accept_late_proposal"  # R-D1
    RECORD_DEADLINE_EXCEPTION = "record_deadline_exception"  # R-D3
    OPEN_MEETING = "open_meeting"  # R-M5
    CLOSE_MEETING = "close_meeting"  # R-M5
    # Shared by the chair and the secretariat (preparing meetings, R-M3)
    PLAN_MEETINGS = "plan_meetings"  # R-M1
    EDIT_AGENDA = "edit_agenda"  # R-M3
    DISTRIBUTE_AGENDA = "distribute_agenda"  # R-M3
    CHECK_IN_OTHERS = "check_in_others"  # R-Q2
    REPORT_ABSENCE_FOR_OTHERS = (
        "report_absence_for_others"  # R-S3, the secretariat receives notices
    )
    RECORD_LONG_ABSENCE = "record_long_absence"  # R-S4, R-S5
    RECORD_VOTE = "record_vote"  # R-Q3
    LEAD_MEETING = "lead_meeting"  # R-M5: items, votes, decisions; the secretariat for the chair
    LINK_GROUP = "link_group"
    # The secretariat's administration (R-P4)
    MANAGE_MEMBERS = "manage_members"  # R-P2, R-S1
    ISSUE_INVITES = "issue_invites"
    MANAGE_SETTINGS = "manage_settings"  # R-P1 and the interpretations
    WRITE_MINUTES = "write_minutes"  # R-X2
    PUBLISH = "publish"  # R-X1
    APPROVE_MINUTES = "approve_minutes"  # R-X2: the acting chair of the meeting
    CLOSE_ITEM = "close_item"  # R-P6: the chair marks an item closed ("Lukket punkt")
    EXPORT_ATTENDANCE = "export_attendance"  # R-X3
    VIEW_ATTENDANCE_RECORD = "view_attendance_record"  # R-Q4, for the minutes
    MANAGE_APPOINTMENTS = "manage_appointments"  # R-E4
    NOTIFY_ALLIANCE = "notify_alliance"  # R-K2: members, or the secretariat receiving it


_ROLE_VALUES = frozenset(role.value for role in Role)
_MEMBERS = frozenset({Role.MAYOR, Role.MEMBER})
_ATTENDING = _MEMBERS | {Role.STANDING_IN}
_INSIDERS = _ATTENDING | {Role.SECRETARIAT, Role.OBSERVER}  # R-P6
_CHAIR = frozenset({Role.CHAIR})
_PREPARERS = _CHAIR | {Role.SECRETARIAT}
_SECRETARIAT = frozenset({Role.SECRETARIAT})

PERMISSIONS: Mapping[Action, frozenset[Role]] = MappingProxyType(
    {
        Action.PROPOSE: _ATTENDING,
        Action.REPORT_ABSENCE: _MEMBERS,
        Action.SUMMON_SUBSTITUTE: _MEMBERS,
        Action.WITHDRAW_ABSENCE: _MEMBERS,
        Action.REQUEST_MEETING: _MEMBERS,
        Action.CHECK_IN: _ATTENDING,
        Action.VOTE: _ATTENDING,
        Action.ANSWER_SUMMONS: frozenset({Role.SUBSTITUTE, Role.STANDING_IN}),
        Action.VIEW_MEETINGS: _INSIDERS | {Role.SUBSTITUTE},  # dates only, so every substitute
        Action.RECEIVE_AGENDA: _INSIDERS,
        Action.VIEW_QUORUM: _INSIDERS,
        Action.CALL_MEETING: _CHAIR,
        Action.ORDER_AGENDA: _CHAIR,
        Action.APPROVE_AGENDA: _CHAIR,
        Action.ACCEPT_LATE_PROPOSAL: _CHAIR,
        Action.RECORD_DEADLINE_EXCEPTION: _CHAIR,
        Action.OPEN_MEETING: _CHAIR,
        Action.CLOSE_MEETING: _CHAIR,
        Action.PLAN_MEETINGS: _PREPARERS,
        Action.EDIT_AGENDA: _PREPARERS,
        Action.DISTRIBUTE_AGENDA: _PREPARERS,
        Action.CHECK_IN_OTHERS: _PREPARERS,
        Action.REPORT_ABSENCE_FOR_OTHERS: _PREPARERS,
        Action.RECORD_LONG_ABSENCE: _PREPARERS,
        Action.RECORD_VOTE: _PREPARERS,
        Action.LEAD_MEETING: _PREPARERS,
        Action.LINK_GROUP: _PREPARERS,
        Action.VIEW_ATTENDANCE_RECORD: _PREPARERS,  # the chair leads the meeting it records
        Action.MANAGE_MEMBERS: _SECRETARIAT,
        Action.ISSUE_INVITES: _SECRETARIAT,
        Action.MANAGE_SETTINGS: _SECRETARIAT,
        Action.WRITE_MINUTES: _SECRETARIAT,
        Action.PUBLISH: _PREPARERS,  # R-X1: by hand, the chair or the secretariat
        Action.APPROVE_MINUTES: _CHAIR,
        Action.CLOSE_ITEM: _CHAIR,
        Action.EXPORT_ATTENDANCE: _SECRETARIAT,
        Action.MANAGE_APPOINTMENTS: _SECRETARIAT,
        Action.NOTIFY_ALLIANCE: _MEMBERS | _SECRETARIAT,
    }
)


# R-P3, R-M4, R-M5: the powers of leading one meeting, its preparation included. They pass from an
# absent chair to the acting chair; the chair keeps the rest (seeing the record, editing with the
# secretariat), as chair of the council.
LEADING = frozenset(
    {
        Action.ORDER_AGENDA,
        Action.APPROVE_AGENDA,
        Action.DISTRIBUTE_AGENDA,
        Action.ACCEPT_LATE_PROPOSAL,
        Action.RECORD_DEADLINE_EXCEPTION,
        Action.OPEN_MEETING,
        Action.CLOSE_MEETING,
        Action.CHECK_IN_OTHERS,
    }
)


# R-P3: what an acting chair exercises for the meeting they lead — the powers the services check per
# meeting (services.seats.require): its preparation (LEADING), leading it and approving its minutes.
ACTING_CHAIR_POWERS = LEADING | {
    Action.LEAD_MEETING,
    Action.APPROVE_MINUTES,
    Action.VIEW_ATTENDANCE_RECORD,
}


def effective_roles(roles: Iterable[str], *, acting_chair: bool | None = None) -> frozenset[Role]:
    """R-P3: the known roles, with a member's rights for officers, and for one meeting the chair
    powers where they are: `acting_chair` True gives them (the vice chair, or the member named
    when both officers are absent), False takes them from a chair who is absent from it; None
    (no meeting in question) leaves the standing roles as they are."""
    known = {Role(r) for r in roles if r in _ROLE_VALUES}
    if known & {Role.CHAIR, Role.VICE_CHAIR}:
        known.add(Role.MEMBER)  # the chair and vice chair are elected among the members
    if acting_chair is True:
        known.add(Role.CHAIR)  # R-P3: the acting chair holds every chair power
    elif acting_chair is False:
        known.discard(Role.CHAIR)  # R-P3: an absent chair's powers pass to the acting chair
    return frozenset(known)


def may(roles: Iterable[str], action: str, *, acting_chair: bool | None = None) -> bool:
    """R-P3–R-P6: whether a person with these roles may do `action`."""
    wanted = _action(action)
    if acting_chair is False and wanted not in LEADING:
        acting_chair = None  # the absent chair is still the council's chair for everything else
    allowed = PERMISSIONS[wanted]
    return not allowed.isdisjoint(effective_roles(roles, acting_chair=acting_chair))


def allowed_actions(roles: Iterable[str], *, acting_chair: bool | None = None) -> frozenset[Action]:
    """R-P3–R-P6: every action a person with these roles may do (for menus and help)."""
    roles = frozenset(roles)
    return frozenset(a for a in PERMISSIONS if may(roles, a, acting_chair=acting_chair))


def _action(action: str) -> Action:
    try:
        return Action(action)
    except ValueError:
        raise UnknownAction(f"unknown action {action!r}; known: {', '.join(Action)}") from None
