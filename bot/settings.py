"""Process settings, read from the environment (prefix KKRBOT_) and an optional .env file."""

from __future__ import annotations

import socket
from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATABASE_URL = f"sqlite+aiosqlite:///{Path.cwd() / 'kkrbot.db'}"


class Settings(BaseSettings):
    """Everything an operator may set; `.env.example` in deploy/ lists them all."""

    model_config = SettingsConfigDict(env_prefix="KKRBOT_", env_file=".env", extra="ignore")

    telegram_token: str | None = None
    database_url: str = DEFAULT_DATABASE_URL
    # PTB's base_url form, e.g. http://127.0.0.1:8081/bot for `python -m telegram_emulator`.
    telegram_base_url: str = "https://api.telegram.org/bot"
    telegram_base_file_url: str | None = None
    bot_username: str = "kkrbot_bot"
    timezone: str = "Europe/Copenhagen"
    language: str = "da"
    sweep_interval: float = Field(default=60.0, gt=0)
    delivery_interval: float = Field(default=1.0, gt=0)
    # R-Q2: the pinned quorum message is edited at most once per interval (debounced live edits).
    live_interval: float = Field(default=1.0, gt=0)
    invite_ttl_days: int = Field(default=14, gt=0)
    # Conversations (issue 17): an unanswered question is put aside after this many minutes; a
    # cancelled meeting's notices wait this many minutes, so the cancellation can be taken back.
    dialogue_minutes: int = Field(default=30, gt=0)
    undo_minutes: int = Field(default=5, ge=0)
    # Seconds between checks of the people's command menus (moment of the meeting, acting chair).
    menu_interval: float = Field(default=60.0, gt=0)
    log_level: str = "INFO"
    # The council's public pages (R-X1), served by `kkrbot run` on one port; 0 turns them off.
    web_host: str = "127.0.0.1"
    web_port: int = Field(default=8080, ge=0, le=65535)
    # How the pages are reached from outside (behind a reverse proxy), for feed and calendar links.
    web_base_url: str | None = None

    @property
    def public_url(self) -> str:
        """The site's address as people reach it, without a trailing slash."""
        return (self.web_base_url or f"http://{self.web_host}:{self.web_port}").rstrip("/")

    log_format: str = "text"  # or "json": one JSON object a line
    # Webhook mode (`kkrbot run --webhook URL`): Telegram posts updates to this https address,
    # which the reverse proxy passes to KKRBOT_WEB_HOST:KKRBOT_WEB_PORT with the same path.
    webhook_url: str | None = None
    # The secret Telegram sends with each update; by default derived from the token (bot/webhook.py).
    webhook_secret: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,256}$")
    # This process's name in the outbox's claims: a restart under the same name takes its own
    # claims back at once. Two instances on one host need different names.
    instance: str = Field(default_factory=socket.gethostname, max_length=64)

    @property
    def file_base_url(self) -> str:
        """The file download base URL, derived from the API base URL unless set."""
        if self.telegram_base_file_url:
            return self.telegram_base_file_url
        root, _, _ = self.telegram_base_url.rpartition("/bot")
        return f"{root}/file/bot"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once."""
    return Settings()
