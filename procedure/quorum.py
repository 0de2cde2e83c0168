"""Quorum and attendance (R-Q1, R-Q2, R-Q4).

A member counts when present in person or through their own personal substitute; nobody counts
twice, and anyone else (secretariat, observers, strangers) never counts. The same attendance
picture serves the forecast before a meeting (who is expected) and the actual count during it (who
checked in).
Person ids may be any hashable value (names, database ids), as long as one picture uses one kind.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from procedure.errors import InvalidCount

P = TypeVar("P", bound=Hashable)


def required_for_quorum(members: int) -> int:
    """R-Q1: the number present needed for a quorum, ⌈members / 2⌉."""
    if members < 1:
        raise InvalidCount(f"a council needs at least one member to have a quorum, got {members}")
    return (members + 1) // 2


def is_quorate(members: int, present: int) -> bool:
    """R-Q1: whether `present` of `members` members make a quorum."""
    if not 0 <= present <= members:
        raise InvalidCount(f"present must be between 0 and {members} members, got {present}")
    return present >= required_for_quorum(members)


def represented_members(
    members: Iterable[P], present: Iterable[P], substitute_of: Mapping[P, P]
) -> frozenset[P]:
    """R-Q1: the members present in person or through their own substitute."""
    member_set = frozenset(members)
    here = frozenset(present)
    in_person = member_set & here
    # substitute_of[substitute] = member: a substitute present stands for that member only.
    through_substitute = {m for s, m in substitute_of.items() if s in here and m in member_set}
    return in_person | through_substitute


def count_present(members: Iterable[P], present: Iterable[P], substitute_of: Mapping[P, P]) -> int:
    """R-Q1: the members present in person or through their substitute, each counted once."""
    return len(represented_members(members, present, substitute_of))


@dataclass(frozen=True)
class AttendancePicture(Generic[P]):
    """R-Q2: the members, who is present (or expected), and whose substitute each substitute is."""

    members: frozenset[P]
    present: frozenset[P]
    substitute_of: Mapping[P, P] = field(default_factory=dict, hash=False)

    @classmethod
    def of(
        cls,
        members: Iterable[P],
        present: Iterable[P],
        substitute_of: Mapping[P, P] | None = None,
    ) -> AttendancePicture[P]:
        """R-Q2: a picture from any iterables and mapping (copied: later changes do not leak in)."""
        return cls(frozenset(members), frozenset(present), dict(substitute_of or {}))


@dataclass(frozen=True)
class QuorumStatus:
    """R-Q2: how many members count as present, how many are needed, and how many are missing."""

    members: int
    present: int
    required: int
    quorate: bool
    missing: int


def quorum_status(picture: AttendancePicture[P]) -> QuorumStatus:
    """R-Q1/R-Q2: the quorum status of an attendance picture, forecast or actual."""
    members = len(picture.members)
    present = count_present(picture.members, picture.present, picture.substitute_of)
    required = required_for_quorum(members)
    return QuorumStatus(
        members=members,
        present=present,
        required=required,
        quorate=present >= required,
        missing=max(0, required - present),
    )


def expected_attendance(
    members: Iterable[P],
    absent: Iterable[P],
    substitute_of: Mapping[P, P],
    accepted: Iterable[P],
) -> AttendancePicture[P]:
    """R-Q2: the forecast: members not reported absent, plus substitutes who accepted a summons."""
    member_set = frozenset(members)
    absent_set = frozenset(absent)
    # A substitute who has not answered (or declined) is not expected: the forecast is cautious.
    expected = (member_set - absent_set) | frozenset(accepted)
    return AttendancePicture.of(member_set, expected, substitute_of)


@dataclass(frozen=True)
class AttendanceRecord(Generic[P]):
    """R-Q4: for the minutes: who attended in person, who was absent, who substituted for whom."""

    in_person: frozenset[P]
    substituted: Mapping[P, P] = field(hash=False)  # absent member -> the substitute who attended
    absent: frozenset[P] = frozenset()  # every member not there in person, substituted or not
    notified: frozenset[P] = frozenset()  # members who reported their absence (R-S3)

    @property
    def unrepresented(self) -> frozenset[P]:
        """R-Q4: absent members for whom no substitute attended."""
        return self.absent - self.substituted.keys()

    @property
    def absent_with_notice(self) -> frozenset[P]:
        """R-Q4/R-S3: unrepresented members who reported their absence (afbud)."""
        return self.unrepresented & self.notified

    @property
    def absent_without_notice(self) -> frozenset[P]:
        """R-Q4: unrepresented members who neither came nor reported their absence."""
        return self.unrepresented - self.notified


def attendance_record(
    picture: AttendancePicture[P], notified: Iterable[P] = ()
) -> AttendanceRecord[P]:
    """R-Q4: the attendance of a meeting as the minutes list it; `notified`: who reported absence
    (a member who reported it and came after all is simply present)."""
    in_person = picture.members & picture.present
    substituted = {
        member: substitute
        for substitute, member in picture.substitute_of.items()
        if substitute in picture.present and member in picture.members and member not in in_person
    }
    absent = picture.members - in_person
    return AttendanceRecord(
        in_person=in_person,
        substituted=substituted,
        absent=absent,
        notified=absent & frozenset(notified),
    )
