"""`kkrbot run`: migrate the database, then long-poll Telegram (or, with `--webhook URL`, receive
its posts on the public site's port) until stopped (SIGTERM, SIGINT).

Several instances may run on one PostgreSQL database: one polls (bot/leader.py), the others stand
by and take over within seconds; in webhook mode every instance receives. Every instance runs the
outbox worker and the clock, which claim their work row by row. Each update is handled once
whoever receives it (bot/gate.py).

Stopping (SIGTERM) is graceful: no update is taken any more (a webhook post is answered 503, and
Telegram sends it again), the updates already taken are handled, the sends in flight finish and are
recorded, and the outbox gives back every claim it did not send (bot/delivery.py: Draining).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import time
from dataclasses import dataclass

from telegram import Update
from telegram.error import Conflict, TelegramError

from bot.app import KKRApplication, build_application
from bot.leader import Leadership
from bot.limits import Draining
from bot.logs import configure_logging
from bot.metrics import counters
from bot.migration import Migration, MigrationFailed, start_migration
from bot.settings import Settings
from bot.webhook import UpdateInbox, webhook_path, webhook_secret
from models.db import make_engine, make_session_factory
from web.server import WebServer

log = logging.getLogger(__name__)
STANDBY_CHECK = 2.0  # seconds between a standby's tries for the poller lock (takeover time)
POLL_TIMEOUT = 10  # long-poll seconds; also how long a stop may wait for the last poll


class QuietConflicts:
    """The updater's error callback: a 409 (someone else polls this token) is one warning a minute,
    never a traceback; other polling errors are one line each."""

    def __init__(self, every: float = 60.0) -> None:
        self.every, self._last = every, 0.0

    def __call__(self, error: TelegramError) -> None:
        if isinstance(error, Conflict):
            now = time.monotonic()
            if now - self._last >= self.every:
                self._last = now
                log.warning("another process polls this bot token (409 Conflict)")
            return
        log.warning("polling Telegram failed: %s", type(error).__name__)


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: where Telegram posts, the secret it sends, and the hand-over to this loop."""

    url: str
    secret: str
    inbox: UpdateInbox


async def serve(
    application: KKRApplication,
    leadership: Leadership,
    stop: asyncio.Event,
    *,
    webhook: Webhook | None = None,
) -> None:
    """Run the bot until `stop` is set: poll while leading and stand by otherwise, or (webhook)
    take what Telegram posts; the live editor runs in the leader only either way."""
    application.bot_data["leading"] = leadership.single
    await application.initialize()
    if application.post_init is not None:
        await application.post_init(application)
    await application.start()
    updater = application.updater
    assert updater is not None
    on_error = QuietConflicts()
    try:
        if webhook is not None:
            # Every instance sets the same URL and secret: setting it again changes nothing.
            await application.bot.set_webhook(
                webhook.url, secret_token=webhook.secret, allowed_updates=Update.ALL_TYPES
            )
            log.info("Telegram posts updates to the webhook")
        while not stop.is_set():
            leading = await leadership.hold()
            application.bot_data["leading"] = leading  # the live editor runs in the leader only
            if webhook is not None:
                pass  # every instance receives; the gate has each update handled once
            elif leading and not updater.running:
                log.info("polling Telegram (this instance leads)")
                await updater.start_polling(
                    allowed_updates=Update.ALL_TYPES, timeout=POLL_TIMEOUT, error_callback=on_error
                )
            elif not leading and updater.running:
                log.warning("no longer the poller: standing by")
                await updater.stop()
            with contextlib.suppress(TimeoutError):  # the next look at the lock
                await asyncio.wait_for(stop.wait(), STANDBY_CHECK)
    finally:
        if webhook is not None:
            webhook.inbox.open = False  # Telegram is answered 503 and sends it again later
        if updater.running:
            await updater.stop()
        draining: Draining | None = application.bot_data.get("draining")
        if draining is not None:
            draining.requested = True  # sends in flight finish; the rest is given back
        await application.stop()  # the updates taken are handled, the jobs finish
        if application.post_stop is not None:
            await application.post_stop(application)  # the live editor stops
        await application.shutdown()
        await leadership.release()


def run(settings: Settings, migration: Migration | None = None) -> None:
    """Run the bot (long polling or webhook) and the public pages until SIGTERM or SIGINT, once
    `migration` (started here if not given) has brought the database up to date."""
    configure_logging(
        settings.log_level,
        fmt=settings.log_format,
        token=settings.telegram_token,
        secrets=(webhook_secret(settings),) if settings.webhook_url else (),
    )
    # Migrations run automatically on start, in a process of their own (bot/migration.py).
    try:
        (migration or start_migration(settings)).wait()
    except MigrationFailed as failed:  # the worker's traceback is in the log already
        log.error("%s", failed)
        raise SystemExit(1) from None
    asyncio.run(_main(settings))


async def _main(settings: Settings) -> None:
    engine = make_engine(settings.database_url)
    application = build_application(settings, make_session_factory(engine))
    settle_heap()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    webhook = None
    if settings.webhook_url:
        inbox = UpdateInbox(application, loop)
        webhook = Webhook(settings.webhook_url, webhook_secret(settings), inbox)
    web = start_web(settings, webhook)
    try:
        await serve(application, Leadership(engine), stop, webhook=webhook)
    finally:
        if web is not None:
            web.stop()
        await engine.dispose()


def settle_heap() -> None:
    """What start-up built (the modules, the application) lives as long as the process: the
    cyclic garbage collector stops visiting it (gc.freeze). A full collection walked all 190,000
    objects of the stack, a 100 ms pause every member of a burst waited through (issue 15)."""
    gc.collect()
    gc.freeze()


def start_web(settings: Settings, webhook: Webhook | None = None) -> WebServer | None:
    """R-X1: the council's public pages on KKRBOT_WEB_HOST:KKRBOT_WEB_PORT (port 0: none), with
    /healthz, /readyz, /metrics and, in webhook mode, the route Telegram posts to."""
    if not settings.web_port:
        return None
    web = WebServer(
        settings.database_url,
        settings.web_host,
        settings.web_port,
        settings.public_url,
        counters=counters,
        webhook=(webhook_path(webhook.url), webhook.secret, webhook.inbox) if webhook else None,
    )
    web.start()
    return web
