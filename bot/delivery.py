"""The delivery worker: sends due notices from the outbox within Telegram's limits (DESIGN.md)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from models.db import SessionFactory
from services.outbox import Delivery, claim_due, mark_retry, mark_sent, mark_unreachable
from templates.i18n import render

log = logging.getLogger(__name__)

BATCH = 30  # about Telegram's overall limit per second
BACKOFF = timedelta(seconds=30)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    unreachable: int = 0


def render_notice(delivery: Delivery) -> str:
    """The notice's text in the recipient's language, from templates/notices/<kind>.html.j2."""
    return render(f"notices/{delivery.kind}.html.j2", delivery.language, **delivery.payload)


async def deliver_due(bot: ExtBot[None], sessions: SessionFactory, now: datetime) -> DeliveryReport:
    """Claim due notices, send each, record the outcome; a 429 pauses the rest of the batch."""
    async with sessions() as session, session.begin():
        batch = await claim_due(session, now=now, limit=BATCH)
    report = DeliveryReport()
    for index, delivery in enumerate(batch):
        try:
            message = await bot.send_message(
                delivery.chat_id, render_notice(delivery), parse_mode=ParseMode.HTML
            )
        except RetryAfter as error:
            # Telegram asks everyone to wait: put this and the rest of the batch back, due after the pause.
            pause = _seconds(error.retry_after)
            for waiting in batch[index:]:
                await _record(sessions, waiting, now, pause, f"429 retry after {pause}")
            report.retried += len(batch) - index
            return report
        except Forbidden as error:
            async with sessions() as session, session.begin():
                await mark_unreachable(
                    session, notice_id=delivery.notice_id, now=now, error=str(error)
                )
            report.unreachable += 1
        except (NetworkError, BadRequest, TelegramError) as error:
            log.warning("notice %s not delivered (%s); will retry", delivery.notice_id, error)
            await _record(sessions, delivery, now, BACKOFF * delivery.attempts, str(error))
            report.retried += 1
        else:
            async with sessions() as session, session.begin():
                await mark_sent(
                    session, notice_id=delivery.notice_id, message_id=message.message_id, now=now
                )
            report.sent += 1
    return report


def _seconds(retry_after: int | timedelta) -> timedelta:
    return retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)


async def _record(
    sessions: SessionFactory, delivery: Delivery, now: datetime, after: timedelta, error: str
) -> None:
    async with sessions() as session, session.begin():
        await mark_retry(session, notice_id=delivery.notice_id, now=now, after=after, error=error)
