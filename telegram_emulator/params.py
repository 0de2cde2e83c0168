"""Bot API parameters as Telegram reads them: JSON values, form strings or multipart parts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from telegram_emulator.errors import bad_request

JSONDict = dict[str, Any]


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request, read into memory."""

    filename: str | None
    content_type: str | None
    data: bytes


class Params:
    """Typed access to one call's parameters; form values arrive as (JSON-encoded) strings."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def has(self, name: str) -> bool:
        return self.values.get(name) not in (None, "")

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def text(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None or isinstance(value, Upload):
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False)
        return str(value)

    def integer(self, name: str, *, required: str | None = None) -> int | None:
        """An integer parameter; ``required`` is the error detail when it is missing."""
        value = self.values.get(name)
        if value is None or value == "":
            if required is not None:
                raise bad_request(required)
            return None
        if isinstance(value, bool):
            return int(value)
        try:
            return int(value) if not isinstance(value, str) else int(value.strip())
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def number(self, name: str) -> float | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.values.get(name)
        if isinstance(value, str):
            return value.strip().lower() in ("true", "1", "yes")
        return bool(value)

    def obj(self, name: str, error: str) -> Any:
        """A JSON-serialized parameter (objects and arrays); ``error`` when it does not parse."""
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(error) from None
        return value

    def upload(self, name: str) -> Upload | None:
        value = self.values.get(name)
        return value if isinstance(value, Upload) else None

    def for_log(self) -> JSONDict:
        """The parameters as recorded in the call log (uploads summarised, not stored)."""
        logged: JSONDict = {}
        for name, value in self.values.items():
            if isinstance(value, Upload):
                logged[name] = {"upload": value.filename, "size": len(value.data)}
            else:
                logged[name] = value
        return logged
