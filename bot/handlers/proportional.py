"""R-E2 at the meeting, under /valg (/election): `/valg forholdstal BODY` starts a proportional
election to the body; `/election group NAME: member, member, …` declares a group (an alliance is named
A+B); `/valg fordel [WITNESS]` shares the seats by d'Hondt; the spokesperson renounces seats with
`/valg afkald N` and names who takes one with `/valg udpeg NAME`."""

from __future__ import annotations

from html import escape

from telegram import Update

from bot.context import BotContext
from bot.handlers.common import attempt, tell
from services.elections import (
    SeatAward,
    declare_group,
    name_to_seat,
    open_election,
    renounce_seats,
    share_seats,
    start_election,
)
from templates.i18n import render

VERBS = {
    "forholdstal": "start",
    "proportional": "start",
    "gruppe": "group",
    "group": "group",
    "fordel": "share",
    "share": "share",
    "afkald": "renounce",
    "renounce": "renounce",
    "udpeg": "name",
    "name": "name",
}


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
    elif step == "share":
        shared = await attempt(
            update, context, share_seats, election_id=election_id, witness=rest or None
        )
        if shared is not None:
            await tell(update, context, awards_text(context, shared.value))
    elif step == "renounce":
        count = int(rest) if rest.isdigit() else 0
        done = await attempt(update, context, renounce_seats, election_id=election_id, count=count)
        if done is not None:
            await tell(update, context, awards_text(context, done.value))
    else:
        named = await attempt(update, context, name_to_seat, election_id=election_id, name=rest)
        if named is not None:
            text = context._(
                "%(name)s takes seat %(seat)s.",
                name=escape(named.value.name),
                seat=named.value.seat_no,
            )
            await tell(update, context, text)


async def _group(update: Update, context: BotContext, election_id: int, rest: str) -> None:
    name, _, members = rest.partition(":")
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
    if declared is not None:
        text = context._(
            "The group %(name)s is declared with %(count)s members; you are its spokesperson.",
            name=escape(declared.value.name),
            count=len(set(names)),
        )
        await tell(update, context, text)


def awards_text(context: BotContext, awards: list[SeatAward]) -> str:
    """R-E2: the seats in d'Hondt order, each with its group and quotient."""
    return render("chat/seat_awards.html.j2", context.language, awards=awards)
