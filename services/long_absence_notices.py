"""Who hears of a long absence (R-S4, R-S5): the chair, the acting chair and the secretariat, of its
start and end; the substitute, that they stand in (or are asked to)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.enums import MembershipRole, Office, SubstituteAnswer
from models.tables import Council, LongAbsence, Meeting, Membership, Person
from services.attendance import SUMMONS_TO_ANSWER, summons_to_answer
from services.outbox import enqueue
from services.seats import Seats, acting_chair_now, tell


async def tell_stand_in(
    session: AsyncSession,
    seats: Seats,
    leave: LongAbsence,
    answer: SubstituteAnswer,
    *,
    key: str,
    now: datetime,
) -> None:
    """R-S4/R-S5: the substitute stands in (or is asked to) for the member on long absence."""
    pending = answer == SubstituteAnswer.PENDING
    meeting_id = seats.meeting.id
    payload: dict[str, object] = {"member": seats.name(leave.person_id), "pending": pending}
    if pending:
        payload[SUMMONS_TO_ANSWER] = summons_to_answer(meeting_id or 0, leave.person_id)
    await tell(
        session,
        seats,
        [leave.substitute_id],
        kind="long_absence_stand_in",
        key=key,
        now=now,
        payload=payload,
    )


async def tell_officers(
    session: AsyncSession, council: Council, leave: LongAbsence, *, kind: str, now: datetime
) -> None:
    """R-S5: the chair, the acting chair (R-P3) and the secretariat learn of the long absence and
    its end."""
    officers = await session.exec(
        select(Membership.person_id).where(
            Membership.council_id == council.id,
            Membership.current(),
            (Membership.office == Office.CHAIR) | (Membership.role == MembershipRole.SECRETARIAT),
        )
    )
    names = {
        p.id: p.name
        for p in await session.exec(
            select(Person).where(col(Person.id).in_([leave.person_id, leave.substitute_id or 0]))
        )
    }
    decision_meeting = await session.get(Meeting, leave.decision_meeting_id or 0)
    tz = ZoneInfo(council.timezone)
    payload = {
        "council": council.name,
        "member": names.get(leave.person_id, "?"),
        "substitute": names.get(leave.substitute_id or 0),
        "kind": leave.kind,
        "starts_on": leave.starts_on.isoformat(),
        "expected_back": leave.expected_back.isoformat(),
        "decision_meeting_at": (
            decision_meeting.starts_at.astimezone(tz).isoformat() if decision_meeting else None
        ),
        # Added after distribution, the item waits for the chair to send the addendum (R-D3).
        "addendum_needed": bool(decision_meeting and decision_meeting.agenda_changed_at),
    }
    # R-P3: when the chair is absent (e.g. the chair's own long absence), the vice chair acting
    # for them is told as well.
    acting = await acting_chair_now(session, council.id or 0, now)
    for person_id in dict.fromkeys([*officers.all(), *([acting] if acting else [])]):
        await enqueue(
            session,
            person_id=person_id,
            kind=kind,
            dedupe_key=f"{kind}:{leave.id}:{person_id}",
            now=now,
            payload=payload,
            council_id=council.id,
        )
