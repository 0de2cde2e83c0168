"""A flood of stray commands in a group gets a few pointers, then one per 20 s (issue 16): Telegram
takes about 20 messages a minute in a group, and the rest would queue for hours."""

from __future__ import annotations

from bot.gate import GroupBudget


def test_a_group_gets_a_few_pointers_at_once_then_one_per_interval() -> None:
    now = [0.0]
    budget = GroupBudget(burst=5, every=20, clock=lambda: now[0])
    assert [budget.take(-1) for _ in range(8)] == [True] * 5 + [False] * 3
    assert budget.take(-2)  # another group has its own
    now[0] = 19.0
    assert not budget.take(-1)
    now[0] = 21.0
    assert budget.take(-1) and not budget.take(-1)
