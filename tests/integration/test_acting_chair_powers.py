"""R-P3, R-M5: the acting chair holds every chair power for the meeting, its preparation included,
and hears the chair's notices for it: the vice chair whenever the chair is absent — reported
absent, on a long absence, not checked in once the start time has passed, or checked out — and
the chair again on arrival. When both officers are absent, the secretariat opens the meeting and
names who leads it."""

from __future__ import annotations

from datetime import timedelta

from services.agenda import propose_item
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import approve_agenda, move_item, take_in_late
from services.attendance import report_absence
from services.long_absence import report_long_absence
from services.meeting_day import check_in, check_out, close_meeting, open_meeting
from services.quorum import quorum_view
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MAYOR, MEMBER, SECRETARY, VICE, Council_
from tests.refusals import refused_with

STAFF = [SECRETARY, "Mads Brandt"]


async def _start(kkr: Council_) -> object:
    return (await kkr.meeting()).starts_at


async def _absent(kkr: Council_, name: str) -> None:
    await kkr.run(report_absence, actor=await kkr.actor(name), meeting_id=kkr.meetings[0], now=NOW)


async def _open(kkr: Council_, name: str, at: timedelta, **kwargs: object) -> object:
    start = (await kkr.meeting()).starts_at
    return await kkr.run(
        open_meeting,
        actor=await kkr.actor(name),
        now=start + at,
        meeting_id=kkr.meetings[0],
        **kwargs,
    )


async def _presence(
    kkr: Council_, name: str, at: timedelta, *, out: bool = False, by: str | None = None
) -> object:
    start = (await kkr.meeting()).starts_at
    return await kkr.run(
        check_out if out else check_in,
        actor=await kkr.actor(by or name),
        now=start + at,
        meeting_id=kkr.meetings[0],
        person_name=name if by else None,
    )


async def _propose(kkr: Council_, name: str = MEMBER, now: object = NOW) -> int:
    result = await kkr.run(
        propose_item,
        actor=await kkr.actor(name),
        meeting_id=kkr.meetings[0],
        title="Fælles busplan",
        description="Regional kollektiv trafik",
        material=[],
        now=now,
    )
    return int(result.item.id)


async def test_the_vice_chair_opens_when_the_chair_has_not_come_by_the_start(kkr: Council_) -> None:
    with refused_with("not_allowed"):  # before the start the chair is expected: not yet
        await _open(kkr, VICE, -timedelta(minutes=30))
    view = await _open(kkr, VICE, timedelta(minutes=5))
    assert view.acting_chair == VICE and view.chair_absent  # type: ignore[attr-defined]
    row = await kkr.row(VICE)
    assert row is not None and row.status == "present"  # opening is arriving


async def test_the_chair_who_opens_is_checked_in_and_leads(kkr: Council_) -> None:
    view = await _open(kkr, CHAIR, timedelta(minutes=5))
    assert view.acting_chair == CHAIR and not view.chair_absent  # type: ignore[attr-defined]
    assert view.present == [CHAIR]  # type: ignore[attr-defined]


async def test_the_vice_chair_leads_once_the_chair_has_left_and_the_chair_again_on_return(
    kkr: Council_,
) -> None:
    await _open(kkr, CHAIR, timedelta(minutes=5))
    await _presence(kkr, VICE, timedelta(minutes=6))
    await _presence(kkr, CHAIR, timedelta(hours=1), out=True)
    start = await _start(kkr)
    view = await kkr.run(quorum_view, actor=await kkr.actor(VICE), now=start + timedelta(hours=1))
    assert view.acting_chair == VICE and view.chair_absent
    presence = await _presence(kkr, MAYOR, timedelta(hours=1), by=VICE)  # /tjekind NAVN
    assert presence.person == MAYOR  # type: ignore[attr-defined]
    with refused_with("not_leading"):
        await _presence(kkr, MEMBER, timedelta(hours=1), by=CHAIR)
    await _presence(kkr, CHAIR, timedelta(hours=2))  # back
    with refused_with("not_allowed"):
        await kkr.run(close_meeting, actor=await kkr.actor(VICE), now=start + timedelta(hours=3))
    await kkr.run(close_meeting, actor=await kkr.actor(CHAIR), now=start + timedelta(hours=3))


