"""Conversations a mayor cannot get wrong (issue 17), through the real bot over HTTP: every step
of a dialogue can be cancelled, nothing irreversible happens on one tap, a command is never an
answer, a dialogue outlives a restart and expires, and dates are read the Danish way."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import select

from models.enums import ItemStatus
from models.tables import AgendaItem, Meeting, Notice, Person
from models.unit_of_work import unit_of_work
from services.actors import actor_for_person
from services.agenda_prep import add_own_item
from tests.e2e.conftest import World, ask, reply_containing
from tests.e2e.test_agenda import CHAIR, MEMBER, PROPOSAL_DEADLINE, press_for_reply, propose


async def _english(world: World, user: int) -> None:
    await ask(world, user, "/language en", "English")


async def _status(world: World, title: str) -> str:
    async with world.sessions() as session:
        item = (await session.exec(select(AgendaItem).where(AgendaItem.title == title))).one()
    return str(item.status)


async def _rejections(world: World) -> list[Notice]:
    async with world.sessions() as session:
        return list(
            (await session.exec(select(Notice).where(Notice.kind == "proposal_rejected"))).all()
        )


async def test_afvis_then_annuller_leaves_the_proposal_untouched(world: World) -> None:
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    # R-D1: only a late proposal can be declined (an on-time one goes on the agenda)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    await propose(world, member, send_at=PROPOSAL_DEADLINE + timedelta(seconds=1))
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    asked = await press_for_reply(world, chair, overview, "Afvis: Fælles busplan", "begrundelsen")
    assert "Annullér" in asked.labels
    cancelled = await ask(world, chair, "/annuller", "Annulleret")
    assert "intet er sendt eller ændret" in cancelled["text"]
    assert await _status(world, "Fælles busplan") == ItemStatus.LATE
    assert await _rejections(world) == []
    # What is written next is not a rejection's reason any more.
    reply = await ask(world, chair, "Ikke af tværkommunal karakter", "forstod")
    assert "Det forstod jeg ikke" in reply["text"]
    assert await _status(world, "Fælles busplan") == ItemStatus.LATE


async def test_reject_then_cancel_at_the_confirmation_in_english(world: World) -> None:
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    # R-D1: only a late proposal can be declined (an on-time one goes on the agenda)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    await propose(world, member, send_at=PROPOSAL_DEADLINE + timedelta(seconds=1))
    await _english(world, chair)
    overview = await ask(world, chair, "/items", "Agenda")
    asked = await press_for_reply(world, chair, overview, "Reject: Fælles busplan", "reason")
    assert "Nothing is sent before you confirm" in asked["text"] and "Cancel" in asked.labels
    confirm = await ask(world, chair, "Not a matter for the councils", "will be told")
    assert "Anne Rasmussen will be told" in confirm["text"]
    assert confirm.labels == ["Reject the proposal", "Cancel"]
    done = await press_for_reply(world, chair, confirm, "Cancel", "Cancelled")
    assert "nothing was sent or changed" in done["text"]
    assert await _status(world, "Fælles busplan") == ItemStatus.LATE
    assert await _rejections(world) == []
    [edited] = [m for m in await world.sim.messages(chair) if m.message_id == confirm.message_id]
    assert edited.labels == [] and "→ Cancel" in (edited.text or "")  # the choice is shown


async def test_cancel_in_english_ends_propose_and_later_chat_is_not_the_title(
    world: World,
) -> None:
    member = await world.link(MEMBER)
    await _english(world, member)
    [offer] = await world.say(member, "/propose")
    assert "Cancel" in offer.labels
    asked = await press_for_reply(world, member, offer, offer.labels[0], "title")
    assert "Cancel" in asked.labels
    done = await ask(world, member, "/cancel", "Cancelled")
    assert "nothing was sent" in done["text"]
    for text in ("Thanks for today", "See you"):
        reply = await ask(world, member, text, "understand")
        assert "I did not understand that" in reply["text"]
    async with world.sessions() as session:
        assert (await session.exec(select(AgendaItem))).all() == []


async def test_a_command_is_never_taken_as_an_answer(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    shown = await ask(world, member, "/moeder", "Kommende møder")
    assert "titel" not in shown["text"]
    # The dialogue is still open: the next text is the title.
    asked = await ask(world, member, "Fælles busplan", "Beskriv punktet")
    assert "højst 3000 tegn" in asked["text"]


async def test_a_dialogue_survives_a_restart_of_the_bot(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    await ask(world, member, "Fælles busplan", "Beskriv punktet")
    await world.restart()
    material = await ask(world, member, "Regionen og kommunerne koordinerer.", "bilag")
    confirm = await press_for_reply(world, member, material, "Ingen bilag", "Dit forslag")
    assert "Fælles busplan" in confirm["text"]
    await world.restart()
    await press_for_reply(world, member, confirm, "Send forslaget", "Tak")
    assert await _status(world, "Fælles busplan") == ItemStatus.PROPOSED


async def test_an_abandoned_dialogue_expires_and_the_person_is_told(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    world.clock.advance(timedelta(minutes=31))
    told = await ask(world, member, "Tak for i dag, vi ses", "30 minutter")
    assert "Dit forslag" in told["text"] and "Intet er gemt eller sendt" in told["text"]
    reply = await ask(world, member, "Fælles busplan", "forstod")
    assert "Det forstod jeg ikke" in reply["text"]
    async with world.sessions() as session:
        assert (await session.exec(select(AgendaItem))).all() == []


async def test_a_description_in_two_messages_keeps_both_halves(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    await ask(world, member, "Fælles busplan", "Beskriv punktet")
    first, second = "Første halvdel " + "a" * 1501, "anden halvdel " + "b" * 1000
    await ask(world, member, first, "bilag")
    joined = await ask(world, member, second, "forrige besked")
    assert f"{len(first) + 1 + len(second)} tegn i alt" in joined["text"]
    await reply_containing(world, member, len(await world.sim.messages(member)) - 1, "bilagene")
    material = [m for m in await world.sim.messages(member) if "Send bilagene" in (m.text or "")][
        -1
    ]
    assert material.labels == ["Ingen bilag", "Annullér"]  # only the latest question has buttons
    confirm = await press_for_reply(world, member, material, "Ingen bilag", "Dit forslag")
    await press_for_reply(world, member, confirm, "Send forslaget", "Tak")
    async with world.sessions() as session:
        item = (await session.exec(select(AgendaItem))).one()
    assert item.description == f"{first}\n{second}"


async def test_aflys_without_a_reason_asks_for_it_and_annuller_keeps_the_meeting(
    world: World,
) -> None:
    chair = await world.link(CHAIR)
    asked = await ask(world, chair, "/aflys 8.12.2026", "Hvorfor aflyses")
    assert "Annullér" in asked.labels
    confirm = await ask(world, chair, "Ingen sager til behandling", "aflyse mødet")
    assert "24 personer, der ville få dagsordenen, får besked." in confirm["text"]
    assert "Begrundelse: Ingen sager til behandling" in confirm["text"]
    await press_for_reply(world, chair, confirm, "Annullér", "Annulleret")
    async with world.sessions() as session:
        meetings = (await session.exec(select(Meeting))).all()
        notices = (
            await session.exec(select(Notice).where(Notice.kind == "meeting_cancelled"))
        ).all()
    assert all(m.status == "planned" for m in meetings) and notices == []


async def test_a_meeting_is_planned_with_a_danish_date_and_time(world: World) -> None:
    chair = await world.link(CHAIR)
    planned = await ask(
        world, chair, "/planlaeg 10. marts 2027 kl. 10.00; Aalborg Rådhus", "planen"
    )
    assert "onsdag den 10. marts 2027" in planned["text"]
    wrong = await ask(world, chair, "/planlaeg 30.2.2027 10; Aalborg Rådhus", "ikke en dato")
    assert "februar 2027 har 28 dage" in wrong["text"]


async def test_an_impossible_date_in_english_says_what_is_wrong(world: World) -> None:
    chair = await world.link(CHAIR)
    await _english(world, chair)
    wrong = await ask(world, chair, "/plan 2027-02-30 10:00; Aalborg", "not a date")
    assert "February 2027 has 28 days" in wrong["text"] and "/plan" in wrong["text"]


async def _long_items_without_material(world: World, count: int) -> None:
    """`count` items with long titles and no material on the first meeting, added by the chair."""
    async with world.sessions() as session:
        chair_id = (await session.exec(select(Person.id).where(Person.name == CHAIR))).one()
        meeting_id = (await session.exec(select(Meeting.id).order_by(Meeting.starts_at))).first()
    async with unit_of_work(world.sessions) as session:
        actor = await actor_for_person(session, chair_id or 0)
        assert actor is not None and meeting_id is not None
        for number in range(1, count + 1):
            title = f"Punkt {number}: " + "en meget lang overskrift om kollektiv trafik " * 4
            await add_own_item(
                session,
                actor=actor,
                meeting_id=meeting_id,
                title=title[:200],
                description="",
                material=[],
                now=world.clock(),
            )


async def test_25_long_titles_without_material_fit_when_approving_and_sending(
    world: World,
) -> None:
    chair = await world.link(CHAIR)
    await _long_items_without_material(world, 25)
    approved = await ask(world, chair, "/godkend", "godkendt")
    assert "…og 20 mere" in approved["text"] and len(approved["text"]) <= 4096
    warned = await ask(world, chair, "/udsend", "uden bilag")
    assert "…og 20 mere" in warned["text"] and "Send alligevel" in warned.labels
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    assert len(overview["text"]) <= 4096  # the fixture checks every text the bot sent, too


async def test_a_5000_character_absence_reason_is_refused_with_its_limit(world: World) -> None:
    member = await world.link(MEMBER)
    refused = await ask(world, member, "/afbud " + "syg " * 1250, "Begrundelsen")
    assert "Begrundelsen må højst være på 500 tegn." in refused["text"]
    await _english(world, member)
    refused = await ask(world, member, "/absent " + "ill " * 1250, "reason")
    assert "Please keep the reason under 500 characters." in refused["text"]


async def test_an_invisible_title_is_refused(world: World) -> None:
    member = await world.link(MEMBER)
    [offer] = await world.say(member, "/foreslaa")
    await press_for_reply(world, member, offer, offer.labels[0], "titel")
    refused = await ask(world, member, "\u200b\u200b \u2060", "Titlen")
    assert "Annullér" in refused.labels
    asked = await ask(world, member, "Fælles busplan", "Beskriv punktet")
    assert asked


async def test_a_reminder_on_the_meeting_day_says_today_not_tomorrow(world: World) -> None:
    member, other = await world.link(MEMBER), await world.link("Line Toft")
    await _english(world, other)
    before = {user: len(await world.sim.messages(user)) for user in (member, other)}
    world.clock.now = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)  # 07:00 on the meeting day
    await world.sweep()
    danish = await reply_containing(world, member, before[member], "Påmindelse")
    assert "holder møde i dag kl. 10.00" in danish["text"] and "i morgen" not in danish["text"]
    english = await reply_containing(world, other, before[other], "Reminder")
    assert "meets today at 10:00" in english["text"]


async def test_a_reminder_the_day_before_says_tomorrow(world: World) -> None:
    member = await world.link(MEMBER)
    before = len(await world.sim.messages(member))
    world.clock.now = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)
    await world.sweep()
    told = await reply_containing(world, member, before, "Påmindelse")
    assert "holder møde i morgen kl. 10.00" in told["text"]


def _listed(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.startswith("/")]


async def test_the_chairs_help_leads_with_the_agenda_before_a_meeting(world: World) -> None:
    chair = await world.link(CHAIR)
    [reply] = await world.say(chair, "/hjaelp")
    assert _listed(reply["text"])[:3] == ["/punkter", "/godkend", "/udsend"]
    assert "/annuller" in _listed(reply["text"])
    await _english(world, chair)
    [reply] = await world.say(chair, "/help")
    assert _listed(reply["text"])[:3] == ["/items", "/approve", "/distribute"]


async def test_the_chairs_help_leads_with_the_meeting_on_the_meeting_day(world: World) -> None:
    chair = await world.link(CHAIR)
    world.clock.now = datetime(2026, 12, 8, 7, 0, tzinfo=UTC)  # 08:00 on the meeting day
    [reply] = await world.say(chair, "/hjaelp")
    assert _listed(reply["text"])[:3] == ["/aabn", "/fremmoede", "/luk"]


async def test_help_in_the_councils_group_lists_only_the_groups_commands(world: World) -> None:
    chair = await world.link(CHAIR)
    group = await world.sim.add_bot_to_group(chair, "KKR Nordjylland", admin=True)
    await world.sim.send(chair, "/tilknytgruppe", chat_id=group["id"])
    await world.sim.wait_for_messages(group["id"], 2, timeout=10)
    await world.sim.wait_for_calls("pinChatMessage", 1, chat_id=group["id"], timeout=10)
    before = len(await world.sim.messages(group["id"]))
    await world.sim.send(chair, "/hjaelp", chat_id=group["id"])
    replies = await world.sim.wait_for_messages(group["id"], before + 1, timeout=10)
    [reply] = [m for m in replies[before:] if "/tjekind" in (m.text or "")]
    listed = _listed(reply["text"])
    assert "/tjekind" in listed and "/quorum" in listed
    assert not {"/punkter", "/godkend", "/aflys", "/foreslaa", "/orlov"} & set(listed)
    menu = await world.sim.commands(scope={"type": "chat", "chat_id": group["id"]})
    assert "punkter" not in [c["command"] for c in menu] and "tjekind" in [
        c["command"] for c in menu
    ]


async def test_a_long_absence_in_danish_dates_is_ended_only_when_confirmed(world: World) -> None:
    mayor = await world.link("Anders Gade")
    recorded = await ask(world, mayor, "/orlov 1. december 2026 1.4.2027 barsel", "registreret")
    assert "Dit længerevarende forfald fra tirsdag den 1. december 2026" in recorded["text"]
    asked = await ask(world, mayor, "/orlov slut", "afslutte")
    assert asked.labels == ["Ja, jeg er tilbage", "Annullér"]
    kept = await press_for_reply(world, mayor, asked, "Annullér", "Annulleret")
    assert kept
    asked = await ask(world, mayor, "/orlov slut", "afslutte")
    done = await press_for_reply(world, mayor, asked, "Ja, jeg er tilbage", "Velkommen tilbage")
    assert "stedfortræder udtræder" in done["text"]


async def test_an_impossible_leave_date_says_what_is_wrong(world: World) -> None:
    mayor = await world.link("Anders Gade")
    wrong = await ask(world, mayor, "/orlov 31.11.2026 1.4.2027", "ikke en dato")
    assert "november 2026 har 30 dage" in wrong["text"]


async def test_a_confirmed_rejection_can_be_taken_back_until_the_agenda_goes_out(
    world: World,
) -> None:
    member, chair = await world.link(MEMBER), await world.link(CHAIR)
    # R-D1: only a late proposal can be declined (an on-time one goes on the agenda)
    world.clock.now = PROPOSAL_DEADLINE - timedelta(minutes=5)
    await propose(world, member, send_at=PROPOSAL_DEADLINE + timedelta(seconds=1))
    overview = await ask(world, chair, "/punkter", "Dagsorden til mødet")
    await press_for_reply(world, chair, overview, "Afvis: Fælles busplan", "begrundelsen")
    confirm = await ask(world, chair, "Ikke af tværkommunal karakter", "får besked")
    done = await press_for_reply(world, chair, confirm, "Afvis forslaget", "Afvist:")
    assert done.labels == ["Fortryd afvisningen"]
    before = len(await world.sim.messages(member))
    undone = await press_for_reply(world, chair, done, "Fortryd afvisningen", "fortrudt")
    assert "forslaget står, som det stod før" in undone["text"]
    assert await _status(world, "Fælles busplan") == ItemStatus.LATE
    told = await reply_containing(world, member, before, "genoptaget")
    assert "Gorm Iversen har fortrudt afvisningen" in told["text"]
