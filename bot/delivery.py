"""The delivery worker: sends due notices from the outbox within Telegram's limits (DESIGN.md).

A notice is one or more messages: its text, then for an agenda the PDF and the material as
documents. The parts of a batch go out in rounds (every recipient's text, then every recipient's
PDF, …), so one chat never gets a burst while the bot as a whole runs at Telegram's overall rate;
a notice records each part sent, so a retry resumes after it and nothing is sent twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.callbacks import Attendance
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.agenda_delivery import (
    AGENDA_KIND,
    AgendaPackage,
    Document,
    agenda_package,
    render_agenda_if_needed,
)
from services.agenda_delivery import remember_file_id as remember_pdf
from services.attendance import SUMMONS_TO_ANSWER
from services.errors import Refused
from services.meeting_day import CHECK_IN_TO
from services.outbox import (
    Delivery,
    claim_due,
    mark_part_sent,
    mark_retry,
    mark_sent,
    mark_unreachable,
)
from templates.i18n import gettext, render, supported

log = logging.getLogger(__name__)

BATCH = 30  # about Telegram's overall limit per second
MAX_BATCHES = 20  # per run: the job comes back at once if there is more
BACKOFF = timedelta(seconds=30)


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    unreachable: int = 0
    messages: int = 0  # Telegram messages, counting every document


@dataclass(frozen=True)
class Text:
    text: str
    buttons: InlineKeyboardMarkup | None = None


Part = Text | Document


@dataclass
class ChatPacer:
    """Telegram's per-chat limit (about one message a second, a short burst allowed)."""

    burst: float = 3.0
    per_second: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _tokens: dict[int, tuple[float, float]] = field(default_factory=dict)

    async def wait(self, chat_id: int) -> None:
        now = self.clock()
        tokens, last = self._tokens.get(chat_id, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.per_second)
        if tokens < 1:
            pause = (1 - tokens) / self.per_second
            await asyncio.sleep(pause)  # pacing real Telegram calls, not a test waiting
            now, tokens = now + pause, 1.0
        self._tokens[chat_id] = (tokens - 1, now)
        if len(self._tokens) > 10_000:
            self._tokens.clear()


PACER = ChatPacer()


def _(message: str) -> str:
    return message


ACCEPT, DECLINE, CHECK_IN = _("Accept"), _("Decline"), _("Check in")


def notice_buttons(delivery: Delivery) -> InlineKeyboardMarkup | None:
    """The buttons a notice's intent asks for: a summons to answer gets Accept / Decline, a
    meeting to check in to gets Check in."""
    check_in = delivery.payload.get(CHECK_IN_TO)
    if check_in:
        label = gettext(delivery.language, CHECK_IN)
        return InlineKeyboardMarkup([[Attendance(int(check_in["meeting_id"]), "in").button(label)]])
    summons = delivery.payload.get(SUMMONS_TO_ANSWER) or _queued_summons(delivery)
    if not summons:
        return None
    meeting_id, member_id = int(summons["meeting_id"]), int(summons["member_id"])
    language = delivery.language
    return InlineKeyboardMarkup(
        [
            [
                Attendance(meeting_id, "acc", member_id).button(gettext(language, ACCEPT)),
                Attendance(meeting_id, "dec", member_id).button(gettext(language, DECLINE)),
            ]
        ]
    )


def _queued_summons(delivery: Delivery) -> dict[str, int] | None:
    """A summons queued before notices carried intent (payload "buttons" of raw callback data)."""
    for row in delivery.payload.get("buttons") or []:
        for _label, data in row:
            pressed = Attendance.unpack(data)
            if pressed is not None and pressed.member_id is not None:
                return {"meeting_id": pressed.meeting_id, "member_id": pressed.member_id}
    return None


def render_notice(delivery: Delivery) -> str:
    """The notice's text in the recipient's language, from templates/notices/<kind>.html.j2."""
    return render(f"notices/{delivery.kind}.html.j2", delivery.language, **delivery.payload)