async def test_the_vice_chair_closes_when_the_chair_has_left(kkr: Council_) -> None:
    await _open(kkr, CHAIR, timedelta(minutes=5))
    await _presence(kkr, VICE, timedelta(minutes=5))
    await _presence(kkr, CHAIR, timedelta(hours=1), out=True)
    start = await _start(kkr)
    closed = await kkr.run(
        close_meeting, actor=await kkr.actor(VICE), now=start + timedelta(hours=2)
    )
    assert closed.status.present == 1  # the vice chair, who closed it


async def test_the_vice_chair_prepares_the_agenda_of_a_meeting_the_chair_will_miss(
    kkr: Council_,
) -> None:
    await _absent(kkr, CHAIR)
    first, second = await _propose(kkr), await _propose(kkr, name=MAYOR)
    vice, chair = await kkr.actor(VICE), await kkr.actor(CHAIR)
    await kkr.run(move_item, actor=vice, item_id=second, steps=-1, now=NOW)
    with refused_with("not_leading"):
        await kkr.run(move_item, actor=chair, item_id=first, steps=-1, now=NOW)
    with refused_with("not_leading"):
        await kkr.run(approve_agenda, actor=chair, meeting_id=kkr.meetings[0], now=NOW)
    overview = await kkr.run(approve_agenda, actor=vice, meeting_id=kkr.meetings[0], now=NOW)
    assert overview.approved
    with refused_with("not_leading"):
        await kkr.run(distribute_agenda, actor=chair, meeting_id=kkr.meetings[0], now=NOW)
    sent = await kkr.run(distribute_agenda, actor=vice, meeting_id=kkr.meetings[0], now=NOW)
    assert sent.version == 1  # R-P3: the acting chair sends it too


async def test_the_vice_chair_takes_in_a_late_proposal_while_the_chair_is_on_long_leave(
    kkr: Council_,
) -> None:
    await kkr.run(
        report_long_absence,
        actor=await kkr.actor(CHAIR),
        starts_on=NOW.date(),
        expected_back=NOW.date() + timedelta(days=120),
        now=NOW,
    )
    late = (await _start(kkr)) - timedelta(days=5)
    item = await _propose(kkr, now=late)
    with refused_with("not_leading"):
        await kkr.run(take_in_late, actor=await kkr.actor(CHAIR), item_id=item, now=late)
    shown = await kkr.run(take_in_late, actor=await kkr.actor(VICE), item_id=item, now=late)
    assert shown.late


async def test_the_acting_chair_hears_of_new_proposals_instead_of_the_absent_chair(
    kkr: Council_,
) -> None:
    await _absent(kkr, CHAIR)
    await _propose(kkr)
    assert await kkr.notice_names("proposal_received") == sorted([VICE, *STAFF])


async def test_the_chair_hears_of_new_proposals_while_attending(kkr: Council_) -> None:
    await _propose(kkr)
    assert await kkr.notice_names("proposal_received") == sorted([CHAIR, *STAFF])


async def test_the_secretariat_opens_when_both_officers_are_absent_and_names_who_leads(
    kkr: Council_,
) -> None:
    await _absent(kkr, CHAIR)
    await _absent(kkr, VICE)
    with refused_with("acting_chair_needed_oldest"):
        await _open(kkr, SECRETARY, timedelta(minutes=5))
    with refused_with("acting_chair_absent"):
        await _open(kkr, SECRETARY, timedelta(minutes=5), acting_chair_name=VICE)
    view = await _open(kkr, SECRETARY, timedelta(minutes=5), acting_chair_name=MAYOR.lower())
    assert view.acting_chair == MAYOR and view.present == [MAYOR]  # type: ignore[attr-defined]
    await _presence(kkr, MEMBER, timedelta(minutes=10), by=MAYOR)
    start = await _start(kkr)
    await kkr.run(close_meeting, actor=await kkr.actor(MAYOR), now=start + timedelta(hours=2))


async def test_the_secretariat_does_not_open_a_meeting_the_chair_leads(kkr: Council_) -> None:
    with refused_with("not_allowed"):
        await _open(kkr, SECRETARY, -timedelta(minutes=30), acting_chair_name=MAYOR)
