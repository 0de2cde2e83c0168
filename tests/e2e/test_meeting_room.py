"""The meeting room through the real bot over HTTP (issue 12): the chair steps through the items,
one is decided without a vote, one by the members' private votes with a tie the chair breaks;
a stranger and an observer cannot vote, and a second press changes a vote, never adds one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import col, select

from models.enums import ItemStatus
from models.meeting_room import Ballot, Decision, Election
from models.tables import AgendaItem, Council, Meeting, Membership, Person
from services.actors import actor_for_person
from services.appointments import import_bodies, parse_bodies_csv, record_appointment
from services.councillors import import_councillors, parse_councillors_csv
from services.invites import issue_invites
from services.meeting_day import check_in
from telegram_emulator.client import BotMessage
from tests.e2e.conftest import World, ask, reply_containing

CHAIR = "Gorm Iversen"
OTHERS = [
    "Anders Gade", "Ole Lindholm", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm",
    "Rasmus Bach", "Steen Andersen", "Dagmar Hougaard", "Helle Damgaard", "Jonas Lauridsen",
]  # fmt: skip
OBSERVER = "Olga Observatør"
SECRETARY = "Kirsten Holm-Jensen"


async def _meeting(world: World) -> Meeting:
    async with world.sessions() as session:
        found = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
    assert found is not None
    return found


async def _as(world: World, name: str, service: Any, **kwargs: Any) -> Any:
    async with world.sessions() as session, session.begin():
        person = (await session.exec(select(Person).where(Person.name == name))).one()
        actor = await actor_for_person(session, person.id or 0)
        return await service(session, actor=actor, now=world.clock(), **kwargs)


LATE = "Jonas Lauridsen"  # checks in only once the vote is open


async def _register(world: World) -> None:
    """The body of two seats and the region's councillors who may be appointed (R-E3, R-E4)."""
    async with world.sessions() as session, session.begin():
        council = (await session.exec(select(Council))).one()
        await import_bodies(
            session,
            council=council,
            rows=parse_bodies_csv("name,seats\nSundhedskoordinationsudvalget,2\n"),
        )
        await import_councillors(
            session,
            council=council,
            rows=parse_councillors_csv(
                "name,municipality,party,region\nMaja Holm,Aalborg,A,\nPia Lund,Hjørring,V,\n"
                "Jens Kofoed,Thisted,V,\n"
            ),
            now=world.clock(),
        )


async def _setup(world: World, *, late: str | None = None) -> tuple[int, dict[str, int], int, int]:
    """Three items, the meeting open with the chair and eleven others checked in (but `late`),
    an observer, the register's body and councillors."""
    meeting = await _meeting(world)
    chair = await world.link(CHAIR)
    members = {name: await world.link(name) for name in OTHERS}
    async with world.sessions() as session, session.begin():
        for position, title in enumerate(("Budget", "Veje", "Eventuelt"), start=1):
            session.add(
                AgendaItem(
                    meeting_id=meeting.id or 0,
                    position=position,
                    title=title,
                    submitted_at=world.clock(),
                    status=ItemStatus.ACCEPTED,
                )
            )
        observer = Person(council_id=meeting.council_id, name=OBSERVER)
        session.add(observer)
        await session.flush()
        session.add(
            Membership(council_id=meeting.council_id, person_id=observer.id or 0, role="observer")
        )
        council = await session.get(Council, meeting.council_id)
        assert council is not None
        invites = await issue_invites(
            session, council=council, now=world.clock(), ttl=timedelta(days=1)
        )
    token = next(i.token for i in invites if i.person_name == OBSERVER)
    observer_id = await world.add_person(OBSERVER)
    await world.say(observer_id, f"/start {token}")
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    [opened] = await world.say(chair, "/aabn")
    assert "Mødet er åbnet" in opened["text"], opened["text"]
    for name in OTHERS:  # the chair came by opening it
        if name != late:
            await _as(world, name, check_in, meeting_id=meeting.id)
    stranger = await world.add_person("Random Stranger")
    await _register(world)
    return chair, members, observer_id, stranger


async def _press(world: World, user: int, chat: int, message: BotMessage, label: str) -> Any:
    query = await world.sim.press(user, chat, message["message_id"], label=label)
    return await world.sim.wait_for_answer(query, timeout=10)


