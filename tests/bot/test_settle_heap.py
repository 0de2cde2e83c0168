"""`kkrbot run` settles its heap after start-up (issue 15): what start-up built is left out of the
garbage collector's walks, and garbage made before is collected first, not kept for ever."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.main import settle_heap


@pytest.fixture
def unfrozen() -> Iterator[None]:
    yield
    gc.unfreeze()  # the other tests' objects go back to the collector


def test_what_start_up_built_is_frozen_and_its_garbage_collected_first(unfrozen: None) -> None:
    class Cycle:
        me: object

    garbage = Cycle()
    garbage.me = garbage
    gone = weakref.ref(garbage)
    del garbage
    settle_heap()
    assert gc.get_freeze_count() > 1000
    assert gone() is None, "collected, not frozen for ever"
