"""The command table: one place for names, Danish aliases, menu texts and who sees them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.texts import cut
from procedure.permissions import ACTING_CHAIR_POWERS, Action, may
from services.actors import Actor
from templates.i18n import gettext


@dataclass(frozen=True)
class Command:
    name: str  # the English command, also the handler's name
    danish: str  # the Danish alias shown in the Danish menu (Telegram allows a-z, 0-9, _)
    description: str  # msgid; translated for the menu and /help
    action: Action | None  # None: anyone linked may use it
    or_action: Action | None = None  # shown also to whoever may do this (e.g. act for others)
    group: bool = False  # also listed in the council's group (the rest belongs in private)

    @property
    def names(self) -> list[str]:
        return [self.name, self.danish] if self.danish != self.name else [self.name]

    def shown_name(self, language: str) -> str:
        return self.danish if language == "da" else self.name


def _(message: str) -> str:
    """Mark a msgid for extraction; translated where it is shown."""
    return message


COMMANDS: tuple[Command, ...] = (
    Command("meetings", "moeder", _("Coming meetings and their deadlines"), Action.VIEW_MEETINGS),
    Command("propose", "foreslaa", _("Propose an item for the agenda"), Action.PROPOSE),
    Command("myitems", "mine", _("Your proposals; withdraw one"), Action.PROPOSE),
    Command("agenda", "dagsorden", _("The latest agenda again"), Action.RECEIVE_AGENDA),
    Command("items", "punkter", _("Prepare the agenda: order, add, take in"), Action.EDIT_AGENDA),
    Command("approve", "godkend", _("Approve the agenda"), Action.APPROVE_AGENDA),
    Command("distribute", "udsend", _("Send the agenda now"), Action.DISTRIBUTE_AGENDA),
    Command("call", "indkald", _("Call an extraordinary meeting"), Action.CALL_MEETING),
    Command("plan", "planlaeg", _("Add an ordinary meeting to the plan"), Action.PLAN_MEETINGS),
    Command("move", "flyt", _("Move a meeting"), Action.PLAN_MEETINGS),
    Command("cancelmeeting", "aflys", _("Cancel a meeting"), Action.PLAN_MEETINGS),
    Command(
        "absent",
        "afbud",
        _("Report absence from a meeting"),
        Action.REPORT_ABSENCE,
        Action.REPORT_ABSENCE_FOR_OTHERS,
    ),
    Command("attend", "deltager", _("Withdraw an absence"), Action.WITHDRAW_ABSENCE),
    Command("leave", "orlov", _("Long absence (at least 3 months)"), Action.REPORT_ABSENCE),
    Command("request", "anmod", _("Ask for an extraordinary meeting"), Action.REQUEST_MEETING),
    Command("quorum", "quorum", _("Attendance and quorum"), Action.VIEW_QUORUM, group=True),
    Command("checkin", "tjekind", _("Check in at the meeting"), Action.CHECK_IN, group=True),
    Command("checkout", "tjekud", _("Check out of the meeting"), Action.CHECK_IN, group=True),
    Command("open", "aabn", _("Open the meeting"), Action.OPEN_MEETING, group=True),
    Command("close", "luk", _("Close the meeting"), Action.CLOSE_MEETING, group=True),
    Command(
        "attendance",
        "fremmoede",
        _("Attendance record of the meeting"),
        Action.VIEW_ATTENDANCE_RECORD,
        group=True,
    ),
    Command("item", "punkt", _("Lead the meeting: the item under discussion"), Action.LEAD_MEETING),
    Command("decide", "beslut", _("Record the decision on the item"), Action.LEAD_MEETING),
    Command("vote", "afstemning", _("Put a question to the vote"), Action.LEAD_MEETING),
    Command("counts", "stemmetal", _("Record a show of hands"), Action.LEAD_MEETING),
    Command(
        "election", "valg", _("Elections: one person, or several by d'Hondt"), Action.LEAD_MEETING
    ),
    Command(
        "appointments", "udpegninger", _("The register of appointments"), Action.RECEIVE_AGENDA
    ),
    Command(
        "minutes",
        "referat",
        _("The minutes of the last meeting"),
        Action.RECEIVE_AGENDA,
        Action.WRITE_MINUTES,
    ),
    Command("publish", "offentliggoer", _("Publish agendas and minutes"), Action.PUBLISH),
    Command("closeditem", "lukket", _("Closed items: never published"), Action.CLOSE_ITEM),
    Command("calendar", "kalender", _("Your meetings in your calendar"), Action.VIEW_MEETINGS),
    Command(
        "export", "eksport", _("Attendance for allowances (spreadsheet)"), Action.EXPORT_ATTENDANCE
    ),
    Command(
        "linkgroup", "tilknytgruppe", _("Link the council's group"), Action.LINK_GROUP, group=True
    ),
    Command("annualplan", "aarsplan", _("The year's meetings"), Action.VIEW_MEETINGS),
    Command("memberleaves", "udtraed", _("A member or substitute leaves"), Action.MANAGE_MEMBERS),
    Command(
        "alliance",
        "valgforbund",
        _("Notify an alliance for the chair election"),
        Action.NOTIFY_ALLIANCE,
    ),
    Command(
        "constituent",
        "konstituerende",
        _("The constituent meeting: who calls it, by when"),
        Action.VIEW_MEETINGS,
    ),
    Command("cancel", "annuller", _("Cancel what you are doing"), None, group=True),
    Command("help", "hjaelp", _("What I can do for you"), None, group=True),
    Command("language", "sprog", _("Dansk / English"), None),
)


# The few actions of the moment lead the menu of whoever may take them: before a meeting the
# agenda's, on the meeting day the meeting's.
LEADING = {
    "prepare": ("items", "approve", "distribute"),
    "meeting_day": ("open", "attendance", "close"),
}
# Telegram's limits for setMyCommands.
MAX_COMMANDS = 100
MAX_DESCRIPTION = 256


def commands_for(
    who: Actor | Iterable[str],
    *,
    in_group: bool = False,
    moment: str = "prepare",
    acting_chair: bool = False,
) -> list[Command]:
    """The commands the person's roles allow (procedure.permissions decides) — with the chair's
    powers while they are acting chair (R-P3) — those of the moment first, then the rest in menu
    order; in a group only the group's commands."""
    roles = frozenset(who.roles if isinstance(who, Actor) else who)
    shown = [c for c in COMMANDS if _visible(c, roles, acting_chair) and (c.group or not in_group)]
    leading = LEADING.get(moment, ())
    first = [c for name in leading for c in shown if c.name == name]
    return first + [c for c in shown if c not in first]


def _visible(command: Command, roles: frozenset[str], acting_chair: bool) -> bool:
    if command.action is None:
        return True
    for action in (command.action, command.or_action):
        if action is None:
            continue
        if may(roles, action):
            return True
        if acting_chair and action in ACTING_CHAIR_POWERS and may(roles, action, acting_chair=True):
            return True
    return False


def menu(commands: list[Command], language: str) -> list[tuple[str, str]]:
    """(command, description) pairs for setMyCommands in `language`, within Telegram's limits."""
    pairs = [
        (c.shown_name(language), cut(gettext(language, c.description), MAX_DESCRIPTION))
        for c in commands
    ]
    return [(name, text or name) for name, text in pairs][:MAX_COMMANDS]
