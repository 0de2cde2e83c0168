"""Preparing and distributing the agenda: order (R-M4), material (R-M3), approval and distribution
(R-D2), the exception (R-D3), addenda, recipients (R-P6), extraordinary meetings (R-D5), moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.enums import AttendanceStatus, ItemStatus, MeetingKind, MembershipRole, SubstituteAnswer
from models.tables import AgendaDocument, Attendance, Council, Meeting, Membership, Person
from services.agenda_delivery import (
    agenda_package,
    distribute_agenda,
    enqueue_agenda,
    remember_file_id,
    request_agenda,
)
from services.agenda_prep import (
    add_own_item,
    agenda_overview,
    approve_agenda,
    move_item,
    reject_item,
    take_in_late,
)
from services.meeting_plan import call_meeting, cancel_meeting, move_meeting
from services.recipients import agenda_recipients
from tests.integration.agenda_helpers import (
    CHAIR,
    MEMBER,
    MEMBERS,
    RECIPIENTS,
    SECRETARY,
    SUBSTITUTE,
    actor,
    meeting_at,
    names,
    notices,
    propose,
)
from tests.integration.conftest import person_id
from tests.refusals import refused_with

MEETING_AT = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # Wednesday 10:00 in Copenhagen
LATE_PROPOSAL = datetime(2027, 3, 1, 12, 0, tzinfo=UTC)
# R-D2: 23:59:59 on Wednesday 3 March, Copenhagen time.
DISTRIBUTION_DEADLINE = datetime(2027, 3, 3, 22, 59, 59, tzinfo=UTC)


async def distribute(sessions: SessionFactory, who: str | None, meeting: int, now: datetime, **kw):  # type: ignore[no-untyped-def]
    async with sessions() as session, session.begin():
        return await distribute_agenda(
            session,
            actor=await actor(sessions, who) if who else None,
            meeting_id=meeting,
            now=now,
            **kw,
        )


async def test_the_chair_orders_items_and_the_secretariat_may_not(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    member = await actor(sessions, MEMBER)
    first = await propose(sessions, member, meeting, now, title="A")
    await propose(sessions, member, meeting, now, title="B")
    third = await propose(sessions, member, meeting, now, title="C")
    async with sessions() as session, session.begin():
        shown = await move_item(
            session, actor=await actor(sessions, CHAIR), item_id=third.item.id, steps=-2, now=now
        )
    assert [i.title for i in shown.items] == ["C", "A", "B"]
    with refused_with("not_allowed"):
        async with sessions() as session, session.begin():
            await move_item(
                session,
                actor=await actor(sessions, SECRETARY),
                item_id=first.item.id,
                steps=1,
                now=now,
            )


async def test_the_overview_warns_about_items_without_material_and_lists_late_ones(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    member = await actor(sessions, MEMBER)
    await propose(sessions, member, meeting, now, title="Med bilag")
    await propose(sessions, member, meeting, now, title="Uden bilag", material=[])
    await propose(sessions, member, meeting, LATE_PROPOSAL, title="For sent")
    async with sessions() as session:
        shown = await agenda_overview(
            session, actor=await actor(sessions, SECRETARY), meeting_id=meeting, now=now
        )
    assert [i.title for i in shown.items] == ["Med bilag", "Uden bilag"]
    assert [i.title for i in shown.without_material] == ["Uden bilag"]
    assert [i.title for i in shown.late] == ["For sent"]


async def test_a_late_proposal_taken_in_is_marked_late_and_the_proposer_told(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    late = await propose(sessions, await actor(sessions, MEMBER), meeting, LATE_PROPOSAL)
    async with sessions() as session, session.begin():
        taken = await take_in_late(
            session, actor=await actor(sessions, CHAIR), item_id=late.item.id, now=LATE_PROPOSAL
        )
    assert taken.status == ItemStatus.ACCEPTED and taken.late
    [told] = await notices(sessions, "proposal_taken_in")
    assert told.person_id == await person_id(sessions, MEMBER)
    await distribute(sessions, CHAIR, meeting, LATE_PROPOSAL)
    async with sessions() as session:
        package = await agenda_package(
            session, meeting_id=meeting, version=1, language="da", now=LATE_PROPOSAL
        )
    assert package.snapshot["items"][0]["late"] is True


async def test_a_declined_late_proposal_stays_off_the_agenda_and_the_reason_reaches_the_proposer(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, LATE_PROPOSAL)
    async with sessions() as session, session.begin():
        await reject_item(
            session,
            actor=await actor(sessions, CHAIR),
            item_id=proposal.item.id,
            reason="Ikke af tværkommunal karakter",
            now=LATE_PROPOSAL,
        )
    [told] = await notices(sessions, "proposal_rejected")
    assert told.payload["reason"] == "Ikke af tværkommunal karakter"
    async with sessions() as session:
        shown = await agenda_overview(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    assert shown.items == [] and shown.late == []


async def test_an_on_time_proposal_cannot_be_rejected_by_the_chair_nor_the_secretariat(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    """R-D1: the chair must put an on-time proposal on the agenda; the proposer may withdraw."""
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    for who in (CHAIR, SECRETARY):
        with refused_with("on_time_proposal"):
            async with sessions() as session, session.begin():
                await reject_item(
                    session,
                    actor=await actor(sessions, who),
                    item_id=proposal.item.id,
                    reason="Ikke regionalt",
                    now=now,
                )
    assert await notices(sessions, "proposal_rejected") == []


async def test_only_the_acting_chair_declines_a_late_proposal(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    proposal = await propose(sessions, await actor(sessions, MEMBER), meeting, LATE_PROPOSAL)
    with refused_with("not_allowed"):
        async with sessions() as session, session.begin():
            await reject_item(
                session,
                actor=await actor(sessions, SECRETARY),
                item_id=proposal.item.id,
                reason="For sent",
                now=LATE_PROPOSAL,
            )


async def test_only_the_chair_approves_and_not_an_empty_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    with refused_with("agenda_empty"):
        async with sessions() as session, session.begin():
            await approve_agenda(
                session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
            )
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    for who in (SECRETARY, MEMBER):
        with refused_with("not_allowed"):
            async with sessions() as session, session.begin():
                await approve_agenda(
                    session, actor=await actor(sessions, who), meeting_id=meeting, now=now
                )
    async with sessions() as session, session.begin():
        shown = await approve_agenda(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now
        )
    assert shown.approved and not shown.distributed


async def test_the_agenda_reaches_members_or_their_summoned_substitutes_observers_and_staff(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    async with sessions() as session, session.begin():
        observer = Person(council_id=council.id or 0, name="Olga Observatør")
        session.add(observer)
        await session.flush()
        session.add(
            Membership(
                council_id=council.id or 0,
                person_id=observer.id or 0,
                role=MembershipRole.OBSERVER,
            )
        )
        session.add(
            Attendance(
                meeting_id=meeting,
                person_id=await person_id(sessions, MEMBER),
                status=AttendanceStatus.ABSENT,
                substitute_id=await person_id(sessions, SUBSTITUTE),
                substitute_answer=SubstituteAnswer.PENDING,
            )
        )
        session.add(
            Attendance(
                meeting_id=meeting,
                person_id=await person_id(sessions, "Line Toft"),
                status=AttendanceStatus.ABSENT,
                substitute_id=await person_id(sessions, "Camilla Nissen"),
                substitute_answer=SubstituteAnswer.DECLINED,
            )
        )
    async with sessions() as session:
        found = await session.get(Meeting, meeting)
        assert found is not None
        recipients = await names(sessions, await agenda_recipients(session, found))
    assert len(recipients) == RECIPIENTS + 2  # the observer, and the substitute summoned
    # the absent member keeps receiving the agenda (issue 11), and so does the substitute
    assert SUBSTITUTE in recipients and MEMBER in recipients
    assert "Line Toft" in recipients and "Camilla Nissen" not in recipients
    assert {"Olga Observatør", SECRETARY, CHAIR} <= recipients
    assert "Poul Quist" not in recipients  # the chair's substitute: the chair attends


async def test_distribution_sends_one_notice_per_recipient_and_not_twice(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    sent = await distribute(sessions, SECRETARY, meeting, now)
    assert (sent.version, sent.recipients, sent.on_time, sent.addendum) == (
        1,
        RECIPIENTS,
        True,
        False,
    )
    with refused_with("already_distributed"):
        await distribute(sessions, CHAIR, meeting, now)
    agenda = await notices(sessions, "agenda")
    assert len(agenda) == RECIPIENTS == len({n.person_id for n in agenda})
    some = agenda[0]
    assert some.payload == {"meeting_id": meeting, "version": 1}
    assert some.dedupe_key == f"agenda:{meeting}:1:{some.person_id}"
    async with sessions() as session, session.begin():
        found = await session.get(Meeting, meeting)
        assert found is not None
        assert not await enqueue_agenda(session, meeting=found, person_id=some.person_id, now=now)


async def test_after_the_deadline_the_chair_must_give_the_reason_which_the_agenda_shows(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    assert (await distribute(sessions, CHAIR, meeting, DISTRIBUTION_DEADLINE)).on_time is True
    other = await meeting_at(sessions, council, now, MEETING_AT + timedelta(hours=3))
    await propose(sessions, await actor(sessions, MEMBER), other, now)
    after = DISTRIBUTION_DEADLINE + timedelta(seconds=1)
    with refused_with("exception_reason_required") as refused:
        await distribute(sessions, CHAIR, other, after)
    assert refused.value.params["deadline"] == DISTRIBUTION_DEADLINE
    with refused_with("not_allowed"):
        await distribute(sessions, SECRETARY, other, after, reason="Sent late")
    sent = await distribute(sessions, CHAIR, other, after, reason="Budgettallene kom sent fra KL")
    assert not sent.on_time and sent.exception == "Budgettallene kom sent fra KL"
    async with sessions() as session:
        package = await agenda_package(
            session, meeting_id=other, version=1, language="da", now=after
        )
    assert package.snapshot["exception"] == "Budgettallene kom sent fra KL"


async def test_a_change_after_distribution_goes_out_as_a_marked_new_version(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now, title="Busplan")
    await distribute(sessions, CHAIR, meeting, now)
    async with sessions() as session, session.begin():
        await add_own_item(
            session,
            actor=await actor(sessions, SECRETARY),
            meeting_id=meeting,
            title="Orientering fra KL",
            description="",
            material=[],
            now=now,
        )
    sent = await distribute(sessions, SECRETARY, meeting, now + timedelta(hours=1))
    assert (sent.version, sent.addendum) == (2, True)
    agenda = await notices(sessions, "agenda")
    assert len(agenda) == 2 * RECIPIENTS
    async with sessions() as session:
        package = await agenda_package(
            session, meeting_id=meeting, version=2, language="da", now=now
        )
        first = await agenda_package(session, meeting_id=meeting, version=1, language="da", now=now)
    assert package.snapshot["changes"]["added"] == ["Orientering fra KL"]
    assert [i["title"] for i in first.snapshot["items"]] == ["Busplan"], "version 1 is frozen"


async def test_the_pdf_is_rendered_once_per_version_and_language_and_then_reused(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    await distribute(sessions, CHAIR, meeting, now)
    async with sessions() as session, session.begin():
        first = await agenda_package(session, meeting_id=meeting, version=1, language="da", now=now)
        assert first.pdf.content is not None and first.pdf.content.startswith(b"%PDF")
        assert first.pdf.file_name == "dagsorden-2027-03-10-v1.pdf"
        assert [m.file_name for m in first.material] == ["budget.pdf"]
        assert first.pdf.agenda_document_id is not None
        await remember_file_id(
            session, agenda_document_id=first.pdf.agenda_document_id, file_id="tg-pdf-1"
        )
    async with sessions() as session, session.begin():
        again = await agenda_package(session, meeting_id=meeting, version=1, language="da", now=now)
        english = await agenda_package(
            session, meeting_id=meeting, version=1, language="en", now=now
        )
        documents = (await session.exec(select(AgendaDocument))).all()
    assert (again.pdf.file_id, again.pdf.content) == ("tg-pdf-1", None)
    assert english.pdf.file_name == "agenda-2027-03-10-v1.pdf"
    assert len(documents) == 2


async def test_agenda_on_request_only_for_recipients(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    await distribute(sessions, CHAIR, meeting, now)
    async with sessions() as session, session.begin():
        assert await request_agenda(session, actor=await actor(sessions, MEMBER), now=now) == 1
    with refused_with("not_allowed"):
        async with sessions() as session, session.begin():
            await request_agenda(session, actor=await actor(sessions, SUBSTITUTE), now=now)
    assert len(await notices(sessions, "agenda")) == RECIPIENTS + 1


async def test_an_extraordinary_meeting_summons_everyone_at_once_with_its_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    chair = await actor(sessions, CHAIR)
    async with sessions() as session, session.begin():
        meeting, sent = await call_meeting(
            session,
            actor=chair,
            starts_at=datetime(2026, 11, 25, 15, 0),  # in two days, local time: no deadline (R-D5)
            place="Online",
            subject="Akut: regionens sygehusplan",
            now=now,
        )
    assert meeting.kind == MeetingKind.EXTRAORDINARY
    assert (sent.version, sent.recipients, sent.on_time) == (1, RECIPIENTS, True)
    assert len(await notices(sessions, "agenda")) == RECIPIENTS
    with refused_with("not_allowed"):
        async with sessions() as session, session.begin():
            await call_meeting(
                session,
                actor=await actor(sessions, SECRETARY),
                starts_at=datetime(2026, 11, 26, 15, 0),
                place="Online",
                subject="X",
                now=now,
            )


async def test_moving_a_meeting_recomputes_its_deadlines_and_tells_everyone(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    member = await actor(sessions, MEMBER)
    assert not (await propose(sessions, member, meeting, LATE_PROPOSAL, title="Sen")).on_time
    async with sessions() as session, session.begin():
        await move_meeting(
            session,
            actor=await actor(sessions, SECRETARY),
            meeting_id=meeting,
            starts_at=datetime(2027, 3, 24, 10, 0),
            now=LATE_PROPOSAL,
        )
    assert (await propose(sessions, member, meeting, LATE_PROPOSAL, title="Nu")).on_time
    moved = await notices(sessions, "meeting_moved")
    assert len(moved) == RECIPIENTS
    assert moved[0].payload["starts_at"] == "2027-03-24T10:00:00+01:00"


async def test_a_meeting_moved_after_distribution_gets_a_new_version_saying_so(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    await distribute(sessions, CHAIR, meeting, now)
    async with sessions() as session, session.begin():
        await move_meeting(
            session,
            actor=await actor(sessions, CHAIR),
            meeting_id=meeting,
            starts_at=datetime(2027, 3, 11, 13, 0),
            now=now,
        )
    assert len(await notices(sessions, "agenda")) == 2 * RECIPIENTS
    assert await notices(sessions, "meeting_moved") == []
    async with sessions() as session:
        package = await agenda_package(
            session, meeting_id=meeting, version=2, language="da", now=now
        )
    assert package.snapshot["changes"]["moved_from"] == "2027-03-10T10:00:00+01:00"
    assert package.snapshot["starts_at"] == "2027-03-11T13:00:00+01:00"


async def test_cancelling_tells_everyone_and_closes_the_agenda(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    meeting = await meeting_at(sessions, council, now, MEETING_AT)
    await propose(sessions, await actor(sessions, MEMBER), meeting, now)
    async with sessions() as session, session.begin():
        await cancel_meeting(
            session, actor=await actor(sessions, CHAIR), meeting_id=meeting, now=now, reason="Sne"
        )
    assert len(await notices(sessions, "meeting_cancelled")) == RECIPIENTS

    with refused_with("meeting_not_open"):
        await distribute(sessions, CHAIR, meeting, now)
    assert MEMBERS == 22
