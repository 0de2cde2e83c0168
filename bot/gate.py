"""The gate every update passes first (issue 16, R-P6): each update once, whoever wrote it known,
nothing confidential in a group. Strangers get one polite refusal, nothing else — and when even
that cannot be sent, the update still stops here (the gate fails closed)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from telegram import Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot.callbacks import Attendance
from bot.commands import COMMANDS
from bot.context import BotContext
from bot.metrics import UPDATES
from models.unit_of_work import together, unit_of_work
from procedure.permissions import Action
from services.recipients import linked_group_council
from services.updates import Arrival, admit
from templates.i18n import supported

log = logging.getLogger(__name__)


def _(message: str) -> str:
    return message


STRANGER = _(
    "Hello! I am the meeting assistant of the KKR councils. I only talk to members, substitutes and"
    " staff who have been invited. Ask your council's secretariat for a personal invitation link."
)
PRIVATELY = _("I answer that only in our private chat: %(link)s")
# Commands that belong in the council's linked group (the pinned quorum message is shown there):
# the ones the group's menu lists (bot/commands.py), and nothing else.
GROUP_COMMANDS = frozenset(name for command in COMMANDS if command.group for name in command.names)
LINKING = frozenset({"linkgroup", "tilknytgruppe"})
IN_THE_GROUP = ("in", "out")  # the Check in / Check out buttons under the pinned message
GATE = "gate"  # the key of the updates whose gate work is done together (models.unit_of_work)
# While updates keep coming (many members at once), each waits this long for the ones right behind
# it: one transaction for several instead of one each (issue 15); an update on its own goes at once.
GATHER = 0.01


async def gate(update: Update, context: BotContext) -> None:
    """Stop an update seen before, one from a stranger, or one that has no business in a group."""
    user = update.effective_user
    # One transaction for the updates arriving together (issue 15): each recorded, whoever wrote
    # it looked up, and a person who had blocked the bot and writes again made reachable.
    arrival = Arrival(update.update_id, user.id if user is not None else None, context.now())
    admitted = await together(context.sessions, GATE, arrival, admit, gather=GATHER)
    first_time, context.actor = admitted.first_time, admitted.actor
    if not first_time:
        UPDATES.duplicates += 1
        raise ApplicationHandlerStop  # another instance (or this one before a restart) has it
    UPDATES.handled += 1
    if user is None:
        raise ApplicationHandlerStop
    if context.actor is not None:
        context.language = supported(context.actor.language)
    else:
        context.language = "en" if (user.language_code or "").startswith("en") else "da"
    if update.my_chat_member is not None:
        await _membership_changed(update, context)
        raise ApplicationHandlerStop
    chat = update.effective_chat
    if chat is not None and chat.type != ChatType.PRIVATE:
        await _in_a_group(update, context, chat.id)
    if context.actor is not None:
        return
    if _is_start_with_token(update):
        return  # /start <token> in the private chat is how a stranger becomes a person
    try:
        await refuse_stranger(update, context)
    except TelegramError as error:  # the refusal could not be sent: the update stops all the same
        log.info(
            "the refusal to update %s was not sent (%s)", update.update_id, type(error).__name__
        )
    raise ApplicationHandlerStop


async def _in_a_group(update: Update, context: BotContext, chat_id: int) -> None:
    """R-P6 in a group: only the council's linked group sees its quorum; every other command is
    pointed to the private chat; an unlinked group is left. Stops what does not belong here."""
    async with unit_of_work(context.sessions, write=False) as session:
        council_id = await linked_group_council(session, chat_id)
    ours = context.actor is not None and council_id == context.actor.council_id
    command = _command(update)
    if update.callback_query is not None:
        data = update.callback_query.data
        pressed = Attendance.unpack(data) if Attendance.filter()(data) else None
        if council_id is not None and pressed is not None and pressed.action in IN_THE_GROUP:
            return  # the check-in buttons: the service decides who may (a stranger is refused)
        if context.actor is None:
            return  # the stranger's refusal, which says nothing of any council
        await _quietly(update.callback_query.answer(_pointer(context), show_alert=True))
        raise ApplicationHandlerStop
    if command is None:
        raise ApplicationHandlerStop  # chatter, replies, documents: not for the bot in a group
    if command in LINKING and context.actor is not None and context.actor.may(Action.LINK_GROUP):
        return
    if command in GROUP_COMMANDS and ours:
        return
    message = update.effective_message
    if message is not None and POINTERS.take(chat_id):
        await _quietly(message.reply_text(_pointer(context)))
    if council_id is None:
        await _quietly(context.bot.leave_chat(chat_id))  # not a council's group: nothing to do here
    raise ApplicationHandlerStop


@dataclass
class GroupBudget:
    """How many pointers a group gets: a few at once, then one per `every` seconds. Telegram lets a
    bot write about 20 messages a minute to a group, and PTB's rate limiter waits for its turn: a
    flood of stray commands in a group must not queue hours of pointers (issue 16, fuzz)."""

    burst: float = 5.0
    every: float = 20.0
    clock: Callable[[], float] = time.monotonic
    _left: dict[int, tuple[float, float]] = field(default_factory=dict)

    def take(self, chat_id: int) -> bool:
        now = self.clock()
        left, last = self._left.get(chat_id, (self.burst, now))
        left = min(self.burst, left + (now - last) / self.every)
        if left < 1:
            self._left[chat_id] = (left, now)
            return False
        self._left[chat_id] = (left - 1, now)
        if len(self._left) > 10_000:
            self._left.clear()
        return True


POINTERS = GroupBudget()


async def _membership_changed(update: Update, context: BotContext) -> None:
    """Added to a group by someone who may not link it: leave at once (only the secretariat brings
    the bot into the council's group)."""
    changed = update.my_chat_member
    if changed is None or changed.chat.type == ChatType.PRIVATE:
        return
    joined = changed.new_chat_member.status in (
        ChatMemberStatus.MEMBER,
        ChatMemberStatus.ADMINISTRATOR,
    )
    if not joined:
        return
    if context.actor is not None and context.actor.may(Action.LINK_GROUP):
        return
    log.info("left group %s: added by telegram user %s", changed.chat.id, changed.from_user.id)
    await _quietly(context.bot.leave_chat(changed.chat.id))


def _command(update: Update) -> str | None:
    """The command of a message (`/punkter@bot args` -> "punkter"), or None."""
    message = update.effective_message
    text = message.text if message is not None and message.text else ""
    if update.callback_query is not None or not text.startswith("/"):
        return None
    return text.split()[0][1:].split("@")[0].lower()


def _pointer(context: BotContext) -> str:
    return context._(PRIVATELY, link=f"https://t.me/{context.bot.username}")


async def _quietly(call: object) -> None:
    """A Telegram call whose failure changes nothing (the group is being left, the query is old)."""
    try:
        await call  # type: ignore[misc]
    except TelegramError as error:
        log.info("a courtesy call failed: %s", type(error).__name__)


def _is_start_with_token(update: Update) -> bool:
    message, chat = update.effective_message, update.effective_chat
    text = message.text if message and message.text else ""
    private = chat is not None and chat.type == ChatType.PRIVATE
    return (
        private
        and update.callback_query is None
        and text.startswith("/start ")
        and len(text.split()) == 2
    )


async def refuse_stranger(update: Update, context: BotContext) -> None:
    """The one answer a stranger gets, for any command, message or button."""
    chat = update.effective_chat
    text = context._(STRANGER)
    if update.callback_query is not None:
        await update.callback_query.answer(text, show_alert=True)
        return
    message = update.effective_message
    if message is None or chat is None:
        return
    if chat.type == ChatType.PRIVATE:
        await message.reply_text(text)
