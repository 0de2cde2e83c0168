"""Attendance through the real bot over HTTP (issue 5): absence and summons, the pinned quorum
message in the council's group, requests for a meeting, strangers, and bad input."""

from __future__ import annotations

import itertools
import time
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from models.tables import Attendance, Council, Meeting, Notice, Person
from services.actors import actor_for_person
from services.agenda_delivery import distribute_agenda
from services.agenda_prep import add_own_item
from services.attendance import answer_summons, report_absence, summon_substitute
from services.councils import create_council
from services.invites import issue_invites
from services.meeting_day import check_in
from services.members import import_members, parse_members_csv
from services.requests import request_meeting
from telegram_emulator.client import BotMessage, WaitTimeout
from tests.e2e.conftest import World, ask

MEMBER = "Anne Rasmussen"
SUBSTITUTE = "Trine Ulrich"
OTHER_SUBSTITUTE = "Freja Jakobsen"
CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"
MAYORS = [
    "Anders Gade", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm", "Rasmus Bach",
    "Steen Andersen", "Dagmar Hougaard", "Helle Damgaard", "Jonas Lauridsen", "Line Toft",
]  # fmt: skip


async def _first_meeting(world: World) -> Meeting:
    async with world.sessions() as session:
        return (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()  # type: ignore[return-value]


async def _as(world: World, name: str, service: Any, **kwargs: Any) -> Any:
    """A person acting through the services directly (setup that needs no Telegram round trip)."""
    async with world.sessions() as session, session.begin():
        person = (await session.exec(select(Person).where(Person.name == name))).first()
        assert person is not None
        actor = await actor_for_person(session, person.id or 0)
        return await service(session, actor=actor, now=world.clock(), **kwargs)


async def _press(world: World, user: int, chat: int, message: BotMessage, label: str) -> Any:
    query = await world.sim.press(user, chat, message["message_id"], label=label)
    return await world.sim.wait_for_answer(query, timeout=10)


async def _with_button(world: World, chat: int, label: str) -> BotMessage:
    """The first message in the chat that carries a button `label` (other notices may come
    before or between, e.g. on a busy machine)."""
    for count in range(1, 8):
        messages = await world.sim.wait_for_messages(chat, count, timeout=10)
        found = [m for m in messages if label in m.labels]
        if found:
            return found[0]
    raise AssertionError(f"no message with the button {label!r}")


async def _until(world: World, chat: int, message_id: int, text: str, timeout: float = 10) -> Any:
    """Wait (on the emulator) for the message to be edited until it shows `text`."""
    deadline = time.monotonic() + timeout
    message = await world.sim.message(chat, message_id)
    while text not in message["text"]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{text!r} never shown; last: {message['text']}")
        try:
            message = await world.sim.wait_for_edits(
                chat, message_id, message["edit_count"] + 1, timeout=left
            )
        except WaitTimeout as error:
            raise AssertionError(f"{text!r} never shown; last: {message['text']}") from error
    return message


async def _linked_group(world: World) -> tuple[int, int, BotMessage]:
    """The council's group with the bot as admin, linked by the secretary; the pinned message."""
    secretary = await world.link(SECRETARY)
    group = await world.sim.add_bot_to_group(secretary, "KKR Nordjylland", admin=True)
    await world.sim.send(secretary, "/tilknytgruppe", chat_id=group["id"])
    await world.sim.wait_for_messages(group["id"], 2, timeout=10)
    await world.sim.wait_for_calls("pinChatMessage", 1, chat_id=group["id"], timeout=10)
    [pinned] = [m for m in await world.sim.messages(group["id"]) if m["pinned"]]
    return group["id"], secretary, pinned


async def _distribute_first_agenda(world: World) -> Meeting:
    """The secretariat puts an item on the first meeting's agenda and it goes out (version 1)."""
    async with world.sessions() as session, session.begin():
        meeting = (await session.exec(select(Meeting).order_by(col(Meeting.starts_at)))).first()
        assert meeting is not None
        staff = await session.exec(select(Person).where(Person.name == SECRETARY))
        secretariat = await actor_for_person(session, staff.one().id or 0)
        assert secretariat is not None
        await add_own_item(
            session,
            actor=secretariat,
            meeting_id=meeting.id or 0,
            title="Sundhedsaftale",
            description="Orientering",
            material=[],
            now=world.clock(),
        )
        await distribute_agenda(
            session, actor=secretariat, meeting_id=meeting.id or 0, now=world.clock()
        )
    return meeting


async def test_a_member_reports_absence_summons_the_substitute_who_accepts_and_gets_the_agenda(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    substitute = await world.link(SUBSTITUTE)
    secretary = await world.link(SECRETARY)
    meeting = await _distribute_first_agenda(world)
    [prompt] = await world.say(member, "/afbud syg")
    assert "Hvilket møde" in prompt["text"] and "Begrundelse: syg" in prompt["text"]
    (label, data), _later = prompt.callback_data.items()  # the two coming meetings, soonest first
    assert data == f"att:{meeting.id}:abs" and "kl. 10.00" in label
    await _press(world, member, member, prompt, label)
    asked = await world.sim.wait_for_edits(member, prompt["message_id"], 1, timeout=10)
    assert "Vil du indkalde din stedfortræder Trine Ulrich?" in asked["text"]
    await _press(world, member, member, asked, "Ja, indkald Trine Ulrich")
    done = await world.sim.wait_for_edits(member, prompt["message_id"], 2, timeout=10)
    assert "Trine Ulrich er indkaldt" in done["text"]
    # greeting, summons with the meeting's .ics, and the agenda already distributed: its message
    # and its PDF
    received = await world.sim.wait_for_messages(substitute, 5, timeout=10)
    assert any(m["document"] and m["document"]["file_name"].endswith(".ics") for m in received)
    summons = next(m for m in received if "Indkaldelse" in (m["text"] or ""))
    assert any("Dagsorden" in (m["text"] or "") for m in received if m is not summons)
    assert any(m["document"] and m["document"]["file_name"].endswith(".pdf") for m in received)
    assert "Anne Rasmussen har forfald" in summons["text"]
    assert summons.labels == ["Acceptér", "Afslå"]
    # A double tap: the second press comes before the first one's edit removes the button.
    await world.sim.inject_fault("editMessageText", kind="latency", latency_ms=1500)
    answer = await _press(world, substitute, substitute, summons, "Acceptér")
    assert not answer["show_alert"]
    again = await _press(world, substitute, substitute, summons, "Acceptér")
    assert again["show_alert"] and "allerede accepteret" in again["text"]
    accepted = await world.sim.wait_for_edits(substitute, summons["message_id"], 1, timeout=10)
    assert "Du har accepteret at deltage i stedet for Anne Rasmussen" in accepted["text"]
    # greeting, the agenda (message and PDF), the /afbud prompt, then the answer
    told = await world.sim.wait_for_messages(member, 5, timeout=10)
    assert any("Trine Ulrich har accepteret" in (m["text"] or "") for m in told)
    # greeting, the agenda (message and PDF), the absence, then the answer
    staff = await world.sim.wait_for_messages(secretary, 5, timeout=10)
    texts = " ".join(m["text"] or "" for m in staff)
    assert "Afbud: Anne Rasmussen" in texts and "Begrundelse: syg" in texts
    assert "Trine Ulrich har accepteret" in texts
    async with world.sessions() as session:
        row = (await session.exec(select(Attendance))).one()
    assert row.substitute_answer == "accepted"


@pytest.mark.parametrize("live_interval", [1.0])  # production's debounce: one edit a second
async def test_the_pinned_quorum_message_flips_and_is_edited_not_resent(world: World) -> None:
    group, _secretary, pinned = await _linked_group(world)
    assert "Beslutningsdygtigt" in pinned["text"] and "22 af 22" in pinned["text"]
    meeting = await _first_meeting(world)
    for name in MAYORS:  # eleven absences reported beforehand: 11 of 22 still quorate
        await _as(world, name, report_absence, meeting_id=meeting.id)
    chair = await world.link(CHAIR)
    member = await world.link(MEMBER)
    shown = await _until(world, group, pinned["message_id"], "11 af 22")
    assert "✅ Beslutningsdygtigt" in shown["text"]
    # The twelfth absence, through the bot: not quorate any more.
    [prompt] = await world.say(member, "/afbud")
    await _press(world, member, member, prompt, prompt.labels[0])
    await _until(world, group, pinned["message_id"], "Ikke beslutningsdygtigt")
    alerts = await world.sim.wait_for_messages(chair, 2, timeout=10)
    assert any("forventes ikke længere at være beslutningsdygtigt" in m["text"] for m in alerts)
    # Withdrawn: quorate again.
    [choice] = await world.say(member, "/deltager")
    await _press(world, member, member, choice, choice.labels[0])
    shown = await _until(world, group, pinned["message_id"], "11 af 22")
    assert "✅ Beslutningsdygtigt" in shown["text"]
    # The day: the chair opens; check-ins come in, the last through the group's button.
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    [opened] = await world.say(chair, "/aabn")
    assert "Mødet er åbnet" in opened["text"]
    shown = await _until(world, group, pinned["message_id"], "Mødet er i gang")
    assert "Ikke beslutningsdygtigt" in shown["text"] and shown.labels == ["Tjek ind", "Tjek ud"]
    # The chair was checked in by opening the meeting; nine more, and the member by the button.
    for name in ["Ole Lindholm", "Line Toft", "Mette Juhl", "Mads Madsen", "Lene Overgaard",
                 "Viggo Krogh", "Otto Brix", "Tina Kragh", "Birgitte Bruun"]:  # fmt: skip
        await _as(world, name, check_in, meeting_id=meeting.id)
    await _until(world, group, pinned["message_id"], "Fremmødt: 10 af 22")
    answer = await _press(world, member, group, shown, "Tjek ind")
    assert "Tjekket ind: Anne Rasmussen" in answer["text"]
    shown = await _until(world, group, pinned["message_id"], "Fremmødt: 11 af 22")
    assert "✅ Beslutningsdygtigt" in shown["text"]
    # One message, edited: the group got the link reply and the pinned message, nothing more.
    in_group = await world.sim.messages(group)
    assert len(in_group) == 2
    assert shown["edit_count"] >= 5
    assert [m["message_id"] for m in in_group if m["pinned"]] == [pinned["message_id"]]
    # Debounced (R-Q2): the emulator's call log shows at most one edit of it in any second.
    edits = [
        call.time
        for call in await world.sim.calls("editMessageText", chat_id=group)
        if call.ok and int(call.params.get("message_id", 0)) == pinned["message_id"]
    ]
    assert len(edits) == shown["edit_count"]
    assert all(later - earlier >= 1.0 for earlier, later in itertools.pairwise(edits))
    # Closed: the message keeps the final count, and the pin moves on to the next meeting.
    await world.say(chair, "/luk")
    await _until(world, group, pinned["message_id"], "Mødet er lukket")
    await world.sim.wait_for_messages(group, 3, timeout=10)
    await world.sim.wait_for_calls("unpinChatMessage", 1, chat_id=group, timeout=10)
    in_group = await world.sim.messages(group)
    [following] = [m for m in in_group if m["pinned"]]
    assert following["message_id"] != pinned["message_id"] and "22 af 22" in following["text"]


async def test_a_third_of_the_members_asking_for_a_meeting_alerts_the_chair(world: World) -> None:
    chair = await world.link(CHAIR)
    for name in MAYORS[:7]:
        await _as(world, name, request_meeting, subject=f"Trafik ({name})")
    member = await world.link(MEMBER)
    [reply] = await world.say(member, "/anmod Kollektiv trafik i Vendsyssel")
    assert "8 medlemmer" in reply["text"] and "indkaldes" in reply["text"]
    messages = await world.sim.wait_for_messages(chair, 2, timeout=10)
    alert = messages[-1]["text"]
    assert "Der skal indkaldes til et ekstraordinært møde" in alert
    assert "Anne Rasmussen: Kollektiv trafik i Vendsyssel" in alert
    assert all(name in alert for name in MAYORS[:7])


async def test_a_stranger_and_a_member_of_another_council_learn_nothing(world: World) -> None:
    group, _secretary, pinned = await _linked_group(world)
    stranger = await world.add_person("Random Stranger")
    for text in ("/quorum", "/afbud", "/tjekind", "/anmod noget"):
        [reply] = await world.say(stranger, text)
        assert "inviteret" in reply["text"] and "Aalborg" not in reply["text"], text
    # A member of another council.
    async with world.sessions() as session, session.begin():
        other = await create_council(
            session, name="KKR Syddanmark", region="Syddanmark", municipalities=1, now=world.clock()
        )
        rows = parse_members_csv(
            "name,role,municipality,party,substitute_for,office,language\n"
            "Sven Syd,mayor,Vejle,V,,,da\n"
        )
        await import_members(session, council=other, rows=rows, now=world.clock())
        [invite] = await issue_invites(
            session, council=other, now=world.clock(), ttl=timedelta(days=1)
        )
    outsider = await world.add_person("Sven Syd")
    await world.say(outsider, f"/start {invite.token}")
    [reply] = await world.say(outsider, "/quorum")
    assert "Nordjylland" not in reply["text"] and "Aalborg" not in reply["text"]
    meeting = await _first_meeting(world)
    chair = await world.link(CHAIR)  # before the invitation expires
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    [opened] = await world.say(chair, "/aabn")
    assert "Mødet er åbnet" in opened["text"], opened["text"]
    shown = await _until(world, group, pinned["message_id"], "Mødet er i gang")
    answer = await _press(world, stranger, group, shown, "Tjek ind")
    assert answer["show_alert"] and "inviteret" in answer["text"]
    answer = await _press(world, outsider, group, shown, "Tjek ind")
    assert answer["show_alert"] and "kunne jeg ikke finde" in answer["text"]
    assert "Nordjylland" not in answer["text"]
    async with world.sessions() as session:
        rows = (await session.exec(select(Attendance))).all()
    assert [r.status for r in rows] == ["present"]  # only the chair, checked in by opening


async def test_bad_input_is_answered_clearly_and_changes_nothing(world: World) -> None:
    member = await world.link(MEMBER)
    substitute = await world.link(SUBSTITUTE)
    other_substitute = await world.link(OTHER_SUBSTITUTE)
    [old_prompt] = await world.say(member, "/afbud")
    [prompt] = await world.say(member, "/afbud")
    await _press(world, member, member, prompt, prompt.labels[0])
    asked = await world.sim.wait_for_edits(member, prompt["message_id"], 1, timeout=10)
    await _press(world, member, member, asked, "Ja, indkald Trine Ulrich")
    summons = await _with_button(world, substitute, "Acceptér")
    # The summons forwarded to another substitute, who presses Accept.
    answer = await _press(world, other_substitute, substitute, summons, "Acceptér")
    assert answer["show_alert"] and "ikke til dig" in answer["text"]
    assert (await world.sim.message(substitute, summons["message_id"]))["edit_count"] == 0
    # The member's older prompt pressed as well: already absent.
    meeting = await _first_meeting(world)
    again = await _press(world, member, member, old_prompt, old_prompt.labels[0])
    assert again["show_alert"] and "allerede meldt afbud" in again["text"]
    # A leave ending before it starts.
    [reply] = await world.say(member, "/orlov 1.6.2027 1.2.2027")
    assert "slutdato skal ligge efter" in reply["text"]
    # Checking in another member, on the day.
    chair = await world.link(CHAIR)
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    await world.say(chair, "/aabn")
    [reply] = await world.say(member, "/tjekind Gorm Iversen")
    assert "kun tjekke dig selv" in reply["text"]
    # A button pressed after the meeting.
    [closed] = await world.say(chair, "/luk")
    assert "Mødet er lukket" in closed["text"]
    late = await _press(world, substitute, substitute, summons, "Acceptér")
    assert late["show_alert"] and "Mødet er slut" in late["text"]
    async with world.sessions() as session:
        rows = (await session.exec(select(Attendance))).all()
        council = (await session.exec(select(Council))).first()
    assert council is not None
    shown = sorted((r.status, r.substitute_answer) for r in rows)
    assert shown == [("absent", "pending"), ("present", "not_summoned")]  # the chair opened it


async def test_the_reason_given_with_afbud_is_recorded_with_the_absence(world: World) -> None:
    member = await world.link(MEMBER)
    [prompt] = await world.say(member, "/afbud sygdom i familien")
    assert "Begrundelse: sygdom i familien" in prompt["text"]
    await _press(world, member, member, prompt, prompt.labels[0])
    await world.sim.wait_for_edits(member, prompt["message_id"], 1, timeout=10)
    async with world.sessions() as session:
        [row] = (await session.exec(select(Attendance))).all()
    assert row.status == "absent" and row.absence_reason == "sygdom i familien"


async def test_the_secretariat_reports_an_absence_phoned_in_and_summons_the_substitute(
    world: World,
) -> None:
    secretary = await world.link(SECRETARY)
    member = await world.link(MEMBER)
    substitute = await world.link(SUBSTITUTE)
    [usage] = await world.say(secretary, "/afbud")
    assert "/afbud NAVN" in usage["text"]
    [unknown] = await world.say(secretary, "/afbud Hr. Nielsen")
    assert "Intet medlem af rådet hedder Hr. Nielsen" in unknown["text"]
    [prompt] = await world.say(secretary, "/afbud anne rasmussen; ringede i morges")
    assert "Hvilket møde kan Anne Rasmussen ikke deltage i?" in prompt["text"]
    assert "Begrundelse: ringede i morges" in prompt["text"]
    await _press(world, secretary, secretary, prompt, prompt.labels[0])
    asked = await _until(world, secretary, prompt["message_id"], "Vil du indkalde stedfortræderen")
    await _press(world, secretary, secretary, asked, f"Ja, indkald {SUBSTITUTE}")
    await _until(world, secretary, prompt["message_id"], "er indkaldt")
    told = await world.sim.wait_for_messages(member, 2, timeout=10)
    assert "Kirsten Holm-Jensen har meldt afbud for dig" in told[-1]["text"]
    received = await world.sim.wait_for_messages(substitute, 3, timeout=10)  # and the .ics
    summons = next(m for m in received if "har forfald" in (m["text"] or ""))
    assert f"{MEMBER} har forfald" in summons["text"]
    async with world.sessions() as session:
        [row] = (await session.exec(select(Attendance))).all()
    assert (row.status, row.absence_reason, row.substitute_answer) == (
        "absent",
        "ringede i morges",
        "pending",
    )


async def test_a_substitute_who_has_not_answered_is_reminded_with_the_buttons(world: World) -> None:
    member = await world.link(MEMBER)
    substitute = await world.link(SUBSTITUTE)
    meeting = await _first_meeting(world)
    [prompt] = await world.say(member, "/afbud")
    await _press(world, member, member, prompt, prompt.labels[0])
    asked = await _until(world, member, prompt["message_id"], "Vil du indkalde din stedfortræder")
    await _press(world, member, member, asked, f"Ja, indkald {SUBSTITUTE}")
    await world.sim.wait_for_messages(substitute, 3, timeout=10)  # greeting, summons, its .ics
    world.clock.now = meeting.starts_at - timedelta(hours=48 + 24)  # a day before the deadline
    await world.sweep()
    reminder = (await world.sim.wait_for_messages(substitute, 4, timeout=10))[-1]
    assert "Påmindelse — indkaldelse" in reminder["text"]
    assert reminder.labels == ["Acceptér", "Afslå"]
    await _press(world, substitute, substitute, reminder, "Acceptér")
    await _until(world, substitute, reminder["message_id"], "Du har accepteret")
    await world.sweep()  # once only, and never after the answer
    async with world.sessions() as session:
        reminders = (
            await session.exec(select(Notice).where(Notice.kind == "summons_reminder"))
        ).all()
    assert len(reminders) == 1


async def test_the_vice_chair_is_acting_chair_when_the_chair_is_absent_and_can_close(
    world: World,
) -> None:
    """R-P3: the group's message and the /aabn reply name the acting chair, who may /luk."""
    meeting = await _first_meeting(world)
    await _as(world, CHAIR, report_absence, meeting_id=meeting.id)
    group, _secretary, pinned = await _linked_group(world)
    acting = "Formanden har meldt afbud: Ole Lindholm (næstformand) er fungerende formand."
    assert acting in pinned["text"]
    vice = await world.link("Ole Lindholm")
    world.clock.now = meeting.starts_at - timedelta(minutes=30)
    [opened] = await world.say(vice, "/aabn")
    assert "Mødet er åbnet" in opened["text"]
    assert "Ole Lindholm leder mødet som fungerende formand" in opened["text"]
    shown = await _until(world, group, pinned["message_id"], "Mødet er i gang")
    assert acting in shown["text"]
    [closed] = await world.say(vice, "/luk")
    assert "Mødet er lukket" in closed["text"]
    async with world.sessions() as session:
        assert (await session.get(Meeting, meeting.id)).status == "closed"  # type: ignore[union-attr]


async def test_the_secretariat_sees_who_attended_for_whom_and_when(world: World) -> None:
    """R-Q4: /fremmoede lists those present, who stood in for whom and who was absent."""
    meeting = await _first_meeting(world)
    secretary = await world.link(SECRETARY)
    await ask(world, secretary, "/fremmoede", "Der er endnu ikke åbnet et møde")
    await _as(world, MEMBER, report_absence, meeting_id=meeting.id)
    await _as(world, MEMBER, summon_substitute, meeting_id=meeting.id)
    await _as(world, SUBSTITUTE, answer_summons, meeting_id=meeting.id, accept=True)
    await _as(world, "Anders Gade", report_absence, meeting_id=meeting.id)
    chair, substitute = await world.link(CHAIR), await world.link(SUBSTITUTE)
    member = await world.link("Line Toft")  # before the invitations expire
    world.clock.now = meeting.starts_at - timedelta(minutes=5)
    await world.say(chair, "/aabn")
    await world.say(chair, "/tjekind")
    await world.say(substitute, "/tjekind")
    text = (await ask(world, secretary, "/fremmoede", "Fremmøde")).text or ""
    assert "Fremmøde — KKR Nordjylland" in text and "mødet er i gang" in text
    assert "Mødt personligt (1): Gorm Iversen" in text
    assert "Trine Ulrich for Anne Rasmussen" in text
    assert "Endnu ikke tjekket ind" in text and "Anders Gade" in text
    assert "Gorm Iversen: 09:55–" in text and "Trine Ulrich: 09:55–" in text
    await world.say(chair, "/luk")
    closed = (await ask(world, secretary, "/fremmoede", "Fremmøde")).text or ""
    assert "mødet er i gang" not in closed and "Fraværende uden afbud" in closed
    assert (
        "Fraværende med afbud" in closed and "Anders Gade — ingen stedfortræder indkaldt" in closed
    )
    assert "Gorm Iversen: 09:55–09:55" in closed, "left at the close"
    refused = (await ask(world, member, "/fremmoede", "din rolle")).text or ""
    assert "Fremmøde" not in refused and "Trine" not in refused
