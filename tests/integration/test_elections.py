"""R-E1/R-E2/R-E3/R-E4: elections at the meeting and the register they fill."""

from __future__ import annotations

import random

import pytest
from sqlmodel import col, select

from models.meeting_room import Appointment, Election, ElectionRound
from models.tables import Council
from services.appointments import import_bodies, parse_bodies_csv, record_appointment, register
from services.councillors import import_councillors, parse_councillors_csv
from services.elections import (
    cast_election_ballot,
    close_round,
    open_round,
    propose_candidate,
    start_election,
)
from services.errors import Refused
from services.meeting_room import next_item
from services.proportional import declare_group, name_to_seat, renounce_seats, share_seats
from tests.integration.conftest import CHAIR, SECRETARY, Council_
from tests.integration.room_helpers import MEMBERS, add_items, day, open_with

TWELVE = MEMBERS[:12]
OUTSIDERS = ["Maja Holm,Aalborg,A,Nordjylland", "Jens Kofoed,Thisted,V,Nordjylland"]
V_GROUP = [
    "Anders Gade", "Ole Lindholm", "Pia Lund", "Karen Vestergaard",
    "Rasmus Bach", "Steen Andersen", "Dagmar Hougaard", "Helle Damgaard",
]  # fmt: skip
A_F_ALLIANCE = [
    "Gorm Iversen", "Lars Storm", "Jonas Lauridsen", "Line Toft", "Anne Rasmussen",
    "Birgitte Bruun",
]  # fmt: skip
C_AE_B_ALLIANCE = ["Nanna Mose", "Ida Mikkelsen", "Tina Kragh", "Mette Juhl", "Viggo Krogh"]


async def _setup(kkr: Council_, seats: int = 1) -> None:
    lines = ["name,municipality,party,region", *OUTSIDERS]
    lines += [f"{name},Aalborg,X,Nordjylland" for name in MEMBERS]
    bodies = f"name,seats,term_start,term_end,note\nSundhedskoordinationsudvalget,{seats},2026-01-01,2029-12-31,\n"
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        await import_councillors(
            session,
            council=council,
            rows=parse_councillors_csv("\n".join(lines)),
            now=await day(kkr),
        )
        await import_bodies(session, council=council, rows=parse_bodies_csv(bodies))
    await add_items(kkr, "Udpegning til Sundhedskoordinationsudvalget")
    await open_with(kkr, *TWELVE)
    await _as(kkr, next_item, CHAIR)


async def _as(kkr: Council_, service: object, by: str, **kwargs: object) -> object:
    return await kkr.run(service, actor=await kkr.actor(by), now=await day(kkr), **kwargs)


async def test_a_candidate_who_is_not_a_municipal_councillor_is_refused(kkr: Council_) -> None:
    await _setup(kkr)
    election = await _as(
        kkr, start_election, CHAIR, title="Formand", body_name="Sundhedskoordinationsudvalget"
    )
    with pytest.raises(Refused) as refused:
        await _as(kkr, propose_candidate, MEMBERS[4], election_id=election.id, name="Donald Duck")
    assert refused.value.code == "not_a_councillor"
    assert refused.value.params == {"name": "Donald Duck"}
    candidate = await _as(
        kkr, propose_candidate, MEMBERS[4], election_id=election.id, name="maja holm"
    )
    assert candidate.name == "Maja Holm"


async def test_a_three_round_election_ends_by_lot_with_the_seed_recorded(kkr: Council_) -> None:
    await _setup(kkr)
    election = await _as(
        kkr, start_election, CHAIR, title="Repræsentant", body_name="Sundhedskoordinationsudvalget"
    )
    a, b, c = [
        (await _as(kkr, propose_candidate, CHAIR, election_id=election.id, name=name)).id
        for name in ("Maja Holm", "Jens Kofoed", "Line Toft")
    ]
    # Round 1, 12 present: 7 is a majority; nobody has it.
    first = await _as(kkr, open_round, SECRETARY, election_id=election.id, mode="counts")
    one = await _as(kkr, close_round, SECRETARY, round_id=first.id, counts={a: 5, b: 4, c: 3})
    assert one.elected is None and one.next_round == 2
    # Round 2: no majority, and the votes went to more than one: the two leaders go on.
    second = await _as(kkr, open_round, SECRETARY, election_id=election.id, mode="counts")
    two = await _as(kkr, close_round, SECRETARY, round_id=second.id, counts={a: 5, b: 5, c: 2})
    assert two.next_round == 3 and sorted(two.finalists) == ["Jens Kofoed", "Maja Holm"]
    assert not two.by_lot
    # Round 3 between the two, by private ballot: a tie, settled by lot before a witness.
    third = await _as(kkr, open_round, CHAIR, election_id=election.id)
    for n, name in enumerate(TWELVE):
        await _as(
            kkr, cast_election_ballot, name, round_id=third.id, candidate_id=a if n < 6 else b
        )
    with pytest.raises(Refused) as refused:
        await _as(kkr, cast_election_ballot, TWELVE[0], round_id=third.id, candidate_id=c)
    assert refused.value.code == "not_a_candidate"
    with pytest.raises(Refused) as refused:
        await _as(kkr, close_round, CHAIR, round_id=third.id, seed="kkr-2026")
    assert refused.value.code == "lot_witness_needed"
    three = await _as(
        kkr, close_round, CHAIR, round_id=third.id, seed="kkr-2026", witness="Kirsten Holm-Jensen"
    )
    expected = random.Random("kkr-2026").choice(sorted([str(a), str(b)]))
    winner = {str(a): "Maja Holm", str(b): "Jens Kofoed"}[expected]
    assert three.by_lot and three.lot_seed == "kkr-2026" and three.elected == winner
    assert three.counts == {"Maja Holm": 6, "Jens Kofoed": 6}
    async with kkr.sessions() as session:
        rounds = (
            await session.exec(select(ElectionRound).order_by(col(ElectionRound.round_no)))
        ).all()
        appointment = (await session.exec(select(Appointment))).one()
        stored = await session.get(Election, election.id)
    assert [r.round_no for r in rounds] == [1, 2, 3]
    assert rounds[2].lot_seed == "kkr-2026" and rounds[2].lot_witness == "Kirsten Holm-Jensen"
    assert rounds[2].present == 12
    assert appointment.name == winner and appointment.round_no == 3
    assert appointment.chosen_how == "single" and appointment.election_id == election.id
    assert stored is not None and stored.status == "closed"


