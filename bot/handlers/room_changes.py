"""Corrections in the meeting room, in chat: `/beslut ret 2 TEKST` rewords item 2's decision while
the meeting is open; `/valg træk NAVN` withdraws a candidate and `/udpegninger afslut` ends an
appointment (the secretariat), each shown first and confirmed in a dialogue (bot/dialogues.py)."""

from __future__ import annotations

from html import escape

from telegram import InlineKeyboardMarkup, Update

from bot import dialogues
from bot.callbacks import AppointmentEnd, Dialog, DialogChoice
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, tell
from services.dialogues import OpenDialogue
from services.elections import open_election
from services.room_changes import (
    appointments_to_end,
    end_appointment,
    reword_decision,
    withdraw_candidate,
)


def _(message: str) -> str:
    return message


REWORD_WORDS = ("ret", "edit")
WITHDRAW_WORDS = ("træk", "traek", "withdraw")
END_WORDS = ("afslut", "end")


async def reword(update: Update, context: BotContext, rest: str) -> None:
    """R-M5: `/beslut ret N TEKST` — the decision on item N in other words (meeting still open)."""
    number, _sep, text = rest.strip().partition(" ")
    if not number.isdigit() or not text.strip():
        await tell(
            update,
            context,
            context._("Write the item's number and the new wording: /decide edit 2 Approved."),
        )
        return
    done = await attempt(update, context, reword_decision, number=int(number), text=text)
    if done is not None:
        await tell(
            update,
            context,
            context._(
                "The decision on item %(number)s now reads: %(text)s",
                number=int(number),
                text=escape(done.value.text),
            ),
        )


# --- withdrawing a candidate (R-E1) ----------------------------------------------------------------


async def withdraw(update: Update, context: BotContext, name: str) -> None:
    """`/valg træk NAVN`: asks to confirm that the candidate withdraws."""
    if not name.strip():
        await tell(
            update, context, context._("Write the candidate's name: /election withdraw NAME.")
        )
        return
    found = await attempt(update, context, open_election, write=False)
    if found is None:
        return
    election, _running = found.value
    state = {"election_id": election.id, "name": name.strip()}
    dialogue_id = await dialogues.begin(update, context, "withdraw_candidate", state)
    if dialogue_id is None:
        return
    text = context._(
        "Withdraw %(name)s as a candidate in %(title)s? The next round's ballots will not name"
        " them.",
        name=escape(name.strip()),
        title=escape(election.title),
    )
    button = Dialog("ok", dialogue_id).button(context._("Withdraw the candidate"))
    await dialogues.prompt(update, context, dialogue_id, text, [[button]])


async def _withdraw_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    withdrawn = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        withdraw_candidate,
        done=context._("Withdraw the candidate"),
        not_done=context._("Not withdrawn"),
        election_id=int(turn.state["election_id"]),
        name=str(turn.state["name"]),
    )
    if withdrawn is None:
        return
    await dialogues.say(
        update,
        context,
        context._("%(name)s is no longer a candidate.", name=escape(withdrawn.name)),
    )


# --- ending an appointment (R-E4) ------------------------------------------------------------------


async def end_choice(update: Update, context: BotContext) -> None:
    """`/udpegninger afslut`: the secretariat picks the appointment to end, one button each."""
    found = await attempt(update, context, appointments_to_end, write=False)
    if found is None:
        return
    lines = [line for line in found.value if line.appointment_id is not None]
    if not lines:
        await tell(update, context, context._("No appointments are recorded yet."))
        return
    rows = [
        [
            AppointmentEnd(line.appointment_id or 0).button(
                f"{line.body[:30]} {line.seat or ''}: {line.name[:30]}"
            )
        ]
        for line in lines[:60]
    ]
    await tell(
        update,
        context,
        context._("Which appointment ends?"),
        markup=InlineKeyboardMarkup(rows),
    )


async def end_pressed(update: Update, context: BotContext) -> None:
    """An appointment picked: show it and ask to confirm (the end cannot be undone here)."""
    pressed = AppointmentEnd.of(update)
    query = update.callback_query
    found = await attempt(update, context, appointments_to_end, write=False)
    if found is None:
        return
    line = next((x for x in found.value if x.appointment_id == pressed.appointment_id), None)
    if line is None:
        await tell(update, context, context._("This appointment has ended already."), alert=True)
        return
    if query is not None:
        await query.answer()
    state = {"appointment_id": pressed.appointment_id}
    dialogue_id = await dialogues.begin(update, context, "end_appointment", state)
    if dialogue_id is None:
        return
    text = context._(
        "End the appointment of %(name)s to %(body)s (seat %(seat)s)? The seat becomes free;"
        " the register keeps the appointment with the day it ended.",
        name=escape(line.name),
        body=escape(line.body),
        seat=line.seat or "–",
    )
    button = Dialog("ok", dialogue_id).button(context._("End the appointment"))
    await dialogues.prompt(update, context, dialogue_id, text, [[button]])


async def _end_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    ended = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        end_appointment,
        done=context._("End the appointment"),
        not_done=context._("Not ended"),
        appointment_id=int(turn.state["appointment_id"]),
    )
    if ended is None:
        return
    await dialogues.say(
        update,
        context,
        context._(
            "The appointment of %(name)s to %(body)s has ended; the seat is free.",
            name=escape(ended.name),
            body=escape(ended.body),
        ),
    )


dialogues.flow(
    "withdraw_candidate", Flow(_("Withdrawing the candidate"), choice=_withdraw_confirmed)
)
dialogues.flow("end_appointment", Flow(_("Ending the appointment"), choice=_end_confirmed))
