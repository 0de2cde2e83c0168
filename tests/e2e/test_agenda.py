"""The agenda cycle through the real bot over HTTP: a member proposes with a document, the chair
orders and approves, the sweep distributes at the R-D2 moment, everyone gets exactly one agenda;
late proposals, extraordinary meetings and bad input answered clearly."""

from __future__ import annotations

import asyncio
import re
import zlib
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models.tables import AgendaItem, Material, Meeting, Notice
from telegram_emulator.client import BotMessage
from tests.e2e.conftest import World, ask, reply_containing

MEMBER = "Anne Rasmussen"
OTHER = "Line Toft"
CHAIR = "Gorm Iversen"
SECRETARY = "Kirsten Holm-Jensen"
RECIPIENTS = 24  # R-P6: 11 mayors, 11 members, 2 secretaries
# The first demo meeting: Tuesday 8 December 2026, 10:00 in Copenhagen.
PROPOSAL_DEADLINE = datetime(2026, 11, 28, 22, 59, 59, tzinfo=UTC)  # 23:59:59 local
AUTO_DISTRIBUTION = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)  # 09:00 local on the R-D2 day


async def press(world: World, user: int, message: BotMessage | dict, label: str) -> None:
    query = await world.sim.press(user, user, message["message_id"], label=label)
    await world.sim.wait_for_answer(query, timeout=10)


async def last_with_buttons(world: World, user: int) -> BotMessage:
    return [m for m in await world.sim.messages(user) if m.labels][-1]


async def press_for_reply(
    world: World, user: int, message: BotMessage | dict, label: str, expect: str = ""
) -> BotMessage:
    """Press a button and wait for the new message it brings (the one containing `expect`)."""
    before = len(await world.sim.messages(user))
    await press(world, user, message, label)
    return await reply_containing(world, user, before, expect)


async def ask_for_material(world: World, user: int, overview: BotMessage, number: int = 1):  # type: ignore[no-untyped-def]
    """Tilføj bilag, then the item's number in the picker: the material step's prompt."""
    await press(world, user, overview, "Tilføj bilag")
    await world.sim.wait_for_edits(user, overview["message_id"], 1, timeout=10)
    return await press_for_reply(world, user, overview, str(number), "bilagene")


async def propose(
    world: World,
    user: int,
    title: str = "Fælles busplan",
    *,
    document: bool = True,
    send_at: datetime | None = None,
) -> list[BotMessage]:
    """The /foreslaa conversation with one document (or none), confirmed at `send_at` if given."""
    [offer] = await world.say(user, "/foreslaa")
    assert "Hvilket møde" in offer["text"] and "forslag senest" in offer["text"]
    await press_for_reply(world, user, offer, offer.labels[0])
    await world.say(user, title)
    [ask_material] = await world.say(user, "Regionen og kommunerne koordinerer busruterna.")
    assert "bilag" in ask_material["text"].lower()
    if document:
        before = len(await world.sim.messages(user))
        await world.sim.send_document(
            user, "busplan.pdf", b"%PDF-1.4 busplan", mime_type="application/pdf"
        )
        [received] = (await world.sim.wait_for_messages(user, before + 1, timeout=10))[before:]
        assert "busplan.pdf" in received["text"]
        confirm = await press_for_reply(world, user, received, "Færdig")
    else:
        confirm = await press_for_reply(world, user, ask_material, "Ingen bilag")
    assert title in confirm["text"]
    if send_at is not None:
        world.clock.now = send_at
    return [await press_for_reply(world, user, confirm, "Send forslaget")]


async def distribute(world: World, user: int) -> BotMessage:
    """/udsend, shown first (to how many), then confirmed: the agenda goes out."""
    offer = await ask(world, user, "/udsend", "sendes til")
    return await press_for_reply(world, user, offer, offer.labels[0], "på vej")


async def agenda_messages(world: World, user: int) -> list[BotMessage]:
    return [
        m
        for m in await world.sim.messages(user)
        if (m.text and "Dagsorden for mødet" in m.text)
        or (m.document and m.document["file_name"].startswith("dagsorden-"))
    ]


