"""Showing the bot's Telegram messages in a terminal: HTML made plain, buttons numbered."""

from __future__ import annotations

import html
import re

from telegram_emulator.client import BotMessage

_BOLD = re.compile(r"</?(b|strong)>")
_TAG = re.compile(r"<[^>]+>")


def plain(text: str, *, colour: bool) -> str:
    """Telegram HTML as terminal text; bold stays bold on a colour terminal."""
    if colour:
        text = _BOLD.sub(lambda m: "\033[0m" if m.group(0).startswith("</") else "\033[1m", text)
    return html.unescape(_TAG.sub("", text))


def show(message: BotMessage, *, edited: bool, colour: bool) -> str:
    """One bot message as the demo prints it, with its buttons as [1] Label [2] Label."""
    body = message.raw if message.raw is not None else (message.text or message.caption or "")
    if message.parse_mode is None:
        body = html.escape(body)
    lines = [plain(body, colour=colour)]
    if message.document:
        lines.append(f"📎 {message.document.get('file_name', 'document')}")
    if message.labels:
        lines.append("  ".join(f"[{n}] {label}" for n, label in enumerate(message.labels, 1)))
    prefix = "bot (edited)" if edited else "bot"
    indented = "\n".join("    " + line for text in lines for line in text.splitlines())
    return f"  {prefix}:\n{indented}"
