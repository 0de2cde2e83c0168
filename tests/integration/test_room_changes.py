"""R-M5/R-E1/R-E2/R-E4: corrections in the room and the proportional election's views — a
decision reworded while the meeting is open, a candidate withdrawn, an appointment ended, the
groups' member counts, the d'Hondt order previewed, and each group told when its seats change."""

from __future__ import annotations

import pytest
from sqlmodel import select

from models.meeting_room import Decision
from models.tables import Council
from services.appointments import import_bodies, parse_bodies_csv, record_appointment, register
from services.councillors import import_councillors, parse_councillors_csv
from services.elections import open_round, propose_candidate, start_election
from services.errors import Refused
from services.meeting_day import close_meeting
from services.meeting_room import next_item, record_decision
from services.proportional import (
    declare_group,
    groups_view,
    preview_shares,
    renounce_seats,
    share_seats,
)
from services.room_changes import end_appointment, reword_decision, withdraw_candidate
from tests.integration.conftest import CHAIR, SECRETARY, Council_
from tests.integration.room_helpers import MEMBERS, add_items, day, open_with
from tests.refusals import refused_with

TWELVE = MEMBERS[:12]


async def _as(kkr: Council_, service: object, by: str, **kwargs: object) -> object:
    return await kkr.run(service, actor=await kkr.actor(by), now=await day(kkr), **kwargs)


async def _register(kkr: Council_, seats: int = 3) -> None:
    people = ["name,municipality,party,region", "Maja Holm,Aalborg,A,", "Jens Kofoed,Thisted,V,"]
    people += [f"{name},Aalborg,X," for name in MEMBERS]
    bodies = f"name,seats\nErhvervshusets bestyrelse,{seats}\n"
    async with kkr.sessions() as session, session.begin():
        council = await session.get(Council, kkr.council_id)
        assert council is not None
        rows = parse_councillors_csv("\n".join(people))
        await import_councillors(session, council=council, rows=rows, now=await day(kkr))
        await import_bodies(session, council=council, rows=parse_bodies_csv(bodies))


async def test_a_decision_is_reworded_while_the_meeting_is_open_then_only_in_the_minutes(
    kkr: Council_,
) -> None:
    await add_items(kkr, "Budget", "Veje")
    await open_with(kkr, *TWELVE)
    await _as(kkr, next_item, CHAIR)
    await _as(kkr, record_decision, CHAIR, form=1)
    with refused_with("no_decision"):
        await _as(kkr, reword_decision, CHAIR, number=2, text="Udsat")
    with refused_with("not_allowed"):
        await _as(kkr, reword_decision, MEMBERS[5], number=1, text="Godkendt med ændringer")
    reworded = await _as(
        kkr, reword_decision, SECRETARY, number=1, text="Godkendt med de nævnte ændringer"
    )
    assert reworded.text == "Godkendt med de nævnte ændringer"
    async with kkr.sessions() as session:
        (decision,) = (await session.exec(select(Decision))).all()
    assert decision.text == "Godkendt med de nævnte ændringer"
    await _as(kkr, close_meeting, CHAIR)
    with pytest.raises(Refused) as refused:
        await _as(kkr, reword_decision, CHAIR, number=1, text="Godkendt")
    assert refused.value.code == "decision_in_minutes" and refused.value.params == {"number": 1}


async def test_a_candidate_withdraws_between_rounds_not_during_one(kkr: Council_) -> None:
    await _register(kkr)
    await add_items(kkr, "Udpegning")
    await open_with(kkr, *TWELVE)
    await _as(kkr, next_item, CHAIR)
    election = await _as(kkr, start_election, CHAIR, title="Repræsentant")
    for name in ("Maja Holm", "Jens Kofoed", "Pia Lund"):
        await _as(kkr, propose_candidate, MEMBERS[3], election_id=election.id, name=name)
    with refused_with("not_allowed"):
        await _as(kkr, withdraw_candidate, MEMBERS[3], election_id=election.id, name="Pia Lund")
    with refused_with("candidate_unknown"):
        await _as(kkr, withdraw_candidate, CHAIR, election_id=election.id, name="Donald Duck")
    withdrawn = await _as(kkr, withdraw_candidate, CHAIR, election_id=election.id, name="pia lund")
    assert withdrawn.name == "Pia Lund" and withdrawn.withdrawn_at is not None
    await _as(kkr, open_round, CHAIR, election_id=election.id)
    ballot = (await kkr.notices("election_ballot"))[0]
    assert [name for _id, name in ballot.payload["candidates"]] == ["Maja Holm", "Jens Kofoed"]
    with refused_with("round_open"):
        await _as(kkr, withdraw_candidate, CHAIR, election_id=election.id, name="Maja Holm")


