"""R-E2 at the meeting, under /valg (/election), fully in chat:

    /valg forholdstal ORGAN          the acting chair starts a proportional election to a body
    /valg gruppe NAVN: medlem, …     members declare a group (A+B is an alliance, a "valgforbund");
                                     the one declaring is its spokesperson
    /valg grupper                    the groups with their member counts (and seats, once shared)
    /valg fordel [VIDNE]             shows the d'Hondt order, then shares the seats once confirmed
                                     (a lot needs a witness, asked for when it does)
    /valg afkald [N], /valg udpeg [NAVN]   the spokesperson renounces seats or names who takes the
                                     next one — also from the buttons under the notice that tells
                                     the group its seats; each is confirmed first

The steps live in one database dialogue ("seats", bot/dialogues.py): what is asked next, and what
the confirmation will do. Every rule is in services/proportional.py.
"""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import Update

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice, GroupSeats
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, in_chat, tell
from services.dialogues import OpenDialogue
from services.elections import open_election, start_election
from services.errors import Refused
from services.proportional import (
    GroupsView,
    SeatAward,
    declare_group,
    groups_view,
    name_to_seat,
    preview_shares,
    renounce_seats,
    share_seats,
)
from templates.i18n import render


def _(message: str) -> str:
    return message


VERBS = {
    "forholdstal": "start",
    "proportional": "start",
    "gruppe": "group",
    "group": "group",
    "grupper": "groups",
    "groups": "groups",
    "fordel": "share",
    "share": "share",
    "afkald": "renounce",
    "renounce": "renounce",
    "udpeg": "name",
    "name": "name",
}
KIND = "seats"
NAME_LIMIT = 200


async def proportional(update: Update, context: BotContext, verb: str, rest: str) -> None:
    """Dispatch one R-E2 step of /valg."""
    step = VERBS[verb]
    if step == "start":
        started = await attempt(
            update, context, start_election, title=rest, kind="proportional", body_name=rest
        )
        if started is not None:
            text = context._(
                "The proportional election to %(body)s (%(seats)s seats) is open. Groups declare"
                " with /election group NAME: member, member.",
                body=escape(started.value.title),
                seats=started.value.seats,
            )
            await tell(update, context, text)
        return
    found = await attempt(update, context, open_election, write=False)
    if found is None:
        return
    election_id = found.value[0].id or 0
    if step == "group":
        await _group(update, context, election_id, rest)
    elif step == "groups":
        await _show_groups(update, context, election_id)
    elif step == "share":
        await _ask(update, context, {"action": "share", "election_id": election_id}, rest)
    elif step == "renounce":
        state = {"action": "renounce", "election_id": election_id}
        if rest.strip().isdigit():
            state["count"] = int(rest.strip())
        await _ask(update, context, state)
    else:
        state = {"action": "name", "election_id": election_id}
        if rest.strip():
            state["name"] = rest.strip()[:NAME_LIMIT]
        await _ask(update, context, state)


async def _group(update: Update, context: BotContext, election_id: int, rest: str) -> None:
    name, _sep, members = rest.partition(":")
    names = [m.strip() for m in members.split(",") if m.strip()]
    if not name.strip() or not names:
        await tell(update, context, context._("Write /election group NAME: member, member, …"))
        return
    parties = [p.strip() for p in name.split("+") if p.strip()]
    declared = await attempt(
        update,
        context,
        declare_group,
        election_id=election_id,
        name=name.strip(),
        members=names,
        parties=parties,
    )
    if declared is None:
        return
    text = context._(
        "The group %(name)s is declared with %(count)s members; you are its spokesperson.",
        name=escape(declared.value.name),
        count=len(set(names)),
    )
    shown = await attempt(update, context, groups_view, write=False, election_id=election_id)
    if shown is not None:
        text += "\n\n" + groups_text(context, shown.value)
    await tell(update, context, text)


async def _show_groups(update: Update, context: BotContext, election_id: int) -> None:
    shown = await attempt(update, context, groups_view, write=False, election_id=election_id)
    if shown is not None:
        await tell(update, context, groups_text(context, shown.value))


async def group_button(update: Update, context: BotContext) -> None:
    """The buttons under the notice that tells a spokesperson the group's seats."""
    pressed = GroupSeats.of(update)
    if update.callback_query is not None:
        await update.callback_query.answer()
    await _ask(update, context, {"action": pressed.action, "election_id": pressed.election_id})


# --- the dialogue: ask what is missing, then confirm --------------------------------------------


async def _ask(
    update: Update, context: BotContext, state: dict[str, Any], witness: str = ""
) -> None:
    """Open the dialogue for one step and ask its first question (or its confirmation)."""
    if witness.strip():
        state["witness"] = witness.strip()[:NAME_LIMIT]
    dialogue_id = await dialogues.begin(update, context, KIND, state)
    if dialogue_id is not None:
        await _next_question(update, context, dialogue_id, state)


