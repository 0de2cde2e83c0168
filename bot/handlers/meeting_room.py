"""The meeting room (R-M5, R-Q3, R-E1, R-E4): /punkt (/item) the chair's panel, /beslut (/decide),
/afstemning (/vote), /stemmetal (/counts), /valg (/election), /udpegninger (/appointments), and the
buttons: the panel's, the members' private ballots and the acting chair's casting vote."""

from __future__ import annotations

from html import escape
from typing import Any

from telegram import InlineKeyboardMarkup, Update

from bot.callbacks import CastingVote, ElectionVote, Room, VoteBallot
from bot.context import BotContext
from bot.handlers import room_changes
from bot.handlers.common import Done, args_text, attempt, replace, tell
from bot.handlers.constituent import CHAIR_VERBS, chair_election
from bot.handlers.proportional import VERBS, proportional
from bot.room_buttons import CHOICES
from services.appointments import register
from services.elections import (
    cast_election_ballot,
    close_round,
    open_election,
    open_round,
    propose_candidate,
    start_election,
)
from services.meeting_room import (
    FloorView,
    floor_view,
    jump_to_item,
    next_item,
    previous_item,
    record_decision,
)
from services.votes import (
    VoteResult,
    cancel_vote,
    cast_vote,
    close_vote,
    put_to_vote,
    record_show_of_hands,
)
from templates.i18n import render

FORWARD = ("next", "naeste", "næste", "frem")
BACK = ("back", "tilbage")
NAMED = ("navngivet", "named")
FORM_LABELS = ("Approved", "Noted", "Postponed", "Recommended to the municipal councils")


async def item_command(update: Update, context: BotContext) -> None:
    """R-M5: `/punkt` shows the panel; `/punkt 3`, `/punkt næste`, `/punkt tilbage` move."""
    wanted = args_text(context).casefold()
    shown: Done[FloorView] | None
    if not wanted:
        shown = await attempt(update, context, floor_view, write=False)
    elif wanted in FORWARD:
        shown = await attempt(update, context, next_item)
    elif wanted in BACK:
        shown = await attempt(update, context, previous_item)
    elif wanted.isdigit():
        shown = await attempt(update, context, jump_to_item, number=int(wanted))
    else:
        await tell(update, context, context._("Write /item, /item 3, /item next or /item back."))
        return
    if shown is not None:
        await tell(
            update, context, panel_text(context, shown.value), markup=panel(context, shown.value)
        )


async def decide_command(update: Update, context: BotContext) -> None:
    """R-M5/R-Q3: `/beslut TEXT` records the decision on the item under discussion."""
    text = args_text(context)
    first, _sep, rest = text.partition(" ")
    if first.casefold() in room_changes.REWORD_WORDS:
        await room_changes.reword(update, context, rest)
        return
    if not text:
        await tell(
            update, context, context._("Write the decision after the command: /decide Approved.")
        )
        return
    if await attempt(update, context, record_decision, text=text) is not None:
        await _show_panel(update, context)


async def vote_command(update: Update, context: BotContext) -> None:
    """R-M5/R-Q3: `/afstemning QUESTION` — each present seat gets For / Imod / Undlader privately;
    `/afstemning navngivet QUESTION` also records who voted how."""
    question = args_text(context)
    first, _, rest = question.partition(" ")
    named = first.casefold() in NAMED and bool(rest.strip())
    if named:
        question = rest.strip()
    if not question:
        await tell(
            update,
            context,
            context._("Write what is put to the vote: /vote Should the budget be approved?"),
        )
        return
    opened = await attempt(update, context, put_to_vote, question=question, named=named)
    if opened is None:
        return
    vote = opened.value
    close = Room(vote.meeting_id, "close", vote.id).button(context._("Close the vote"))
    cancel = Room(vote.meeting_id, "cancel", vote.id).button(context._("Cancel the vote"))
    await tell(
        update,
        context,
        context._(
            "The vote is open: %(question)s. The members have their buttons.",
            question=escape(vote.question),
        ),
        markup=InlineKeyboardMarkup([[close, cancel]]),
    )


