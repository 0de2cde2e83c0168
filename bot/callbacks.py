"""The button codec: the one way kkrbot makes and reads callback data (after aiogram's CallbackData).

A button family is a frozen dataclass with a short prefix of its own; its fields travel as
`prefix:field:field`. `pack()` checks Telegram's 64-byte limit; `unpack()` reads data back, and
`filter()` is the CallbackQueryHandler pattern that routes to the family's handler only what
parses. What does not parse (an old message's button, a forged press) reaches the catch-all
handler, which says the button is no longer valid. Every id is re-checked by the service it reaches:
callback data is never trusted.

Field types: `int` is a row id (positive, below 2**31 as PostgreSQL's integer key, so a huge
number cannot reach the database); `bool` travels as y/n; `Literal[...]` names the choices;
`int | None` may be left off at the end. No button carries a Telegram id (those need 2**53).
"""

from __future__ import annotations

import types
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import cache
from typing import Any, ClassVar, Literal, Self, Union, get_args, get_origin, get_type_hints

from telegram import InlineKeyboardButton, Update

LIMIT = 64  # bytes of callback data Telegram accepts
ROW_ID_LIMIT = 2**31
SEPARATOR = ":"


class StaleButton(ValueError):
    """Data with a family's prefix that no longer parses (an old format, or made up)."""


class ButtonDataTooLong(ValueError):
    """A button whose data Telegram would refuse (over 64 bytes)."""


