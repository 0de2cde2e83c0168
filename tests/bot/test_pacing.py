"""The outbox's pacers (issue 15): a send takes its turn before it waits, so sends asked for at
the same moment queue behind each other instead of going to Telegram together."""

from __future__ import annotations

import asyncio

from bot.pacing import ChatPacer, OverallPacer


class Waits:
    """Records each pause asked for instead of sleeping (a fixed clock: nothing moves)."""

    def __init__(self) -> None:
        self.asked: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.asked.append(round(seconds, 6))


async def test_five_sends_to_one_chat_at_once_go_three_then_one_a_second() -> None:
    waits = Waits()
    pacer = ChatPacer(burst=3, per_second=1, clock=lambda: 100.0, sleep=waits)
    await asyncio.gather(*(pacer.wait(42) for _ in range(5)))
    assert sorted(waits.asked) == [1.0, 2.0]  # the first three went at once


async def test_another_chat_has_its_own_burst() -> None:
    waits = Waits()
    pacer = ChatPacer(burst=3, per_second=1, clock=lambda: 100.0, sleep=waits)
    await asyncio.gather(*(pacer.wait(42) for _ in range(3)), *(pacer.wait(43) for _ in range(3)))
    assert waits.asked == []


async def test_a_chat_quiet_for_a_while_has_its_burst_back() -> None:
    waits, now = Waits(), [100.0]
    pacer = ChatPacer(burst=3, per_second=1, clock=lambda: now[0], sleep=waits)
    for _ in range(3):
        await pacer.wait(42)
    now[0] += 3
    for _ in range(3):
        await pacer.wait(42)
    assert waits.asked == []


async def test_the_overall_pace_spaces_a_burst_evenly_just_under_thirty_a_second() -> None:
    waits = Waits()
    pacer = OverallPacer(per_second=29.5, burst=3, clock=lambda: 100.0, sleep=waits)
    await asyncio.gather(*(pacer.wait() for _ in range(33)))
    assert len(waits.asked) == 30 and max(waits.asked) == round(30 / 29.5, 6)
