"""A local stand-in for the Telegram Bot API, plus a simulation API to act as users.

See README.md in this package. Typical use in a test::

    async with EmulatorServer() as emu, emu.client() as tg:
        app = ApplicationBuilder().token("123:TEST").base_url(emu.base_url) ...
"""

from telegram_emulator.client import BotMessage, CallbackAnswer, CallRecord, EmulatorClient, Sent
from telegram_emulator.faults import RateLimitConfig
from telegram_emulator.server import EmulatorServer, create_app
from telegram_emulator.state import EmulatorState

__all__ = [
    "BotMessage",
    "CallRecord",
    "CallbackAnswer",
    "EmulatorClient",
    "EmulatorServer",
    "EmulatorState",
    "RateLimitConfig",
    "Sent",
    "create_app",
]
