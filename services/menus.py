"""What a person's command menu is made of (issue 17): their roles, the moment of their council's
meetings (preparing the next one, or the meeting day) and whether they hold the chair's powers as
acting chair (R-P3). The bot turns this into Telegram's menus; nothing here talks to Telegram."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import TelegramLink
from services.actors import Actor, actor_for_person
from services.meetings import meeting_today
from services.seats import acting_chair_now

PREPARE = "prepare"  # before the next meeting: its agenda
MEETING_DAY = "meeting_day"  # the council meets today, or its meeting is open


@dataclass(frozen=True)
class MenuState:
    """Everything a person's menu depends on; equal states show equal menus."""

    person_id: int
    chat_id: int  # the person's private chat
    language: str
    roles: frozenset[str]
    moment: str
    acting_chair: bool  # R-P3: holds the chair's powers for the meeting at hand

    @property
    def linked(self) -> bool:
        return bool(self.roles)


async def menu_state(session: AsyncSession, *, actor: Actor, now: datetime) -> MenuState:
    """The menu's ingredients for one person (their /help and their private menu)."""
    moment = MEETING_DAY if await meeting_today(session, actor=actor, now=now) else PREPARE
    acting = await acting_chair_now(session, actor.council_id, now)
    return MenuState(
        actor.person_id,
        actor.chat_id or 0,
        actor.language,
        actor.roles,
        moment,
        acting == actor.person_id,
    )


async def menu_states(session: AsyncSession, *, now: datetime) -> list[MenuState]:
    """Every linked person's menu ingredients (the moment and acting chair read once per council);
    a person linked but no longer a member has no roles: their menu goes."""
    councils: dict[int, tuple[str, int | None]] = {}
    states = []
    for link in await session.exec(select(TelegramLink)):
        actor = await actor_for_person(session, link.person_id, link)
        if actor is None:
            states.append(
                MenuState(link.person_id, link.telegram_user_id, "", frozenset(), PREPARE, False)
            )
            continue
        if actor.council_id not in councils:
            today = await meeting_today(session, actor=actor, now=now)
            acting = await acting_chair_now(session, actor.council_id, now)
            councils[actor.council_id] = (MEETING_DAY if today else PREPARE, acting)
        moment, acting = councils[actor.council_id]
        states.append(
            MenuState(
                actor.person_id,
                link.telegram_user_id,
                actor.language,
                actor.roles,
                moment,
                acting == actor.person_id,
            )
        )
    return states