async def test_the_whole_cycle_from_proposal_to_one_agenda_for_everyone(world: World) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    secretary = await world.link(SECRETARY)
    other = await world.link(OTHER)
    [receipt] = await propose(world, member)
    assert "Tak" in receipt["text"] and "Fælles busplan" in receipt["text"]
    told = await world.sim.wait_for_messages(secretary, 2, timeout=10)
    assert "Anne Rasmussen foreslår: Fælles busplan" in told[-1]["text"]
    await propose(world, other, title="Erhvervsfremme")

    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    assert overview["text"].index("Fælles busplan") < overview["text"].index("Erhvervsfremme")
    # R-M4: pick the item, move it, done (issue 17: one picker however long the agenda)
    for edits, label in enumerate(("↕ Ændr rækkefølgen", "1", "↓ Ned", "Færdig"), start=1):
        await press(world, chair, overview, label)
        edited = await world.sim.wait_for_edits(chair, overview["message_id"], edits, timeout=10)
        if label == "↓ Ned":
            assert "Fælles busplan er nu punkt 2." in edited["text"]
    assert edited["text"].index("Erhvervsfremme") < edited["text"].index("Fælles busplan")
    await press(world, chair, edited, "Godkend")
    approved = await world.sim.wait_for_edits(chair, overview["message_id"], 5, timeout=10)
    assert "Godkendt" in approved["text"]

    world.clock.now = AUTO_DISTRIBUTION - timedelta(seconds=1)
    await world.sweep()
    world.clock.now = AUTO_DISTRIBUTION
    before = len(await world.sim.messages(member))
    await world.sweep()
    received = await world.sim.wait_for_messages(member, before + 3, timeout=20)
    text, pdf, material = received[before:]
    assert "Dagsorden for mødet i KKR Nordjylland" in text["text"]
    assert text["text"].index("1. Erhvervsfremme") < text["text"].index("2. Fælles busplan")
    assert pdf["document"]["file_name"] == "dagsorden-2026-12-08-v1.pdf"
    assert (await world.sim.file_content(pdf["document"]["file_id"])).startswith(b"%PDF")
    assert material["document"]["file_name"] == "busplan.pdf"
    await world.sweep()  # again: nothing twice
    for user in (member, chair, secretary, other):
        # The outbox sends in batches: each has the agenda once its PDF has gone out to them.
        await world.sim.wait_for_calls("sendDocument", 1, chat_id=user, timeout=10)
        agenda = await agenda_messages(world, user)
        assert [bool(m.document) for m in agenda] == [False, True], user
    async with world.sessions() as session:
        notices = (await session.exec(select(Notice).where(Notice.kind == "agenda"))).all()
    assert len(notices) == RECIPIENTS == len({n.person_id for n in notices})


async def test_the_distribute_button_pressed_again_says_it_has_gone_out(world: World) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    await propose(world, member)
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    offer = await press_for_reply(world, chair, overview, "Udsend nu", "sendes til 24 personer")
    assert offer.labels == ["Send den nu"]  # nothing goes out on one tap
    sent = await press_for_reply(world, chair, offer, "Send den nu", "på vej")
    assert "er på vej til 24 personer" in sent["text"]
    query = await world.sim.press(chair, chair, overview["message_id"], label="Udsend nu")
    again = await world.sim.wait_for_answer(query, timeout=10)
    assert "allerede udsendt (version 1)" in (again.text or "") and again.show_alert


async def test_a_member_pressing_distribute_gets_one_answer_the_refusal(world: World) -> None:
    member = await world.link(MEMBER)
    async with world.sessions() as session:
        meeting_id = (await session.exec(select(Meeting.id).order_by(Meeting.starts_at))).first()
    greeting = (await world.sim.messages(member))[-1]
    before = len(await world.sim.messages(member))
    query = await world.sim.press(
        member, member, greeting.message_id, data=f"ag:{meeting_id}:dist", forged=True
    )
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert "Formanden og sekretariatet" in (answer.text or "") and answer.show_alert
    await asyncio.sleep(0.3)  # anything said after the answer would show up by now
    assert len(await world.sim.messages(member)) == before  # nothing more in the chat
    calls = await world.sim.calls("answerCallbackQuery")
    assert [c.status for c in calls if c.params.get("callback_query_id") == query] == [200]


