"""Webhook mode's pieces (issue 16): the secret every instance agrees on, the path, the URL check."""

from __future__ import annotations

import re

from bot.settings import Settings
from bot.webhook import check_webhook_url, webhook_path, webhook_secret


def test_every_instance_derives_the_same_secret_from_the_token_and_it_is_telegrams_shape() -> None:
    one = webhook_secret(Settings(telegram_token="123:ABC"))
    assert one == webhook_secret(Settings(telegram_token="123:ABC"))
    assert one != webhook_secret(Settings(telegram_token="123:ABD"))
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,256}", one)
    assert "ABC" not in one
    chosen = Settings(telegram_token="123:ABC", webhook_secret="egen_hemmelighed")
    assert webhook_secret(chosen) == "egen_hemmelighed"


def test_the_route_is_the_urls_path() -> None:
    assert webhook_path("https://kkr.example.dk/telegram/opdatering") == "/telegram/opdatering"
    assert webhook_path("https://kkr.example.dk") == "/telegram"
    assert webhook_path("https://kkr.example.dk/") == "/telegram"


def test_a_url_telegram_cannot_post_to_is_refused() -> None:
    assert check_webhook_url("https://kkr.example.dk/telegram") is None
    assert check_webhook_url("ftp://kkr.example.dk/x") is not None
    assert check_webhook_url("kkr.example.dk/telegram") is not None
