"""R-P3 with the setting acting_chair_choice "oldest": the members file carries an optional birth
date (foedselsdato, written the Danish way), and when chair and vice chair are both absent the
secretariat's /aabn without a name makes the oldest member present the acting chair — or says whose
birth dates are missing, so that the secretariat names someone."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from models.db import SessionFactory
from models.tables import Person
from services.attendance import report_absence
from services.meeting_day import check_in, open_meeting
from services.members import import_members, parse_members_csv
from tests.conftest import NOW
from tests.integration.conftest import (
    CHAIR,
    MAYOR,
    MEMBER,
    SECRETARY,
    VICE,
    Council_,
    csv_text,
    new_council,
)
from tests.refusals import refused_with

ELDER = "Pia Lund"


async def test_the_members_file_takes_danish_birth_dates_and_stores_them(
    sessions: SessionFactory, now: datetime
) -> None:
    council = await new_council(sessions, now)
    text = csv_text(
        "Anna Holm,mayor,Aalborg,A,,chair,da,1.2.1961",
        "Bo Dam,member,Aalborg,V,,,en,3. marts 1970",
        "Cai Lund,substitute,Aalborg,A,Anna Holm,,da,",
    ).replace("language\n", "language,foedselsdato\n", 1)
    async with sessions() as session, session.begin():
        rows = parse_members_csv(text)
        await import_members(session, council=council, rows=rows, now=now)
    async with sessions() as session:
        born = {p.name: p.born for p in await session.exec(select(Person))}
    assert born == {"Anna Holm": date(1961, 2, 1), "Bo Dam": date(1970, 3, 3), "Cai Lund": None}


def test_a_birth_date_that_is_no_date_is_refused_with_its_line() -> None:
    text = csv_text("Anna Holm,mayor,Aalborg,A,,chair,da,31.2.1961").replace(
        "language\n", "language,fødselsdato\n", 1
    )
    with refused_with("invalid_input") as refused:
        parse_members_csv(text)
    assert "line 2" in refused.value.detail and "birth date" in refused.value.detail


async def _both_officers_absent(kkr: Council_) -> datetime:
    for name in (CHAIR, VICE):
        await kkr.run(
            report_absence, actor=await kkr.actor(name), meeting_id=kkr.meetings[0], now=NOW
        )
    return (await kkr.meeting()).starts_at


async def _born(kkr: Council_, **by_name: date | None) -> None:
    async with kkr.sessions() as session, session.begin():
        for person in await session.exec(select(Person)):
            if person.name in by_name:
                person.born = by_name[person.name]
                session.add(person)


async def _arrives(kkr: Council_, name: str, at: datetime) -> None:
    await kkr.run(check_in, actor=await kkr.actor(name), now=at, meeting_id=kkr.meetings[0])


async def test_the_oldest_member_present_is_named_acting_chair(kkr: Council_) -> None:
    start = await _both_officers_absent(kkr)
    await _born(
        kkr, **{MAYOR: date(1960, 5, 1), ELDER: date(1951, 9, 30), MEMBER: date(1980, 1, 1)}
    )
    for name in (MAYOR, ELDER, MEMBER):
        await _arrives(kkr, name, start - timedelta(minutes=10))
    view = await kkr.run(
        open_meeting, actor=await kkr.actor(SECRETARY), now=start, meeting_id=kkr.meetings[0]
    )
    assert view.acting_chair == ELDER
    assert (await kkr.meeting()).acting_chair_id == await kkr.person_id(ELDER)


async def test_without_birth_dates_the_secretariat_is_told_whose_are_missing(
    kkr: Council_,
) -> None:
    start = await _both_officers_absent(kkr)
    await _born(kkr, **{MAYOR: date(1960, 5, 1)})
    for name in (MAYOR, MEMBER):
        await _arrives(kkr, name, start - timedelta(minutes=10))
    with refused_with("birth_dates_missing") as refused:
        await kkr.run(
            open_meeting, actor=await kkr.actor(SECRETARY), now=start, meeting_id=kkr.meetings[0]
        )
    assert refused.value.params["names"] == MEMBER
    view = await kkr.run(
        open_meeting,
        actor=await kkr.actor(SECRETARY),
        now=start,
        meeting_id=kkr.meetings[0],
        acting_chair_name=MEMBER,
    )
    assert view.acting_chair == MEMBER, "the secretariat can still name someone"


async def test_with_the_setting_chosen_the_secretariat_must_name_who_leads(
    kkr: Council_,
) -> None:
    await kkr.set_council(acting_chair_choice="chosen")
    start = await _both_officers_absent(kkr)
    await _born(kkr, **{MAYOR: date(1960, 5, 1)})
    await _arrives(kkr, MAYOR, start - timedelta(minutes=10))
    with refused_with("acting_chair_needed_chosen"):
        await kkr.run(
            open_meeting, actor=await kkr.actor(SECRETARY), now=start, meeting_id=kkr.meetings[0]
        )