async def counts_command(update: Update, context: BotContext) -> None:
    """R-Q3: `/stemmetal FOR IMOD UNDLADER [QUESTION]` — a show of hands counted by the secretariat."""
    words = args_text(context).split(maxsplit=3)
    if len(words) < 3 or not all(w.isdigit() for w in words[:3]):
        await tell(
            update,
            context,
            context._("Write the counts: /counts 12 5 2 (for, against, abstaining)."),
        )
        return
    yes, no, abstain = (int(w) for w in words[:3])
    question = words[3] if len(words) > 3 else context._("Show of hands")
    done = await attempt(
        update, context, record_show_of_hands, question=question, yes=yes, no=no, abstain=abstain
    )
    if done is not None:
        await tell(update, context, result_text(context, done.value))


async def room_button(update: Update, context: BotContext) -> None:
    """The panel's buttons: move, record a common form (or the R-S5 answer), close the vote."""
    pressed = Room.of(update)
    meeting_id = pressed.meeting_id
    if pressed.action == "close":
        closed = await attempt(update, context, close_vote, vote_id=pressed.n or 0)
        if closed is not None:
            text = result_text(context, closed.value)
            await tell(update, context, context._("Done."))
            await replace(update, text)
        return
    done: Done[Any] | None
    if pressed.action == "cancel":
        done = await attempt(update, context, cancel_vote, vote_id=pressed.n or 0)
    elif pressed.action == "form":
        done = await attempt(
            update, context, record_decision, form=pressed.n, meeting_id=meeting_id
        )
    elif pressed.action in ("yes", "no"):
        approved = pressed.action == "yes"
        form = 1 if approved else None
        done = await attempt(
            update, context, record_decision, form=form, approved=approved, meeting_id=meeting_id
        )
    elif pressed.action == "next":
        done = await attempt(update, context, next_item, meeting_id=meeting_id)
    elif pressed.action == "back":
        done = await attempt(update, context, previous_item, meeting_id=meeting_id)
    else:
        done = Done(None)
    if done is not None:
        await _show_panel(update, context, meeting_id)


async def ballot_button(update: Update, context: BotContext) -> None:
    """R-Q3: a member's (or standing-in substitute's) private vote; a second press changes it."""
    pressed = VoteBallot.of(update)
    cast = await attempt(update, context, cast_vote, vote_id=pressed.vote_id, choice=pressed.choice)
    if cast is None:
        return
    choice = context._(CHOICES[pressed.choice])
    text = (
        context._("Your vote is changed to: %(choice)s", choice=choice)
        if cast.value.changed
        else context._("Your vote: %(choice)s", choice=choice)
    )
    await tell(update, context, text)


async def casting_button(update: Update, context: BotContext) -> None:
    """R-Q3: the acting chair's casting vote on a tie."""
    pressed = CastingVote.of(update)
    closed = await attempt(
        update, context, close_vote, vote_id=pressed.vote_id, casting_vote=pressed.choice
    )
    if closed is not None:
        await tell(update, context, context._("Done."))
        await replace(update, result_text(context, closed.value))


async def election_command(update: Update, context: BotContext) -> None:
    """R-E1: `/valg TITLE` starts an election on the item; `/election candidate NAME`, `/valg runde` and
    `/valg luk [WITNESS]` propose a candidate, open a round and close it. R-E2: see proportional."""
    words = args_text(context).split(maxsplit=1)
    verb = words[0].casefold() if words else ""
    rest = words[1] if len(words) > 1 else ""
    if verb in ("kandidat", "candidate"):
        await _candidate(update, context, rest)
    elif verb in ("runde", "round"):
        await _round(update, context)
    elif verb in ("luk", "close"):
        await _close_round(update, context, rest)
    elif verb in room_changes.WITHDRAW_WORDS:
        await room_changes.withdraw(update, context, rest)
    elif verb in VERBS:
        await proportional(update, context, verb, rest)
    elif verb in CHAIR_VERBS:  # R-K2, at the constituent meeting
        await chair_election(update, context, verb, rest)
    elif verb:
        started = await attempt(update, context, start_election, title=args_text(context))
        if started is not None:
            await tell(
                update,
                context,
                context._(
                    "The election %(title)s is open. Propose candidates with /election candidate NAME.",
                    title=escape(started.value.title),
                ),
            )
    else:
        await tell(
            update,
            context,
            context._("Write /election TITLE to start an election on the item under discussion."),
        )


async def _candidate(update: Update, context: BotContext, name: str) -> None:
    found = await attempt(update, context, open_election, write=False)
    if found is None:
        return
    election, _running = found.value
    done = await attempt(
        update, context, propose_candidate, election_id=election.id or 0, name=name
    )
    if done is not None:
        await tell(
            update, context, context._("%(name)s is a candidate.", name=escape(done.value.name))
        )


