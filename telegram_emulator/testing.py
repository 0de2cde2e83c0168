"""Helpers to run a real python-telegram-bot Application against the emulator."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, TypeVar

from telegram.ext import Application, ApplicationBuilder

from telegram_emulator.server import EmulatorServer

TOKEN = "123:TEST"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
App = TypeVar("App", bound=AnyApplication)


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
async def polling(app: App, *, timeout: int = 1) -> AsyncIterator[App]:
    """The application polling inside an already running event loop, as ``run_polling`` would.

    ``run_polling`` owns its loop and blocks; this is the same start-up (with the builder's
    ``post_init``) and shut-down (``post_stop``, ``post_shutdown``) in reverse order.
    """
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0.0, timeout=timeout)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
