"""A person's own settings."""

from __future__ import annotations

from datetime import datetime

from sqlmodel.ext.asyncio.session import AsyncSession

from models.tables import Person
from services import audit
from services.actors import Actor, actor_for_person
from services.councils import check_language
from services.errors import Refused


async def set_language(session: AsyncSession, *, actor: Actor, language: str, now: datetime) -> str:
    """Switch the language the person is spoken to in (da or en); returns it."""
    person = await session.get(Person, actor.person_id)
    if person is None:
        raise Refused("not_found", "the person does not exist any more")
    person.language = check_language(language)
    session.add(person)
    audit.record(
        session,
        now=now,
        action="person.language",
        council_id=actor.council_id,
        actor_id=actor.person_id,
        language=language,
    )
    return person.language


async def switch_language(
    session: AsyncSession, *, actor: Actor, language: str, now: datetime
) -> Actor | None:
    """Switch the person's language and return them as they now are (their menus follow it)."""
    await set_language(session, actor=actor, language=language, now=now)
    return await actor_for_person(session, actor.person_id)
