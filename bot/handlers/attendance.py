"""/absent (/afbud), /attend (/deltager), /leave (/orlov), /request (/anmod), /quorum, /linkgroup,
and the buttons `att:<meeting>:<action>` and `la:<id>:<y|n>`. Thin: parse, call one service,
answer. The services re-check everything a button claims (callback data is never trusted)."""

from __future__ import annotations

import re
from datetime import date
from html import escape
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot.context import BotContext
from bot.handlers.common import REFUSED, args_text, replace, run, tell
from bot.live import quorum_text
from procedure.permissions import Action
from services.attendance import (
    AbsenceResult,
    answer_summons,
    find_member,
    my_meetings,
    report_absence,
    summon_substitute,
    withdraw_absence,
)
from services.live import link_group
from services.long_absence import (
    decide_long_absence,
    end_long_absence,
    pending_decisions,
    report_long_absence,
)
from services.meeting_day import Presence, check_in, check_out
from services.quorum import quorum_view
from services.requests import request_meeting
from templates.i18n import format_day, format_when

# The optional third number is the member an absence is about when the secretariat or the chair
# reports it for them (`/afbud NAVN`); the services re-check that they may.
CALLBACK = re.compile(r"^att:(\d{1,9}):(abs|sum|nos|wd|acc|dec|in|out)(?::(\d{1,9}))?$")
DECISION = re.compile(r"^la:(\d{1,9}):(y|n)$")
DATE_FORMS = (
    re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$"),
    re.compile(r"^(?P<d>\d{1,2})[./-](?P<m>\d{1,2})[./-](?P<y>\d{4})$"),
)
END_WORDS = {"slut", "end", "tilbage", "back"}


def _button(text: str, data: str) -> InlineKeyboardButton:
    assert len(data.encode()) <= 64  # Telegram's limit on callback data
    return InlineKeyboardButton(text, callback_data=data)


async def absent(update: Update, context: BotContext) -> None:
    """R-S3: choose the meeting; the words after the command are the (optional) reason. The
    secretariat and the chair write `/afbud NAVN; begrundelse` for a member who phoned them."""
    words = args_text(context)
    member = await _member_named(update, context, words)
    if member is REFUSED:
        return
    reason = (words.partition(";")[2].strip() if member else words) or None
    member_id = member[0] if member else None
    choices = await run(update, context, my_meetings, member_id=member_id)
    if choices is REFUSED:
        return
    open_choices = [c for c in choices if not c.absent]
    if not open_choices:
        text = (
            context._("You have reported absence for every coming meeting already.")
            if choices
            else context._("There are no coming meetings in the plan.")
        )
        if member and choices:
            text = context._(
                "%(name)s is reported absent from every coming meeting already.",
                name=escape(member[1]),
            )
        await tell(update, context, text)
        return
    suffix = f":{member_id}" if member_id else ""
    buttons = [
        [_button(format_when(c.starts_at, context.language), f"att:{c.meeting_id}:abs{suffix}")]
        for c in open_choices
    ]
    text = context._("Which meeting can you not attend?")
    if member:
        text = context._("Which meeting can %(name)s not attend?", name=escape(member[1]))
    if reason:
        text += "\n" + _reason_line(context, escape(reason))
    await tell(update, context, text, markup=InlineKeyboardMarkup(buttons))


async def _member_named(update: Update, context: BotContext, words: str) -> Any:
    """For the secretariat and the chair: the member named before any ';' (id, name), or None.
    A chair whose words name nobody is giving a reason for their own absence; the secretariat,
    who has no absence of its own, is told how to name the member."""
    actor = context.require_actor()
    if not actor.may(Action.REPORT_ABSENCE_FOR_OTHERS):
        return None
    name = words.partition(";")[0].strip()
    found = await run(update, context, find_member, name=name) if name else None
    if found is REFUSED or found is not None or actor.may(Action.REPORT_ABSENCE):
        return found
    text = context._("Name the member whose absence you report: /afbud NAME; reason (optional).")
    if name:
        text = context._("No member of the council is called %(name)s.", name=escape(name)) + (
            "\n" + text
        )
    await tell(update, context, text)
    return REFUSED


def _reason_line(context: BotContext, reason: str) -> str:
    return context._("Reason: %(reason)s", reason=reason)


