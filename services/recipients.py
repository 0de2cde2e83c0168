"""Who receives what of a meeting (R-P6), and a person's roles for one meeting (standing in, R-S3)."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import AttendanceStatus, MembershipRole, Office, SubstituteAnswer
from models.tables import Attendance, Council, Meeting, Membership, Notice
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
        await session.exec(
            select(Membership).where(
                Membership.council_id == meeting.council_id, Membership.current()
            )
        )
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
            Membership.current(),
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
        .where(
            Membership.council_id == council_id,
            Membership.current(),
            col(Membership.role).in_(MEMBER_ROLES),
        )
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


# Notices that carry a meeting's papers: only the meeting's recipients at send time get them (R-P6).
MEETING_PAPERS = frozenset({"agenda"})


async def may_receive(
    session: AsyncSession, notice: Notice, recipients: dict[int, Collection[int]] | None = None
) -> bool:
    """May this person still receive this notice, now? Asked by the outbox just before sending.

    R-P6: someone who no longer belongs to the notice's council gets nothing more of it, and a
    meeting's papers go only to its recipients as they stand now (a substitute released after the
    summons gets no agenda; a person whose membership ended gets nothing at all). The one place to
    add further reasons.
    """
    memberships = select(Membership.id).where(
        Membership.person_id == notice.person_id, Membership.current()
    )
    if notice.council_id is not None:
        memberships = memberships.where(Membership.council_id == notice.council_id)
    if (await session.exec(memberships.limit(1))).first() is None:
        return False
    meeting_id = (notice.payload or {}).get("meeting_id")
    if notice.kind not in MEETING_PAPERS or not isinstance(meeting_id, int):
        return True
    if recipients is not None and meeting_id in recipients:  # asked for a batch: read once
        return notice.person_id in recipients[meeting_id]
    meeting = await session.get(Meeting, meeting_id)
    if meeting is None:
        return False
    found = set(await agenda_recipients(session, meeting))
    if recipients is not None:
        recipients[meeting_id] = found
    return notice.person_id in found


async def linked_group_council(session: AsyncSession, chat_id: int) -> int | None:
    """The council whose secretariat linked this group chat, if any (R-P6: the only group that
    sees anything of a council)."""
    rows = await session.exec(select(Council.id).where(Council.group_chat_id == chat_id))
    return rows.first()