async def _round(update: Update, context: BotContext) -> None:
    found = await attempt(update, context, open_election, write=False)
    if found is None:
        return
    election, _running = found.value
    opened = await attempt(update, context, open_round, election_id=election.id or 0)
    if opened is not None:
        await tell(
            update,
            context,
            context._(
                "Round %(round_no)s is open; the members have their ballots.",
                round_no=opened.value.round_no,
            ),
        )


async def _close_round(update: Update, context: BotContext, witness: str) -> None:
    found = await attempt(update, context, open_election, write=False)
    if found is None:
        return
    _election, running = found.value
    if running is None:
        await tell(update, context, context._("No round is open."))
        return
    closed = await attempt(
        update, context, close_round, round_id=running.id or 0, witness=witness or None
    )
    if closed is not None:
        await tell(
            update, context, render("chat/election_round.html.j2", context.language, r=closed.value)
        )


async def election_button(update: Update, context: BotContext) -> None:
    """R-E1: a member's secret ballot in a round (blank when no candidate is named)."""
    pressed = ElectionVote.of(update)
    cast = await attempt(
        update,
        context,
        cast_election_ballot,
        round_id=pressed.round_id,
        candidate_id=pressed.candidate_id,
    )
    if cast is not None:
        changed = cast.value
        await tell(
            update,
            context,
            context._("Your ballot is changed.") if changed else context._("Your ballot is cast."),
        )


async def appointments_command(update: Update, context: BotContext) -> None:
    """R-E4: `/udpegninger` — who sits where, and how they were chosen; `/udpegninger afslut`
    lets the secretariat end one."""
    if args_text(context).casefold() in room_changes.END_WORDS:
        await room_changes.end_choice(update, context)
        return
    found = await attempt(update, context, register, write=False)
    if found is not None:
        await tell(
            update,
            context,
            render("chat/appointments.html.j2", context.language, lines=found.value),
        )


def panel_text(context: BotContext, view: FloorView) -> str:
    return render("chat/floor.html.j2", context.language, view=view)


def panel(context: BotContext, view: FloorView) -> InlineKeyboardMarkup:
    """R-M5: back / next, then what can be decided on the item under discussion."""
    meeting = view.meeting_id
    rows = [
        [
            Room(meeting, "back").button("◀ " + context._("Back")),
            Room(meeting, "next").button(context._("Next") + " ▶"),
        ]
    ]
    current = view.current
    if view.open_vote_id is not None:
        rows.append(
            [
                Room(meeting, "close", view.open_vote_id).button(context._("Close the vote")),
                Room(meeting, "cancel", view.open_vote_id).button(context._("Cancel the vote")),
            ]
        )
    elif current is not None and current.decision is None and current.long_absence:
        rows.append(
            [
                Room(meeting, "yes").button(context._("Approved")),
                Room(meeting, "no").button(context._("Not approved")),
            ]
        )
    elif current is not None and current.decision is None:
        rows += [
            [Room(meeting, "form", n).button(context._(label))]
            for n, label in enumerate(FORM_LABELS, start=1)
        ]
    return InlineKeyboardMarkup(rows)


def result_text(context: BotContext, result: VoteResult) -> str:
    """R-Q3: the result of a vote as the chair sees it when closing."""
    if result.awaiting_casting:
        return context._(
            "A tie: %(yes)s for, %(no)s against. The acting chair has been asked for the casting vote.",
            yes=result.yes,
            no=result.no,
        )
    outcome = context._("Adopted") if result.outcome == "adopted" else context._("Rejected")
    text = context._(
        "%(outcome)s: for %(yes)s, against %(no)s, abstaining %(abstain)s.",
        outcome=outcome,
        yes=result.yes,
        no=result.no,
        abstain=result.abstain,
    )
    if result.casting_vote_used:
        text += " " + context._("The chair's vote decided the tie.")
    return text


async def _show_panel(update: Update, context: BotContext, meeting_id: int | None = None) -> None:
    shown = await attempt(update, context, floor_view, meeting_id=meeting_id, write=False)
    if shown is None:
        return
    text, markup = panel_text(context, shown.value), panel(context, shown.value)
    if update.callback_query is not None:
        await tell(update, context, context._("Done."))
        await replace(update, text, markup)
    else:
        await tell(update, context, text, markup=markup)
