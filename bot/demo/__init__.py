"""`kkrbot demo`: the real bot against the local emulator, with a seeded demo council."""

from bot.demo.runner import main

__all__ = ["main"]
