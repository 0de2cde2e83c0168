"""Wiring only: the PTB Application with its handlers, the outbox worker and the scheduler."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot import callbacks, dialogues
from bot.callbacks import CallbackData
from bot.commands import COMMANDS
from bot.context import BotContext, Clock, system_clock
from bot.delivery import deliver_due
from bot.errors import on_error
from bot.gate import gate
from bot.handlers import (
    agenda,
    agenda_order,
    attendance,
    basics,
    constituent,
    meeting_day,
    meeting_room,
    plan,
    plan_change,
    proportional,
    propose,
    record,
    record_publishing,
    requests,
    room_changes,
    term,
)
from bot.handlers.start import start
from bot.limits import Draining
from bot.live import LiveEditor
from bot.menus import Menus, set_default_menus
from bot.pacing import GroupLimiter
from bot.render_ahead import render_ahead
from bot.requests import bot_api_request
from bot.settings import Settings
from models import changes
from models.db import SessionFactory
from models.unit_of_work import unit_of_work
from scheduler.jobs import DELIVERY_JOB_ID, schedule
from services.outbox import reclaim_own

KKRApplication = Application[Any, BotContext, dict[Any, Any], dict[Any, Any], dict[Any, Any], Any]

HANDLERS = {
    "help": basics.help_command,
    "meetings": basics.meetings,
    "language": basics.language,
    "propose": propose.start,
    "cancel": dialogues.cancel_command,
    "myitems": agenda.myitems,
    "agenda": agenda.agenda,
    "items": agenda.items,
    "approve": agenda.approve,
    "distribute": agenda.distribute,
    "call": plan.call,
    "plan": plan.plan,
    "move": plan_change.move,
    "cancelmeeting": plan_change.cancel,
    "absent": attendance.absent,
    "attend": attendance.attend,
    "leave": attendance.leave,
    "request": requests.request,
    "quorum": attendance.quorum,
    "linkgroup": attendance.linkgroup,
    "checkin": meeting_day.checkin,
    "checkout": meeting_day.checkout,
    "open": meeting_day.open_command,
    "close": meeting_day.close_command,
    "attendance": meeting_day.attendance_record,
    "item": meeting_room.item_command,
    "decide": meeting_room.decide_command,
    "vote": meeting_room.vote_command,
    "counts": meeting_room.counts_command,
    "election": meeting_room.election_command,
    "appointments": meeting_room.appointments_command,
    "minutes": record.minutes,
    "publish": record_publishing.publish,
    "calendar": record.calendar,
    "export": record.export,
    "closeditem": record.closed_items,
    "annualplan": term.annual_plan,
    "memberleaves": term.member_leaves,
    "alliance": term.alliance,
    "constituent": constituent.constituent,
}
BUTTONS: dict[type[CallbackData], Any] = {
    callbacks.Language: basics.language_button,
    callbacks.Agenda: agenda.button,
    callbacks.Order: agenda_order.button,
    callbacks.Attendance: attendance.button,
    callbacks.LeaveDecision: attendance.decision_button,
    callbacks.Room: meeting_room.room_button,
    callbacks.VoteBallot: meeting_room.ballot_button,
    callbacks.CastingVote: meeting_room.casting_button,
    callbacks.ElectionVote: meeting_room.election_button,
    callbacks.AppointmentEnd: room_changes.end_pressed,
    callbacks.GroupSeats: proportional.group_button,
    callbacks.Minutes: record.minutes_button,
    callbacks.Publish: record_publishing.publish_button,
    callbacks.PublishSetting: record_publishing.setting_button,
    callbacks.CalendarLink: record.calendar_button,
    callbacks.ClosedMark: record.closed_button,
    callbacks.MemberLeaves: term.member_leaves_button,
    callbacks.MembershipOffer: term.offer_button,
    callbacks.Proposal: propose.chosen,
    callbacks.Plan: plan.undo_button,
    callbacks.Dialog: dialogues.pressed,
}

LIVE_TICKS = 5  # a burst of changes is looked at at most this often per interval


def build_application(
    settings: Settings, sessions: SessionFactory, *, clock: Clock = system_clock
) -> KKRApplication:
    """The bot as it runs in production, in the demo and in the e2e tests (only the URLs differ)."""
    if not settings.telegram_token:
        raise ValueError("KKRBOT_TELEGRAM_TOKEN is not set")
    application: KKRApplication = (
        ApplicationBuilder()
        .token(settings.telegram_token)
        .base_url(settings.telegram_base_url)
        .base_file_url(settings.file_base_url)
        .request(bot_api_request())
        .get_updates_request(bot_api_request(get_updates=True))
        .defaults(Defaults(parse_mode=ParseMode.HTML))
        # Replies go at once; the outbox paces the broadcasts itself (bot/pacing.py); a 429
        # reaches the caller: the outbox pauses and sends again.
        .rate_limiter(GroupLimiter())
        .context_types(ContextTypes(context=BotContext))
        # A burst (60 check-ins in a second) must not queue behind each Telegram round trip.
        .concurrent_updates(True)
        .post_init(_post_init)
        .post_stop(_post_stop)
        .build()
    )
    menus = Menus(application.bot, sessions)
    draining = Draining()  # set by bot/main.py when the process stops (SIGTERM)
    application.bot_data.update(
        sessions=sessions, clock=clock, settings=settings, menus=menus, draining=draining
    )
    _add_handlers(application)
    assert application.job_queue is not None
    schedule(
        application.job_queue,
        sessions=sessions,
        deliver=lambda now: deliver_due(
            application.bot,
            sessions,
            now,
            clock=clock,
            worker=settings.instance,
            draining=draining,
        ),
        clock=clock,
        sweep_interval=settings.sweep_interval,
        delivery_interval=settings.delivery_interval,
        # The people's menus follow their roles and the moment (the leading instance keeps them).
        refresh_menus=_only_when_leading(application, menus.refresh),
        menu_interval=settings.menu_interval,
    )
    application.bot_data["live_editor"] = LiveEditor(
        application.bot,
        sessions,
        min_interval=settings.live_interval,
        tick=settings.live_interval / LIVE_TICKS,
    )
    return application


def _only_when_leading(
    application: KKRApplication, job: Callable[[datetime], Awaitable[Any]]
) -> Callable[[datetime], Awaitable[Any]]:
    """A job of the leading instance only (bot/main.py sets "leading"; a lone instance leads)."""

    async def run(now: datetime) -> Any:
        if application.bot_data.get("leading", True):
            return await job(now)
        return None

    return run


def _add_handlers(application: KKRApplication) -> None:
    application.add_handler(TypeHandler(Update, gate), group=-1)
    application.add_handler(CommandHandler("start", start))
    for command in COMMANDS:
        application.add_handler(CommandHandler(command.names, HANDLERS[command.name]))
    application.add_handler(CommandHandler("stop", dialogues.cancel_command))
    # Each family's handler sees only data of its own that parses (bot/callbacks.py); the rest —
    # an old message's button, a made-up press — is told the button is no longer valid.
    for family, handler in BUTTONS.items():
        application.add_handler(CallbackQueryHandler(handler, pattern=family.filter()))
    application.add_handler(CallbackQueryHandler(basics.stale_button))
    # A text or document answers the open dialogue (bot/dialogues.py); else "not understood".
    application.add_handler(MessageHandler(filters.ChatType.PRIVATE, basics.free_message))
    application.add_error_handler(on_error)


async def _post_init(application: KKRApplication) -> None:
    settings: Settings = application.bot_data["settings"]
    clock: Clock = application.bot_data["clock"]
    async with unit_of_work(application.bot_data["sessions"]) as session:
        await reclaim_own(session, worker=settings.instance, now=clock())
    await set_default_menus(application.bot)
    # The live editor is woken by change, not by a job every fraction of a second (issue 15). It
    # runs in the leading instance only: one editor per pinned message, so two instances never
    # post two of them (bot/main.py sets "leading"; a lone instance always leads).
    application.bot_data["deliver_soon"] = changes.listen(
        changes.NOTICES, lambda: _deliver_soon(application)
    )
    editor: LiveEditor = application.bot_data["live_editor"]
    application.bot_data["tasks"] = [
        asyncio.create_task(
            editor.watch(clock, leading=lambda: application.bot_data.get("leading", True)),
            name="kkrbot-live",
        ),
        # An agenda distributed here has its PDFs rendered at once, before its notices go out.
        asyncio.create_task(
            render_ahead(application.bot_data["sessions"], clock), name="kkrbot-render-ahead"
        ),
    ]


def _deliver_soon(application: KKRApplication) -> None:
    """A notice committed here: the delivery job runs now, not at its next tick (issue 15)."""
    assert application.job_queue is not None
    for job in application.job_queue.get_jobs_by_name(DELIVERY_JOB_ID):
        with contextlib.suppress(Exception):  # not scheduled (yet, or any more): the tick comes
            job.job.modify(next_run_time=datetime.now(UTC))


async def _post_stop(application: KKRApplication) -> None:
    undo = application.bot_data.pop("deliver_soon", None)
    if undo is not None:
        undo()
    tasks: list[asyncio.Task[None]] = application.bot_data.pop("tasks", [])
    for task in tasks:
        task.cancel()
    for task in tasks:
        with contextlib.suppress(asyncio.CancelledError):
            await task


__all__ = ["build_application"]
