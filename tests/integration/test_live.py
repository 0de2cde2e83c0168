"""R-Q2: the group's pinned quorum message is a row marked dirty by every change, caught up by the
worker without losing a change that lands while it edits."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.enums import MeetingStatus
from models.tables import Council, LiveMessage
from services.attendance import report_absence
from services.errors import Refused
from services.live import dirty_messages, link_group, mark_rendered
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, SECRETARY, Council_
from tests.refusals import refused_with

GROUP = -100123


async def _live(kkr: Council_) -> list[LiveMessage]:
    async with kkr.sessions() as session:
        return list((await session.exec(select(LiveMessage))).all())


async def test_linking_the_group_creates_the_quorum_message_of_the_coming_meeting(
    kkr: Council_,
) -> None:
    name = await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=GROUP, now=NOW)
    assert name == "KKR Nordjylland"
    [live] = await _live(kkr)
    assert live.chat_id == GROUP and live.meeting_id == kkr.meetings[0]
    assert live.changes == 1 and live.rendered_changes == 0 and live.dirty_since == NOW


async def test_only_the_secretariat_or_chair_links_a_group_and_one_council_per_group(
    kkr: Council_,
) -> None:
    with refused_with("not_allowed"):
        await kkr.run(link_group, actor=await kkr.actor(MEMBER), chat_id=GROUP, now=NOW)
    await kkr.run(link_group, actor=await kkr.actor(CHAIR), chat_id=GROUP, now=NOW)
    async with kkr.sessions() as session, session.begin():
        session.add(
            Council(slug="other", name="Other", region="R", municipalities=1, created_at=NOW)
        )
    other = await kkr.actor(SECRETARY)
    other = type(other)(**{**other.__dict__, "council_id": kkr.council_id + 1})
    with pytest.raises(Refused) as refused:
        await kkr.run(link_group, actor=other, chat_id=GROUP, now=NOW)
    assert refused.value.code == "group_taken"


async def test_every_change_marks_the_message_dirty_and_a_change_during_an_edit_is_kept(
    kkr: Council_,
) -> None:
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=GROUP, now=NOW)
    [render] = await kkr.run(dirty_messages)
    assert render.message_id is None and render.view.status.present == 22
    # A member reports absence while the worker is sending the first version.
    await kkr.run(
        report_absence, actor=await kkr.actor(MEMBER), meeting_id=kkr.meetings[0], now=NOW
    )
    await kkr.run(
        mark_rendered,
        live_id=render.live_id,
        changes=render.changes,
        message_id=7,
        text="v1",
        now=NOW,
    )
    [again] = await kkr.run(dirty_messages)
    assert again.message_id == 7 and again.view.status.present == 21
    await kkr.run(
        mark_rendered,
        live_id=again.live_id,
        changes=again.changes,
        message_id=7,
        text="v2",
        now=NOW,
    )
    assert await kkr.run(dirty_messages) == []
    [live] = await _live(kkr)
    assert live.dirty_since is None and live.last_text == "v2" and live.edited_at == NOW


async def test_without_a_linked_group_no_live_message_is_kept(kkr: Council_) -> None:
    await kkr.run(
        report_absence, actor=await kkr.actor(MEMBER), meeting_id=kkr.meetings[0], now=NOW
    )
    assert await _live(kkr) == []


async def test_the_next_meetings_message_knows_which_message_it_replaces(kkr: Council_) -> None:
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=GROUP, now=NOW)
    [first] = await kkr.run(dirty_messages)
    assert first.replaces is None
    await kkr.run(
        mark_rendered, live_id=first.live_id, changes=first.changes, message_id=7, text="", now=NOW
    )
    await kkr.run(
        report_absence, actor=await kkr.actor(MEMBER), meeting_id=kkr.meetings[1], now=NOW
    )
    assert await kkr.run(dirty_messages) == [], "the later meeting waits for the first to end"
    await kkr.set_meeting(0, status=MeetingStatus.CLOSED)
    [second] = await kkr.run(dirty_messages)
    assert second.view.meeting.id == kkr.meetings[1]
    assert second.message_id is None and second.replaces == 7
