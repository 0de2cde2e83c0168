"""The buttons of the meeting room's notices (R-Q3, R-E1): a ballot's For / Imod / Undlader, the
acting chair's casting vote, an election round's candidates, a group's seats (R-E2). The notice carries only the intent
(which vote, which round); the buttons are made here, with the codec."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.callbacks import BallotChoice, CastingVote, ElectionVote, GroupSeats, VoteBallot
from templates.i18n import gettext


def _(message: str) -> str:
    return message


FOR, AGAINST, ABSTAIN, BLANK = _("For"), _("Against"), _("Abstain"), _("Blank")
NAME_SOMEONE, RENOUNCE_ONE = _("Name who takes a seat"), _("Renounce seats")
CHOICES: dict[BallotChoice, str] = {"yes": FOR, "no": AGAINST, "abstain": ABSTAIN}


def ballot_buttons(vote_id: int, language: str) -> InlineKeyboardMarkup:
    """R-Q3: For / Imod / Undlader under a ballot."""
    return InlineKeyboardMarkup(
        [[VoteBallot(vote_id, c).button(gettext(language, label)) for c, label in CHOICES.items()]]
    )


def casting_buttons(vote_id: int, language: str) -> InlineKeyboardMarkup:
    """R-Q3: For / Imod for the acting chair's casting vote."""
    return InlineKeyboardMarkup(
        [
            [
                CastingVote(vote_id, "yes").button(gettext(language, FOR)),
                CastingVote(vote_id, "no").button(gettext(language, AGAINST)),
            ]
        ]
    )


def election_buttons(round_id: int, candidates: list[Any], language: str) -> InlineKeyboardMarkup:
    """R-E1: one button per candidate ([id, name]), and a blank vote."""
    rows = [[ElectionVote(round_id, int(cid)).button(str(name))] for cid, name in candidates]
    rows.append([ElectionVote(round_id).button(gettext(language, BLANK))])
    return InlineKeyboardMarkup(rows)


def notice_room_buttons(
    kind: str, payload: dict[str, Any], language: str
) -> InlineKeyboardMarkup | None:
    """The buttons a meeting-room notice asks for, or None for any other notice."""
    if kind == "vote_ballot":
        return ballot_buttons(int(payload["vote_id"]), language)
    if kind == "vote_casting":
        return casting_buttons(int(payload["vote_id"]), language)
    if kind == "election_ballot":
        return election_buttons(int(payload["round_id"]), payload["candidates"], language)
    if kind == "election_seats" and payload.get("election_id") and payload.get("seats"):
        election = int(payload["election_id"])
        return InlineKeyboardMarkup(
            [
                [GroupSeats(election, "name").button(gettext(language, NAME_SOMEONE))],
                [GroupSeats(election, "renounce").button(gettext(language, RENOUNCE_ONE))],
            ]
        )
    return None