async def test_dhondt_with_an_alliance_and_a_renounced_seat(kkr: Council_) -> None:
    """The worked example, 4 seats in Sundhedskoordinationsudvalget:

    group        members  ÷1   ÷2   ÷3
    V               8      8    4   8/3
    A+F (allied)    6      6    3    2
    C+Æ+B (allied)  5      5   5/2  5/3

    Seats by the highest quotients: V 8, A+F 6, C+Æ+B 5, V 4.
    C+Æ+B renounces its seat; it passes to the next highest quotient, A+F's 3.
    Result: V 8, A+F 6, V 4, A+F 3 — V two seats, A+F two, C+Æ+B none.
    """
    await _setup(kkr, seats=4)
    election = await _as(
        kkr,
        start_election,
        SECRETARY,
        title="Sundhedskoordinationsudvalget",
        kind="proportional",
        body_name="Sundhedskoordinationsudvalget",
    )
    await _as(
        kkr, declare_group, "Ole Lindholm", election_id=election.id, name="V", members=V_GROUP
    )
    await _as(
        kkr,
        declare_group,
        SECRETARY,
        election_id=election.id,
        name="A+F",
        parties=["A", "F"],
        members=A_F_ALLIANCE,
        spokesperson="Lars Storm",
    )
    await _as(
        kkr,
        declare_group,
        "Nanna Mose",
        election_id=election.id,
        name="C+Æ+B",
        parties=["C", "Æ", "B"],
        members=C_AE_B_ALLIANCE,
    )
    with pytest.raises(Refused) as refused:
        await _as(
            kkr,
            declare_group,
            "Otto Brix",
            election_id=election.id,
            name="Ø",
            members=["Tina Kragh"],
        )
    assert refused.value.code == "in_another_group"
    awards = await _as(kkr, share_seats, CHAIR, election_id=election.id, seed="s")
    assert [(a.group, a.quotient) for a in awards] == [
        ("V", "8"),
        ("A+F", "6"),
        ("C+Æ+B", "5"),
        ("V", "4"),
    ]
    assert sorted(await kkr.notice_names("election_seats")) == [
        "Lars Storm",
        "Nanna Mose",
        "Ole Lindholm",
    ]
    with pytest.raises(Refused) as refused:
        await _as(kkr, renounce_seats, "Ole Lindholm", election_id=election.id, count=3)
    assert refused.value.code == "renounce_too_many"
    awards = await _as(kkr, renounce_seats, "Nanna Mose", election_id=election.id, count=1)
    assert [(a.group, a.quotient) for a in awards] == [
        ("V", "8"),
        ("A+F", "6"),
        ("V", "4"),
        ("A+F", "3"),
    ]
    with pytest.raises(Refused) as refused:
        await _as(kkr, name_to_seat, "Nanna Mose", election_id=election.id, name="Ida Mikkelsen")
    assert refused.value.code == "no_seat_left"
    await _as(kkr, name_to_seat, "Ole Lindholm", election_id=election.id, name="Pia Lund")
    await _as(kkr, name_to_seat, "Ole Lindholm", election_id=election.id, name="Jens Kofoed")
    await _as(kkr, name_to_seat, "Lars Storm", election_id=election.id, name="Line Toft")
    with pytest.raises(Refused) as refused:
        await _as(kkr, name_to_seat, "Lars Storm", election_id=election.id, name="Donald Duck")
    assert refused.value.code == "not_a_councillor"
    await _as(
        kkr, name_to_seat, SECRETARY, election_id=election.id, name="Maja Holm", group_name="A+F"
    )
    lines = await _as(kkr, register, MEMBERS[20])
    assert [(line.seat, line.name, line.quotient) for line in lines] == [
        (1, "Pia Lund", "8"),
        (2, "Jens Kofoed", "4"),
        (3, "Line Toft", "6"),
        (4, "Maja Holm", "3"),
    ]
    async with kkr.sessions() as session:
        stored = await session.get(Election, election.id)
    assert stored is not None and stored.status == "closed" and stored.lot_witness is None


async def test_the_secretariat_records_an_appointment_made_elsewhere(kkr: Council_) -> None:
    await _setup(kkr, seats=1)
    made = await _as(
        kkr,
        record_appointment,
        SECRETARY,
        body_name="sundhedskoordinationsudvalget",
        name="Jens Kofoed",
        note="Udpeget af KL",
    )
    assert made.chosen_how == "elsewhere" and made.seat_no == 1 and made.recorded_by_id
    with pytest.raises(Refused) as refused:
        await _as(
            kkr,
            record_appointment,
            SECRETARY,
            body_name="Sundhedskoordinationsudvalget",
            name="Maja Holm",
        )
    assert refused.value.code == "body_full"
    with pytest.raises(Refused) as refused:
        await _as(kkr, record_appointment, SECRETARY, body_name="Vækstforum", name="Maja Holm")
    assert refused.value.code == "body_unknown"
