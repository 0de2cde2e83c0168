"""Who is acting: a person resolved from a Telegram account, with the roles that permissions use."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.data_version import token_column
from models.tables import Council, Membership, Person, TelegramLink
from procedure.permissions import Action, may
from services.errors import Refused


@dataclass(frozen=True)
class Actor:
    """A linked person as the services see them."""

    person_id: int
    council_id: int
    name: str
    language: str
    role: str
    office: str | None
    chat_id: int | None
    council_name: str
    council_timezone: str
    unreachable: bool = False  # the bot was blocked by them; writing again lifts it (outbox)
    # The data version the gate saw when it admitted this person's update (models.data_version):
    # what a service kept from a read under it is still true for them. None: read it afresh.
    as_of: int | None = field(default=None, compare=False)

    @property
    def roles(self) -> frozenset[str]:
        """The role plus the office (chair, vice_chair), the vocabulary of procedure.permissions."""
        return frozenset({self.role} | ({self.office} if self.office else set()))

    def may(self, action: Action) -> bool:
        """Whether the person's standing roles permit `action`."""
        return may(self.roles, action)

    def require(self, action: Action) -> None:
        """Refuse (not_allowed) unless the person may do `action`."""
        if not self.may(action):
            raise Refused("not_allowed", f"{self.role} may not {action}", action=str(action))


@dataclass(frozen=True)
class SystemActor:
    """The clock as an actor: what the sweep (scheduler/) does by itself, and nothing more — today
    R-D2's distribution of an approved agenda at its deadline. It is no person and has no council:
    history records its acts as the system's (`by: "system"`, no actor id). Only the sweep holds
    it (tests/unit/test_system_actor.py checks that no handler, CLI or web page names it)."""

    name: str = "system"

    def may(self, action: Action) -> bool:
        return action in SYSTEM_ACTIONS

    def require(self, action: Action) -> None:
        """Refuse (not_allowed) what the sweep does not do."""
        if not self.may(action):
            raise Refused("not_allowed", f"the system may not {action}", action=str(action))


SYSTEM_ACTIONS = frozenset({Action.DISTRIBUTE_AGENDA})  # R-D2 at the deadline
SYSTEM = SystemActor()
SYSTEM_NAME = "system"  # how history names the system's acts


async def actor_for_person(
    session: AsyncSession, person_id: int, link: TelegramLink | None = None
) -> Actor | None:
    """The actor for a person id, or None when the person has no membership."""
    row = (
        await session.exec(
            select(Person, Membership, Council)
            .join(Membership, col(Membership.person_id) == col(Person.id))
            .join(Council, col(Council.id) == col(Person.council_id))
            .where(Person.id == person_id, Membership.current())
        )
    ).first()
    if row is None:
        return None
    person, membership, council = row
    if link is None:
        link = (
            await session.exec(select(TelegramLink).where(TelegramLink.person_id == person_id))
        ).first()
    return _actor(person, membership, council, link)


async def actor_for_telegram(session: AsyncSession, telegram_user_id: int) -> Actor | None:
    """The actor linked to a Telegram account, or None for a stranger."""
    return (await actors_for_telegram(session, [telegram_user_id])).get(telegram_user_id)


# Who wrote, in one statement of plain columns, built once (this runs for every update, issue 15).
# A person has one current membership (uq_membership_current_person).
_ACTORS: Any = (
    sa_select(
        col(TelegramLink.telegram_user_id),
        col(TelegramLink.unreachable_since),
        col(Person.id),
        col(Person.name),
        col(Person.language),
        col(Membership.role),
        col(Membership.office),
        col(Council.id),
        col(Council.name),
        col(Council.timezone),
        token_column(),
    )
    .join(Person, col(Person.id) == col(TelegramLink.person_id))
    .join(Membership, col(Membership.person_id) == col(Person.id))
    .join(Council, col(Council.id) == col(Person.council_id))
    .where(
        col(TelegramLink.telegram_user_id).in_(bindparam("users", expanding=True)),
        Membership.current(),
    )
)


async def actors_for_telegram(
    session: AsyncSession, telegram_user_ids: Collection[int]
) -> dict[int, Actor]:
    """The actors linked to these Telegram accounts, by account (strangers are left out)."""
    return (await actors_as_of(session, telegram_user_ids))[0]


async def actors_as_of(
    session: AsyncSession, telegram_user_ids: Collection[int]
) -> tuple[dict[int, Actor], int | None]:
    """actors_for_telegram, with the data version they were read under (models.data_version;
    None when nobody was found)."""
    if not telegram_user_ids:
        return {}, None
    rows = await session.exec(_ACTORS, params={"users": sorted(set(telegram_user_ids))})
    actors: dict[int, Actor] = {}
    token = None
    for row in rows:
        user, unreachable_since, person_id, name, language, role, office, council_id = row[:8]
        council_name, council_timezone, token = row[8:]
        actors.setdefault(
            user,
            Actor(
                person_id=person_id,
                council_id=council_id,
                name=name,
                language=language,
                role=role,
                office=office,
                chat_id=user,  # the private chat, never a group (R-P6)
                council_name=council_name,
                council_timezone=council_timezone,
                unreachable=unreachable_since is not None,
            ),
        )
    return actors, token


def _actor(
    person: Person, membership: Membership, council: Council, link: TelegramLink | None
) -> Actor:
    assert person.id is not None and council.id is not None
    return Actor(
        person_id=person.id,
        council_id=council.id,
        name=person.name,
        language=person.language,
        role=membership.role,
        office=membership.office,
        chat_id=link.telegram_user_id if link else None,  # the private chat, never a group (R-P6)
        council_name=council.name,
        council_timezone=council.timezone,
        unreachable=link is not None and link.unreachable_since is not None,
    )


async def secretariat_actor(session: AsyncSession, council_id: int) -> Actor:
    """The secretariat acting from the command line: the council's first current secretariat
    member (the CLI is the secretariat's tool; the audit trail names that person)."""
    from models.enums import MembershipRole
    from services.errors import Refused

    person_id = (
        await session.exec(
            select(Membership.person_id)
            .where(
                Membership.council_id == council_id,
                Membership.current(),
                Membership.role == MembershipRole.SECRETARIAT,
            )
            .order_by(col(Membership.id))
        )
    ).first()
    actor = await actor_for_person(session, person_id) if person_id is not None else None
    if actor is None:
        raise Refused("no_secretariat", "the council has no secretariat member to act as")
    return actor