async def test_the_secretariat_ends_an_appointment_and_the_seat_is_free(kkr: Council_) -> None:
    await _register(kkr, seats=1)
    made = await _as(
        kkr, record_appointment, SECRETARY, body_name="Erhvervshusets bestyrelse", name="Maja Holm"
    )
    with refused_with("body_full"):
        await _as(
            kkr,
            record_appointment,
            SECRETARY,
            body_name="Erhvervshusets bestyrelse",
            name="Pia Lund",
        )
    with refused_with("not_allowed"):
        await _as(kkr, end_appointment, CHAIR, appointment_id=made.id)
    ended = await _as(kkr, end_appointment, SECRETARY, appointment_id=made.id)
    assert (ended.name, ended.body, ended.seat) == ("Maja Holm", "Erhvervshusets bestyrelse", 1)
    with refused_with("appointment_unknown"):
        await _as(kkr, end_appointment, SECRETARY, appointment_id=made.id)
    assert await _as(kkr, register, MEMBERS[20]) == []
    again = await _as(
        kkr, record_appointment, SECRETARY, body_name="Erhvervshusets bestyrelse", name="Pia Lund"
    )
    assert again.seat_no == 1


async def test_groups_show_their_member_counts_and_the_order_is_previewed_before_sharing(
    kkr: Council_,
) -> None:
    """Two groups of 6 for 3 seats: quotients 6, 6, 3, 3 — the first two seats tie, so the order
    needs a lot (and a witness); nothing is recorded by the preview."""
    await _register(kkr, seats=3)
    await add_items(kkr, "Udpegning")
    await open_with(kkr, *TWELVE)
    await _as(kkr, next_item, CHAIR)
    election = await _as(
        kkr,
        start_election,
        CHAIR,
        title="Erhvervshusets bestyrelse",
        kind="proportional",
        body_name="Erhvervshusets bestyrelse",
    )
    await _as(kkr, declare_group, MEMBERS[1], election_id=election.id, name="V", members=TWELVE[:6])
    await _as(
        kkr, declare_group, MEMBERS[6], election_id=election.id, name="A+F", members=TWELVE[6:]
    )
    view = await _as(kkr, groups_view, MEMBERS[20], election_id=election.id)
    assert [(g.name, len(g.members), g.spokesperson, g.seats) for g in view.groups] == [
        ("V", 6, MEMBERS[1], None),
        ("A+F", 6, MEMBERS[6], None),
    ]
    with refused_with("not_allowed"):
        await _as(kkr, preview_shares, MEMBERS[1], election_id=election.id)
    preview = await _as(kkr, preview_shares, CHAIR, election_id=election.id)
    # The order waits for the lot, so the preview shows none (a throwaway draw would mislead).
    assert preview.lot_needed and preview.awards is None
    assert [(g.name, len(g.members), g.seats) for g in preview.groups] == [
        ("V", 6, None),
        ("A+F", 6, None),
    ]
    assert (await _as(kkr, groups_view, CHAIR, election_id=election.id)).awards is None
    with refused_with("lot_witness_needed"):
        await _as(kkr, share_seats, CHAIR, election_id=election.id, seed="x")
    awards = await _as(
        kkr, share_seats, CHAIR, election_id=election.id, seed="x", witness="Kirsten"
    )
    first = awards[0].group
    other = "A+F" if first == "V" else "V"
    assert [a.group for a in awards] == [first, other, first]
    # The group with two seats gives one up: it passes to the other, and both are told again.
    speaker = MEMBERS[1] if first == "V" else MEMBERS[6]
    told = len(await kkr.notices("election_seats"))
    await _as(kkr, renounce_seats, speaker, election_id=election.id, count=1)
    notices = (await kkr.notices("election_seats"))[told:]
    assert sorted((n.payload["group"], n.payload["seats"]) for n in notices) == sorted(
        [(first, 1), (other, 2)]
    )
    assert all(n.payload["election_id"] == election.id for n in notices)
    view = await _as(kkr, groups_view, CHAIR, election_id=election.id)
    assert {g.name: (g.seats, g.renounced) for g in view.groups} == {first: (1, 1), other: (2, 0)}
