"""The Bot API connection (issue 15): at most REQUEST_SLOTS calls in flight, the others wait
their turn in order and are all answered; getUpdates has its own connection."""

from __future__ import annotations

import asyncio

import pytest
from telegram.request import HTTPXRequest

from bot.requests import REQUEST_SLOTS, SlottedRequest, bot_api_request


class HeldTelegram:
    """Stands in for the HTTP call: each call waits until the test lets them all go."""

    def __init__(self) -> None:
        self.in_flight = 0
        self.most = 0
        self.order: list[str] = []
        self.go = asyncio.Event()

    async def do_request(self, url: str, *_args: object) -> tuple[int, bytes]:
        self.in_flight += 1
        self.most = max(self.most, self.in_flight)
        self.order.append(url)
        await self.go.wait()
        self.in_flight -= 1
        return 200, url.encode()


async def settle() -> None:
    for _ in range(50):
        await asyncio.sleep(0)


async def test_thirty_calls_at_once_go_eight_at_a_time_in_order_and_all_are_answered(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    telegram = HeldTelegram()
    monkeypatch.setattr(
        HTTPXRequest, "do_request", lambda _request, *args: telegram.do_request(*args)
    )
    request = SlottedRequest()
    urls = [f"https://api.telegram.org/bot1:A/sendMessage?n={n}" for n in range(30)]
    calls = [asyncio.create_task(request.do_request(url, "POST")) for url in urls]
    await settle()
    assert telegram.in_flight == REQUEST_SLOTS == 8
    telegram.go.set()
    answers = await asyncio.gather(*calls)
    assert [body.decode() for _, body in answers] == urls
    assert telegram.order == urls  # first come, first served
    assert telegram.most == REQUEST_SLOTS
    await request.shutdown()


async def test_a_call_that_fails_gives_its_slot_back(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(*_args: object) -> tuple[int, bytes]:
        raise ConnectionError("network down")

    monkeypatch.setattr(HTTPXRequest, "do_request", failing)
    request = SlottedRequest(slots=1)
    for _ in range(3):  # were the slot kept, the second call would wait for ever
        with pytest.raises(ConnectionError):
            await asyncio.wait_for(request.do_request("https://api.telegram.org/x", "POST"), 5)
    await request.shutdown()


def test_get_updates_has_a_connection_of_its_own_without_slots() -> None:
    assert not isinstance(bot_api_request(get_updates=True), SlottedRequest)
    assert isinstance(bot_api_request(), SlottedRequest)
