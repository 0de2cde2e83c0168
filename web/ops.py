"""The operator's routes (issue 16), to mount on the site's Starlette app: /healthz (the process
answers), /readyz (the database answers), /metrics (Prometheus text format) and, in webhook mode,
the route Telegram posts updates to (its secret token checked).

`kkrbot run` serves them on the public site's app (web/server.py: `create_app(extra_routes=...)`),
one port. The bot's counters and its update queue live on the bot's loop; `counters` is read as is
(numbers), `webhook`'s receiver hands each update over to the bot's loop (bot/webhook.py) and says
False while the bot cannot take it (stopping): Telegram is then answered 503 and sends it again.
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.outbox import notice_counts

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1_000_000  # Telegram's updates are a few kB; more is not Telegram

Counters = Callable[[], Mapping[str, float]]
Receive = Callable[[dict[str, Any]], Awaitable[bool | None]]


def ops_routes(
    sessions: SessionFactory,
    *,
    counters: Counters = dict,
    webhook: tuple[str, str, Receive] | None = None,
) -> list[Route]:
    """The routes; `webhook` is (path, secret token, what to do with an update)."""

    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(_request: Request) -> Response:
        try:
            async with unit_of_work(sessions, write=False) as session:
                await session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        except Exception as error:  # any failure: not ready, say why in one word
            log.warning("not ready: %s", type(error).__name__)
            return PlainTextResponse("database unavailable\n", status_code=503)
        return PlainTextResponse("ready\n")

    async def metrics(_request: Request) -> Response:
        async with unit_of_work(sessions, write=False) as session:
            counts = await notice_counts(session)
        return PlainTextResponse(
            metrics_text(counts, counters()), media_type="text/plain; version=0.0.4"
        )

    routes = [Route("/healthz", healthz), Route("/readyz", readyz), Route("/metrics", metrics)]
    if webhook is not None:
        routes.append(_webhook_route(*webhook))
    return routes


def ops_app(sessions: SessionFactory, **options: Any) -> Starlette:
    """The routes as an app of their own (tests, or an ops port apart from the public site)."""
    return Starlette(routes=ops_routes(sessions, **options))


def metrics_text(counts: list[tuple[str, str, int]], counters: Mapping[str, float]) -> str:
    """Prometheus' text exposition format: notices by kind and status, and the bot's counters."""
    lines = [
        "# HELP kkrbot_notices Notices in the outbox by kind and status.",
        "# TYPE kkrbot_notices gauge",
    ]
    lines += [f'kkrbot_notices{{kind="{k}",status="{s}"}} {n}' for k, s, n in counts]
    for name, value in sorted(counters.items()):
        kind = "counter" if name.endswith("_total") else "gauge"
        lines += [f"# TYPE {name} {kind}", f"{name} {value:g}"]
    return "\n".join(lines) + "\n"


def _webhook_route(path: str, secret: str, receive: Receive) -> Route:
    async def webhook(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_UPDATE_BYTES:
            return Response(status_code=413)
        try:
            update = json.loads(body)
        except ValueError:
            return Response(status_code=400)
        if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
            return Response(status_code=400)
        if await receive(update) is False:
            return Response(status_code=503)  # stopping: Telegram delivers it again, elsewhere
        return Response(status_code=200)

    return Route(path, webhook, methods=["POST"])