async def test_a_late_proposal_is_refused_with_the_deadline_in_local_time(world: World) -> None:
    member = await world.link(MEMBER)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0])
    await world.say(member, "Sent forslag")
    await world.say(member, "Beskrivelse")
    world.clock.now = PROPOSAL_DEADLINE + timedelta(seconds=1)  # the member was slow
    ask = await last_with_buttons(world, member)
    confirm = await press_for_reply(world, member, ask, "Ingen bilag")
    refused = await press_for_reply(world, member, confirm, "Send forslaget")
    assert "lørdag den 28. november 2026 kl. 23.59" in refused["text"]
    assert "formanden kan stadig optage det" in refused["text"].lower()


async def test_propose_after_every_deadline_states_the_deadline_that_passed(world: World) -> None:
    member = await world.link(MEMBER)
    world.clock.advance(timedelta(days=41))
    [reply] = await world.say(member, "/foreslaa")
    assert "Fristen for forslag til mødet" in reply["text"] and "formanden" in reply["text"]
    world.clock.advance(timedelta(days=10))
    [reply] = await world.say(member, "/propose")
    assert "intet ordinært møde" in reply["text"].lower()


async def test_an_extraordinary_meeting_summons_everyone_at_once(world: World) -> None:
    chair = await world.link(CHAIR)
    member = await world.link(MEMBER)
    [reply] = await world.say(chair, "/indkald 2026-11-26 15:00; Online; Akut: sygehusplanen")
    assert "indkaldt" in reply["text"] and "24 personer" in reply["text"]
    received = await world.sim.wait_for_messages(member, 3, timeout=20)
    summons, pdf = received[1], received[2]
    assert "Indkaldelse: ekstraordinært møde i KKR Nordjylland" in summons["text"]
    assert "Akut: sygehusplanen" in summons["text"]
    assert pdf["document"]["file_name"].startswith("dagsorden-2026-11-26")
    [refused] = await world.say(member, "/indkald 2026-11-27 15:00; Online; X")
    assert "Kun formanden" in refused["text"]


async def test_bad_input_is_answered_clearly_in_danish(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0])
    [reply] = await world.say(member, "   ")
    assert "Titlen er tom" in reply["text"]
    [reply] = await world.say(member, "x" * 5000)
    assert "5000 tegn" in reply["text"] and "højst 200" in reply["text"]
    await world.say(member, "Rigtig titel")
    await world.say(member, "Beskrivelse")
    before = len(await world.sim.messages(member))
    await world.sim.send_document(member, "film.mp4", size=25 * 1024 * 1024)
    [reply] = (await world.sim.wait_for_messages(member, before + 1, timeout=10))[before:]
    assert "25.0 MB" in reply["text"] and "højst 20 MB" in reply["text"]


async def test_only_the_chair_approves(world: World) -> None:
    member = await world.link(MEMBER)
    secretary = await world.link(SECRETARY)
    [reply] = await world.say(member, "/godkend")
    assert "Kun formanden godkender dagsordenen" in reply["text"]
    [reply] = await world.say(secretary, "/godkend")
    assert "Kun formanden godkender dagsordenen" in reply["text"]
    [reply] = await world.say(member, "/udsend")
    assert "Formanden og sekretariatet" in reply["text"]


async def test_english_speakers_get_the_agenda_in_english(world: World) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    english = await world.link(OTHER)
    [reply] = await world.say(english, "/language en")
    assert "English" in reply["text"]
    [reply] = await world.say(english, "/propose")
    assert "Which meeting" in reply["text"]
    await world.say(english, "/stop")
    await propose(world, member)
    before = len(await world.sim.messages(english))
    await distribute(world, chair)
    text, pdf, material = (await world.sim.wait_for_messages(english, before + 3, timeout=20))[
        before:
    ]
    assert "Agenda for the meeting of KKR Nordjylland" in text["text"]
    assert "Tuesday 8 December 2026" in text["text"] and "1. Fælles busplan" in text["text"]
    assert "The agenda follows as a PDF, then the material." in text["text"]
    assert pdf["document"]["file_name"] == "agenda-2026-12-08-v1.pdf"
    assert pdf_title(await world.sim.file_content(pdf["document"]["file_id"])).startswith(
        "Agenda — KKR Nordjylland"
    )
    assert material["document"]["file_name"] == "busplan.pdf"
    for _ in range(100):  # the notices go out side by side: the member's may still be on its way
        danish_pdfs = [
            m
            for m in await world.sim.messages(member)
            if m.document and "v1" in m.document["file_name"]
        ]
        if danish_pdfs:
            break
        await asyncio.sleep(0.1)
    [danish] = danish_pdfs
    assert danish["document"]["file_name"] == "dagsorden-2026-12-08-v1.pdf"
    assert pdf_title(await world.sim.file_content(danish["document"]["file_id"])).startswith(
        "Dagsorden — KKR Nordjylland"
    )