async def _latest_with(world: World, chat: int, text: str, timeout: float = 10) -> BotMessage:
    """The chat's newest message containing `text` (a notice may take a moment to go out)."""
    for count in range(1, 30):
        messages = await world.sim.wait_for_messages(chat, count, timeout=timeout)
        found = [m for m in messages if text in (m.text or "")]
        if found:
            return found[-1]
    raise AssertionError(f"no message with {text!r} in {chat}")


async def test_the_chair_leads_three_items_decided_voted_with_a_tie_and_by_dhondt(
    world: World,
) -> None:
    chair, members, observer, stranger = await _setup(world, late=LATE)
    panel = await ask(world, chair, "/punkt næste", "Mødets punkter")
    assert "▶ 1. Budget" in panel["text"], panel["text"]
    answer = await _press(world, chair, chair, panel, "Godkendt")
    assert not answer["show_alert"]
    decided = await world.sim.message(chair, panel["message_id"])
    assert "Budget — ✅ Godkendt" in decided["text"]
    await _press(world, chair, chair, decided, "Næste ▶")
    moved = await world.sim.message(chair, panel["message_id"])
    assert "▶ 2. Veje" in moved["text"]

    opened = await ask(
        world, chair, "/afstemning navngivet Skal vejplanen godkendes?", "Afstemningen er åben"
    )
    # The member who arrives after the vote opened gets the ballot at once.
    await ask(world, members[LATE], "/tjekind", LATE)
    ballots = {
        name: await _latest_with(world, user, "Skal vejplanen") for name, user in members.items()
    }
    own = await _latest_with(world, chair, "Afstemning: Skal vejplanen")
    # Five for, five against, one abstains; the chair abstains too: a tie the chair must break.
    names = list(members)
    choices = {n: "For" for n in names[:5]} | {n: "Imod" for n in names[5:10]}
    choices[names[10]] = "Undlader"
    first = await _press(world, members[names[0]], members[names[0]], ballots[names[0]], "Imod")
    assert "Din stemme: Imod" in first["text"]
    for name, label in choices.items():
        answer = await _press(world, members[name], members[name], ballots[name], label)
        assert not answer["show_alert"], answer["text"]
    # A second press changes the vote, never adds one.
    assert (
        "ændret til: For"
        in (await _press(world, members[names[0]], members[names[0]], ballots[names[0]], "For"))[
            "text"
        ]
    )
    await _press(world, chair, chair, own, "Undlader")
    # Neither the observer nor a stranger can vote, even with the button in hand.
    refused = await _press(world, observer, members[names[1]], ballots[names[1]], "Imod")
    assert refused["show_alert"]
    refused = await _press(world, stranger, members[names[1]], ballots[names[1]], "Imod")
    assert refused["show_alert"] and "inviteret" in refused["text"]
    async with world.sessions() as session:
        assert len((await session.exec(select(Ballot))).all()) == 12

    await _press(world, chair, chair, opened, "Afslut afstemningen")
    tie = await world.sim.message(chair, opened["message_id"])
    assert "Stemmelighed: 5 for, 5 imod" in tie["text"], tie["text"]
    casting = await _latest_with(world, chair, "Afgiv den venligst")
    await _press(world, chair, chair, casting, "For")
    result = await world.sim.message(chair, casting["message_id"])
    assert "Vedtaget: for 5, imod 5, undlod 2" in result["text"], result["text"]
    assert "Formandens stemme var udslagsgivende" in result["text"]

    panel = await ask(world, chair, "/punkt næste", "Mødets punkter")
    assert "▶ 3. Eventuelt" in panel["text"], panel["text"]
    await _appoint_by_dhondt_in_chat(world, chair, members)
    async with world.sessions() as session:
        decisions = (await session.exec(select(Decision).order_by(col(Decision.id)))).all()
    assert [d.text for d in decisions] == ["Godkendt", "Vedtaget: Skal vejplanen godkendes?"]
    assert decisions[1].casting_vote == "yes" and decisions[1].votes_abstain == 2
    named = {b["choice"] for b in decisions[1].named_ballots or []}
    assert (
        decisions[1].named
        and len(decisions[1].named_ballots or []) == 12
        and named
        == {
            "yes",
            "no",
            "abstain",
        }
    )