async def notice_parts(
    delivery: Delivery,
    sessions: SessionFactory,
    now: datetime,
    packages: dict[tuple[int, int, str], AgendaPackage],
) -> list[Part]:
    """What one notice sends: the text, and for an agenda its PDF and material (R-M3)."""
    if delivery.kind != AGENDA_KIND:
        return [Text(render_notice(delivery), notice_buttons(delivery))]
    language = supported(delivery.language)
    key = (int(delivery.payload["meeting_id"]), int(delivery.payload["version"]), language)
    if key not in packages:
        # The PDF is rendered (seconds of CPU) before the write guard is taken, not while held.
        async with unit_of_work(sessions, write=False) as session:
            pdf = await render_agenda_if_needed(
                session, meeting_id=key[0], version=key[1], language=language
            )
        async with unit_of_work(sessions) as session:
            packages[key] = await agenda_package(
                session, meeting_id=key[0], version=key[1], language=language, now=now, rendered=pdf
            )
    package = packages[key]
    text = render("notices/agenda.html.j2", language, agenda=package.snapshot)
    return [Text(text), package.pdf, *package.material]


@dataclass
class _Sending:
    delivery: Delivery
    parts: list[Part]
    next_part: int


async def deliver_due(
    bot: ExtBot[None], sessions: SessionFactory, now: datetime, *, pacer: ChatPacer = PACER
) -> DeliveryReport:
    """Send what is due, batch after batch; a 429 puts the rest back, due after Telegram's pause."""
    report = DeliveryReport()
    packages: dict[tuple[int, int, str], AgendaPackage] = {}
    uploaded: dict[int, str] = {}  # agenda document id -> Telegram file id, within this run
    for _ in range(MAX_BATCHES):
        async with unit_of_work(sessions) as session:
            batch = await claim_due(session, now=now, limit=BATCH)
        if not batch:
            break
        sending = []
        for delivery in batch:
            try:
                parts = await notice_parts(delivery, sessions, now, packages)
            except Refused as error:
                log.error("notice %s cannot be built: %s", delivery.notice_id, error)
                await _record(sessions, delivery, now, BACKOFF * delivery.attempts, str(error))
                report.retried += 1
                continue
            sending.append(_Sending(delivery, parts, min(delivery.parts_sent, len(parts))))
        paused = await _send_in_rounds(bot, sessions, now, sending, report, pacer, uploaded)
        if paused or len(batch) < BATCH:
            break
    return report


async def _send_in_rounds(
    bot: ExtBot[None],
    sessions: SessionFactory,
    now: datetime,
    sending: list[_Sending],
    report: DeliveryReport,
    pacer: ChatPacer,
    uploaded: dict[int, str],
) -> bool:
    """Part k of every notice, then part k+1; True when Telegram asked to pause (429).

    The sends of a round run concurrently (a round trip to Telegram takes longer than the
    1/30 s its overall limit allows per message); the rate limiter keeps the overall pace.
    """
    for done in [s for s in sending if s.next_part >= len(s.parts)]:
        await _finish(sessions, done, None, now, report)  # every part went out before a crash
    active = [s for s in sending if s.next_part < len(s.parts)]
    round_ = _Round(bot, sessions, now, report, pacer, uploaded)
    while active:
        outcomes = await asyncio.gather(*(round_.send(item) for item in active))
        if round_.pause is not None:
            # Telegram asks everyone to wait: what is not finished is due again after the pause,
            # resuming at the part it had reached.
            waiting = [i for i, o in zip(active, outcomes, strict=True) if o in (_MORE, _PAUSED)]
            for paused in waiting:
                await _record(
                    sessions, paused.delivery, now, round_.pause, f"429 retry after {round_.pause}"
                )
            report.retried += len(waiting)
            return True
        active = [i for i, o in zip(active, outcomes, strict=True) if o == _MORE]
    return False


_MORE, _DONE, _DROPPED, _PAUSED = "more", "done", "dropped", "paused"
CONCURRENCY = 10  # sends in flight at once; the rate limiter decides how fast they go


