"""The emulator delivers updates to a webhook as Telegram does: POSTed in order with the secret
token, confirmed by a 2xx answer, sent again after a failure (issue 16: webhook mode e2e)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from telegram_emulator import EmulatorClient, EmulatorServer
from telegram_emulator.testing import TOKEN
from tests.e2e.serving import serving

MEMBER = 1001


class Receiver:
    """A webhook endpoint that records what it gets and fails the first `failures` posts."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.posts: list[tuple[dict[str, Any], str | None]] = []
        self.app = Starlette(routes=[Route("/hook", self.hook, methods=["POST"])])

    async def hook(self, request: Request) -> Response:
        if self.failures:
            self.failures -= 1
            return Response(status_code=500)
        secret = request.headers.get("X-Telegram-Bot-Api-Secret-Token")
        self.posts.append((await request.json(), secret))
        return Response(status_code=200)

    async def wait_for(self, count: int) -> None:
        for _ in range(200):
            if len(self.posts) >= count:
                return
            await asyncio.sleep(0.025)
        raise AssertionError(f"{len(self.posts)} of {count} updates posted")


async def api(emu: EmulatorServer, method: str, **params: Any) -> Any:
    async with httpx.AsyncClient() as http:
        answer = (await http.post(f"{emu.base_url}{TOKEN}/{method}", json=params)).json()
    assert answer["ok"], answer
    return answer["result"]


async def test_updates_are_posted_in_order_with_the_secret_and_confirmed() -> None:
    receiver = Receiver()
    async with EmulatorServer(bot_token=TOKEN) as emu, serving(receiver.app) as url:
        tg = EmulatorClient(emu.sim_url)
        await tg.add_user(MEMBER, "Mette")
        await api(emu, "setWebhook", url=f"{url}/hook", secret_token="s3cret")
        for text in ("/start", "one", "two"):
            await tg.send(MEMBER, text)
        await receiver.wait_for(3)
        assert [(p["message"]["text"], s) for p, s in receiver.posts] == [
            ("/start", "s3cret"),
            ("one", "s3cret"),
            ("two", "s3cret"),
        ]
        ids = [p["update_id"] for p, _ in receiver.posts]
        assert ids == sorted(ids)
        info = await api(emu, "getWebhookInfo")
        assert (info["url"], info["pending_update_count"]) == (f"{url}/hook", 0)
        await tg.aclose()


async def test_a_failed_post_is_sent_again_and_shown_in_the_webhook_info() -> None:
    receiver = Receiver(failures=2)
    async with EmulatorServer(bot_token=TOKEN) as emu, serving(receiver.app) as url:
        tg = EmulatorClient(emu.sim_url)
        await tg.add_user(MEMBER, "Mette")
        await api(emu, "setWebhook", url=f"{url}/hook")
        await tg.send(MEMBER, "hello")
        await receiver.wait_for(1)
        [(update, secret)] = receiver.posts
        assert update["message"]["text"] == "hello" and secret is None
        info = await api(emu, "getWebhookInfo")
        assert info["last_error_message"] == "Wrong response from the webhook: 500"
        assert info["pending_update_count"] == 0
        await tg.aclose()


async def test_get_updates_is_refused_while_a_webhook_is_set_and_works_after_deleting_it() -> None:
    async with EmulatorServer(bot_token=TOKEN) as emu:
        await api(emu, "setWebhook", url="http://127.0.0.1:9/hook")
        async with httpx.AsyncClient() as http:
            answer = (await http.post(f"{emu.base_url}{TOKEN}/getUpdates")).json()
        assert answer["error_code"] == 409
        await api(emu, "deleteWebhook")
        assert await api(emu, "getUpdates") == []