def pdf_title(pdf: bytes) -> str:
    """The title WeasyPrint gives the PDF (the HTML's <title>), read from its compressed objects."""
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            data = zlib.decompress(stream.group(1))
        except zlib.error:
            continue
        found = re.search(rb"/Title\s*<([0-9A-Fa-f]+)>", data)
        if found is not None:
            return bytes.fromhex(found.group(1).decode()).decode("utf-16")
    raise AssertionError("the PDF has no title")


async def test_a_429_on_the_pdf_resumes_after_the_pause_and_repeats_nothing(world: World) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    await propose(world, member)
    await world.sim.inject_fault("sendDocument", "retry_after", retry_after=1, chat_id=member)
    before = len(await world.sim.messages(member))
    await distribute(world, chair)
    await world.sim.wait_for_calls("sendDocument", 1, chat_id=member, timeout=10)
    await world.sim.wait_for_messages(member, before + 1, timeout=10)
    world.clock.advance(timedelta(seconds=2))  # Telegram's pause is over
    received = (await world.sim.wait_for_messages(member, before + 3, timeout=10))[before:]
    assert [m.document["file_name"] if m.document else "text" for m in received] == [
        "text",
        "dagsorden-2026-12-08-v1.pdf",
        "busplan.pdf",
    ]
    linked = await _linked(world)

    async def mine() -> list[Notice]:
        async with world.sessions() as session:
            notices = (await session.exec(select(Notice).where(Notice.kind == "agenda"))).all()
        return [n for n in notices if n.person_id in linked]

    # A notice is marked sent after Telegram answers its last part: wait for that, not the clock.
    for _ in range(200):
        if all(n.status == "sent" for n in await mine()):
            break
        await asyncio.sleep(0.05)
    assert [n.status for n in await mine()] == ["sent", "sent"]


async def _linked(world: World) -> set[int]:
    from models.tables import TelegramLink

    async with world.sessions() as session:
        return set((await session.exec(select(TelegramLink.person_id))).all())


async def send_document(world: World, user: int, name: str, expect: str) -> BotMessage:
    """`user` sends a small PDF; returns the bot's reply containing `expect`."""
    before = len(await world.sim.messages(user))
    await world.sim.send_document(
        user, name, b"%PDF-1.4 " + name.encode(), mime_type="application/pdf"
    )
    return await reply_containing(world, user, before, expect)


