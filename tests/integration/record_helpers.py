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
    for name, after in ((VICE, 2), (SUBSTITUTE, 10)):  # the chair came by opening it
        who = await kkr.actor(name)
        await kkr.run(check_in, actor=who, now=day + timedelta(minutes=after), meeting_id=meeting)
    vice = await kkr.actor(VICE)
    await kkr.run(check_out, actor=vice, now=day + timedelta(hours=1), meeting_id=meeting)
    if close:
        await kkr.run(close_meeting, actor=chair, now=day + CLOSES, meeting_id=meeting)
    return day


BUDGET = "Budget 2028 for det regionale samarbejde"
PERSONNEL = "Ansættelse af ny direktør"  # the chair marks it closed
LATE_ITEM = "Fælles busplan"  # proposed after the deadline, taken in (R-D1)
REASON = "Bilagene kom sent fra KL"  # R-D3


async def agenda_out(kkr: Council_, index: int = 0) -> dict[str, int]:
    """Three items (one late, R-D1), distributed after the deadline with the chair's reason (R-D3);
    the personnel item marked closed. Returns the item ids by title."""
    from services.agenda import propose_item
    from services.agenda_delivery import distribute_agenda
    from services.agenda_prep import add_own_item, take_in_late
    from services.minutes import mark_item_closed

    meeting = kkr.meetings[index]
    day = meeting_day(await kkr.meeting(index))
    chair = await kkr.actor(CHAIR)
    ids = {}
    for title in (BUDGET, PERSONNEL):
        shown = await kkr.run(
            add_own_item,
            actor=chair,
            meeting_id=meeting,
            title=title,
            description="Indstilling fra sekretariatet",
            material=[],
            now=day - timedelta(days=12),
        )
        ids[title] = shown.id
    late = await kkr.run(
        propose_item,
        actor=await kkr.actor(MEMBER),
        meeting_id=meeting,
        title=LATE_ITEM,
        description="Regional kollektiv trafik",
        material=[],
        now=day - timedelta(days=7),
    )
    ids[LATE_ITEM] = late.item.id
    await kkr.run(take_in_late, actor=chair, item_id=late.item.id, now=day - timedelta(days=7))
    await kkr.run(
        mark_item_closed,
        actor=chair,
        item_id=ids[PERSONNEL],
        closed=True,
        now=day - timedelta(days=4),
    )
    await kkr.run(
        distribute_agenda,
        actor=chair,
        meeting_id=meeting,
        now=day - timedelta(days=3),
        reason=REASON,
    )
    return ids


async def decide(
    kkr: Council_, item_id: int, text: str, at: timedelta, *, named_tie: bool = False
) -> None:
    """A decision as the meeting room records it; `named_tie`: a named vote, tied, broken by the
    chair's casting vote (R-Q3), the substitute voting against."""
    from models.meeting_room import Decision

    day = meeting_day(await kkr.meeting())
    chair, member = await kkr.person_id(CHAIR), await kkr.person_id(MEMBER)
    substitute = await kkr.person_id(SUBSTITUTE)
    async with kkr.sessions() as session, session.begin():
        session.add(
            Decision(
                meeting_id=kkr.meetings[0],
                item_id=item_id,
                text=text,
                decided_at=day + at,
                decided_by_id=chair,
                present=3,
                votes_for=1 if named_tie else 3,
                votes_against=1 if named_tie else 0,
                votes_abstain=0,
                outcome="adopted",
                named=named_tie,
                named_ballots=[
                    {"seat_member_id": chair, "cast_by_id": chair, "choice": "yes"},
                    {"seat_member_id": member, "cast_by_id": substitute, "choice": "no"},
                ]
                if named_tie
                else None,
                casting_vote="yes" if named_tie else None,
                casting_vote_by_id=chair if named_tie else None,
            )
        )


async def meeting_with_minutes(kkr: Council_) -> tuple[dict[str, int], datetime]:
    """The agenda out, the meeting held with three decisions, then closed: the draft exists."""
    from services.meeting_day import close_meeting

    ids = await agenda_out(kkr)
    day = await held(kkr, close=False)
    await decide(kkr, ids[BUDGET], "Budgettet godkendes.", timedelta(minutes=5))
    await decide(kkr, ids[PERSONNEL], "Direktøren ansættes.", timedelta(minutes=30))
    await decide(
        kkr, ids[LATE_ITEM], "Busplanen sendes i høring.", timedelta(hours=2), named_tie=True
    )
    chair = await kkr.actor(CHAIR)
    await kkr.run(close_meeting, actor=chair, now=day + CLOSES, meeting_id=kkr.meetings[0])
    return ids, day
