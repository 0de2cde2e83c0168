"""Logging (issue 16): quiet when nothing happens, no bot token at any level, JSON if asked."""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import TextIO

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that speak at INFO for every request or job run: an idle bot would write megabytes an
# hour (getUpdates every few seconds, the delivery job every second).
CHATTY = ("httpx", "httpcore", "apscheduler", "telegram.ext.Application", "telegram.ext.Updater")
REDACTED = "[token]"


class Redacting(logging.Formatter):
    """Formats with `inner`, then removes the bot token (and its secret half) wherever it appears —
    a request URL in an httpx message or in a traceback."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self.inner, self.secrets = inner, [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = self.inner.format(record)
        for secret in self.secrets:
            text = text.replace(secret, REDACTED)
        return text


class Json(logging.Formatter):
    """One JSON object a line: time, level, logger, message (and the traceback, if any)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def token_secrets(token: str | None) -> list[str]:
    """The token, and the part after the colon (the secret; the digits are the bot's public id)."""
    if not token:
        return []
    return [token, token.partition(":")[2]] if ":" in token else [token]


def configure_logging(
    level: str = "INFO",
    *,
    fmt: str = "text",
    token: str | None = None,
    stream: TextIO | None = None,
    secrets: tuple[str, ...] = (),
) -> logging.Handler:
    """One handler on the root logger, redacting the token (and `secrets`, the webhook's);
    chatty libraries at WARNING."""
    inner = Json() if fmt == "json" else logging.Formatter(TEXT_FORMAT)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(Redacting(inner, [*token_secrets(token), *secrets]))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    for name in CHATTY:
        logging.getLogger(name).setLevel(max(logging.WARNING, root.level))
    return handler