async def _next_question(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any]
) -> None:
    action = state["action"]
    if action == "renounce" and "count" not in state:
        await _question(update, context, dialogue_id, state, "count")
        return
    if action == "name" and "name" not in state:
        await _question(update, context, dialogue_id, state, "name")
        return
    if state.get("asking") == "witness" and "witness" not in state:
        await _question(update, context, dialogue_id, state, "witness")
        return
    if action == "share":
        preview = await attempt(
            update, context, preview_shares, write=False, election_id=state["election_id"]
        )
        if preview is None:
            await dialogues.finish(update, context)
            return
        if preview.value.lot_needed and "witness" not in state:
            await _question(update, context, dialogue_id, state, "witness")
            return
        text = (
            groups_text(context, preview.value)
            + "\n\n"
            + context._("Share the seats like this? Each group's spokesperson is told its seats.")
        )
        label = context._("Share the seats")
    elif action == "renounce":
        text = context.ngettext(
            "Renounce %(count)s of your group's seats? It passes to the other groups by d'Hondt.",
            "Renounce %(count)s of your group's seats? They pass to the other groups by d'Hondt.",
            int(state["count"]),
        )
        label = context._("Renounce")
    else:
        text = context._(
            "%(name)s takes your group's next seat? It is recorded in the register of"
            " appointments.",
            name=escape(state["name"]),
        )
        label = context._("Appoint")
    await dialogues.prompt(
        update, context, dialogue_id, text, [[Dialog("ok", dialogue_id).button(label)]]
    )


QUESTIONS = {
    "count": _("How many of your group's seats does it renounce? Write a number."),
    "name": _("Who takes your group's next seat? Write the municipal councillor's name."),
    "witness": _(
        "Equal quotients: the order is settled by lot. Write the name of the person who"
        " witnesses the draw."
    ),
}


async def _question(
    update: Update, context: BotContext, dialogue_id: int, state: dict[str, Any], what: str
) -> None:
    state["asking"] = what
    turn = OpenDialogue(dialogue_id, KIND, state, context.now())
    if await dialogues.keep(update, context, turn, state):
        await dialogues.prompt(update, context, dialogue_id, context._(QUESTIONS[what]))


async def _text(update: Update, context: BotContext, turn: OpenDialogue) -> None:
    state = dict(turn.state)
    written = " ".join(
        ((update.effective_message.text if update.effective_message else "") or "").split()
    )
    asking = state.get("asking")
    if asking == "count":
        if not written.isdigit() or int(written) < 1:
            await dialogues.prompt(update, context, turn.id, context._(QUESTIONS["count"]))
            return
        state["count"] = int(written)
    elif asking in ("name", "witness") and written:
        state[asking] = written[:NAME_LIMIT]
    else:
        await dialogues.prompt(update, context, turn.id, context._(dialogues.ANSWER_ABOVE))
        return
    state.pop("asking", None)
    if await dialogues.keep(update, context, turn, state):
        await _next_question(update, context, turn.id, state)


async def _confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    state = dict(turn.state)
    if choice != "ok" or state.get("asking"):
        await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))
        return
    refusals: list[Refused] = []

    async def refused(error: Refused) -> None:
        refusals.append(error)

    service, arguments = _call(state)
    done = await attempt(update, context, service, on_refusal=refused, **arguments)
    if done is None:
        error = refusals[0]
        if error.code == "lot_witness_needed" and "witness" not in state:
            await dialogues.settle(update, context, context._("Not yet"))
            state["asking"] = "witness"
            if await dialogues.keep(update, context, turn, state):
                await dialogues.prompt(update, context, turn.id, context._(QUESTIONS["witness"]))
            return
        await dialogues.finish(update, context)
        await dialogues.settle(update, context, context._("Not done"))
        await in_chat(update, context)(error)
        return
    await dialogues.finish(update, context)
    await dialogues.settle(update, context)
    if state["action"] == "name":
        text = context._(
            "%(name)s takes seat %(seat)s.",
            name=escape(done.value.name),
            seat=done.value.seat_no,
        )
    else:
        text = awards_text(context, done.value)
        shown = await attempt(
            update, context, groups_view, write=False, election_id=state["election_id"]
        )
        if shown is not None:  # each group's seats beside the order
            text = groups_text(context, shown.value)
    await dialogues.say(update, context, text)


def _call(state: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The service a confirmed step calls, with its arguments."""
    election_id = int(state["election_id"])
    witness = state.get("witness")
    if state["action"] == "share":
        return (share_seats, {"election_id": election_id, "witness": witness})
    if state["action"] == "renounce":
        return (
            renounce_seats,
            {"election_id": election_id, "count": int(state["count"]), "witness": witness},
        )
    return (name_to_seat, {"election_id": election_id, "name": state["name"]})


def awards_text(context: BotContext, awards: list[SeatAward]) -> str:
    """R-E2: the seats in d'Hondt order, each with its group and quotient."""
    return render("chat/seat_awards.html.j2", context.language, awards=awards)


def groups_text(context: BotContext, view: GroupsView) -> str:
    """R-E2: the groups with their member counts, spokespersons and seats, and the order."""
    return render("chat/election_groups.html.j2", context.language, view=view)


dialogues.flow(KIND, Flow(_("Sharing the seats"), text=_text, choice=_confirmed))