def _reason_shown(update: Update, context: BotContext) -> str | None:
    """The reason travels in the meeting question itself, so a restart between the command and
    the button loses nothing and an older question keeps its own reason."""
    message = update.callback_query.message if update.callback_query else None
    text = getattr(message, "text", None) or ""  # an old message may be inaccessible
    prefix = _reason_line(context, "")
    for line in text.splitlines()[1:]:
        if line.startswith(prefix):
            return line[len(prefix) :].strip() or None
    return None


async def attend(update: Update, context: BotContext) -> None:
    """R-S3: withdraw an absence (until the meeting opens)."""
    choices = await run(update, context, my_meetings)
    if choices is REFUSED:
        return
    mine = [c for c in choices if c.absent]
    if not mine:
        await tell(
            update, context, context._("You have not reported absence for any coming meeting.")
        )
        return
    buttons = [
        [_button(format_when(c.starts_at, context.language), f"att:{c.meeting_id}:wd")]
        for c in mine
    ]
    await tell(
        update,
        context,
        context._("Which meeting will you attend after all?"),
        markup=InlineKeyboardMarkup(buttons),
    )


async def button(update: Update, context: BotContext) -> None:
    """Every `att:` button: the data names a meeting and an action, both re-checked by a service."""
    query = update.callback_query
    match = CALLBACK.match(query.data or "") if query is not None else None
    if query is None or match is None:
        if query is not None:
            await query.answer(context._("That button is no longer in use."), show_alert=True)
        return
    meeting_id, action = int(match.group(1)), match.group(2)
    if match.group(3) is None:
        await ACTIONS[action](update, context, meeting_id)
    elif action in FOR_MEMBER:
        await FOR_MEMBER[action](update, context, meeting_id, int(match.group(3)))
    else:
        await query.answer(context._("That button is no longer in use."), show_alert=True)


