"""The operator's routes (issue 16): health, readiness, Prometheus metrics, the webhook's secret."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from models.db import SessionFactory
from models.tables import Council
from services.outbox import enqueue
from tests.integration.conftest import person_id
from web.app import create_app
from web.ops import SECRET_HEADER, metrics_text, ops_app, ops_routes


def client(app: Any) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ops")


async def test_health_readiness_and_metrics(
    sessions: SessionFactory, council: Council, now: datetime
) -> None:
    async with sessions() as session, session.begin():
        await enqueue(
            session,
            person_id=await person_id(sessions, "Gorm Iversen"),
            kind="agenda",
            dedupe_key="k",
            now=now,
        )
    app = ops_app(sessions, counters=lambda: {"kkrbot_telegram_429_total": 3})
    async with client(app) as http:
        assert (await http.get("/healthz")).text == "ok\n"
        assert (await http.get("/readyz")).status_code == 200
        metrics = (await http.get("/metrics")).text
    assert 'kkrbot_notices{kind="agenda",status="pending"} 1' in metrics
    assert "kkrbot_telegram_429_total 3" in metrics


async def test_the_webhook_takes_only_updates_that_carry_the_secret(
    sessions: SessionFactory,
) -> None:
    received: list[dict[str, Any]] = []

    async def receive(update: dict[str, Any]) -> None:
        received.append(update)

    app = ops_app(sessions, webhook=("/telegram", "s3cret", receive))
    async with client(app) as http:
        assert (await http.post("/telegram", json={"update_id": 1})).status_code == 403
        wrong = {SECRET_HEADER: "guess"}
        assert (
            await http.post("/telegram", json={"update_id": 2}, headers=wrong)
        ).status_code == 403
        right = {SECRET_HEADER: "s3cret"}
        assert (await http.post("/telegram", content=b"{", headers=right)).status_code == 400
        assert (
            await http.post("/telegram", json={"update_id": 3}, headers=right)
        ).status_code == 200
    assert received == [{"update_id": 3}]


async def test_the_operator_routes_are_served_by_the_public_site_on_its_port(
    sessions: SessionFactory, council: Council
) -> None:
    app = create_app(sessions, extra_routes=ops_routes(sessions, counters=lambda: {"x_total": 1}))
    async with client(app) as http:
        assert (await http.get("/healthz")).text == "ok\n"
        assert (await http.get("/readyz")).text == "ready\n"
        assert "# TYPE x_total counter" in (await http.get("/metrics")).text
        assert (await http.get("/")).status_code == 200  # the public pages, beside them
        assert (await http.get("/ingen-saadan/")).status_code == 404


async def test_a_stopping_bot_answers_telegram_503_so_the_update_comes_again(
    sessions: SessionFactory,
) -> None:
    async def stopping(update: dict[str, Any]) -> bool:
        return False

    app = ops_app(sessions, webhook=("/telegram", "s3cret", stopping))
    async with client(app) as http:
        answer = await http.post(
            "/telegram", json={"update_id": 1}, headers={SECRET_HEADER: "s3cret"}
        )
    assert answer.status_code == 503


def test_gauges_and_counters_are_told_apart_in_the_metrics() -> None:
    text = metrics_text([("agenda", "sent", 3)], {"kkrbot_sweep_duration_seconds": 0.25})
    assert 'kkrbot_notices{kind="agenda",status="sent"} 3' in text
    assert "# TYPE kkrbot_sweep_duration_seconds gauge\nkkrbot_sweep_duration_seconds 0.25" in text
