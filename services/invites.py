"""Invites: the only way a Telegram account becomes a person (DESIGN.md: identity)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select, update
from sqlmodel.ext.asyncio.session import AsyncSession

from models import changes
from models.tables import Council, InviteToken, Membership, Person, TelegramLink
from services import audit
from services.actors import Actor, actor_for_person
from services.errors import Refused


@dataclass(frozen=True)
class IssuedInvite:
    person_name: str
    token: str
    expires_at: datetime


def new_token() -> str:
    """An unguessable token that fits Telegram's deep-link payload (A-Z a-z 0-9 _ -, ≤ 64)."""
    return secrets.token_urlsafe(18)


async def issue_invites(
    session: AsyncSession, *, council: Council, now: datetime, ttl: timedelta
) -> list[IssuedInvite]:
    """A fresh token for every person of the council not yet linked; older unused tokens stop working."""
    linked = select(TelegramLink.person_id)
    # R-S6: only people with a current membership; those who left are invited no more.
    current = select(Membership.person_id).where(Membership.current())
    people = await session.exec(
        select(Person)
        .where(
            Person.council_id == council.id,
            col(Person.id).not_in(linked),
            col(Person.id).in_(current),
        )
        .order_by(col(Person.id))
    )
    issued = []
    for person in people:
        await _revoke_unused(session, person, now)
        token = InviteToken(
            token=new_token(), person_id=person.id or 0, created_at=now, expires_at=now + ttl
        )
        session.add(token)
        issued.append(IssuedInvite(person.name, token.token, token.expires_at))
    audit.record(session, now=now, action="invites.issue", council_id=council.id, count=len(issued))
    return issued


async def _revoke_unused(session: AsyncSession, person: Person, now: datetime) -> None:
    for old in await session.exec(
        select(InviteToken).where(
            InviteToken.person_id == person.id, col(InviteToken.used_at).is_(None)
        )
    ):
        old.expires_at = min(old.expires_at, now)
        session.add(old)


async def redeem_invite(
    session: AsyncSession, *, token: str, telegram_user_id: int, chat_id: int, now: datetime
) -> Actor:
    """Link the Telegram account to the invited person; a token works once and only until it expires."""
    invite = (await session.exec(select(InviteToken).where(InviteToken.token == token))).first()
    if invite is None:
        raise Refused("invite_unknown", "unknown invite token")
    if invite.used_at is not None:
        raise Refused("invite_used", "the invite has been used already")
    if invite.expires_at <= now:
        raise Refused("invite_expired", "the invite has expired", expired_at=invite.expires_at)
    existing = (
        await session.exec(
            select(TelegramLink).where(TelegramLink.telegram_user_id == telegram_user_id)
        )
    ).first()
    if existing is not None:
        raise Refused("already_linked", "this Telegram account is linked to someone already")
    if (
        await session.exec(select(TelegramLink).where(TelegramLink.person_id == invite.person_id))
    ).first():
        raise Refused("invite_used", "the person is linked to another Telegram account already")
    changes.note(session, changes.NOTICES)  # notices waiting for the person can go now
    # Two /start with one token at once (two instances, two devices): the token is taken by a
    # conditional update, so exactly one of them links and the other hears it is used (issue 16).
    taken = await session.exec(
        update(InviteToken)
        .where(col(InviteToken.id) == invite.id, col(InviteToken.used_at).is_(None))
        .values(used_at=now)
    )
    if not taken.rowcount:
        raise Refused("invite_used", "the invite was used a moment ago")
    try:
        async with session.begin_nested():
            session.add(
                TelegramLink(
                    person_id=invite.person_id,
                    telegram_user_id=telegram_user_id,
                    chat_id=chat_id,
                    linked_at=now,
                )
            )
    except IntegrityError:  # a race on the account or the person: the other one won
        if await _linked(session, telegram_user_id):
            raise Refused("already_linked", "this account was linked a moment ago") from None
        raise Refused("invite_used", "the person was linked a moment ago") from None
    actor = await actor_for_person(session, invite.person_id)
    if actor is None:
        raise Refused("invite_unknown", "the invited person has no membership any more")
    audit.record(
        session,
        now=now,
        action="invite.redeem",
        council_id=actor.council_id,
        actor_id=actor.person_id,
    )
    return actor


async def _linked(session: AsyncSession, telegram_user_id: int) -> bool:
    found = await session.exec(
        select(TelegramLink.id).where(TelegramLink.telegram_user_id == telegram_user_id)
    )
    return found.first() is not None
