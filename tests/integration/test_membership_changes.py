"""R-S6: every branch of a change of membership, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from models.tables import Membership, Notice, Person
from models.term import Vacancy
from services.actors import actor_for_person
from services.errors import Refused
from services.invites import issue_invites
from services.members import import_members, parse_members_csv
from services.membership_changes import (
    answer_offer,
    change_party,
    leave,
    name_person,
    open_vacancies,
)
from services.quorum import quorum_view
from services.recipients import agenda_recipients, council_members
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MAYOR_SUBSTITUTE,
    MEMBER,
    SECRETARY,
    SUBSTITUTE,
    Council_,
    new_council,
)

TODAY = NOW.date()
LATER = NOW + timedelta(days=1)


async def _leave(kkr: Council_, name: str = MEMBER, reason: str = "moved away") -> Vacancy:
    secretary = await kkr.actor(SECRETARY)
    departure = await kkr.run(
        leave,
        actor=secretary,
        person_id=await kkr.person_id_any(name),
        on=TODAY,
        reason=reason,
        now=NOW,
    )
    async with kkr.sessions() as session:
        vacancy = await session.get(Vacancy, departure.vacancy_id)
    assert vacancy is not None
    return vacancy


async def _memberships(kkr: Council_, name: str) -> list[Membership]:
    pid = await kkr.person_id_any(name)
    async with kkr.sessions() as session:
        rows = await session.exec(
            select(Membership).where(Membership.person_id == pid).order_by(col(Membership.id))
        )
        return list(rows.all())


async def test_a_member_who_leaves_is_no_member_but_keeps_the_history(kkr: Council_) -> None:
    anne = await kkr.person_id(MEMBER)
    async with kkr.sessions() as session:
        before = await council_members(session, kkr.council_id)
    await _leave(kkr)
    async with kkr.sessions() as session:
        after = await council_members(session, kkr.council_id)
        assert await actor_for_person(session, anne) is None  # menus and commands: a stranger
        recipients = await agenda_recipients(session, await kkr.meeting())
    assert len(before) == 22 and len(after) == 21 and anne not in after
    assert anne not in recipients
    [ended] = await _memberships(kkr, MEMBER)
    assert (ended.ended_on, ended.end_reason, ended.role) == (TODAY, "moved away", "member")


async def test_the_substitute_is_asked_to_become_member_and_the_officers_are_told(
    kkr: Council_,
) -> None:
    vacancy = await _leave(kkr)
    [offer] = await kkr.notices("membership_offer")
    assert offer.person_id == await kkr.person_id(SUBSTITUTE)
    assert offer.payload["membership_offer_to_answer"] == {"vacancy_id": vacancy.id}
    assert await kkr.notice_names("member_left") == sorted([CHAIR, SECRETARY, "Mads Brandt"])
    assert (vacancy.kind, vacancy.party, vacancy.offer_answer) == ("member", "F", "pending")


async def test_the_substitute_who_accepts_becomes_member_and_the_party_names_a_substitute(
    kkr: Council_,
) -> None:
    vacancy = await _leave(kkr)
    trine = await kkr.actor(SUBSTITUTE)
    await kkr.run(answer_offer, actor=trine, vacancy_id=vacancy.id, accept=True, now=LATER)
    assert (await kkr.actor(SUBSTITUTE)).role == "member"
    old, new = await _memberships(kkr, SUBSTITUTE)
    assert (old.role, old.ended_on, new.role, new.ended_on) == (
        "substitute",
        LATER.date(),
        "member",
        None,
    )
    async with kkr.sessions() as session:
        [open_seat] = await open_vacancies(session, kkr.council_id)
    assert (open_seat.kind, open_seat.party, open_seat.for_member_id) == (
        "substitute",
        "F",
        trine.person_id,
    )
    assert len(await kkr.notices("membership_answered")) == 3
    secretary = await kkr.actor(SECRETARY)
    await kkr.run(
        name_person,
        actor=secretary,
        kind="substitute",
        party="F",
        name="Ny Suppleant",
        municipality_id=None,
        now=LATER,
    )
    [membership] = await _memberships(kkr, "Ny Suppleant")
    assert (membership.role, membership.substitute_for_id) == ("substitute", trine.person_id)


async def test_a_substitute_who_declines_stays_and_the_party_names_a_new_member(
    kkr: Council_,
) -> None:
    vacancy = await _leave(kkr)
    trine = await kkr.actor(SUBSTITUTE)
    await kkr.run(answer_offer, actor=trine, vacancy_id=vacancy.id, accept=False, now=LATER)
    with pytest.raises(Refused) as again:
        await kkr.run(answer_offer, actor=trine, vacancy_id=vacancy.id, accept=True, now=LATER)
    assert again.value.code == "offer_answered"
    assert (await kkr.actor(SUBSTITUTE)).role == "substitute"
    secretary = await kkr.actor(SECRETARY)
    await kkr.run(
        name_person,
        actor=secretary,
        kind="member",
        party="F",
        name="Nyt Medlem",
        municipality_id=None,
        now=LATER,
    )
    new_member = await kkr.person_id("Nyt Medlem")
    memberships = await _memberships(kkr, SUBSTITUTE)
    assert [(m.role, m.ended_on is None) for m in memberships] == [
        ("substitute", False),
        ("substitute", True),
    ]
    assert memberships[-1].substitute_for_id == new_member
    async with kkr.sessions() as session:
        assert len(await council_members(session, kkr.council_id)) == 22


async def test_a_party_cannot_name_a_member_while_the_substitute_has_not_answered(
    kkr: Council_,
) -> None:
    await _leave(kkr)
    with pytest.raises(Refused) as refused:
        await kkr.run(
            name_person,
            actor=await kkr.actor(SECRETARY),
            kind="member",
            party="F",
            name="For Tidligt",
            municipality_id=None,
            now=LATER,
        )
    assert refused.value.code == "offer_pending"


async def test_a_substitute_who_leaves_the_party_leaves_and_a_new_one_is_named(
    kkr: Council_,
) -> None:
    vacancy = await _leave(kkr, SUBSTITUTE, reason="left the party")
    assert (vacancy.kind, vacancy.for_member_id) == ("substitute", await kkr.person_id(MEMBER))
    assert await kkr.notices("membership_offer") == []
    await kkr.run(
        name_person,
        actor=await kkr.actor(SECRETARY),
        kind="substitute",
        party="F",
        name="Ny Suppleant",
        municipality_id=None,
        now=LATER,
    )
    assert (await kkr.actor("Ny Suppleant")).role == "substitute"


async def test_a_member_cannot_be_added_above_the_cap_without_a_vacancy(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await kkr.run(
            name_person,
            actor=await kkr.actor(SECRETARY),
            kind="member",
            party="A",
            name="Ekstra",
            municipality_id=None,
            now=LATER,
        )
    assert refused.value.code == "no_open_seat"


async def test_an_elected_member_who_changes_party_is_told_to_leave(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await kkr.run(
            change_party,
            actor=await kkr.actor(SECRETARY),
            person_id=await kkr.person_id(MEMBER),
            party="V",
            now=NOW,
        )
    assert refused.value.code == "party_change_leaves"


async def test_a_mayor_who_changes_party_stays_and_the_party_may_name_a_member_above_the_cap(
    sessions,
    now,  # type: ignore[no-untyped-def]
) -> None:
    council = await new_council(sessions, now, name="KKR Lille", municipalities=1)
    async with sessions() as session, session.begin():
        rows = parse_members_csv(
            "name,role,municipality,party,substitute_for,office,language\n"
            "Anna Holm,mayor,Aalborg,A,,chair,da\nBo Dam,member,Aalborg,V,,,da\n"
            "Kis Sekr,secretariat,,,,,da\n"
        )
        await import_members(session, council=council, rows=rows, now=now)
    kkr = Council_(sessions, council.id or 0, [])
    secretary = await kkr.actor("Kis Sekr")
    vacancy = await kkr.run(
        change_party,
        actor=secretary,
        person_id=await kkr.person_id("Anna Holm"),
        party="V",
        now=now,
    )
    assert vacancy is not None and vacancy.over_cap and vacancy.party == "A"
    assert (await kkr.actor("Anna Holm")).role == "mayor"
    await kkr.run(
        name_person,
        actor=secretary,
        kind="member",
        party="A",
        name="Ny A",
        municipality_id=None,
        now=now,
    )
    async with sessions() as session:
        assert len(await council_members(session, council.id or 0)) == 3  # cap 2, allowed
    told = await kkr.notices("mayor_changed_party")
    assert len(told) == 2 and all(n.payload["may_name"] is True for n in told)  # chair, secretary


async def test_a_person_who_left_is_invited_no_more_and_their_pending_notices_are_withdrawn(
    kkr: Council_,
) -> None:
    anne = await kkr.person_id(MEMBER)
    async with kkr.sessions() as session, session.begin():
        from services.outbox import enqueue

        await enqueue(session, person_id=anne, kind="x", dedupe_key="x", now=NOW)
    await _leave(kkr)
    async with kkr.sessions() as session, session.begin():
        pending = (await session.exec(select(Notice).where(Notice.person_id == anne))).all()
        from models.tables import Council

        council = await session.get(Council, kkr.council_id)
        assert council is not None
        invited = await issue_invites(session, council=council, now=NOW, ttl=timedelta(days=1))
    assert [n.status for n in pending] == ["failed"]
    assert MEMBER not in {i.person_name for i in invited}


async def test_the_quorum_counts_the_members_of_the_day(kkr: Council_) -> None:
    for name in ("Jonas Lauridsen", "Line Toft", MEMBER):
        await _leave(kkr, name)
    view = await kkr.run(quorum_view, actor=await kkr.actor(CHAIR), now=NOW)
    assert (view.status.members, view.status.required) == (19, 10)
    names = {p.name for p in (await _people(kkr))}
    assert MEMBER in names  # the person stays, for the history


async def _people(kkr: Council_) -> list[Person]:
    async with kkr.sessions() as session:
        return list((await session.exec(select(Person))).all())


def test_dates_are_dates() -> None:
    assert isinstance(TODAY, date)


async def test_a_mayor_who_leaves_office_is_followed_by_the_new_mayor_with_the_same_substitute(
    kkr: Council_,
) -> None:
    vacancy = await _leave(kkr, MAYOR, reason="ikke længere borgmester")
    assert (vacancy.kind, vacancy.offered_to_id) == ("mayor", None)
    assert await kkr.notices("membership_offer") == []
    await kkr.run(
        name_person,
        actor=await kkr.actor(SECRETARY),
        kind="mayor",
        party="A",
        name="Ny Borgmester",
        municipality_id=None,
        now=LATER,
    )
    new_mayor = await kkr.actor("Ny Borgmester")
    assert new_mayor.role == "mayor"
    substitute = (await _memberships(kkr, MAYOR_SUBSTITUTE))[-1]
    assert substitute.substitute_for_id == new_mayor.person_id
    async with kkr.sessions() as session:
        person = await session.get(Person, new_mayor.person_id)
        assert person is not None and person.municipality_id == vacancy.municipality_id


async def test_a_leave_dated_in_the_future_is_refused(kkr: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await kkr.run(
            leave,
            actor=await kkr.actor(SECRETARY),
            person_id=await kkr.person_id(MEMBER),
            on=TODAY + timedelta(days=7),
            reason="flytter",
            now=NOW,
        )
    assert refused.value.code == "leave_date_future"
    assert (await kkr.actor(MEMBER)).role == "member"


async def test_a_seat_allowed_above_the_cap_can_be_refilled(sessions, now) -> None:  # type: ignore[no-untyped-def]
    council = await new_council(sessions, now, name="KKR Lille", municipalities=1)
    async with sessions() as session, session.begin():
        rows = parse_members_csv(
            "name,role,municipality,party,substitute_for,office,language\n"
            "Anna Holm,mayor,Aalborg,A,,,da\nBo Dam,member,Aalborg,V,,,da\n"
            "Kis Sekr,secretariat,,,,,da\n"
        )
        await import_members(session, council=council, rows=rows, now=now)
    kkr = Council_(sessions, council.id or 0, [])
    secretary = await kkr.actor("Kis Sekr")
    await kkr.run(
        change_party,
        actor=secretary,
        person_id=await kkr.person_id("Anna Holm"),
        party="V",
        now=now,
    )
    await kkr.run(
        name_person,
        actor=secretary,
        kind="member",
        party="A",
        name="Ny A",
        municipality_id=None,
        now=now,
    )
    await kkr.run(
        leave,
        actor=secretary,
        person_id=await kkr.person_id("Bo Dam"),
        on=now.date(),
        reason="flytter",
        now=now,
    )
    await kkr.run(
        name_person,
        actor=secretary,
        kind="member",
        party="V",
        name="Ny V",
        municipality_id=None,
        now=now,
    )
    async with sessions() as session:
        assert len(await council_members(session, council.id or 0)) == 3
