"""Invites (DESIGN.md: identity): single-use, expiring, the only way in."""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.tables import Council, InviteToken, TelegramLink
from services.actors import actor_for_telegram
from services.invites import IssuedInvite, issue_invites, redeem_invite
from tests.refusals import refused_with

TTL = timedelta(days=14)
GORM = 1001


async def issue(sessions: SessionFactory, council: Council, now: datetime) -> dict[str, str]:
    async with sessions() as session, session.begin():
        issued = await issue_invites(session, council=council, now=now, ttl=TTL)
    return {i.person_name: i.token for i in issued}


async def redeem(sessions: SessionFactory, token: str, user: int, now: datetime) -> object:
    async with sessions() as session, session.begin():
        return await redeem_invite(
            session, token=token, telegram_user_id=user, chat_id=user, now=now
        )


async def test_everyone_of_the_council_gets_a_distinct_token_fit_for_a_deep_link(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        issued = await issue_invites(session, council=council, now=now, ttl=TTL)
    assert len(issued) == 46
    assert len({i.token for i in issued}) == 46
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,64}", i.token) for i in issued)
    assert issued[0] == IssuedInvite("Gorm Iversen", issued[0].token, now + TTL)


async def test_an_invite_works_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    actor = await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    assert (actor.name, actor.role, actor.office, actor.chat_id) == (  # type: ignore[attr-defined]
        "Gorm Iversen",
        "mayor",
        "chair",
        GORM,
    )
    with refused_with("invite_used"):
        await redeem(sessions, tokens["Gorm Iversen"], 2002, now + timedelta(minutes=1))
    async with sessions() as session:
        links = (await session.exec(select(TelegramLink))).all()
    assert [link.telegram_user_id for link in links] == [GORM]


async def test_an_expired_invite_is_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    with refused_with("invite_expired"):
        await redeem(sessions, tokens["Gorm Iversen"], GORM, now + TTL)
    actor = await redeem(sessions, tokens["Pia Lund"], GORM, now + TTL - timedelta(seconds=1))
    assert actor.name == "Pia Lund"  # type: ignore[attr-defined]


async def test_an_unknown_token_is_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    with refused_with("invite_unknown"):
        await redeem(sessions, "no-such-token", GORM, now)


async def test_issuing_again_revokes_unused_invites_and_skips_linked_people(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    first = await issue(sessions, council, now)
    await redeem(sessions, first["Gorm Iversen"], GORM, now)
    second = await issue(sessions, council, now + timedelta(hours=1))
    assert "Gorm Iversen" not in second and len(second) == 45
    with refused_with("invite_expired"):
        await redeem(sessions, first["Pia Lund"], 3003, now + timedelta(hours=2))
    actor = await redeem(sessions, second["Pia Lund"], 3003, now + timedelta(hours=2))
    assert actor.name == "Pia Lund"  # type: ignore[attr-defined]
    async with sessions() as session:
        tokens = (await session.exec(select(InviteToken))).all()
    assert len(tokens) == 46 + 45


async def test_a_telegram_account_is_linked_to_one_person_only(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    await redeem(sessions, tokens["Gorm Iversen"], GORM, now)
    with refused_with("already_linked"):
        await redeem(sessions, tokens["Pia Lund"], GORM, now)


async def test_a_linked_account_is_an_actor_and_a_stranger_is_nobody(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    await redeem(sessions, tokens["Mads Brandt"], 5005, now)
    async with sessions() as session:
        actor = await actor_for_telegram(session, 5005)
        stranger = await actor_for_telegram(session, 6006)
    assert actor is not None and stranger is None
    assert (actor.name, actor.language, actor.roles) == (
        "Mads Brandt",
        "en",
        frozenset({"secretariat"}),
    )
    assert (actor.council_id, actor.council_timezone) == (council.id, "Europe/Copenhagen")
    assert actor.may("plan_meetings")  # type: ignore[arg-type]


async def test_one_invite_opened_twice_at_once_links_one_and_says_used_to_the_other(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    outcomes = await asyncio.gather(
        *(redeem(sessions, tokens["Gorm Iversen"], user, now) for user in (GORM, 2002)),
        return_exceptions=True,
    )
    codes = sorted(getattr(o, "code", "linked") for o in outcomes)
    assert codes == ["invite_used", "linked"]
    async with sessions() as session:
        links = (await session.exec(select(TelegramLink))).all()
    assert len(links) == 1


async def test_one_account_opening_two_invites_at_once_is_linked_once(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    tokens = await issue(sessions, council, now)
    outcomes = await asyncio.gather(
        *(redeem(sessions, tokens[name], GORM, now) for name in ("Gorm Iversen", "Anne Rasmussen")),
        return_exceptions=True,
    )
    codes = sorted(getattr(o, "code", "linked") for o in outcomes)
    assert codes == ["already_linked", "linked"]
