"""The one refusal a service can give. It carries a code and parameters, so the caller can say it
in the person's language (bot/texts.py) or print it (CLI); no service ever formats text for a person."""

from __future__ import annotations

from typing import Any


class Refused(Exception):
    """A request the current state or the person's roles do not allow; nothing changed.

    `code` names the situation (bot/texts.py has its sentence in English and Danish), `params` fill
    it in, and `detail` is the English detail the CLI and the logs show.
    """

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        super().__init__(detail or code)
        self.code = code
        self.detail = detail or code
        self.params = params
