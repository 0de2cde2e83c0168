"""R-K1–R-K3: the constituent meeting with its deadlines, the election of the chair and vice chair
by d'Hondt with alliances, the successor named by the group; the old term archived."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlmodel import select

from models.db import SessionFactory
from models.tables import Council, Membership
from models.term import OfficeRecord, Term
from services.actors import secretariat_actor
from services.constitution import (
    call_constituent_meeting,
    constitute,
    convener,
    name_successor,
    notify_alliance,
)
from services.errors import Refused
from services.meetings import add_meeting
from services.members import parse_members_csv
from services.membership_changes import leave
from services.municipalities import import_leaders, parse_leaders
from services.term import name_members, new_term, parse_mayors, parse_votes
from tests.integration.conftest import Council_, demo_text, new_council

DATA = Path(__file__).parent.parent / "data"
AFTER_ELECTION = datetime(2025, 12, 1, 9, 0, tzinfo=UTC)
# The demo's eleven mayors: Ole Lindholm and Pia Lund equally senior, Ole the older.
SINCE = {
    "Aalborg": ("Gorm Iversen", "2014-01-01", "1960-01-01"),
    "Brønderslev": ("Anders Gade", "2018-01-01", "1965-01-01"),
    "Frederikshavn": ("Ole Lindholm", "2010-01-01", "1955-06-01"),
    "Hjørring": ("Pia Lund", "2010-01-01", "1958-02-01"),
    "Jammerbugt": ("Karen Vestergaard", "2022-01-01", "1970-01-01"),
    "Læsø": ("Nanna Mose", "2022-01-01", "1971-01-01"),
    "Mariagerfjord": ("Lars Storm", "2018-01-01", "1966-01-01"),
    "Morsø": ("Rasmus Bach", "2026-01-01", "1980-01-01"),
    "Rebild": ("Steen Andersen", "2014-01-01", "1962-01-01"),
    "Thisted": ("Dagmar Hougaard", "2022-01-01", "1969-01-01"),
    "Vesthimmerland": ("Helle Damgaard", "2026-01-01", "1975-01-01"),
}


async def _term(sessions: SessionFactory, council: Council, election: date) -> Term:
    async with sessions() as session, session.begin():
        term, _ = await new_term(
            session,
            council=council,
            election_day=election,
            votes=parse_votes((DATA / "votes-nordjylland-2025.csv").read_bytes()),
            mayors=parse_mayors((DATA / "mayors-nordjylland-2025.csv").read_bytes(), council),
            now=AFTER_ELECTION,
        )
    return term


@pytest.fixture
async def elected(sessions: SessionFactory) -> Council_:
    """KKR Nordjylland after the 2025 election: the old term, the new one, its people named."""
    council = await new_council(sessions, AFTER_ELECTION)
    await _term(sessions, council, date(2021, 11, 16))
    await _term(sessions, council, date(2025, 11, 18))
    leaders = "municipality,mayor,mayor_since,born\n" + "\n".join(
        f"{m},{name},{since},{born}" for m, (name, since, born) in SINCE.items()
    )
    async with sessions() as session, session.begin():
        await import_leaders(
            session, council=council, rows=parse_leaders(leaders, council), now=AFTER_ELECTION
        )
        await name_members(
            session, council=council, rows=parse_members_csv(demo_text()), now=AFTER_ELECTION
        )
    return Council_(sessions, council.id or 0, [])


async def _call(kkr: Council_, starts_at: datetime, by: str = "Ole Lindholm") -> int:
    meeting = await kkr.run(
        call_constituent_meeting,
        actor=await kkr.actor(by),
        starts_at=starts_at,
        place="Aalborg Rådhus",
        now=AFTER_ELECTION,
    )
    return int(meeting.id)


async def test_the_longest_serving_mayor_convenes_and_the_oldest_breaks_the_tie(
    elected: Council_,
) -> None:
    async with elected.sessions() as session:
        council = await session.get(Council, elected.council_id)
        assert council is not None
        who = await convener(session, council)
    assert (who.name, who.deadline) == ("Ole Lindholm", date(2026, 1, 31))


async def test_a_naming_file_that_does_not_match_the_election_is_refused(
    sessions: SessionFactory,
) -> None:
    council = await new_council(sessions, AFTER_ELECTION)
    await _term(sessions, council, date(2025, 11, 18))
    text = demo_text().replace("Otto Brix,member,Rebild,Ø", "Otto Brix,member,Rebild,A")
    with pytest.raises(Refused) as refused:
        async with sessions() as session, session.begin():
            await name_members(
                session, council=council, rows=parse_members_csv(text), now=AFTER_ELECTION
            )
    assert refused.value.params["errors"] == [
        "A: 5 named (line(s) 2, 8, 13, 14, 23), the election gives 4",
        "Ø: 0 named (no line), the election gives 1",
    ]


async def test_the_constituent_meeting_is_held_in_january_after_the_election(
    elected: Council_,
) -> None:
    meeting_id = await _call(elected, datetime(2026, 1, 20, 14, 0))
    async with elected.sessions() as session:
        term = (
            await session.exec(select(Term).where(Term.election_day == date(2025, 11, 18)))
        ).one()
    assert term.constituent_meeting_id == meeting_id
    assert len(await elected.notices("constituent_called")) == 46
    [first, *_] = await elected.notices("constituent_called")
    assert first.payload["alliance_deadline"] == "2026-01-15"  # Thu: Fri 16 and Mon 19 between


async def test_a_constituent_meeting_after_31_january_is_refused(elected: Council_) -> None:
    with pytest.raises(Refused) as refused:
        await _call(elected, datetime(2026, 2, 2, 14, 0))
    assert (refused.value.code, refused.value.params["deadline"]) == (
        "constituent_too_late",
        "2026-01-31",
    )


async def test_only_the_convener_or_the_secretariat_calls_it(elected: Council_) -> None:
    from services.errors import Refused

    with pytest.raises(Refused, match="may not"):
        await _call(elected, datetime(2026, 1, 20, 14, 0), by="Gorm Iversen")
    assert await _call(elected, datetime(2026, 1, 20, 14, 0), by="Kirsten Holm-Jensen")


async def test_alliances_are_taken_until_three_working_days_before(elected: Council_) -> None:
    await _call(elected, datetime(2026, 1, 20, 14, 0))
    member = await elected.actor("Ole Lindholm")
    last_day = datetime(2026, 1, 15, 22, 30, tzinfo=UTC)  # 23:30 in Copenhagen, still the 15th
    await elected.run(notify_alliance, actor=member, parties=["V", "C"], now=last_day)
    with pytest.raises(Refused) as late:
        await elected.run(
            notify_alliance,
            actor=member,
            parties=["F", "Ø"],
            now=datetime(2026, 1, 15, 23, 30, tzinfo=UTC),
        )
    assert (late.value.code, late.value.params["deadline"]) == ("alliance_too_late", "2026-01-15")


async def test_alliances_notified_on_the_last_working_day_before_easter(
    elected: Council_,
) -> None:
    # A constituent meeting on Thursday 1 April 2027: Easter Monday, Good Friday and Maundy
    # Thursday are holidays, so the third working day before is Wednesday 24 March.
    async with elected.sessions() as session, session.begin():
        council = await session.get(Council, elected.council_id)
        assert council is not None
        meeting = await add_meeting(
            session,
            council=council,
            starts_at=datetime(2027, 4, 1, 14, 0),
            place="Aalborg",
            now=AFTER_ELECTION,
            actor=await secretariat_actor(session, council.id or 0),
        )
        term = (
            await session.exec(select(Term).where(Term.election_day == date(2025, 11, 18)))
        ).one()
        term.constituent_meeting_id = meeting.id
        session.add(term)
    member = await elected.actor("Gorm Iversen")
    wednesday = datetime(2027, 3, 24, 15, 0, tzinfo=UTC)
    await elected.run(notify_alliance, actor=member, parties=["A", "F"], now=wednesday)
    with pytest.raises(Refused) as late:
        await elected.run(
            notify_alliance,
            actor=member,
            parties=["Æ", "O"],
            now=datetime(2027, 3, 25, 9, 0, tzinfo=UTC),
        )
    assert late.value.params["deadline"] == "2027-03-24"


async def test_the_chair_and_vice_are_elected_by_dhondt_and_the_offices_set(
    elected: Council_,
) -> None:
    await _call(elected, datetime(2026, 1, 20, 14, 0))
    secretary = await elected.actor("Kirsten Holm-Jensen")
    result = await elected.run(
        constitute,
        actor=secretary,
        chair="Gorm Iversen",
        vice_chair="Ole Lindholm",
        now=datetime(2026, 1, 20, 14, 30, tzinfo=UTC),
    )
    assert (result.chair_group, result.vice_group) == ("A", "V")  # 27.6 % and 23.1 %
    assert (await elected.actor("Gorm Iversen")).office == "chair"
    assert (await elected.actor("Ole Lindholm")).office == "vice_chair"
    async with elected.sessions() as session:
        terms = (await session.exec(select(Term).order_by(Term.election_day))).all()  # type: ignore[arg-type]
    assert terms[0].archived_at is not None and terms[1].archived_at is None
    assert terms[1].constituted_at is not None


async def test_an_alliance_counts_its_votes_together(elected: Council_) -> None:
    await _call(elected, datetime(2026, 1, 20, 14, 0))
    member = await elected.actor("Ole Lindholm")
    await elected.run(
        notify_alliance, actor=member, parties=["V", "C"], now=datetime(2026, 1, 10, tzinfo=UTC)
    )
    secretary = await elected.actor("Kirsten Holm-Jensen")
    with pytest.raises(Refused, match="not of the group V\\+C"):
        await elected.run(
            constitute,
            actor=secretary,
            chair="Gorm Iversen",
            vice_chair="Ole Lindholm",
            now=datetime(2026, 1, 20, 14, 30, tzinfo=UTC),
        )
    result = await elected.run(
        constitute,
        actor=secretary,
        chair="Nanna Mose",
        vice_chair="Gorm Iversen",
        now=datetime(2026, 1, 20, 14, 30, tzinfo=UTC),
    )
    assert (result.chair_group, result.vice_group) == ("V+C", "A")  # 35.2 % against 27.6 %


async def test_the_group_names_the_chairs_successor(elected: Council_) -> None:
    await _call(elected, datetime(2026, 1, 20, 14, 0))
    secretary = await elected.actor("Kirsten Holm-Jensen")
    await elected.run(
        constitute,
        actor=secretary,
        chair="Gorm Iversen",
        vice_chair="Ole Lindholm",
        now=datetime(2026, 1, 20, 14, 30, tzinfo=UTC),
    )
    now = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)
    with pytest.raises(Refused) as not_vacant:
        await elected.run(
            name_successor, actor=secretary, office="chair", name="Lars Storm", now=now
        )
    assert not_vacant.value.code == "no_vacant_office"
    await elected.run(
        leave,
        actor=secretary,
        person_id=await elected.person_id("Gorm Iversen"),
        on=now.date(),
        reason="ikke længere borgmester",
        now=now,
    )
    with pytest.raises(Refused, match="not of the group A"):
        await elected.run(name_successor, actor=secretary, office="chair", name="Pia Lund", now=now)
    record = await elected.run(
        name_successor, actor=secretary, office="chair", name="Lars Storm", now=now
    )
    assert (record.how, record.group_name) == ("successor", "A")
    assert (await elected.actor("Lars Storm")).office == "chair"
    async with elected.sessions() as session:
        records = (
            await session.exec(select(OfficeRecord).where(OfficeRecord.office == "chair"))
        ).all()
        gorm = (await session.exec(select(Membership).where(Membership.office == "chair"))).all()
    assert [r.how for r in records] == ["elected", "successor"]
    assert records[0].ended_on == now.date()
    assert len(gorm) == 2  # Gorm's ended membership keeps the office it had, as history
