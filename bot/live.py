"""The live-message editor (DESIGN.md: live messages): keeps each council group's pinned quorum
message up to date. It is called often (a fraction of the interval) and edits a dirty message only
when its last edit is at least `min_interval` old, so a burst of check-ins becomes at most one edit
per interval per message, never a new message per change, and the last change shows within about
one interval."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from telegram import InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError
from telegram.ext import ExtBot

from bot.callbacks import Attendance
from models import changes
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from services.live import LiveRender, dirty_messages, mark_rendered
from services.quorum import QuorumView
from templates.i18n import gettext, render

log = logging.getLogger(__name__)
# How often the editor looks for changes made by another process (a second instance writes the
# check-ins it received; this one, the leader, edits the pinned message). Changes committed in
# this process wake it at once (models.changes).
FALLBACK_SECONDS = 5.0


def _(message: str) -> str:
    return message


CHECK_IN = _("Check in")
CHECK_OUT = _("Check out")


@dataclass
class LiveReport:
    posted: int = 0
    edited: int = 0
    unchanged: int = 0
    touched: list[int] = field(default_factory=list)  # live ids shown (the debounce starts again)
    # When each was shown: taken once Telegram answered, so the next edit's call starts at least
    # the interval after this one's reached Telegram (never two edits in one interval).
    shown_at: dict[int, float] = field(default_factory=dict)

    def merge(self, other: LiveReport) -> None:
        self.posted += other.posted
        self.edited += other.edited
        self.unchanged += other.unchanged
        self.touched += other.touched
        self.shown_at.update(other.shown_at)


def quorum_text(view: QuorumView, language: str) -> str:
    """The quorum message, the same for /quorum and the pinned group message."""
    return render("chat/quorum.html.j2", language, view=view)


def meeting_buttons(view: QuorumView, language: str) -> InlineKeyboardMarkup | None:
    """Check in / Check out under the group message while the meeting is open."""
    if not view.open:
        return None
    meeting = view.meeting.id
    return InlineKeyboardMarkup(
        [
            [
                Attendance(meeting, "in").button(gettext(language, CHECK_IN)),
                Attendance(meeting, "out").button(gettext(language, CHECK_OUT)),
            ]
        ]
    )


@dataclass
class LiveEditor:
    """The debounced editor: one per bot process, remembering when it last edited each message.

    `monotonic` and `sleep` are injected so tests drive the debounce without the wall clock. With
    `tick` (how often the job calls it), a message that becomes editable again before the next
    call is edited at that moment rather than up to a tick later: the last change of a burst
    shows as soon as the interval allows.
    """

    bot: ExtBot[None]
    sessions: SessionFactory
    min_interval: float = 1.0
    monotonic: Callable[[], float] = time.monotonic
    tick: float = 0.0
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    last_edit: dict[int, float] = field(default_factory=dict)
    held_back: bool = False  # the last look skipped a message still inside its interval

    async def __call__(self, now: datetime) -> LiveReport:
        report = await self._refresh(now)
        soon = self._next_due() - self.monotonic()
        if 0 < soon < self.tick:  # due before the next call: wait for it, not for the tick
            await self.sleep(soon)
            report.merge(await self._refresh(now + timedelta(seconds=soon)))
        return report

    async def watch(
        self,
        clock: Callable[[], datetime],
        *,
        leading: Callable[[], bool] = lambda: True,
        fallback: float = FALLBACK_SECONDS,
    ) -> None:
        """Run until cancelled, woken by change rather than by a poll (issue 15: an idle bot uses
        no CPU): refresh when a change of a live message commits in this process, when a message
        held back by the debounce may be edited again, and every `fallback` seconds for changes
        made elsewhere. A burst of changes is looked at most once per `tick`."""
        wake = changes.signal(changes.LIVE)
        while True:
            wake.clear()
            looked = self.monotonic()
            if leading():
                try:
                    await self._refresh(clock())
                except Exception:  # the next change or the fallback tries again
                    log.exception("the live messages were not refreshed")
            due = self._next_due() - self.monotonic()
            if due <= 0 and self.held_back:
                continue  # its interval ran out while we looked: edit it now, not at the fallback
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), min(fallback, due) if due > 0 else fallback)
            spacing = looked + self.tick - self.monotonic()
            if spacing > 0:
                await self.sleep(spacing)

    async def _refresh(self, now: datetime) -> LiveReport:
        moment = self.monotonic()
        recent = [i for i, t in self.last_edit.items() if moment - t < self.min_interval]
        self.held_back = bool(recent)
        report = await refresh_live(
            self.bot, self.sessions, now, exclude=recent, monotonic=self.monotonic
        )
        self.last_edit.update(report.shown_at)
        return report

    def _next_due(self) -> float:
        """When the earliest message still inside its interval may be edited again."""
        moment = self.monotonic()
        waiting = [t + self.min_interval for t in self.last_edit.values()]
        return min((t for t in waiting if t > moment), default=moment)


async def refresh_live(
    bot: ExtBot[None],
    sessions: SessionFactory,
    now: datetime,
    *,
    exclude: list[int] | None = None,
    monotonic: Callable[[], float] = time.monotonic,
) -> LiveReport:
    """Post, pin or edit every dirty live message once; record what was shown."""
    # A read (the rows are locked, SKIP LOCKED, against another instance): it need not wait for,
    # nor hold up, this process's writes — sixty votes in a second go on while it renders.
    async with unit_of_work(sessions, write=False) as session:
        dirty = await dirty_messages(session, exclude=exclude or [])
    report = LiveReport()
    for item in dirty:
        text = quorum_text(item.view, item.language)
        try:
            message_id = await _show(bot, item, text, report)
        except RetryAfter as error:
            log.info("live message %s waits %s (429)", item.live_id, error.retry_after)
            return report  # stays dirty; the next run tries again
        except Forbidden as error:
            log.warning(
                "live message %s: bot not in chat %s: %s", item.live_id, item.chat_id, error
            )
            message_id = (
                item.message_id or 0
            )  # give up on this chat until the group is linked again
        except TelegramError as error:
            log.warning("live message %s not updated (%s); will retry", item.live_id, error)
            continue
        report.touched.append(item.live_id)
        report.shown_at[item.live_id] = monotonic()
        async with unit_of_work(sessions) as session:
            await mark_rendered(
                session,
                live_id=item.live_id,
                changes=item.changes,
                message_id=message_id,
                text=text,
                now=now,
            )
    return report


async def _show(bot: ExtBot[None], item: LiveRender, text: str, report: LiveReport) -> int:
    markup = meeting_buttons(item.view, item.language)
    if item.message_id is None:
        report.posted += 1
        message_id = await _post(bot, item.chat_id, text, markup)
        if item.replaces is not None:
            await _unpin(bot, item.chat_id, item.replaces)
        return message_id
    if text == item.last_text:
        report.unchanged += 1
        return item.message_id
    try:
        await bot.edit_message_text(
            text,
            chat_id=item.chat_id,
            message_id=item.message_id,
            parse_mode=ParseMode.HTML,
            reply_markup=markup,
        )
    except BadRequest as error:
        reason = error.message.lower()
        if "not modified" in reason:
            report.unchanged += 1
            return item.message_id
        if "not found" in reason:  # someone deleted it: post and pin a new one
            report.posted += 1
            return await _post(bot, item.chat_id, text, markup)
        raise
    report.edited += 1
    return item.message_id


async def _post(
    bot: ExtBot[None], chat_id: int, text: str, markup: InlineKeyboardMarkup | None
) -> int:
    message = await bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, reply_markup=markup)
    try:
        await bot.pin_chat_message(chat_id, message.message_id, disable_notification=True)
    except TelegramError as error:  # not an admin: the message still works, unpinned
        log.warning("could not pin the quorum message in %s: %s", chat_id, error)
    return message.message_id


async def _unpin(bot: ExtBot[None], chat_id: int, message_id: int) -> None:
    """The previous meeting's message stays in the chat as a record; only the pin moves on."""
    try:
        await bot.unpin_chat_message(chat_id, message_id)
    except TelegramError as error:  # already unpinned by hand, or no longer an admin
        log.info("could not unpin %s in %s: %s", message_id, chat_id, error)
