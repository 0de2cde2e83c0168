"""R-X1: the council's publishing setting — the agenda public when distributed or only by hand, the
minutes public when approved or only by hand — set from the CLI or, after a confirmation, in chat.

A change of the setting applies to documents from then on; it never changes what is public now.
What the old setting made public stays public, and what it kept back stays back (either can then
be changed by hand with /offentliggoer): a switch is no way to publish, or to hide, a batch of
documents by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from models.record import Publication
from models.tables import Council
from procedure.permissions import Action
from services import audit
from services.actors import Actor
from services.errors import Refused
from services.publishing import AGENDA, MINUTES, PublicMeeting, public_plan, publish_setting

AUTOMATIC, BY_HAND = "automatic", "by_hand"


@dataclass(frozen=True)
class PublishingSetting:
    """The setting as it is after a change; `changed` says whether anything changed."""

    agenda_on_distribution: bool
    minutes_on_approval: bool
    changed: bool = False


async def configure_publishing(
    session: AsyncSession,
    *,
    council: Council,
    now: datetime,
    agenda_on_distribution: bool | None = None,
    minutes_on_approval: bool | None = None,
    actor_id: int | None = None,
) -> PublishingSetting:
    """Set when documents go public by themselves (the CLI; the chat through
    change_publish_setting). What is public now stays as it is (see the module's note)."""
    setting = await publish_setting(session, council.id or 0)
    wanted = (
        setting.agenda_on_distribution
        if agenda_on_distribution is None
        else agenda_on_distribution,
        setting.minutes_on_approval if minutes_on_approval is None else minutes_on_approval,
    )
    if wanted == (setting.agenda_on_distribution, setting.minutes_on_approval):
        return PublishingSetting(*wanted)
    before = {m.id: m for m in await public_plan(session, council)}
    setting.agenda_on_distribution, setting.minutes_on_approval = wanted
    session.add(setting)
    await session.flush()
    pinned = 0
    for after in await public_plan(session, council):
        for kind in (AGENDA, MINUTES):
            pinned += await _keep_as_it_was(session, before[after.id], after, kind, now, actor_id)
    audit.record(
        session,
        now=now,
        action="publish.setting",
        council_id=council.id,
        actor_id=actor_id,
        agenda=setting.agenda_on_distribution,
        minutes=setting.minutes_on_approval,
        kept=pinned,
    )
    return PublishingSetting(*wanted, changed=True)


def _shown(meeting: PublicMeeting, kind: str) -> tuple[bool, datetime | None]:
    if kind == AGENDA:
        return meeting.agenda_version is not None, meeting.agenda_at
    return meeting.minutes_version is not None, meeting.minutes_at


async def _keep_as_it_was(
    session: AsyncSession,
    before: PublicMeeting,
    after: PublicMeeting,
    kind: str,
    now: datetime,
    actor_id: int | None,
) -> int:
    """A document the new setting would show or hide: published or withdrawn by hand as it was."""
    (was, since), (now_shown, _) = _shown(before, kind), _shown(after, kind)
    if was == now_shown:
        return 0
    row = (
        await session.exec(
            select(Publication).where(Publication.meeting_id == after.id, Publication.kind == kind)
        )
    ).first() or Publication(meeting_id=after.id, kind=kind)
    if was:  # public since it was made: it stays public, with the same date in the feed
        row.published_at, row.published_by_id, row.withdrawn_at = since or now, actor_id, None
    else:
        row.withdrawn_at = now
    session.add(row)
    return 1


async def change_publish_setting(
    session: AsyncSession,
    *,
    actor: Actor,
    now: datetime,
    agenda_on_distribution: bool | None = None,
    minutes_on_approval: bool | None = None,
) -> PublishingSetting:
    """R-X1: the secretariat changes the setting from the chat (after confirming)."""
    actor.require(Action.MANAGE_SETTINGS)
    council = await session.get(Council, actor.council_id)
    if council is None:
        raise Refused("not_found", "no such council")
    return await configure_publishing(
        session,
        council=council,
        now=now,
        agenda_on_distribution=agenda_on_distribution,
        minutes_on_approval=minutes_on_approval,
        actor_id=actor.person_id,
    )


async def current_publish_setting(
    session: AsyncSession, *, actor: Actor, now: datetime
) -> PublishingSetting:
    """The setting as the chat shows it."""
    actor.require(Action.PUBLISH)
    setting = await publish_setting(session, actor.council_id)
    return PublishingSetting(setting.agenda_on_distribution, setting.minutes_on_approval)