@dataclass(frozen=True)
class CallbackData:
    """Base of every button family; subclasses declare `prefix` and their fields."""

    prefix: ClassVar[str] = ""
    families: ClassVar[dict[str, type[CallbackData]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.prefix or SEPARATOR in cls.prefix or cls.prefix in CallbackData.families:
            raise TypeError(f"{cls.__name__} needs a distinct prefix without {SEPARATOR!r}")
        CallbackData.families[cls.prefix] = cls

    def pack(self) -> str:
        """The callback data; raises ButtonDataTooLong beyond Telegram's 64 bytes."""
        data = self._encode()
        if len(data.encode()) > LIMIT:
            raise ButtonDataTooLong(f"{data!r} is over {LIMIT} bytes")
        if type(self).unpack(data) != self:  # e.g. a choice the family does not name
            raise StaleButton(f"{self!r} does not read back from {data!r}")
        return data

    def _encode(self) -> str:
        values = [_pack(getattr(self, f.name)) for f in fields(self)]
        while values and values[-1] == "":  # optional fields left off at the end
            values.pop()
        return SEPARATOR.join([self.prefix, *values])

    def button(self, text: str) -> InlineKeyboardButton:
        """An inline button that carries this data."""
        return InlineKeyboardButton(text, callback_data=self.pack())

    @classmethod
    def unpack(cls, data: object) -> Self | None:
        """The button this data names; None if it is another family's; StaleButton if it is this
        family's prefix but does not parse."""
        if not isinstance(data, str):
            return None
        prefix, _, rest = data.partition(SEPARATOR)
        if prefix != cls.prefix:
            return None
        hints = _hints(cls)
        names = [f.name for f in fields(cls)]
        values = rest.split(SEPARATOR) if rest or data.endswith(SEPARATOR) else []
        if len(values) > len(names):
            raise StaleButton(f"{data!r}: too many fields")
        values += [""] * (len(names) - len(values))
        try:
            found = cls(**{n: _unpack(v, hints[n]) for n, v in zip(names, values, strict=True)})
        except (ValueError, TypeError) as error:
            raise StaleButton(f"{data!r}: {error}") from None
        if found._encode() != data:  # one way to write each button: no "007", no trailing ":"
            raise StaleButton(f"{data!r} is not how {found!r} is written")
        return found

    @classmethod
    def filter(cls) -> Callable[[object], bool]:
        """The CallbackQueryHandler pattern: only data of this family that parses."""

        def matches(data: object) -> bool:
            try:
                return cls.unpack(data) is not None
            except StaleButton:
                return False

        matches.__name__ = f"{cls.__name__}.filter"
        return matches

    @classmethod
    def of(cls, update: Update) -> Self:
        """The pressed button of a query the family's filter let through."""
        query = update.callback_query
        found = cls.unpack(query.data if query is not None else None)
        if found is None:
            raise StaleButton(f"not a {cls.__name__} button")
        return found


@cache
def _hints(cls: type[CallbackData]) -> dict[str, Any]:
    return get_type_hints(cls)


def _pack(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "y" if value else "n"
    if isinstance(value, int):
        _check_id(value)
        return str(value)
    text = str(value)
    if not text or SEPARATOR in text:
        raise ValueError(f"{text!r} cannot travel in callback data")
    return text


def _unpack(text: str, hint: Any) -> object:
    origin, args = get_origin(hint), get_args(hint)
    if origin in (Union, types.UnionType) and type(None) in args:
        if text == "":
            return None
        (hint,) = [a for a in args if a is not type(None)]
        origin, args = get_origin(hint), get_args(hint)
    if hint is bool:
        if text not in ("y", "n"):
            raise ValueError(f"{text!r} is not y or n")
        return text == "y"
    if hint is int:
        if not text.isascii() or not text.isdigit() or len(text) > 10:
            raise ValueError(f"{text!r} is not an id")
        return _check_id(int(text))
    if origin is Literal:
        if text not in args:
            raise ValueError(f"{text!r} is not one of {args}")
        return text
    raise TypeError(f"no codec for {hint!r}")


def _check_id(value: int) -> int:
    if not 0 < value < ROW_ID_LIMIT:
        raise ValueError(f"{value} is not a row id")
    return value


# --- The button families ---------------------------------------------------------------------

LanguageCode = Literal["da", "en"]


@dataclass(frozen=True)
class Language(CallbackData):
    """/language: Dansk or English."""

    prefix: ClassVar[str] = "lang"
    code: LanguageCode


AgendaAction = Literal[
    "up",
    "down",
    "mat",
    "matdone",
    "rej",
    "unrej",
    "take",
    "wd",
    "add",
    "appr",
    "dist",
    "distok",
    "show",
]


@dataclass(frozen=True)
class Agenda(CallbackData):
    """/items, /mine, /approve, /distribute: an action on a meeting's agenda, or on one item."""

    prefix: ClassVar[str] = "ag"
    meeting_id: int
    action: AgendaAction
    item_id: int | None = None


OrderAction = Literal[
    "pick", "page", "sel", "up", "down", "top", "end", "to", "done", "mpick", "mpage", "msel"
]


@dataclass(frozen=True)
class Order(CallbackData):
    """/items: the picker for a long agenda (R-M4) — pick an item (`sel`), then move it up, down,
    first, last or `to` place `n`; `n` is otherwise a page of numbers. `m…`: pick the item to add
    material to."""

    prefix: ClassVar[str] = "ord"
    meeting_id: int
    action: OrderAction
    item_id: int | None = None
    n: int | None = None


ProposalStep = Literal["pick", "mdone", "send", "stop"]


@dataclass(frozen=True)
class Proposal(CallbackData):
    """/propose: a step of the conversation (the meeting is named only when it is picked)."""

    prefix: ClassVar[str] = "pr"
    step: ProposalStep
    meeting_id: int | None = None


AttendanceAction = Literal["abs", "sum", "nos", "wd", "acc", "dec", "in", "out"]


@dataclass(frozen=True)
class Attendance(CallbackData):
    """Absence, summons and check-in: an action on a meeting; `member_id` names the member an
    absence was reported for, or whom a summons asks the substitute to stand in for."""

    prefix: ClassVar[str] = "att"
    meeting_id: int
    action: AttendanceAction
    member_id: int | None = None


@dataclass(frozen=True)
class LeaveDecision(CallbackData):
    """/orlov: the council's decision on a long absence (approved or not)."""

    prefix: ClassVar[str] = "la"
    long_absence_id: int
    approved: bool


# --- The meeting room (issue 12) ---------------------------------------------------------------

RoomAction = Literal["show", "next", "back", "form", "yes", "no", "close", "cancel"]


@dataclass(frozen=True)
class Room(CallbackData):
    """/punkt: the chair's panel: move between items, record common form `n` (1–4) or the R-S5
    answer (yes / no), close or cancel vote `n`."""

    prefix: ClassVar[str] = "rm"
    meeting_id: int
    action: RoomAction
    n: int | None = None


BallotChoice = Literal["yes", "no", "abstain"]


@dataclass(frozen=True)
class VoteBallot(CallbackData):
    """A member's private For / Imod / Undlader on one vote (R-Q3)."""

    prefix: ClassVar[str] = "vb"
    vote_id: int
    choice: BallotChoice


CastingChoice = Literal["yes", "no"]


@dataclass(frozen=True)
class CastingVote(CallbackData):
    """The acting chair's casting vote on a tie (R-Q3)."""

    prefix: ClassVar[str] = "vc"
    vote_id: int
    choice: CastingChoice


@dataclass(frozen=True)
class ElectionVote(CallbackData):
    """A secret ballot in a round of a majority election (R-E1); no candidate: blank."""

    prefix: ClassVar[str] = "eb"
    round_id: int
    candidate_id: int | None = None


@dataclass(frozen=True)
class AppointmentEnd(CallbackData):
    """/udpegninger afslut: the secretariat picks the appointment to end (R-E4); confirmed after."""

    prefix: ClassVar[str] = "ae"
    appointment_id: int


GroupSeatsAction = Literal["name", "renounce"]


@dataclass(frozen=True)
class GroupSeats(CallbackData):
    """R-E2: a group's spokesperson names who takes a seat, or renounces one (each confirmed)."""

    prefix: ClassVar[str] = "gs"
    election_id: int
    action: GroupSeatsAction


MinutesAction = Literal["pdf", "appr", "docx"]


@dataclass(frozen=True)
class Minutes(CallbackData):
    """/minutes: the latest version's PDF or Word file, or the acting chair's approval (R-X2)."""

    prefix: ClassVar[str] = "min"
    meeting_id: int
    action: MinutesAction


DocumentKind = Literal["agenda", "minutes"]


@dataclass(frozen=True)
class Publish(CallbackData):
    """/publish: publish a meeting's agenda or minutes, or withdraw it (R-X1)."""

    prefix: ClassVar[str] = "pub"
    meeting_id: int
    kind: DocumentKind
    on: bool


@dataclass(frozen=True)
class PublishSetting(CallbackData):
    """/publish: the secretariat switches when a kind of document goes public by itself (R-X1);
    a confirmation follows."""

    prefix: ClassVar[str] = "pst"
    kind: DocumentKind
    automatic: bool


@dataclass(frozen=True)
class CalendarLink(CallbackData):
    """/calendar: a new private feed link (the old one stops working)."""

    prefix: ClassVar[str] = "cal"
    action: Literal["new"]


@dataclass(frozen=True)
class ClosedMark(CallbackData):
    """/closeditem: the chair marks an item closed ("Lukket punkt") or open again (R-P6)."""

    prefix: ClassVar[str] = "cls"
    item_id: int
    closed: bool


# A whole term (issue 14).

LeaveReason = Literal["own", "council", "party", "stop"]


@dataclass(frozen=True)
class MemberLeaves(CallbackData):
    """/udtraed: the secretariat confirms that a member or substitute leaves, and why (R-S6);
    "stop" changes nothing."""

    prefix: ClassVar[str] = "ml"
    person_id: int
    reason: LeaveReason


@dataclass(frozen=True)
class MembershipOffer(CallbackData):
    """The substitute accepts or declines becoming member in the place of one who left (R-S6)."""

    prefix: ClassVar[str] = "vac"
    vacancy_id: int
    accept: bool


@dataclass(frozen=True)
class Plan(CallbackData):
    """/aflys: the person who cancelled a meeting takes the cancellation back (until it goes out)."""

    prefix: ClassVar[str] = "pl"
    meeting_id: int
    action: Literal["uncancel"]


DialogChoice = Literal["stop", "ok", "skip", "done", "undo", "pick"]


@dataclass(frozen=True)
class Dialog(CallbackData):
    """A choice in an open dialogue (bot/dialogues.py): Cancel, confirm, skip a step, done. It
    names the dialogue it was asked in, so a button of an earlier dialogue never acts on a later
    one; `undo` names instead what it undoes (see the flow that offers it); `pick` chooses
    `option` (a row id the flow offered, e.g. which of a day's meetings)."""

    prefix: ClassVar[str] = "dl"
    choice: DialogChoice
    dialogue_id: int
    option: int | None = None
