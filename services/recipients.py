"""Who receives what of a meeting (R-P6), and a person's roles for one meeting (standing in, R-S3)."""

from __future__ import annotations

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, MembershipRole, Office, SubstituteAnswer
from models.tables import Attendance, Meeting, Membership
from procedure.permissions import Role
from services.actors import Actor

MEMBER_ROLES = (MembershipRole.MAYOR, MembershipRole.MEMBER)
# R-S3: a summoned substitute gets the agenda while the summons stands (not after a decline).
SUMMONED = (SubstituteAnswer.PENDING, SubstituteAnswer.ACCEPTED)


async def agenda_recipients(session: AsyncSession, meeting: Meeting) -> list[int]:
    """R-P6: every member — also one absent or on leave, who keeps following the council's
    business — and for an absent member the summoned substitute too; observers; secretariat.

    Nobody else: not the substitutes of members who attend, not other councils' people.
    """
    memberships = (
        await session.exec(select(Membership).where(Membership.council_id == meeting.council_id))
    ).all()
    replaced = {
        attendance.person_id: attendance.substitute_id
        for attendance in await session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id,
                Attendance.status == AttendanceStatus.ABSENT,
                col(Attendance.substitute_id).is_not(None),
                col(Attendance.substitute_answer).in_(SUMMONED),
            )
        )
    }
    recipients: list[int] = []
    for membership in sorted(memberships, key=lambda m: m.person_id):
        if membership.role in MEMBER_ROLES:
            recipients.append(membership.person_id)
            substitute = replaced.get(membership.person_id)
            if substitute is not None:
                recipients.append(substitute)
        elif membership.role in (MembershipRole.OBSERVER, MembershipRole.SECRETARIAT):
            recipients.append(membership.person_id)
    return list(dict.fromkeys(recipients))  # a person is served once, whatever happens


async def preparers(session: AsyncSession, council_id: int) -> list[int]:
    """R-M3: the chair and the secretariat, who prepare meetings and are told about proposals."""
    rows = await session.exec(
        select(Membership.person_id)
        .where(
            Membership.council_id == council_id,
            (col(Membership.office) == Office.CHAIR)
            | (col(Membership.role) == MembershipRole.SECRETARIAT),
        )
        .order_by(col(Membership.person_id))
    )
    return list(rows.all())


async def council_members(session: AsyncSession, council_id: int) -> list[int]:
    """R-P2: the mayors and elected members of the council."""
    rows = await session.exec(
        select(Membership.person_id)
        .where(Membership.council_id == council_id, col(Membership.role).in_(MEMBER_ROLES))
        .order_by(col(Membership.person_id))
    )
    return list(rows.all())


async def roles_at_meeting(session: AsyncSession, actor: Actor, meeting: Meeting) -> frozenset[str]:
    """The actor's roles for this meeting: a summoned substitute who accepted is standing in (R-S3)."""
    if actor.role != MembershipRole.SUBSTITUTE:
        return actor.roles
    standing_in = (
        await session.exec(
            select(Attendance).where(
                Attendance.meeting_id == meeting.id,
                Attendance.substitute_id == actor.person_id,
                Attendance.status == AttendanceStatus.ABSENT,
                Attendance.substitute_answer == SubstituteAnswer.ACCEPTED,
            )
        )
    ).first()
    return actor.roles | {Role.STANDING_IN} if standing_in else actor.roles
