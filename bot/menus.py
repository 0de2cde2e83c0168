"""Command menus per scope and language (setMyCommands), with Danish aliases in the Danish menu."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError
from telegram.ext import ExtBot

from bot.commands import COMMANDS, commands_for, menu
from services.actors import Actor
from templates.i18n import LANGUAGES, gettext

log = logging.getLogger(__name__)


def _(message: str) -> str:
    return message


START_DESCRIPTION = _("Link your account with your invitation")
HELP_DESCRIPTION = _("What I can do for you")


async def set_default_menus(bot: ExtBot[None]) -> None:
    """What a stranger sees: /start and /help, in Danish by default and in English for English clients."""
    for language in (*LANGUAGES, None):
        shown = language or "da"
        commands = [
            BotCommand("start", gettext(shown, START_DESCRIPTION)),
            BotCommand("hjaelp" if shown == "da" else "help", gettext(shown, HELP_DESCRIPTION)),
        ]
        await bot.set_my_commands(
            commands, scope=BotCommandScopeAllPrivateChats(), language_code=language
        )


async def set_person_menu(bot: ExtBot[None], actor: Actor, language: str) -> None:
    """The menu of one person's private chat: the commands of their roles, in their language."""
    if actor.chat_id is None:
        return
    commands = [BotCommand(name, text) for name, text in menu(commands_for(actor), language)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(actor.chat_id))
    except TelegramError as error:  # a menu is a convenience; never fail the person's action for it
        log.warning("could not set the menu of chat %s: %s", actor.chat_id, error)


async def set_group_menu(bot: ExtBot[None], chat_id: int, language: str) -> None:
    """The menu of the council's group: only the commands that belong there (check-in, quorum,
    the meeting's own), never the private ones."""
    shown = [c for c in COMMANDS if c.group]
    commands = [BotCommand(name, text) for name, text in menu(shown, language)]
    try:
        await bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
    except TelegramError as error:  # a convenience, as above
        log.warning("could not set the menu of group %s: %s", chat_id, error)
