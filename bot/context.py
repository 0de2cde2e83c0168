"""The per-update context: the acting person, a session factory and the clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.settings import Settings
from models.db import SessionFactory
from services.actors import Actor
from templates.i18n import DEFAULT_LANGUAGE, gettext, ngettext

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The real time; tests and the demo pass a clock of their own."""
    return datetime.now(UTC)


class BotContext(CallbackContext[ExtBot[None], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """PTB's context plus what kkrbot handlers need; one instance per update, shared by all groups."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.actor: Actor | None = None
        self.language: str = DEFAULT_LANGUAGE

    @property
    def sessions(self) -> SessionFactory:
        return self.bot_data["sessions"]  # type: ignore[no-any-return]

    @property
    def settings(self) -> Settings:
        return self.bot_data["settings"]  # type: ignore[no-any-return]

    def now(self) -> datetime:
        clock: Clock = self.bot_data.get("clock", system_clock)
        return clock()

    def _(self, message: str, **params: Any) -> str:
        """`message` in the language of the person who wrote."""
        return gettext(self.language, message, **params)

    def ngettext(self, singular: str, plural: str, count: int, **params: Any) -> str:
        """The form for `count` in the language of the person who wrote (%(count)s filled in)."""
        return ngettext(self.language, singular, plural, count, **params)

    def require_actor(self) -> Actor:
        """The linked person; the gate in bot/gate.py guarantees it for member handlers."""
        if self.actor is None:
            raise RuntimeError("handler reached without a linked person")
        return self.actor