async def _confirm(world: World, user: int, prompt: str, label: str, expect: str) -> BotMessage:
    """Press `label` under the bot's latest question containing `prompt`; the answer with `expect`."""
    question = await _latest_with(world, user, prompt)
    before = len(await world.sim.messages(user))
    answer = await _press(world, user, user, question, label)
    assert not answer["show_alert"], answer["text"]
    return await reply_containing(world, user, before, expect)


async def _appoint_by_dhondt_in_chat(world: World, chair: int, members: dict[str, int]) -> None:
    """R-E2 on item 3: groups declare, the bot shows their member counts and the d'Hondt order,
    the chair confirms the sharing, each spokesperson is told the group's seats and, from the
    notice's buttons, names who takes one or renounces one (which passes on) — each confirmed."""
    await ask(world, chair, "/valg forholdstal Sundhedskoordinationsudvalget", "2 pladser")
    v_group = "Anders Gade, Ole Lindholm, Pia Lund, Karen Vestergaard, Rasmus Bach, Steen Andersen"
    declared = await ask(
        world, members["Anders Gade"], f"/valg gruppe V: {v_group}, Dagmar Hougaard", "ordfører"
    )
    assert "V: 7 medlemmer (ordfører Anders Gade)" in declared["text"], declared["text"]
    allied = "Gorm Iversen, Lars Storm, Jonas Lauridsen, Line Toft, Helle Damgaard"
    await ask(world, members["Lars Storm"], f"/valg gruppe A+F: {allied}", "5 medlemmer")
    groups = await ask(world, members["Nanna Mose"], "/valg grupper", "Valg:")
    assert "A+F: 5 medlemmer" in groups["text"] and "7 medlemmer" in groups["text"]
    preview = await ask(world, chair, "/valg fordel", "Skal pladserne fordeles sådan?")
    assert "1. V (kvotient 7)" in preview["text"] and "2. A+F (kvotient 5)" in preview["text"]
    shared = await _confirm(
        world, chair, "Skal pladserne fordeles", "Fordel pladserne", "(ordfører Anders Gade) —"
    )
    assert "V: 7 medlemmer (ordfører Anders Gade) — 1 plads" in shared["text"], shared["text"]
    # Each spokesperson is told the group's seats, with buttons.
    v_user, af_user = members["Anders Gade"], members["Lars Storm"]
    told = await _latest_with(world, v_user, "Jeres gruppe V har fået tildelt pladser: 1")
    await _press(world, v_user, v_user, told, "Udpeg til en plads")
    await _latest_with(world, v_user, "Hvem skal have gruppens næste plads?")
    await world.sim.send(v_user, "Pia Lund")
    named = await _confirm(world, v_user, "Skal Pia Lund have", "Udpeg", "får plads")
    assert "Pia Lund får plads 1." in named["text"]
    told = await _latest_with(world, af_user, "Jeres gruppe A+F har fået tildelt pladser: 1")
    await _press(world, af_user, af_user, told, "Giv afkald på pladser")
    await _latest_with(world, af_user, "Hvor mange af sine pladser")
    await world.sim.send(af_user, "1")
    renounced = await _confirm(
        world, af_user, "Give afkald på 1", "Giv afkald", "V: 7 medlemmer (ordfører Anders Gade)"
    )
    assert "V: 7 medlemmer (ordfører Anders Gade) — 2 pladser" in renounced["text"]
    await _latest_with(world, af_user, "Jeres gruppe A+F har nu ingen plads")
    assert "2. V (kvotient 7/2)" in renounced["text"], renounced["text"]
    await _latest_with(world, v_user, "Jeres gruppe V har fået tildelt pladser: 2")
    await ask(world, v_user, "/valg udpeg Jens Kofoed", "Skal Jens Kofoed have")
    await _confirm(world, v_user, "Skal Jens Kofoed have", "Udpeg", "Jens Kofoed får plads 2.")
    register = await ask(
        world, members["Nanna Mose"], "/udpegninger", "Sundhedskoordinationsudvalget"
    )
    assert "Pia Lund (Hjørring, V) — valgt ved forholdstalsvalg, kvotient 7" in register["text"]
    assert "Jens Kofoed (Thisted, V) — valgt ved forholdstalsvalg, kvotient 7/2" in register["text"]


