"""R-X1: the publishing setting — the agenda public when distributed or by hand, the minutes when
approved or by hand. A change applies from then on: what is public stays public, what was held
back stays back; only the secretariat changes it."""

from __future__ import annotations

import pytest

from models.tables import Council
from services.errors import Refused
from services.publishing import PublicMeeting, public_plan
from services.publishing_setting import change_publish_setting, current_publish_setting
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, SECRETARY, Council_
from tests.integration.record_helpers import agenda_out


async def _plan(kkr: Council_) -> dict[int, PublicMeeting]:
    async with kkr.sessions() as session:
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        return {m.id: m for m in await public_plan(session, council)}


async def _set(kkr: Council_, **setting: bool) -> object:
    return await kkr.run(
        change_publish_setting, actor=await kkr.actor(SECRETARY), now=NOW, **setting
    )


async def test_by_hand_from_now_on_keeps_the_public_agenda_and_holds_back_the_next(
    kkr: Council_,
) -> None:
    first, second = kkr.meetings[:2]
    await agenda_out(kkr, 0)
    before = (await _plan(kkr))[first]
    assert before.agenda_version == 1
    changed = await _set(kkr, agenda_on_distribution=False)
    assert changed.changed and not changed.agenda_on_distribution  # type: ignore[attr-defined]
    kept = (await _plan(kkr))[first]
    assert kept.agenda_version == 1 and kept.agenda_at == before.agenda_at  # the feed's date too
    await agenda_out(kkr, 1)
    assert (await _plan(kkr))[second].agenda_version is None  # waits for /offentliggoer


async def test_automatic_from_now_on_publishes_the_next_but_not_what_was_held_back(
    kkr: Council_,
) -> None:
    first, second = kkr.meetings[:2]
    await _set(kkr, agenda_on_distribution=False)
    await agenda_out(kkr, 0)
    assert (await _plan(kkr))[first].agenda_version is None
    await _set(kkr, agenda_on_distribution=True)
    assert (await _plan(kkr))[first].agenda_version is None  # not published by the switch
    await agenda_out(kkr, 1)
    assert (await _plan(kkr))[second].agenda_version == 1


async def test_the_same_setting_again_changes_nothing(kkr: Council_) -> None:
    unchanged = await _set(kkr, agenda_on_distribution=True, minutes_on_approval=True)
    assert not unchanged.changed  # type: ignore[attr-defined]
    shown = await kkr.run(current_publish_setting, actor=await kkr.actor(CHAIR), now=NOW)
    assert (shown.agenda_on_distribution, shown.minutes_on_approval) == (True, True)


async def test_only_the_secretariat_changes_the_setting(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await kkr.run(
            change_publish_setting,
            actor=await kkr.actor(CHAIR),
            now=NOW,
            minutes_on_approval=False,
        )
    assert refused.value.code == "not_allowed"