async def test_the_secretariat_adds_a_document_to_an_item_and_the_agenda_carries_it(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    secretary = await world.link(SECRETARY)
    await propose(world, member, document=False)
    overview = await ask(world, secretary, "/punkter", "Dagsorden til mødet")
    assert "⚠ ingen bilag" in overview["text"] and "Punkter uden bilag: 1" in overview["text"]
    prompt = await ask_for_material(world, secretary, overview)
    assert "Send bilagene til Fælles busplan som dokumenter" in prompt["text"]
    received = await send_document(world, secretary, "notat.pdf", "notat.pdf")
    assert "Tilføjet til Fælles busplan: notat.pdf (1 i alt)." in received["text"]
    received = await send_document(world, secretary, "kort.pdf", "kort.pdf")
    assert "(2 i alt)" in received["text"]
    again = await press_for_reply(world, secretary, received, "Færdig", "Dagsorden til mødet")
    assert "2 bilag" in again["text"] and "uden bilag" not in again["text"]
    before = len(await world.sim.messages(member))
    await distribute(world, secretary)
    text, pdf, *material = (await world.sim.wait_for_messages(member, before + 4, timeout=20))[
        before:
    ]
    assert "Dagsorden for mødet i KKR Nordjylland" in text["text"]
    assert pdf["document"]["file_name"] == "dagsorden-2026-12-08-v1.pdf"
    assert [m["document"]["file_name"] for m in material] == ["notat.pdf", "kort.pdf"]
    assert await world.sim.file_content(material[0]["document"]["file_id"]) == b"%PDF-1.4 notat.pdf"


async def test_a_document_sent_outside_the_material_step_is_not_attached(world: World) -> None:
    secretary = await world.link(SECRETARY)
    member = await world.link(MEMBER)
    await propose(world, member, document=False)
    reply = await send_document(world, secretary, "løst.pdf", "forstod")
    assert "Det forstod jeg ikke" in reply["text"]
    overview = await ask(world, secretary, "/punkter", "Dagsorden til mødet")
    assert "Punkter uden bilag: 1" in overview["text"]
    await ask_for_material(world, secretary, overview)
    before = len(await world.sim.messages(secretary))
    await world.sim.send_document(secretary, "film.mp4", size=25 * 1024 * 1024)
    refused = await reply_containing(world, secretary, before, "MB")
    assert "25.0 MB" in refused["text"] and "højst 20 MB" in refused["text"]
    done = await ask(world, secretary, "færdig", "Dagsorden til mødet")
    assert "Punkter uden bilag: 1" in done["text"]


async def test_a_material_step_left_open_for_half_an_hour_is_forgotten(world: World) -> None:
    secretary = await world.link(SECRETARY)
    member = await world.link(MEMBER)
    await propose(world, member, document=False)
    overview = await ask(world, secretary, "/punkter", "Dagsorden til mødet")
    await ask_for_material(world, secretary, overview)
    world.clock.advance(timedelta(minutes=31))
    reply = await send_document(world, secretary, "senere.pdf", "30 minutter")
    assert "Tilføjelse af bilag: der gik mere end 30 minutter uden svar" in reply["text"]
    assert "Intet er gemt eller sendt" in reply["text"]
    overview = await ask(world, secretary, "/punkter", "Dagsorden til mødet")
    assert "Punkter uden bilag: 1" in overview["text"]


async def test_the_chair_adds_an_item_with_a_description_and_its_material(world: World) -> None:
    chair = await world.link(CHAIR)
    member = await world.link(MEMBER)
    await propose(world, member)
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    asked = await press_for_reply(world, chair, overview, "Tilføj punkt", "titlen")
    assert "Skriv titlen på det nye punkt" in asked["text"]
    added = await ask(
        world, chair, "Orientering fra KL\nKL orienterer om økonomiaftalen.", "Sat på dagsordenen"
    )
    assert "Sat på dagsordenen: Orientering fra KL" in added["text"]
    await press_for_reply(world, chair, added, "Tilføj bilag", "bilagene")
    received = await send_document(world, chair, "aftale.pdf", "aftale.pdf")
    shown = await press_for_reply(world, chair, received, "Færdig", "Dagsorden til mødet")
    assert shown["text"].index("1. Fælles busplan") < shown["text"].index("2. Orientering fra KL")
    assert "uden bilag" not in shown["text"]
    async with world.sessions() as session:
        item = (
            await session.exec(select(AgendaItem).where(AgendaItem.title == "Orientering fra KL"))
        ).one()
    assert item.description == "KL orienterer om økonomiaftalen."
    before = len(await world.sim.messages(member))
    await distribute(world, chair)
    [text] = (await world.sim.wait_for_messages(member, before + 1, timeout=20))[before:][:1]
    assert "1. Fælles busplan" in text["text"] and "2. Orientering fra KL" in text["text"]


async def test_a_rejected_proposal_reaches_its_proposer_with_the_typed_reason(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    # R-D1: only a late proposal can be declined (an on-time one goes on the agenda)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    await propose(world, member, "Fælles busplan", send_at=PROPOSAL_DEADLINE + timedelta(seconds=1))
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    assert "Afvis 1" not in overview.labels
    asked = await press_for_reply(world, chair, overview, "Afvis: Fælles busplan", "begrundelsen")
    assert "Intet sendes, før du har bekræftet" in asked["text"] and "Annullér" in asked.labels
    before = len(await world.sim.messages(member))
    confirm = await ask(world, chair, "Ikke af tværkommunal karakter", "får besked")
    assert "Anne Rasmussen får besked" in confirm["text"]
    assert "Ikke af tværkommunal karakter" in confirm["text"]
    assert (
        len(await world.sim.messages(member)) == before
    )  # nothing is sent before the confirmation
    done = await press_for_reply(world, chair, confirm, "Afvis forslaget", "Afvist:")
    assert "Afvist: Fælles busplan. Forslagsstilleren har fået besked." in done["text"]
    told = await reply_containing(world, member, before, "ikke sat på dagsordenen")
    assert "Fælles busplan" in told["text"]
    assert "Begrundelse fra Gorm Iversen: Ikke af tværkommunal karakter" in told["text"]
    mine = await ask(world, member, "/mine", "Fælles busplan")
    assert "Ikke sat på dagsordenen: Ikke af tværkommunal karakter" in mine["text"]


async def test_a_late_proposal_taken_in_by_the_chair_is_marked_late_in_the_agenda(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    await propose(world, member, "Sent forslag", send_at=PROPOSAL_DEADLINE + timedelta(seconds=1))
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    assert "Forslag efter fristen, der venter på formanden" in overview["text"]
    assert "Ingen punkter endnu." in overview["text"]
    before = len(await world.sim.messages(member))
    query = await world.sim.press(chair, chair, overview["message_id"], label="Optag: Sent forslag")
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert answer.text == "Forslaget er optaget og står på dagsordenen som kommet efter fristen."
    edited = await world.sim.wait_for_edits(chair, overview["message_id"], 1, timeout=10)
    assert "1. Sent forslag (efter fristen)" in edited["text"]
    told = await reply_containing(world, member, before, "Dit forslag er på dagsordenen")
    assert "Sent forslag" in told["text"]
    before = len(await world.sim.messages(member))
    await distribute(world, chair)
    [text] = (await world.sim.wait_for_messages(member, before + 1, timeout=20))[before:][:1]
    assert "1. Sent forslag (efter fristen, optaget af formanden)" in text["text"]


async def test_after_the_distribution_deadline_the_chair_gives_the_reason_the_agenda_shows(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    chair = await world.link(CHAIR)
    await propose(world, member)
    world.clock.now = AUTO_DISTRIBUTION + timedelta(days=1)  # R-D2 was 1 December 23:59:59
    offer = await ask(world, chair, "/udsend", "sendes til")
    asked = await press_for_reply(world, chair, offer, "Send den nu", "begrundelse")
    assert "tirsdag den 1. december 2026 kl. 23.59" in asked["text"] and "R-D3" not in asked["text"]
    assert "Skriv begrundelsen i én besked (højst 1000 tegn)" in asked["text"]
    assert "Annullér" in asked.labels
    before = len(await world.sim.messages(member))
    sent = await ask(world, chair, "Budgettallene kom sent fra KL", "på vej")
    assert "er på vej til 24 personer" in sent["text"]
    [text] = (await world.sim.wait_for_messages(member, before + 1, timeout=20))[before:][:1]
    assert "Dagsorden for mødet i KKR Nordjylland" in text["text"]
    assert (
        "Udsendt efter fristen. Formandens begrundelse: Budgettallene kom sent fra KL"
        in text["text"]
    )


async def test_a_member_withdraws_a_proposal_with_the_button_in_myitems(world: World) -> None:
    member = await world.link(MEMBER)
    secretary = await world.link(SECRETARY)
    await propose(world, member)
    mine = await ask(world, member, "/mine", "Dine forslag")
    assert "Fælles busplan" in mine["text"] and "Træk tilbage: Fælles busplan" in mine.labels
    before = len(await world.sim.messages(secretary))
    query = await world.sim.press(
        member, member, mine["message_id"], label="Træk tilbage: Fælles busplan"
    )
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert answer.text == "Trukket tilbage."
    withdrawn = await world.sim.wait_for_edits(member, mine["message_id"], 1, timeout=10)
    assert withdrawn.labels == [] and "→ Træk tilbage: Fælles busplan" in withdrawn["text"]
    told = await reply_containing(world, secretary, before, "trukket forslaget tilbage")
    assert "Anne Rasmussen har trukket forslaget tilbage: Fælles busplan" in told["text"]
    again = await ask(world, member, "/mine", "Dine forslag")
    assert "Trukket tilbage" in again["text"] and not again.labels
    overview = await ask(world, secretary, "/punkter", "Dagsorden til mødet")
    assert "Fælles busplan" not in overview["text"]


async def test_a_member_adds_material_to_their_own_proposal_from_myitems(world: World) -> None:
    member = await world.link(MEMBER)
    other = await world.link(OTHER)
    await propose(world, member, document=False)
    mine = await ask(world, member, "/mine", "Dine forslag")
    prompt = await press_for_reply(world, member, mine, "Tilføj bilag: Fælles busplan", "bilagene")
    assert "Send bilagene til Fælles busplan som dokumenter" in prompt["text"]
    received = await send_document(world, member, "ruter.pdf", "ruter.pdf")
    assert "Tilføjet til Fælles busplan: ruter.pdf (1 i alt)." in received["text"]
    shown = await press_for_reply(world, member, received, "Færdig", "Dine forslag")
    assert "Fælles busplan" in shown["text"]
    # Another member's press of the same button (a forwarded /mine) is refused.
    query = await world.sim.press(
        other, member, mine["message_id"], label="Tilføj bilag: Fælles busplan"
    )
    answer = await world.sim.wait_for_answer(query, timeout=10)
    assert answer.show_alert and "forbereder dagsordenen" in answer.text
    async with world.sessions() as session:
        item = (
            await session.exec(select(AgendaItem).where(AgendaItem.title == "Fælles busplan"))
        ).one()
        material = (await session.exec(select(Material).where(Material.item_id == item.id))).all()
    assert [m.file_name for m in material] == ["ruter.pdf"]


async def test_moving_and_cancelling_a_meeting_tells_everyone(world: World) -> None:
    chair = await world.link(CHAIR)
    people = [await world.link(name) for name in (MEMBER, OTHER, SECRETARY)]
    before = {user: len(await world.sim.messages(user)) for user in people}
    confirm = await ask(world, chair, "/flyt 8.12.2026; 10.12.2026 kl. 13.00", "flytte mødet")
    assert "24 personer, der ville få dagsordenen, får besked." in confirm["text"]
    assert "Nyt tidspunkt: torsdag den 10. december 2026" in confirm["text"]
    # The chair is told of the move too; the reply is the one that says "Mødet er flyttet til".
    moved = await press_for_reply(world, chair, confirm, "Flyt mødet", "Mødet er flyttet til")
    assert "Mødet er flyttet til torsdag den 10. december 2026" in moved["text"]
    for user in people:
        told = await reply_containing(world, user, before[user], "et møde er flyttet")
        assert "KKR Nordjylland: et møde er flyttet" in told["text"]
        assert "Fra: tirsdag den 8. december 2026 kl. 10.00" in told["text"]
        assert "Til: torsdag den 10. december 2026 kl. 13.00" in told["text"]
    before = {user: len(await world.sim.messages(user)) for user in people}
    confirm = await ask(world, chair, "/aflys 2026-12-10; Ingen sager til behandling", "aflyse")
    assert "Begrundelse: Ingen sager til behandling" in confirm["text"]
    cancelled = await press_for_reply(world, chair, confirm, "Aflys mødet", "aflyst;")
    assert "Mødet er aflyst; 24 personer får besked." in cancelled["text"]
    world.clock.advance(timedelta(minutes=6))  # the cancellation could be taken back until now
    for user in people:
        told = await reply_containing(world, user, before[user], "et møde er aflyst")
        assert "torsdag den 10. december 2026 kl. 13.00" in told["text"]
        assert "Begrundelse: Ingen sager til behandling" in told["text"]
    async with world.sessions() as session:
        for kind in ("meeting_moved", "meeting_cancelled"):
            notices = (await session.exec(select(Notice).where(Notice.kind == kind))).all()
            assert len(notices) == RECIPIENTS == len({n.person_id for n in notices}), kind
    # The cancellation's calendar file may arrive beside the answer: wait for the answer itself.
    meetings = await ask(world, people[0], "/moeder", "Kommende møder")
    assert "10. december" not in meetings["text"]
