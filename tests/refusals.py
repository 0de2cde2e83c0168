"""`with refused_with("code"):` — a service refuses with that code (services.errors.Refused)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from services.errors import Refused


@contextmanager
def refused_with(code: str, match: str | None = None) -> Iterator[pytest.ExceptionInfo[Refused]]:
    """Like pytest.raises(Refused, match=...), and the refusal's code must be `code`."""
    with pytest.raises(Refused, match=match) as caught:
        yield caught
    assert caught.value.code == code, f"refused with {caught.value.code!r}, not {code!r}"
