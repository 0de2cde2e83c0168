"""Helpers to run a real python-telegram-bot Application against the emulator in tests."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from telegram.ext import Application, ApplicationBuilder

from bot.emulator.server import EmulatorServer

TOKEN = "123:TEST"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


def build_app(emu: EmulatorServer, token: str = TOKEN) -> AnyApplication:
    """A bare PTB Application whose Bot API is the emulator."""
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: AnyApplication, *, timeout: int = 1) -> AsyncIterator[AnyApplication]:
    """The application polling the emulator, as ``run_polling`` would, torn down in reverse."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
