"""Dialogues kept in the database (issue 17): one per person and chat, until they expire."""

from __future__ import annotations

from datetime import timedelta

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services import dialogues
from services.actors import Actor
from services.sweep import sweep
from tests.conftest import NOW
from tests.integration.conftest import CHAIR, MEMBER, Council_

CHAT = 4242
TTL = timedelta(minutes=30)


async def _start(sessions: SessionFactory, actor: Actor, kind: str, chat: int = CHAT) -> int:
    async with unit_of_work(sessions) as session:
        return await dialogues.start(
            session, actor=actor, chat_id=chat, kind=kind, state={"step": 1}, now=NOW, ttl=TTL
        )


async def _current(sessions: SessionFactory, actor: Actor, at: timedelta = timedelta()):  # type: ignore[no-untyped-def]
    async with unit_of_work(sessions) as session:
        return await dialogues.current(session, actor=actor, chat_id=CHAT, now=NOW + at)


async def test_a_dialogue_is_read_back_with_its_state(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    started = await _start(sessions, member, "propose")
    found = await _current(sessions, member)
    assert found is not None and found.id == started
    assert (found.kind, found.state, found.expired) == ("propose", {"step": 1}, False)


async def test_a_new_dialogue_replaces_the_open_one_with_a_new_id(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    first = await _start(sessions, member, "propose")
    second = await _start(sessions, member, "reject")
    found = await _current(sessions, member)
    assert found is not None and found.kind == "reject" and found.id == second != first


async def test_an_answer_keeps_the_new_state_and_starts_the_time_to_live_again(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    await _start(sessions, member, "propose")
    async with unit_of_work(sessions) as session:
        kept = await dialogues.answer(
            session,
            actor=member,
            chat_id=CHAT,
            kind="propose",
            state={"step": 2},
            now=NOW + timedelta(minutes=20),
            ttl=TTL,
        )
    assert kept
    found = await _current(sessions, member, timedelta(minutes=40))
    assert found is not None and not found.expired and found.state == {"step": 2}


async def test_a_dialogue_left_for_30_minutes_expires_and_is_gone_once_seen(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    await _start(sessions, member, "propose")
    found = await _current(sessions, member, TTL)
    assert found is not None and found.expired
    assert await _current(sessions, member, TTL) is None


async def test_an_answer_to_an_expired_or_other_dialogue_is_not_kept(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    await _start(sessions, member, "propose")
    async with unit_of_work(sessions) as session:
        late = await dialogues.answer(
            session, actor=member, chat_id=CHAT, kind="propose", state={}, now=NOW + TTL, ttl=TTL
        )
        other = await dialogues.answer(
            session, actor=member, chat_id=CHAT, kind="reject", state={}, now=NOW, ttl=TTL
        )
    assert not late and not other


async def test_cancel_ends_every_dialogue_of_the_person_and_no_one_elses(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member, chair = await kkr.actor(MEMBER), await kkr.actor(CHAIR)
    await _start(sessions, member, "propose")
    await _start(sessions, member, "reject", chat=-100)
    await _start(sessions, chair, "reject")
    async with unit_of_work(sessions) as session:
        ended = await dialogues.cancel(session, actor=member, now=NOW)
    assert sorted(ended) == ["propose", "reject"]
    assert await _current(sessions, member) is None
    assert await _current(sessions, chair) is not None


async def test_a_second_instance_reads_the_dialogue_the_first_one_started(
    kkr: Council_, sessions: SessionFactory, engine
) -> None:  # type: ignore[no-untyped-def]
    from models.db import make_session_factory

    other_instance = make_session_factory(engine)
    member = await kkr.actor(MEMBER)
    await _start(sessions, member, "propose")
    found = await _current(other_instance, member)
    assert found is not None and found.kind == "propose"


async def test_expire_forgets_only_dialogues_long_expired(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member, chair = await kkr.actor(MEMBER), await kkr.actor(CHAIR)
    await _start(sessions, member, "propose")
    async with unit_of_work(sessions) as session:
        await dialogues.start(
            session,
            actor=chair,
            chat_id=CHAT,
            kind="reject",
            state={},
            now=NOW + timedelta(days=1),
            ttl=TTL,
        )
    async with unit_of_work(sessions) as session:
        gone = await dialogues.expire(
            session, now=NOW + timedelta(days=1), grace=timedelta(hours=1)
        )
    assert gone == 1
    assert await _current(sessions, chair, timedelta(days=1)) is not None


async def test_the_sweep_purges_what_an_expired_dialogue_held_and_the_person_is_still_told(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    async with unit_of_work(sessions) as session:
        await dialogues.start(
            session,
            actor=member,
            chat_id=CHAT,
            kind="propose",
            state={"title": "Fælles busplan", "_prompt": 77},
            now=NOW,
            ttl=TTL,
        )
    async with unit_of_work(sessions) as session:
        assert await sweep(session, NOW + TTL)
    found = await _current(sessions, member, TTL)
    assert found is not None and found.expired and found.kind == "propose"
    assert found.state == {"_prompt": 77}  # the title is gone; the keyboard can still be dropped
    assert await _current(sessions, member, TTL) is None  # told once


async def test_the_sweep_leaves_an_open_dialogue_as_it_is(
    kkr: Council_, sessions: SessionFactory
) -> None:
    member = await kkr.actor(MEMBER)
    await _start(sessions, member, "propose")
    async with unit_of_work(sessions) as session:
        await sweep(session, NOW + TTL - timedelta(seconds=1))
    found = await _current(sessions, member, TTL - timedelta(seconds=1))
    assert found is not None and found.state == {"step": 1} and not found.expired