@dataclass
class _Round:
    """One round of sends: each notice's next part, concurrently, stopping all at a 429."""

    bot: ExtBot[None]
    sessions: SessionFactory
    now: datetime
    report: DeliveryReport
    pacer: ChatPacer
    uploaded: dict[int, str]
    pause: timedelta | None = None
    _slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))
    _uploads: dict[int, asyncio.Lock] = field(default_factory=dict)

    async def send(self, item: _Sending) -> str:
        delivery, sessions, now = item.delivery, self.sessions, self.now
        async with self._slots:
            if self.pause is not None:
                return _PAUSED
            try:
                await self.pacer.wait(delivery.chat_id)
                part = item.parts[item.next_part]
                message = await self._send_part(delivery.chat_id, part)
            except RetryAfter as error:
                self.pause = retry_delay(error.retry_after)
                return _PAUSED
            except Forbidden as error:
                async with unit_of_work(sessions) as session:
                    await mark_unreachable(
                        session, notice_id=delivery.notice_id, now=now, error=str(error)
                    )
                self.report.unreachable += 1
                return _DROPPED
            except (NetworkError, BadRequest, TelegramError) as error:
                log.warning("notice %s not delivered (%s); will retry", delivery.notice_id, error)
                await _record(sessions, delivery, now, BACKOFF * delivery.attempts, str(error))
                self.report.retried += 1
                return _DROPPED
        self.report.messages += 1
        item.next_part += 1
        if item.next_part == len(item.parts):
            await _finish(sessions, item, message, now, self.report)
            return _DONE
        async with unit_of_work(sessions) as session:
            await mark_part_sent(
                session,
                notice_id=delivery.notice_id,
                parts_sent=item.next_part,
                message_id=message.message_id,
            )
        return _MORE

    async def _send_part(self, chat_id: int, part: Part) -> Message:
        upload_id = part.agenda_document_id if isinstance(part, Document) else None
        if upload_id is None or (isinstance(part, Document) and part.file_id):
            return await _send_part(self.bot, chat_id, part, self.uploaded)
        # The PDF is uploaded once; everyone after gets Telegram's file id.
        lock = self._uploads.setdefault(upload_id, asyncio.Lock())
        async with lock:
            message = await _send_part(self.bot, chat_id, part, self.uploaded)
            if message.document and upload_id not in self.uploaded:
                assert isinstance(part, Document)
                await _remember_upload(self.sessions, part, message, self.uploaded)
        return message


async def _finish(
    sessions: SessionFactory,
    item: _Sending,
    message: Message | None,
    now: datetime,
    report: DeliveryReport,
) -> None:
    async with unit_of_work(sessions) as session:
        await mark_sent(
            session,
            notice_id=item.delivery.notice_id,
            message_id=message.message_id if message else None,
            now=now,
        )
    report.sent += 1


async def _send_part(
    bot: ExtBot[None], chat_id: int, part: Part, uploaded: dict[int, str]
) -> Message:
    if isinstance(part, Text):
        return await bot.send_message(
            chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.buttons
        )
    file_id = part.file_id or (uploaded.get(part.agenda_document_id or 0))
    document: Any = file_id if file_id else InputFile(part.content or b"", filename=part.file_name)
    return await bot.send_document(chat_id, document=document, filename=part.file_name)


async def _remember_upload(
    sessions: SessionFactory, part: Document, message: Message, uploaded: dict[int, str]
) -> None:
    assert part.agenda_document_id is not None and message.document is not None
    if part.agenda_document_id in uploaded:
        return
    uploaded[part.agenda_document_id] = message.document.file_id
    async with unit_of_work(sessions) as session:
        await remember_pdf(
            session, agenda_document_id=part.agenda_document_id, file_id=message.document.file_id
        )


def retry_delay(retry_after: int | timedelta) -> timedelta:
    """How long Telegram asked us to wait (PTB gives an int today, a timedelta when opted in)."""
    return retry_after if isinstance(retry_after, timedelta) else timedelta(seconds=retry_after)


async def _record(
    sessions: SessionFactory, delivery: Delivery, now: datetime, after: timedelta, error: str
) -> None:
    async with unit_of_work(sessions) as session:
        await mark_retry(session, notice_id=delivery.notice_id, now=now, after=after, error=error)
