"""Command menus per scope and language (setMyCommands), with Danish aliases in the Danish menu.

A stranger's private chat shows /start and /help; every group only the group's commands; a linked
person's private chat the commands of their roles, those of the moment first (services/menus.py),
with the chair's while they are acting chair (R-P3). `Menus` keeps those private menus in step: a
repeating job looks at everyone's state and calls setMyCommands only for a menu that changed (what
each chat was last shown is remembered in the process: a restart shows each menu once more).
"""

from __future__ import annotations

import logging
from datetime import datetime

from telegram import (
    BotCommand,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.commands import COMMANDS, commands_for, menu
from bot.context import BotContext
from bot.handlers.common import attempt
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.menus import MenuState, menu_state, menu_states
from templates.i18n import LANGUAGES, gettext

log = logging.getLogger(__name__)


def _(message: str) -> str:
    return message


START_DESCRIPTION = _("Link your account with your invitation")
HELP_DESCRIPTION = _("What I can do for you")
GROUP_COMMANDS = [c for c in COMMANDS if c.group]


async def set_default_menus(bot: ExtBot[None]) -> None:
    """What a stranger sees: /start and /help, in Danish by default and in English for English
    clients; in every group only the group's commands."""
    for language in (*LANGUAGES, None):
        shown = language or "da"
        commands = [
            BotCommand("start", gettext(shown, START_DESCRIPTION)),
            BotCommand("hjaelp" if shown == "da" else "help", gettext(shown, HELP_DESCRIPTION)),
        ]
        await bot.set_my_commands(
            commands, scope=BotCommandScopeAllPrivateChats(), language_code=language
        )
        group = [BotCommand(name, text) for name, text in menu(GROUP_COMMANDS, shown)]
        await bot.set_my_commands(
            group, scope=BotCommandScopeAllGroupChats(), language_code=language
        )


def person_menu(state: MenuState) -> list[tuple[str, str]]:
    """The (command, description) pairs of one person's private menu."""
    if not state.linked:
        return []
    commands = commands_for(state.roles, moment=state.moment, acting_chair=state.acting_chair)
    return menu(commands, state.language)


class Menus:
    """The linked people's private menus, set again only when what they would show changed."""

    def __init__(self, bot: ExtBot[None], sessions: SessionFactory) -> None:
        self.bot = bot
        self.sessions = sessions
        self.shown: dict[int, tuple[tuple[str, str], ...]] = {}  # chat -> the menu last set

    async def refresh(self, now: datetime) -> int:
        """Everyone's menu in step with their roles and the moment; how many were set."""
        async with unit_of_work(self.sessions, write=False) as session:
            states = await menu_states(session, now=now)
        changed = 0
        for state in states:
            changed += await self.show(state)
        return changed

    async def show(self, state: MenuState, *, force: bool = False) -> bool:
        """Set the person's menu if it differs from what their chat shows; True if it was set."""
        pairs = tuple(person_menu(state))
        if not state.chat_id or (not force and self.shown.get(state.chat_id) == pairs):
            return False
        scope = BotCommandScopeChat(state.chat_id)
        try:
            if pairs:
                commands = [BotCommand(name, text) for name, text in pairs]
                await self.bot.set_my_commands(commands, scope=scope)
            else:  # no longer a member: the stranger's menu again
                await self.bot.delete_my_commands(scope=scope)
        except TelegramError as error:  # a menu is a convenience; never fail anything for it
            log.warning("could not set the menu of chat %s: %s", state.chat_id, error)
            return False
        self.shown[state.chat_id] = pairs
        return True


async def refresh_person(update: Update, context: BotContext) -> None:
    """The person's menu at once (after linking, or a change of language)."""
    menus = context.bot_data.get("menus")
    found = await attempt(update, context, menu_state, write=False)
    if found is not None and isinstance(menus, Menus):
        await menus.show(found.value, force=True)


async def set_group_menu(bot: ExtBot[None], chat_id: int, language: str) -> None:
    """The menu of the council's group: only the commands that belong there (check-in, quorum,
    the meeting's own), never the private ones."""
    commands = [BotCommand(name, text) for name, text in menu(GROUP_COMMANDS, language)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # a convenience, as above
        log.warning("could not set the menu of group %s: %s", chat_id, error)
