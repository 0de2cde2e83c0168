"""Fixtures and helpers to run a real python-telegram-bot Application against the emulator."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from telegram import Bot
from telegram.ext import Application, ApplicationBuilder

from bot.emulator import EmulatorClient, EmulatorServer

TOKEN = "123:TEST"


@pytest.fixture
async def emu() -> AsyncIterator[EmulatorServer]:
    async with EmulatorServer() as server:
        yield server


@pytest.fixture
async def tg(emu: EmulatorServer) -> AsyncIterator[EmulatorClient]:
    async with emu.client() as client:
        yield client


@pytest.fixture
async def bot(emu: EmulatorServer) -> AsyncIterator[Bot]:
    async with Bot(TOKEN, base_url=emu.base_url, base_file_url=emu.base_file_url) as the_bot:
        yield the_bot


def build_app(emu: EmulatorServer, token: str = TOKEN) -> Application:  # type: ignore[type-arg]
    return (
        ApplicationBuilder()
        .token(token)
        .base_url(emu.base_url)
        .base_file_url(emu.base_file_url)
        .build()
    )


@contextlib.asynccontextmanager
async def polling(app: Application) -> AsyncIterator[Application]:  # type: ignore[type-arg]
    """The application polling the emulator, as ``run_polling`` would, torn down in reverse."""
    await app.initialize()
    await app.start()
    assert app.updater is not None
    await app.updater.start_polling(poll_interval=0, timeout=1)
    try:
        yield app
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()
