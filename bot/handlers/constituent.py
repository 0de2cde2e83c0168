"""The constituent meeting in the chat (R-K1, R-K2).

`/konstituerende` (`/constituent`) names the convener and the 31 January deadline; the convener (or
the secretariat) writes `/konstituerende 20.1.2026 kl. 14.00; Aalborg Rådhus`, sees what will happen
(when, where, the alliances' deadline, how many are told) and confirms it (a dialogue). At the
meeting, `/valg formandsvalg [WITNESS]` shares the chair's and vice chair's seats by d'Hondt on the
parties' votes, and `/valg formand NAME` / `/valg naestformand NAME` record whom each group names.
"""

from __future__ import annotations

from datetime import date, datetime, time
from html import escape

from telegram import Update

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import args_text, attempt, in_chat, tell
from bot.texts import unreadable
from procedure.danish_dates import DateInputError, parse_moment
from services.chair_election import name_officer, start_chair_election
from services.constituent_call import ConstituentCall, constituent_status, preview_call
from services.constitution import call_constituent_meeting
from services.dialogues import OpenDialogue
from templates.i18n import format_day, format_when, render


def _(message: str) -> str:
    return message


KIND = "call_constituent"
USAGE = _("Write it like this: /constituent 20.1.2026 10:00; Aalborg City Hall")
CHAIR_VERBS = {
    "formandsvalg": "start",
    "chairs": "start",
    "formand": "chair",
    "chair": "chair",
    "naestformand": "vice_chair",
    "næstformand": "vice_chair",
    "vicechair": "vice_chair",
}


def _day(day: date, context: BotContext) -> str:
    return format_day(datetime.combine(day, time()), context.language)


async def constituent(update: Update, context: BotContext) -> None:
    """R-K1: who calls the constituent meeting and by when; with a time and place, the call is
    shown and made once confirmed."""
    parts = [part.strip() for part in args_text(context).split(";")]
    if not parts[0]:
        await _status(update, context)
        return
    if len(parts) < 2 or not parts[1]:
        await tell(update, context, context._(USAGE))
        return
    try:
        when = parse_moment(parts[0])
    except DateInputError as error:
        await tell(update, context, f"{unreadable(error, context.language)}\n{context._(USAGE)}")
        return
    shown = await attempt(
        update,
        context,
        preview_call,
        write=False,
        on_refusal=in_chat(update, context),
        starts_at=when,
        place=parts[1],
    )
    if shown is None:
        return
    call = shown.value
    state = {"starts_at": when.isoformat(), "place": call.place}
    dialogue_id = await dialogues.begin(update, context, KIND, state)
    if dialogue_id is None:
        return
    assert call.starts_at is not None and call.alliance_deadline is not None
    lines = [
        context._(
            "Call the constituent meeting for %(when)s, %(place)s?",
            when=format_when(call.starts_at, context.language),
            place=escape(call.place or ""),
        ),
        context._(
            "It must be held by %(deadline)s (31 January after the election).",
            deadline=_day(call.deadline, context),
        ),
        context._(
            "Alliances for the election of the chair reach the secretariat by %(day)s.",
            day=_day(call.alliance_deadline, context),
        ),
        context.ngettext(
            "%(count)s person in the council is told.",
            "%(count)s people in the council are told.",
            call.told,
        ),
    ]
    button = Dialog("ok", dialogue_id).button(context._("Call the meeting"))
    await dialogues.prompt(update, context, dialogue_id, "\n".join(lines), [[button]])


async def _status(update: Update, context: BotContext) -> None:
    found = await attempt(update, context, constituent_status, write=False)
    if found is None:
        return
    status: ConstituentCall = found.value
    lines = [
        context._(
            "%(convener)s, the longest-serving mayor, calls the constituent meeting. It must be"
            " held by %(deadline)s.",
            convener=escape(status.convener),
            deadline=_day(status.deadline, context),
        )
    ]
    if status.called is not None:
        lines.append(
            context._(
                "It is called for %(when)s, %(place)s.",
                when=format_when(status.called.starts_at, context.language),
                place=escape(status.called.place),
            )
        )
    elif status.may_call:
        lines.append(context._(USAGE))
    await tell(update, context, "\n".join(lines))


async def _confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    if choice != "ok":
        await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))
        return
    await dialogues.finish(update, context)
    called = await attempt(
        update,
        context,
        call_constituent_meeting,
        on_refusal=in_chat(update, context),
        starts_at=datetime.fromisoformat(turn.state["starts_at"]),
        place=turn.state["place"],
    )
    if called is None:
        await dialogues.settle(update, context, context._("Not called"))
        return
    await dialogues.settle(update, context, context._("Call the meeting"))
    await dialogues.say(
        update,
        context,
        context._(
            "The constituent meeting is called; everyone in the council is told, with the"
            " deadline for alliances."
        ),
    )


dialogues.flow(KIND, Flow(_("Calling the constituent meeting"), choice=_confirmed))


async def chair_election(update: Update, context: BotContext, verb: str, rest: str) -> None:
    """R-K2 at the constituent meeting: share the two seats, or record whom a group names."""
    step = CHAIR_VERBS[verb]
    if step == "start":
        done = await attempt(update, context, start_chair_election, witness=rest or None)
    elif not rest.strip():
        await tell(
            update, context, context._("Write /election chair NAME or /election vicechair NAME")
        )
        return
    else:
        done = await attempt(update, context, name_officer, office=step, name=rest)
    if done is not None:
        await tell(
            update,
            context,
            render("chat/chair_election.html.j2", context.language, election=done.value),
        )
