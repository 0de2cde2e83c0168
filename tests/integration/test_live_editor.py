"""R-Q2: the debounced editor of the group's pinned quorum message (bot.live.LiveEditor), driven by
an injected clock and a fake bot: a burst of changes is at most one edit per interval, the last
change is always shown, "message is not modified" is no error, and no new message is sent."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from typing import Any, cast

from telegram.error import BadRequest
from telegram.ext import ExtBot

from bot.live import LiveEditor
from models.unit_of_work import unit_of_work
from services.attendance import report_absence
from services.live import dirty_messages, link_group
from tests.conftest import NOW
from tests.integration.conftest import SECRETARY, Council_

GROUP = -100555
INTERVAL = 1.0
TICK = 0.2
MAYORS = ["Anders Gade", "Pia Lund", "Karen Vestergaard", "Nanna Mose", "Lars Storm", "Rasmus Bach"]


@dataclass
class FakeClock:
    """Monotonic seconds that move only when the test (or the editor's sleep) moves them."""

    t: float = 1000.0

    def __call__(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds


@dataclass
class FakeBot:
    """Records every call with the fake clock's time; can answer an edit with "not modified"."""

    clock: FakeClock
    sent: list[str] = field(default_factory=list)
    edits: list[tuple[float, str]] = field(default_factory=list)
    pins: list[int] = field(default_factory=list)
    not_modified: int = 0  # the next this many edits fail as Telegram says "not modified"

    async def send_message(self, chat_id: int, text: str, **_: Any) -> Any:
        self.sent.append(text)
        return SimpleNamespace(message_id=len(self.sent))

    async def pin_chat_message(self, chat_id: int, message_id: int, **_: Any) -> bool:
        self.pins.append(message_id)
        return True

    async def unpin_chat_message(self, chat_id: int, message_id: int, **_: Any) -> bool:
        return True

    async def edit_message_text(self, text: str, **_: Any) -> Any:
        if self.not_modified:
            self.not_modified -= 1
            raise BadRequest(
                "Message is not modified: specified new message content and reply markup are"
                " exactly the same as a current content and reply markup of the message"
            )
        self.edits.append((self.clock(), text))
        return True


def _editor(kkr: Council_, clock: FakeClock, bot: FakeBot, tick: float = TICK) -> LiveEditor:
    return LiveEditor(
        cast(ExtBot[None], bot),
        kkr.sessions,
        min_interval=INTERVAL,
        monotonic=clock,
        tick=tick,
        sleep=clock.sleep,
    )


async def _absent(kkr: Council_, name: str) -> None:
    await kkr.run(report_absence, actor=await kkr.actor(name), meeting_id=kkr.meetings[0], now=NOW)


async def _linked(kkr: Council_, editor: LiveEditor, bot: FakeBot, clock: FakeClock) -> None:
    """The group linked, its message posted and pinned; a while later (the interval is over)."""
    await kkr.run(link_group, actor=await kkr.actor(SECRETARY), chat_id=GROUP, now=NOW)
    report = await editor(NOW)
    assert report.posted == 1 and bot.sent and "22 af 22" in bot.sent[0] and bot.pins == [1]
    clock.t += 2 * INTERVAL


async def _edited_once(kkr: Council_) -> tuple[FakeClock, FakeBot, LiveEditor]:
    """The message linked, then edited for one absence (21 of 22) at the clock's present time."""
    clock = FakeClock()
    bot = FakeBot(clock)
    editor = _editor(kkr, clock, bot)
    await _linked(kkr, editor, bot, clock)
    await _absent(kkr, MAYORS[0])
    await editor(NOW)
    return clock, bot, editor


async def test_a_burst_of_changes_is_one_edit_per_interval_and_the_last_change_shows(
    kkr: Council_,
) -> None:
    clock = FakeClock()
    bot = FakeBot(clock)
    editor = _editor(kkr, clock, bot)
    await _linked(kkr, editor, bot, clock)
    # Six absences, one every 0.15 s, the editor called every tick in between.
    for name in MAYORS:
        await _absent(kkr, name)
        for _ in range(3):
            clock.t += TICK / 4
            await editor(NOW)
    for _ in range(int(2 * INTERVAL / TICK)):  # the quiet after the burst
        clock.t += TICK
        await editor(NOW)
    times = [t for t, _ in bot.edits]
    assert 1 <= len(times) < len(MAYORS), "debounced: fewer edits than changes"
    assert all(b - a >= INTERVAL for a, b in itertools.pairwise(times))
    assert "16 af 22" in bot.edits[-1][1], "the last change is shown"
    assert len(bot.sent) == 1, "edited, never a new message per change"
    assert await kkr.run(dirty_messages) == []


async def test_the_last_change_shows_as_soon_as_the_interval_allows_not_a_tick_later(
    kkr: Council_,
) -> None:
    clock, bot, editor = await _edited_once(kkr)
    first = clock.t
    assert [text for _, text in bot.edits] == [bot.edits[0][1]] and "21 af 22" in bot.edits[0][1]
    await _absent(kkr, MAYORS[1])
    clock.t = first + INTERVAL - TICK / 2  # the next call falls inside the interval
    await editor(NOW)
    assert len(bot.edits) == 2 and bot.edits[1][0] == first + INTERVAL  # edited when due
    assert "20 af 22" in bot.edits[1][1]


async def test_without_a_tick_the_editor_waits_for_its_next_call(kkr: Council_) -> None:
    clock = FakeClock()
    bot = FakeBot(clock)
    editor = _editor(kkr, clock, bot, tick=0.0)
    await _linked(kkr, editor, bot, clock)
    await _absent(kkr, MAYORS[0])
    await editor(NOW)
    await _absent(kkr, MAYORS[1])
    clock.t += INTERVAL / 2
    report = await editor(NOW)
    assert report.edited == 0 and len(bot.edits) == 1, "inside the interval: left dirty"
    clock.t += INTERVAL / 2
    report = await editor(NOW)
    assert report.edited == 1 and "20 af 22" in bot.edits[-1][1]


async def test_message_is_not_modified_is_ignored_and_the_message_is_clean(kkr: Council_) -> None:
    clock = FakeClock()
    bot = FakeBot(clock)
    editor = _editor(kkr, clock, bot)
    await _linked(kkr, editor, bot, clock)
    await _absent(kkr, MAYORS[0])
    bot.not_modified = 1  # e.g. someone else's edit already showed it
    report = await editor(NOW)
    assert report.unchanged == 1 and report.edited == 0 and bot.edits == []
    assert await kkr.run(dirty_messages) == [], "not an error: nothing left to retry"
    assert len(bot.sent) == 1
    clock.t += INTERVAL
    await _absent(kkr, MAYORS[1])
    report = await editor(NOW + timedelta(seconds=1))
    assert report.edited == 1 and "20 af 22" in bot.edits[-1][1]


async def test_a_change_committed_in_this_process_wakes_the_editor_without_a_poll(
    kkr: Council_,
) -> None:
    """Issue 15: the editor sleeps until a change commits (no look every fraction of a second)."""
    clock = FakeClock()
    bot = FakeBot(clock)
    editor = _editor(kkr, clock, bot)
    await _linked(kkr, editor, bot, clock)
    looks = 0
    refresh = editor._refresh

    async def counted(now: Any) -> Any:
        nonlocal looks
        looks += 1
        return await refresh(now)

    editor._refresh = counted  # type: ignore[method-assign]
    watching = asyncio.create_task(editor.watch(lambda: NOW, fallback=3600))
    try:
        await asyncio.sleep(0)  # the first look, at start
        for _ in range(20):  # idle: the editor does not look again
            await asyncio.sleep(0)
        assert looks == 1
        async with unit_of_work(kkr.sessions) as session:
            await report_absence(
                session, actor=await kkr.actor(MAYORS[0]), meeting_id=kkr.meetings[0], now=NOW
            )
        await asyncio.wait_for(_until(lambda: bool(bot.edits)), timeout=10)
        assert "21 af 22" in bot.edits[-1][1] and looks == 2
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching  # its connection goes back before the test's database is disposed of
        with contextlib.suppress(asyncio.CancelledError):
            await watching


async def _until(condition: Any) -> None:
    while not condition():
        await asyncio.sleep(0)


async def test_a_message_whose_interval_runs_out_while_the_editor_looks_is_edited_at_once(
    kkr: Council_,
) -> None:
    """Issue 15: the look that skipped the message (inside its interval) took past the interval's
    end; the editor looks again at once instead of sleeping until the fallback."""
    clock, bot, editor = await _edited_once(kkr)
    first = clock.t
    await _absent(kkr, MAYORS[1])
    clock.t = first + INTERVAL - 0.01  # the next look falls just inside the interval
    refresh = editor._refresh

    async def slow(now: Any) -> Any:
        report = await refresh(now)
        clock.t += 0.02  # and takes until just after it
        return report

    editor._refresh = slow  # type: ignore[method-assign]
    watching = asyncio.create_task(editor.watch(lambda: NOW, fallback=3600))
    try:
        await asyncio.wait_for(_until(lambda: len(bot.edits) == 2), timeout=10)
        assert "20 af 22" in bot.edits[-1][1]
    finally:
        watching.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await watching