async def _report(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    reason = _reason_shown(update, context)
    result = await run(
        update, context, report_absence, meeting_id=meeting_id, reason=reason, member_id=member_id
    )
    if result is REFUSED:
        return
    if member_id is not None:
        await _reported_for(update, context, result)
        return
    await tell(update, context, context._("Your absence is recorded."))
    if result.substitute_name is None:
        await replace(
            update,
            context._(
                "Your absence is recorded and the secretariat has been told. You have no personal"
                " substitute registered."
            ),
        )
        return
    name = escape(result.substitute_name)
    buttons = InlineKeyboardMarkup(
        [
            [
                _button(context._("Yes, summon %(name)s", name=name), f"att:{meeting_id}:sum"),
                _button(context._("No"), f"att:{meeting_id}:nos"),
            ]
        ]
    )
    await replace(
        update,
        context._(
            "Your absence is recorded and the secretariat has been told.\n"
            "Summon your substitute %(name)s?",
            name=name,
        ),
        buttons,
    )


async def _reported_for(update: Update, context: BotContext, result: AbsenceResult) -> None:
    """The secretariat's or chair's version of the answer: about the member, by name."""
    await tell(update, context, context._("The absence is recorded."))
    member = escape(result.member_name)
    text = context._(
        "The absence of %(member)s is recorded; the member and the secretariat have been told.",
        member=member,
    )
    if result.substitute_name is None:
        await replace(update, text + "\n" + context._("The member has no personal substitute."))
        return
    data = f"att:{result.meeting_id}:%s:{result.member_id}"
    name = escape(result.substitute_name)
    buttons = InlineKeyboardMarkup(
        [
            [
                _button(context._("Yes, summon %(name)s", name=name), data % "sum"),
                _button(context._("No"), data % "nos"),
            ]
        ]
    )
    question = context._("Summon the substitute %(name)s?", name=name)
    await replace(update, f"{text}\n{question}", buttons)


async def _summon(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    name = await run(update, context, summon_substitute, meeting_id=meeting_id, member_id=member_id)
    if name is REFUSED:
        return
    await tell(update, context, context._("Summons sent."))
    if member_id is not None:
        await replace(
            update,
            context._(
                "%(name)s has been summoned; the secretariat hears the answer.", name=escape(name)
            ),
        )
        return
    await replace(
        update,
        context._(
            "Your absence is recorded. %(name)s has been summoned; you will hear when they answer.",
            name=escape(name),
        ),
    )


async def _no_summons(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    # Nothing to change: the absence stands alone. Only the prompt goes away.
    await tell(update, context, context._("Understood."))
    if member_id is not None:
        await replace(update, context._("The absence is recorded without a substitute."))
        return
    await replace(
        update,
        context._("Your absence is recorded without a substitute. The secretariat has been told."),
    )


async def _withdraw(update: Update, context: BotContext, meeting_id: int) -> None:
    released = await run(update, context, withdraw_absence, meeting_id=meeting_id)
    if released is REFUSED:
        return
    await tell(update, context, context._("Your absence is withdrawn."))
    text = context._("Your absence is withdrawn — see you at the meeting.")
    if released:
        text += "\n" + context._(
            "%(name)s has been told they are no longer needed.", name=escape(released)
        )
    await replace(update, text)


async def _answer(
    update: Update, context: BotContext, meeting_id: int, accept: bool, member_id: int | None
) -> None:
    member = await run(
        update, context, answer_summons, meeting_id=meeting_id, accept=accept, member_id=member_id
    )
    if member is REFUSED:
        return
    query = update.callback_query
    original = query.message.text_html if query and query.message else ""  # type: ignore[union-attr]
    if accept:
        await tell(update, context, context._("Thank you — you have accepted."))
        note = context._(
            "✅ You have accepted to attend for %(member)s. The member, the chair and the"
            " secretariat have been told.",
            member=escape(member),
        )
        withdraw = InlineKeyboardMarkup(
            [[_button(context._("Withdraw my acceptance"), _answer_data(meeting_id, member_id))]]
        )
        await replace(update, f"{original}\n\n{note}", withdraw)
        return
    await tell(update, context, context._("You have declined."))
    note = context._(
        "❌ You will not attend for %(member)s. The member, the chair and the secretariat have"
        " been told.",
        member=escape(member),
    )
    await replace(update, f"{original}\n\n{note}")


def _answer_data(meeting_id: int, member_id: int | None) -> str:
    suffix = "" if member_id is None else f":{member_id}"
    return f"att:{meeting_id}:dec{suffix}"


async def _accept(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    await _answer(update, context, meeting_id, accept=True, member_id=member_id)


async def _decline(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    await _answer(update, context, meeting_id, accept=False, member_id=member_id)


async def _presence(update: Update, context: BotContext, meeting_id: int, present: bool) -> None:
    service = check_in if present else check_out
    presence = await run(update, context, service, meeting_id=meeting_id)
    if presence is REFUSED:
        return
    await tell(update, context, presence_text(context, presence))


async def _check_in(update: Update, context: BotContext, meeting_id: int) -> None:
    await _presence(update, context, meeting_id, present=True)


async def _check_out(update: Update, context: BotContext, meeting_id: int) -> None:
    await _presence(update, context, meeting_id, present=False)


# Buttons whose data also names a member: reported for someone else, or a summons for that member.
FOR_MEMBER = {
    "abs": _report,
    "sum": _summon,
    "nos": _no_summons,
    "acc": _accept,
    "dec": _decline,
}
ACTIONS = {
    "abs": _report,
    "sum": _summon,
    "nos": _no_summons,
    "wd": _withdraw,
    "acc": _accept,
    "dec": _decline,
    "in": _check_in,
    "out": _check_out,
}


def presence_text(context: BotContext, presence: Presence) -> str:
    """'Checked in: NAME for MEMBER. Present: 12 (quorum needs 11).'"""
    who = escape(presence.person)
    if presence.member != presence.person:
        who = context._("%(name)s for %(member)s", name=who, member=escape(presence.member))
    text = (
        context._("Checked in: %(who)s.", who=who)
        if presence.present
        else context._("Checked out: %(who)s.", who=who)
    )
    return f"{text} " + context._(
        "Present: %(present)s (quorum needs %(required)s).",
        present=presence.present_count,
        required=presence.required,
    )


async def leave(update: Update, context: BotContext) -> None:
    """R-S4/R-S5: `/orlov FROM TO [reason]`, `/orlov slut` on return; the chair and secretariat
    get the decisions awaiting the council with `/orlov` alone."""
    actor = context.require_actor()
    args = context.args or []
    if not args:
        if actor.may(Action.RECORD_LONG_ABSENCE):
            await _pending_decisions(update, context)
            return
        await tell(update, context, context._(LEAVE_USAGE))
        return
    if args[0].lower() in END_WORDS:
        ended = await run(update, context, end_long_absence)
        if ended is not REFUSED:
            await tell(
                update,
                context,
                context._("Welcome back. Your substitute leaves; the chair has been told."),
            )
        return
    if len(args) < 2:
        await tell(update, context, context._(LEAVE_USAGE))
        return
    start, back = _date(args[0]), _date(args[1])
    if start is None or back is None:
        await tell(update, context, context._(LEAVE_USAGE))
        return
    leave_ = await run(
        update,
        context,
        report_long_absence,
        starts_on=start,
        expected_back=back,
        reason=" ".join(args[2:]) or None,
    )
    if leave_ is REFUSED:
        return
    params = {
        "start": format_day(_noon(start), context.language),
        "back": format_day(_noon(back), context.language),
    }
    if leave_.kind == "mayor":
        text = context._(
            "Your leave from %(start)s until %(back)s is recorded. Your substitute stands in for"
            " every meeting in that period (B1.6).",
            **params,
        )
    else:
        text = context._(
            "Your leave from %(start)s until %(back)s is recorded. The chair has been told; your"
            " substitute is summoned to the next meeting, where the council decides (B1.7).",
            **params,
        )
    await tell(update, context, text)


def _(message: str) -> str:
    return message


LEAVE_USAGE = _(
    "Report a leave of at least 3 months like this: /orlov 1.2.2027 1.6.2027 reason\n"
    "(the first day away and the day you expect to be back). When you are back: /orlov slut"
)


def _date(text: str) -> date | None:
    for form in DATE_FORMS:
        match = form.match(text)
        if match:
            try:
                return date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                return None
    return None


def _noon(day: date) -> str:
    return f"{day.isoformat()}T12:00:00"


async def _pending_decisions(update: Update, context: BotContext) -> None:
    leaves = await run(update, context, pending_decisions)
    if leaves is REFUSED:
        return
    if not leaves:
        await tell(update, context, context._("No long absence awaits the council's decision."))
        return
    for item in leaves:
        buttons = InlineKeyboardMarkup(
            [
                [
                    _button(context._("Approved"), f"la:{item.id}:y"),
                    _button(context._("Not approved"), f"la:{item.id}:n"),
                ]
            ]
        )
        await tell(
            update,
            context,
            context._(
                "The council's decision on the leave of %(member)s (B1.7):",
                member=escape(item.member),
            ),
            markup=buttons,
        )


async def decision_button(update: Update, context: BotContext) -> None:
    """`la:<id>:<y|n>`: the chair or secretariat records the council's decision (R-S5)."""
    query = update.callback_query
    match = DECISION.match(query.data or "") if query is not None else None
    if match is None:
        return
    approved = match.group(2) == "y"
    leave_ = await run(
        update, context, decide_long_absence, long_absence_id=int(match.group(1)), approved=approved
    )
    if leave_ is REFUSED:
        return
    text = (
        context._("Recorded: the council approved the substitute's entry.")
        if approved
        else context._("Recorded: the council did not approve the substitute's entry.")
    )
    await tell(update, context, text)
    await replace(update, text)


async def request(update: Update, context: BotContext) -> None:
    """R-M2: `/anmod SUBJECT` — ask for an extraordinary meeting."""
    count = await run(update, context, request_meeting, subject=args_text(context))
    if count is REFUSED:
        return
    if count.threshold_reached:
        text = context._(
            "Your request is registered. With it, %(count)s members have asked — enough (R-M2):"
            " the chair and the secretariat have been told that a meeting must be called.",
            count=count.requests,
        )
    else:
        text = context._(
            "Your request is registered: %(count)s of the %(needed)s requests needed.",
            count=count.requests,
            needed=count.needed,
        )
    await tell(update, context, text)


async def quorum(update: Update, context: BotContext) -> None:
    """R-Q2: members, required, expected or actual attendance, quorate or not, who is missing."""
    view = await run(update, context, quorum_view)
    if view is REFUSED:
        return
    await tell(update, context, quorum_text(view, context.language))


async def linkgroup(update: Update, context: BotContext) -> None:
    """In the council's group: link it, so the bot keeps the pinned quorum message there."""
    chat, message = update.effective_chat, update.effective_message
    if chat is None or message is None:
        return
    if chat.type == ChatType.PRIVATE:
        await tell(
            update, context, context._("Use /linkgroup in the council's Telegram group, not here.")
        )
        return
    council = await run(update, context, link_group, chat_id=chat.id)
    if council is REFUSED:
        return
    await message.reply_text(
        context._(
            "This group is now linked to %(council)s. I keep a pinned message here showing"
            " attendance and quorum for the coming meeting.",
            council=council,
        )
    )
