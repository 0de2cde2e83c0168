"""Helpers for the meeting room's service tests: items on the agenda, an open meeting, check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from models.enums import ItemStatus
from models.tables import AgendaItem
from services.attendance import answer_summons, report_absence, summon_substitute
from services.meeting_day import check_in, check_out, open_meeting
from tests.integration.conftest import CHAIR, Council_, meeting_day

# The 22 members of the demo council (11 mayors, 11 elected), in the file's order.
MEMBERS = [
    "Gorm Iversen", "Anders Gade", "Ole Lindholm", "Pia Lund", "Karen Vestergaard",
    "Nanna Mose", "Lars Storm", "Rasmus Bach", "Steen Andersen", "Dagmar Hougaard",
    "Helle Damgaard", "Jonas Lauridsen", "Line Toft", "Ida Mikkelsen", "Anne Rasmussen",
    "Birgitte Bruun", "Tina Kragh", "Mette Juhl", "Mads Madsen", "Lene Overgaard",
    "Viggo Krogh", "Otto Brix",
]  # fmt: skip


async def day(kkr: Council_, at: timedelta = timedelta(0)) -> datetime:
    """A moment on the first meeting's day (an hour before it starts, plus `at`)."""
    return meeting_day(await kkr.meeting()) + at


async def add_items(kkr: Council_, *titles: str) -> list[int]:
    """Items on the first meeting's agenda, in this order."""
    ids = []
    async with kkr.sessions() as session, session.begin():
        for position, title in enumerate(titles, start=1):
            item = AgendaItem(
                meeting_id=kkr.meetings[0],
                position=position,
                title=title,
                submitted_at=await day(kkr, timedelta(days=-20)),
                status=ItemStatus.ACCEPTED,
            )
            session.add(item)
            await session.flush()
            ids.append(item.id or 0)
    return ids


async def absent(kkr: Council_, name: str, *, substitute_comes: bool = False) -> None:
    """`name` reports absent before the day; their substitute is summoned and accepts if asked."""
    before = await day(kkr, timedelta(days=-3))
    actor = await kkr.actor(name)
    await kkr.run(report_absence, actor=actor, meeting_id=kkr.meetings[0], now=before)
    if substitute_comes:
        await kkr.run(summon_substitute, actor=actor, meeting_id=kkr.meetings[0], now=before)
        async with kkr.sessions() as session:
            from services.seats import load_seats

            seats = await load_seats(session, await kkr.meeting())
        substitute = seats.rows[actor.person_id].substitute_id
        sub_actor = await kkr.actor(seats.name(substitute))
        await kkr.run(
            answer_summons,
            actor=sub_actor,
            meeting_id=kkr.meetings[0],
            member_id=actor.person_id,
            accept=True,
            now=before,
        )


async def open_with(kkr: Council_, *present: str, by: str = CHAIR) -> None:
    """Open the first meeting and check in everyone named (each checks in themselves; the one who
    opens it is checked in by opening it)."""
    now = await day(kkr)
    await kkr.run(open_meeting, actor=await kkr.actor(by), now=now, meeting_id=kkr.meetings[0])
    for name in present:
        if name == by:
            continue
        await kkr.run(check_in, actor=await kkr.actor(name), now=now, meeting_id=kkr.meetings[0])


async def leave(kkr: Council_, *names: str) -> None:
    now = await day(kkr, timedelta(minutes=30))
    for name in names:
        await kkr.run(check_out, actor=await kkr.actor(name), now=now, meeting_id=kkr.meetings[0])
