"""The delivery worker: sends due notices from the outbox within Telegram's limits (DESIGN.md).

A notice is one or more messages: its text (split when longer than Telegram allows), then for an
agenda the PDF and the material as documents. What Telegram says decides what happens (issue 16):

- 429: everything this process sends pauses until the instant Telegram named, taken when the 429
  arrives; the part is then sent again. No attempt is spent and no notice ends because of it.
- 5xx, network errors, timeouts: the notice waits (a doubling backoff) and is tried again for as
  long as it still matters; then it is held and the secretariat told (services/outbox.py).
- 403: the person blocked the bot (unreachable, the secretariat told).
- any other 400: it will never succeed; the notice fails and the secretariat is told what it was.

The intent (which part is on its way) is recorded before each call and the message id after it, so
a crash repeats at most the messages in flight (CONCURRENCY), each at most once. Claims are renewed
while a batch runs, so no other worker takes them over; a cancelled run gives back what it holds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from telegram import InlineKeyboardMarkup, InputFile, Message
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.agenda_parts import AgendaParts, NotBuilt, PendingPdf, agenda_parts
from bot.callbacks import Attendance, MembershipOffer
from bot.limits import Draining, Released
from bot.pacing import FLOOD, ChatPacer, FloodGate, OverallPacer
from bot.record_delivery import (
    MINUTES_KINDS,
    calendar_parts,
    meeting_calendar_file,
    minutes_parts,
    moved,
)
from bot.room_buttons import notice_room_buttons
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.agenda_delivery import (
    AGENDA_KIND,
    Document,
)
from services.agenda_delivery import remember_file_id as remember_pdf
from services.attendance import SUMMONS_TO_ANSWER
from services.errors import Refused
from services.meeting_day import CHECK_IN_TO
from services.membership_changes import OFFER_TO_ANSWER
from services.minutes_documents import remember_minutes_file_id
from services.outbox import (
    CLAIM_LEASE,
    Delivery,
    begin_part,
    claim_due,
    mark_failed,
    mark_part_sent,
    mark_retry,
    mark_sent,
    mark_unreachable,
    release,
    renew_claims,
)
from templates.i18n import gettext, render, supported

log = logging.getLogger(__name__)

BATCH = 30  # about Telegram's overall limit per second
MAX_BATCHES = 20  # per run: the job comes back at once if there is more
CONCURRENCY = 10  # sends in flight at once: also the most messages a crash can repeat
# Telegram answers a large upload slowly; a send given up by the client may still arrive, so the
# timeouts are generous (an answer lost is a possible duplicate, README "Delivery guarantees").
SEND_TIMEOUT = 60.0
HEARTBEAT = CLAIM_LEASE / 3

WallClock = Callable[[], datetime]


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    unreachable: int = 0
    failed: int = 0
    paused: int = 0  # 429s met (each paused all sending as long as Telegram asked)
    messages: int = 0  # Telegram messages, counting every document


@dataclass(frozen=True)
class Text:
    text: str
    buttons: InlineKeyboardMarkup | None = None


Part = Text | Document | PendingPdf


PACER = ChatPacer()
OVERALL = OverallPacer()


def _(message: str) -> str:
    return message


ACCEPT, DECLINE, CHECK_IN = _("Accept"), _("Decline"), _("Check in")


def notice_buttons(delivery: Delivery) -> InlineKeyboardMarkup | None:
    """The buttons a notice's intent asks for: a summons to answer gets Accept / Decline, and so
    does the offer to become member in the place of one who left (R-S6); a meeting to check in to
    gets Check in; the meeting room's notices (a ballot, the casting vote) get theirs."""
    check_in = delivery.payload.get(CHECK_IN_TO)
    if check_in:
        label = gettext(delivery.language, CHECK_IN)
        return InlineKeyboardMarkup([[Attendance(int(check_in["meeting_id"]), "in").button(label)]])
    room = notice_room_buttons(delivery.kind, delivery.payload, delivery.language)
    if room is not None:
        return room
    offer = delivery.payload.get(OFFER_TO_ANSWER)
    if offer:
        seat, language = int(offer["vacancy_id"]), delivery.language
        return InlineKeyboardMarkup(
            [
                [
                    MembershipOffer(seat, True).button(gettext(language, ACCEPT)),
                    MembershipOffer(seat, False).button(gettext(language, DECLINE)),
                ]
            ]
        )
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
    packages: dict[tuple[int, int, str], AgendaParts],
) -> list[Part]:
    """What one notice sends: the text, and for an agenda its PDF and material (R-M3); the
    minutes with their PDF; a summons, move or cancellation with the meeting's .ics."""
    if delivery.kind in MINUTES_KINDS:
        text, pdf = await minutes_parts(delivery, sessions, now)
        return [Text(text), pdf]
    if delivery.kind != AGENDA_KIND:
        texts = split_text(render_notice(delivery), notice_buttons(delivery))
        return [*texts, *await calendar_parts(delivery, sessions, now)]
    language = supported(delivery.language)
    key = (int(delivery.payload["meeting_id"]), int(delivery.payload["version"]), language)
    if key not in packages:
        # The PDF is rendered (seconds of CPU) outside the write guard; the message goes first.
        packages[key] = await agenda_parts(sessions, key[0], key[1], language, now)
    package = packages[key]
    text = render("notices/agenda.html.j2", language, agenda=package.snapshot)
    ics = (
        await meeting_calendar_file(sessions, key[0], language, now)
        if moved(package.snapshot)
        else []
    )
    return [*split_text(text), package.pdf, *package.material, *ics]


