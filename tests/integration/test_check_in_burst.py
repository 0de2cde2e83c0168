"""Issue 15, R-Q2: a burst of check-ins is applied in few transactions, in order of arrival, each
exactly as it would be alone; a refusal is the refused person's alone."""

from __future__ import annotations

import asyncio
from typing import Any

from sqlalchemy import event

from models.unit_of_work import together
from services.errors import Refused
from services.meeting_day import Presence, PresenceRequest, open_meeting, set_presences
from services.quorum import quorum_view
from tests.integration.conftest import CHAIR, MAYOR, MEMBER, VICE, Council_, meeting_day


async def test_a_burst_of_check_ins_is_few_transactions_and_a_refusal_is_one_persons(
    kkr: Council_,
) -> None:
    day = meeting_day(await kkr.meeting())
    meeting = kkr.meetings[0]
    await kkr.run(open_meeting, actor=await kkr.actor(CHAIR), now=day, meeting_id=meeting)
    people = [MAYOR, MEMBER, VICE, CHAIR]  # the chair is checked in by opening: refused
    actors = [await kkr.actor(name) for name in people]
    commits = 0

    def committed(*_: Any) -> None:
        nonlocal commits
        commits += 1

    engine = kkr.sessions.kw["bind"].sync_engine
    event.listen(engine, "commit", committed)
    try:
        results = await asyncio.gather(
            *(
                together(
                    kkr.sessions,
                    ("presence", meeting),
                    PresenceRequest(actor, meeting, True, day),
                    set_presences,
                )
                for actor in actors
            )
        )
    finally:
        event.remove(engine, "commit", committed)
    assert [type(r) for r in results] == [Presence, Presence, Presence, Refused]
    assert isinstance(results[-1], Refused) and results[-1].code == "already_present"
    assert [r.present_count for r in results[:3] if isinstance(r, Presence)] == [2, 3, 4]
    assert commits <= 2, "one transaction for the burst (the first may go alone)"
    view = await kkr.run(quorum_view, actor=actors[0], now=day, meeting_id=meeting)
    assert sorted(view.present) == sorted(people)
