"""A meeting held and closed, for the record's tests (issue 13): who came, who stood in, who not."""

from __future__ import annotations

from datetime import datetime, timedelta

from services.attendance import (
    answer_summons,
    report_absence,
    report_unanswered_summons,
    summon_substitute,
)
from services.meeting_day import check_in, check_out, close_meeting, open_meeting
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    MEMBER,
    SUBSTITUTE,
    VICE,
    Council_,
    meeting_day,
)

SILENT_MEMBER = "Line Toft"  # her substitute never answers (R-S7)
SILENT_SUBSTITUTE = "Camilla Nissen"
OPENS = timedelta(0)  # the meeting opens an hour before its set start (meeting_day)
CLOSES = timedelta(hours=3)


async def absences(kkr: Council_, index: int = 0) -> datetime:
    """MEMBER is away (ill) and her substitute accepts; MAYOR's substitute declines; SILENT_MEMBER's
    substitute never answers and the sweep reports it. Returns the moment it all happened."""
    meeting = kkr.meetings[index]
    early = meeting_day(await kkr.meeting(index)) - timedelta(days=5)
    member = await kkr.actor(MEMBER)
    await kkr.run(report_absence, actor=member, meeting_id=meeting, now=early, reason="syg")
    await kkr.run(summon_substitute, actor=member, meeting_id=meeting, now=early)
    substitute = await kkr.actor(SUBSTITUTE)
    await kkr.run(answer_summons, actor=substitute, meeting_id=meeting, accept=True, now=early)
    mayor = await kkr.actor(MAYOR)
    await kkr.run(report_absence, actor=mayor, meeting_id=meeting, now=early, reason="ferie")
    await kkr.run(summon_substitute, actor=mayor, meeting_id=meeting, now=early)
    declines = await kkr.actor(MAYOR_SUBSTITUTE)
    await kkr.run(answer_summons, actor=declines, meeting_id=meeting, accept=False, now=early)
    silent = await kkr.actor(SILENT_MEMBER)
    await kkr.run(report_absence, actor=silent, meeting_id=meeting, now=early)
    await kkr.run(summon_substitute, actor=silent, meeting_id=meeting, now=early)
    await kkr.run(report_unanswered_summons, now=meeting_day(await kkr.meeting(index)))
    return early


async def held(kkr: Council_, index: int = 0, *, close: bool = True) -> datetime:
    """The meeting with the absences above, held: the chair, the vice chair (who leaves after an
    hour) and MEMBER's substitute attend. Returns the moment the meeting opened."""
    await absences(kkr, index)
    meeting = kkr.meetings[index]
    day = meeting_day(await kkr.meeting(index))
    chair = await kkr.actor(CHAIR)
    await kkr.run(open_meeting, actor=chair, now=day, meeting_id=meeting)
    for name, after in ((CHAIR, 1), (VICE, 2), (SUBSTITUTE, 10)):
        who = await kkr.actor(name)
        await kkr.run(check_in, actor=who, now=day + timedelta(minutes=after), meeting_id=meeting)
    vice = await kkr.actor(VICE)
    await kkr.run(check_out, actor=vice, now=day + timedelta(hours=1), meeting_id=meeting)
    if close:
        await kkr.run(close_meeting, actor=chair, now=day + CLOSES, meeting_id=meeting)
    return day