def utf16_length(text: str) -> int:
    """Telegram counts a message's length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(
    text: str,
    buttons: InlineKeyboardMarkup | None = None,
    limit: int = MessageLimit.MAX_TEXT_LENGTH,
) -> list[Text]:
    """One message, or several at line breaks when too long for one (a long addendum is split,
    never refused); the buttons go under the last. A single line too long is cut."""
    chunks: list[str] = []
    current = ""
    for line in text.splitlines(keepends=True):
        while utf16_length(line) > limit:
            cut = limit
            while utf16_length(line[:cut]) > limit:
                cut -= 1
            if current:
                chunks.append(current)
            current = ""
            chunks.append(line[:cut])
            line = line[cut:]
        if utf16_length(current + line) > limit:
            chunks.append(current)
            current = ""
        current += line
    if current.strip() or not chunks:
        chunks.append(current)
    chunks = [c for c in chunks if c.strip()] or [text[:limit]]
    return [Text(c, buttons if i == len(chunks) - 1 else None) for i, c in enumerate(chunks)]


@dataclass
class _Sending:
    delivery: Delivery
    parts: list[Part]
    next_part: int
    intended: int | None = None  # the part whose intent is recorded (begin_part)


async def deliver_due(
    bot: ExtBot[None],
    sessions: SessionFactory,
    now: datetime,
    *,
    clock: WallClock | None = None,
    worker: str = "",
    pacer: ChatPacer = PACER,
    flood: FloodGate = FLOOD,
    overall: OverallPacer = OVERALL,
    draining: Draining | None = None,
) -> DeliveryReport:
    """Send what is due, batch after batch. `clock` gives the time when an outcome is recorded
    (a backoff counts from the failure, not from the run's start); `worker` names this process;
    `draining` set means stop: nothing more is claimed or begun."""
    wall = clock or (lambda: now)
    report = DeliveryReport()
    run = _Run(bot, sessions, wall, report, pacer, flood, overall, draining or Draining())
    batches: list[asyncio.Task[None]] = []
    try:
        for _ in range(MAX_BATCHES):
            # The next batch is claimed while the last notices of the one before still wait for
            # their chat's pace (issue 15): the overall pace never idles between batches.
            await run.room(BATCH // 3)
            try:
                await run.wait_for_flood()  # claim nothing while Telegram asks everyone to wait
            except Released:
                break
            if run.draining.requested:
                break  # stopping (SIGTERM): nothing more is claimed
            async with unit_of_work(sessions) as session:
                batch = await claim_due(session, now=wall(), limit=BATCH, worker=worker)
            if not batch:
                break
            batches.append(asyncio.ensure_future(run.batch(batch)))
            if len(batch) < BATCH:
                break
        await asyncio.gather(*batches)
    except BaseException:
        for running in batches:
            running.cancel()  # each gives back the claims it still holds
        await asyncio.gather(*batches, return_exceptions=True)
        raise
    return report


@dataclass
class _Run:
    bot: ExtBot[None]
    sessions: SessionFactory
    clock: WallClock
    report: DeliveryReport
    pacer: ChatPacer
    flood: FloodGate
    overall: OverallPacer
    draining: Draining
    packages: dict[tuple[int, int, str], AgendaParts] = field(default_factory=dict)
    uploaded: dict[UploadKey, str] = field(default_factory=dict)  # stored PDF -> file id
    _slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONCURRENCY))
    _uploads: dict[UploadKey, asyncio.Lock] = field(default_factory=dict)
    _open: int = 0  # claimed notices not yet done, over every batch of the run
    _waiting: int = 0  # of those, waiting for their agenda's PDF to be rendered
    _progress: asyncio.Event = field(default_factory=asyncio.Event)

    async def room(self, most: int) -> None:
        """Wait until at most `most` claimed notices have something left to send now."""
        while self._open - self._waiting > most:
            self._progress.clear()
            await self._progress.wait()

    def _done(self, open_ids: set[int], notice_id: int) -> None:
        if notice_id in open_ids:
            open_ids.discard(notice_id)
            self._open -= 1
            self._progress.set()

    async def batch(self, batch: list[Delivery]) -> None:
        """Send a claimed batch, renewing its claims meanwhile; a cancel gives back the rest."""
        open_ids = {d.notice_id for d in batch}
        self._open += len(open_ids)
        heartbeat = asyncio.create_task(self._heartbeat(open_ids))
        try:
            sending = []
            for delivery in batch:
                if self.draining.requested:
                    break  # the rest is given back below, unsent and unprepared
                prepared = await self._prepare(delivery, open_ids)
                if prepared is not None:
                    sending.append(prepared)
            await asyncio.gather(*(self._notice(item, open_ids) for item in sending))
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                async with unit_of_work(self.sessions) as session:
                    await release(session, notice_ids=open_ids, now=self.clock())
            raise
        finally:
            heartbeat.cancel()
            if open_ids and self.draining.requested:  # stopping: due again at once, anywhere
                with contextlib.suppress(Exception):
                    async with unit_of_work(self.sessions) as session:
                        await release(session, notice_ids=open_ids, now=self.clock())
            self._open -= len(open_ids)  # whatever is left is no longer this run's
            open_ids.clear()
            self._progress.set()

    async def _heartbeat(self, open_ids: set[int]) -> None:
        while True:
            await asyncio.sleep(HEARTBEAT.total_seconds())
            async with unit_of_work(self.sessions) as session:
                await renew_claims(session, notice_ids=set(open_ids), now=self.clock())

    async def _prepare(self, delivery: Delivery, open_ids: set[int]) -> _Sending | None:
        try:
            parts = await notice_parts(delivery, self.sessions, self.clock(), self.packages)
        except Exception as error:  # a bug or a missing row must not stop the others
            log.error(
                "notice %s (%s) cannot be built: %s",
                delivery.notice_id,
                delivery.kind,
                type(error).__name__,
                exc_info=not isinstance(error, Refused),
            )
            await self._outcome(delivery, open_ids, retry=type(error).__name__)
            return None
        return _Sending(delivery, parts, min(delivery.parts_sent, len(parts)))

    async def _notice(self, item: _Sending, open_ids: set[int]) -> None:
        delivery = item.delivery
        message: Message | None = None
        while item.next_part < len(item.parts):
            try:
                message = await self._send(item)
            except Released:
                return  # the process stops: the batch gives the notice back
            except NotBuilt as error:
                log.error(
                    "notice %s (%s) cannot be built: %s", delivery.notice_id, delivery.kind, error
                )
                await self._outcome(delivery, open_ids, retry=str(error))
                return
            except Forbidden as error:
                await self._outcome(delivery, open_ids, unreachable=error.message)
                return
            except BadRequest as error:
                log.warning(
                    "notice %s (%s) refused by Telegram: %s",
                    delivery.notice_id,
                    delivery.kind,
                    error.message,
                )
                await self._outcome(delivery, open_ids, failed=error.message)
                return
            except TelegramError as error:  # 5xx, network, timeout: Telegram, not the notice
                log.warning(
                    "notice %s not delivered (%s); will retry",
                    delivery.notice_id,
                    type(error).__name__,
                )
                await self._outcome(delivery, open_ids, retry=str(error))
                return
            self.report.messages += 1
            item.next_part += 1
            if item.next_part < len(item.parts):
                # One transaction: this part sent, the next one's intent (issue 15: fewer writes).
                async with unit_of_work(self.sessions) as session:
                    await mark_part_sent(
                        session,
                        notice_id=delivery.notice_id,
                        parts_sent=item.next_part,
                        message_id=message.message_id,
                        sending_next=True,
                    )
                item.intended = item.next_part
        async with unit_of_work(self.sessions) as session:
            await mark_sent(
                session,
                notice_id=delivery.notice_id,
                message_id=message.message_id if message else None,
                now=self.clock(),
            )
        self._done(open_ids, delivery.notice_id)
        self.report.sent += 1

    async def _send(self, item: _Sending) -> Message:
        """Send the notice's next part; a 429 pauses everything and the part goes again after."""
        chat_id, part = item.delivery.chat_id, item.parts[item.next_part]
        if isinstance(part, PendingPdf):  # the agenda's PDF: its render is awaited only now
            self._waiting += 1  # meanwhile the next batch's messages may go (room())
            self._progress.set()
            try:
                part = item.parts[item.next_part] = await part.document
            except Exception as error:
                raise NotBuilt(type(error).__name__) from error
            finally:
                self._waiting -= 1
        while True:
            await self.wait_for_flood()
            await self.pacer.wait(chat_id)
            async with self._slots:
                await self.wait_for_flood()  # a 429 may have come while this waited its turn
                if self.draining.requested:
                    raise Released  # only the sends already on their way finish
                if item.intended != item.next_part:
                    async with unit_of_work(self.sessions) as session:
                        await begin_part(
                            session, notice_id=item.delivery.notice_id, part=item.next_part
                        )
                    item.intended = item.next_part
                await self.overall.wait()  # just under 30/s over all chats (bot/pacing.py)
                try:
                    return await self._send_part(chat_id, part)
                except RetryAfter as error:
                    self.flood.pause(error.retry_after)
                    self.report.paused += 1
                    log.info("Telegram asked to wait %s s (429)", error.retry_after)

    async def wait_for_flood(self) -> None:
        """Telegram's pause after a 429, given up at once when the process stops."""
        while (left := self.flood.until - self.flood.clock()) > 0:
            if self.draining.requested:
                raise Released
            await asyncio.sleep(min(left, 0.5))  # Telegram's real pause, in short steps

    async def _outcome(
        self,
        delivery: Delivery,
        open_ids: set[int],
        *,
        retry: str | None = None,
        failed: str | None = None,
        unreachable: str | None = None,
    ) -> None:
        now = self.clock()
        async with unit_of_work(self.sessions) as session:
            if unreachable is not None:
                await mark_unreachable(
                    session, notice_id=delivery.notice_id, now=now, error=unreachable
                )
                self.report.unreachable += 1
            elif failed is not None:
                await mark_failed(session, notice_id=delivery.notice_id, now=now, error=failed)
                self.report.failed += 1
            else:
                await mark_retry(
                    session, notice_id=delivery.notice_id, now=now, error=retry or "error"
                )
                self.report.retried += 1
        self._done(open_ids, delivery.notice_id)

    async def _send_part(self, chat_id: int, part: Part) -> Message:
        upload_id = upload_key(part)
        if upload_id is None or (isinstance(part, Document) and part.file_id):
            return await _send_part(self.bot, chat_id, part, self.uploaded)
        # A stored PDF (an agenda's, the approved minutes') is uploaded once; everyone after gets
        # Telegram's file id.
        lock = self._uploads.setdefault(upload_id, asyncio.Lock())
        async with lock:
            message = await _send_part(self.bot, chat_id, part, self.uploaded)
            if message.document and upload_id not in self.uploaded:
                assert isinstance(part, Document)
                await _remember_upload(self.sessions, upload_id, message, self.uploaded)
        return message


UploadKey = tuple[str, int]  # ("agenda" | "minutes", the stored document's id)


def upload_key(part: Part) -> UploadKey | None:
    """Which stored PDF a part is, if it is one whose Telegram file id is kept."""
    if not isinstance(part, Document):
        return None
    if part.agenda_document_id is not None:
        return ("agenda", part.agenda_document_id)
    if part.minutes_document_id is not None:
        return ("minutes", part.minutes_document_id)
    return None


async def _send_part(
    bot: ExtBot[None], chat_id: int, part: Part, uploaded: dict[UploadKey, str]
) -> Message:
    timeouts: dict[str, Any] = {"read_timeout": SEND_TIMEOUT, "write_timeout": SEND_TIMEOUT}
    if isinstance(part, Text):
        return await bot.send_message(
            chat_id, part.text, parse_mode=ParseMode.HTML, reply_markup=part.buttons, **timeouts
        )
    key = upload_key(part)
    file_id = part.file_id or (uploaded.get(key) if key is not None else None)
    document: Any = file_id if file_id else InputFile(part.content or b"", filename=part.file_name)
    return await bot.send_document(chat_id, document=document, filename=part.file_name, **timeouts)


async def _remember_upload(
    sessions: SessionFactory, key: UploadKey, message: Message, uploaded: dict[UploadKey, str]
) -> None:
    assert message.document is not None
    if key in uploaded:
        return
    file_id = uploaded[key] = message.document.file_id
    async with unit_of_work(sessions) as session:
        if key[0] == "agenda":
            await remember_pdf(session, agenda_document_id=key[1], file_id=file_id)
        else:
            await remember_minutes_file_id(session, minutes_document_id=key[1], file_id=file_id)