async def test_corrections_in_the_room_a_decision_a_candidate_an_appointment(
    world: World,
) -> None:
    secretary = await world.link(SECRETARY)
    chair, members, _observer, _stranger = await _setup(world)
    panel = await ask(world, chair, "/punkt næste", "Mødets punkter")
    await _press(world, chair, chair, panel, "Godkendt")
    reworded = await ask(world, chair, "/beslut ret 1 Godkendt med bemærkninger", "lyder nu")
    assert "Godkendt med bemærkninger" in reworded["text"]
    await ask(world, chair, "/punkt 3", "Mødets punkter")
    await ask(world, chair, "/valg Repræsentant i Erhvervshuset", "er åbnet")
    for name in ("Maja Holm", "Jens Kofoed"):
        await ask(world, members["Anders Gade"], f"/valg kandidat {name}", "er kandidat")
    await ask(world, chair, "/valg træk Jens Kofoed", "Skal Jens Kofoed trækkes")
    await _confirm(
        world, chair, "Skal Jens Kofoed trækkes", "Træk kandidaten", "ikke længere kandidat"
    )
    await ask(world, chair, "/valg runde", "afstemning er åben")
    ballot = await _latest_with(world, members["Ole Lindholm"], "Repræsentant i Erhvervshuset")
    labels = [b["text"] for row in ballot["reply_markup"]["inline_keyboard"] for b in row]
    assert "Maja Holm" in labels and "Jens Kofoed" not in labels
    # The secretariat ends an appointment from the register's buttons, after confirming.
    async with world.sessions() as session, session.begin():
        person = (await session.exec(select(Person).where(Person.name == SECRETARY))).one()
        await record_appointment(
            session,
            actor=await actor_for_person(session, person.id or 0),
            now=world.clock(),
            body_name="Sundhedskoordinationsudvalget",
            name="Pia Lund",
        )
    refused = await ask(world, members["Anders Gade"], "/udpegninger afslut", "")
    choice = await ask(world, secretary, "/udpegninger afslut", "Hvilken udpegning ophører?")
    await _press(world, secretary, secretary, choice, "Sundhedskoordinationsudvalget 1: Pia Lund")
    await _confirm(
        world, secretary, "Skal udpegningen af Pia Lund", "Afslut udpegningen", "er ophørt"
    )
    register = await ask(world, secretary, "/udpegninger", "Udpegninger")
    assert "Pia Lund" not in register["text"], register["text"]
    assert not refused.get("reply_markup"), refused  # a member is refused: no buttons


async def test_equal_quotients_are_settled_by_a_lot_drawn_before_a_witness_named_in_chat(
    world: World,
) -> None:
    chair, members, _observer, _stranger = await _setup(world)
    await ask(world, chair, "/punkt 3", "Mødets punkter")
    await ask(world, chair, "/valg forholdstal Sundhedskoordinationsudvalget", "2 pladser")
    names = list(members)
    v_group, af_group = ", ".join(names[:6]), ", ".join([CHAIR, *names[6:11]])
    await ask(world, members[names[0]], f"/valg gruppe V: {v_group}", "6 medlemmer")
    await ask(world, members[names[6]], f"/valg gruppe A+F: {af_group}", "6 medlemmer")
    await ask(world, chair, "/valg fordel", "Skriv navnet på den, der overværer lodtrækningen")
    confirm = await ask(world, chair, "Kirsten Holm-Jensen", "Skal pladserne fordeles sådan?")
    assert "afgøres ved lodtrækning foran et vidne" in confirm["text"], confirm["text"]
    assert "(kvotient" not in confirm["text"]  # no order is shown before the lot is drawn
    shared = await _confirm(
        world, chair, "Skal pladserne fordeles", "Fordel pladserne", "— 1 plads"
    )
    assert shared["text"].count("— 1 plads") == 2, shared["text"]
    async with world.sessions() as session:
        election = (await session.exec(select(Election))).one()
    assert election.lot_witness == "Kirsten Holm-Jensen" and election.lot_seed
    assert [s["quotient"] for s in election.result or []] == ["6", "6"]
