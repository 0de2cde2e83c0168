"""Material added to an agenda item after it was proposed (R-M3): by the chair, the secretariat or
the proposer; refused to others and over Telegram's limit; after distribution an addendum says so."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.tables import AuditEvent, Council, Material
from services.agenda import MaterialIn
from services.agenda_delivery import agenda_package, distribute_agenda
from services.agenda_prep import add_item_material, agenda_overview, material_target, reject_item
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    OTHER_MEMBER,
    SECRETARY,
    SUBSTITUTE,
    actor,
    meeting_at,
    propose,
)
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Copenhagen
NOTE = MaterialIn(
    file_id="file-note", file_name="notat.pdf", mime_type="application/pdf", file_size=2000
)
FILM = MaterialIn(file_id="file-film", file_name="film.mp4", file_size=25 * 1024 * 1024)


async def add(
    sessions: SessionFactory, who: str, item_id: int, now: datetime, *material: MaterialIn
):  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await add_item_material(
            session,
            actor=await actor(sessions, who),
            item_id=item_id,
            material=list(material),
            now=now,
        )


async def stored(sessions: SessionFactory, item_id: int) -> list[str]:
    async with sessions() as session:
        rows = await session.exec(select(Material).where(Material.item_id == item_id))
        return sorted(m.file_name for m in rows)


async def test_the_secretariat_adds_material_and_the_warning_goes(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[])
    secretary = await actor(sessions, SECRETARY)
    async with sessions() as session:
        before = await agenda_overview(session, actor=secretary, meeting_id=meeting, now=now)
    assert [i.title for i in before.without_material] == ["Fælles busplan"]
    shown = await add(sessions, SECRETARY, proposal.item.id, now, NOTE)
    assert [m.file_name for m in shown.material] == ["notat.pdf"]
    async with sessions() as session:
        after = await agenda_overview(session, actor=secretary, meeting_id=meeting, now=now)
        [event] = (
            await session.exec(select(AuditEvent).where(AuditEvent.action == "item.material"))
        ).all()
    assert after.without_material == []
    assert [m.file_name for m in after.items[0].material] == ["notat.pdf"]
    assert event.actor_id == secretary.person_id


async def test_the_chair_and_the_proposer_may_add_material_but_another_member_may_not(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[])
    await add(sessions, CHAIR, proposal.item.id, now, NOTE)
    await add(sessions, MEMBER, proposal.item.id, now, NOTE)
    for who in (OTHER_MEMBER, SUBSTITUTE):
        with refused_with("not_allowed"):
            await add(sessions, who, proposal.item.id, now, NOTE)
    assert await stored(sessions, proposal.item.id) == ["notat.pdf", "notat.pdf"]


async def test_a_document_over_telegrams_limit_is_refused_and_nothing_is_recorded(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[])
    with refused_with("file_too_big") as refused:
        await add(sessions, SECRETARY, proposal.item.id, now, NOTE, FILM)
    assert refused.value.params == {"size_mb": 25.0, "limit_mb": 20}
    assert await stored(sessions, proposal.item.id) == []


async def test_material_for_a_rejected_proposal_or_a_begun_meeting_is_refused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    late = MEETING_AT - timedelta(days=9)  # after R-D1: only a late proposal can be declined
    rejected = await propose(sessions, await actor(sessions, MEMBER), meeting, late, material=[])
    kept = await propose(sessions, await actor(sessions, MEMBER), meeting, now, title="Kept")
    async with sessions() as session, session.begin():
        await reject_item(
            session,
            actor=await actor(sessions, CHAIR),
            item_id=rejected.item.id,
            reason="Ikke regionalt",
            now=late,
        )
    with refused_with("item_not_changeable"):
        await add(sessions, SECRETARY, rejected.item.id, now, NOTE)
    with refused_with("meeting_not_open"):
        await add(sessions, SECRETARY, kept.item.id, MEETING_AT + timedelta(minutes=1), NOTE)


async def test_material_added_after_distribution_goes_out_as_a_marked_addendum(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[])
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        await distribute_agenda(session, actor=chair, meeting_id=meeting, now=now)
    later = now + timedelta(hours=1)
    await add(sessions, SECRETARY, proposal.item.id, later, NOTE)
    async with sessions() as session:
        overview = await agenda_overview(session, actor=chair, meeting_id=meeting, now=later)
    assert overview.changed_since_distribution
    async with sessions() as session, session.begin():
        sent = await distribute_agenda(session, actor=chair, meeting_id=meeting, now=later)
    assert (sent.version, sent.addendum) == (2, True)
    async with sessions() as session:
        package = await agenda_package(
            session, meeting_id=meeting, version=2, language="da", now=later
        )
    assert package.snapshot["changes"]["material"] == ["Fælles busplan"]
    assert [d.file_name for d in package.material] == ["notat.pdf"]


async def test_only_who_may_add_material_is_asked_for_it(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now, material=[])
    for who in (MEMBER, SECRETARY):  # the proposer, and a preparer
        async with sessions() as session:
            shown = await material_target(
                session, actor=await actor(sessions, who), item_id=proposal.item.id, now=now
            )
        assert shown.title == proposal.item.title
    with refused_with("not_allowed"):
        async with sessions() as session:
            await material_target(
                session,
                actor=await actor(sessions, OTHER_MEMBER),
                item_id=proposal.item.id,
                now=now,
            )
