"""/absent (/afbud), /attend (/deltager), /leave (/orlov), /quorum, /linkgroup,
and the buttons bot.callbacks.Attendance and LeaveDecision. Thin: parse, call one service,
answer. The services re-check everything a button claims (callback data is never trusted)."""

from __future__ import annotations

from datetime import date
from html import escape

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import dialogues
from bot.callbacks import Attendance, Dialog, DialogChoice, LeaveDecision
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import (
    Done,
    args_text,
    attempt,
    attempt_together,
    replace,
    tell,
)
from bot.live import quorum_text
from bot.menus import set_group_menu
from bot.texts import STALE_BUTTON, refusal, unreadable
from procedure.danish_dates import DateInputError, leading_date
from procedure.permissions import Action
from services.attendance import MAX_REASON as MAX_ABSENCE_REASON
from services.attendance import (
    AbsenceResult,
    answer_summons,
    find_member,
    my_meetings,
    report_absence,
    summon_substitute,
    withdraw_absence,
)
from services.dialogues import OpenDialogue
from services.errors import Refused
from services.live import link_group
from services.long_absence import (
    decide_long_absence,
    end_long_absence,
    pending_decisions,
    report_long_absence,
)
from services.meeting_day import Presence, PresenceRequest, set_presences
from services.quorum import quorum_view
from templates.i18n import format_day, format_when

END_WORDS = {"slut", "end", "tilbage", "back"}


async def absent(update: Update, context: BotContext) -> None:
    """R-S3: choose the meeting; the words after the command are the (optional) reason. The
    secretariat and the chair write `/afbud NAVN; begrundelse` for a member who phoned them."""
    words = args_text(context)
    named = await _member_named(update, context, words)
    if named is None:
        return
    member = named.value
    reason = (words.partition(";")[2].strip() if member else words) or None
    if reason is not None and len(reason) > MAX_ABSENCE_REASON:  # said before any question
        too_long = Refused("reason_too_long", limit=MAX_ABSENCE_REASON, length=len(reason))
        await tell(update, context, refusal(too_long, context.language))
        return
    member_id = member[0] if member else None
    found = await attempt(update, context, my_meetings, member_id=member_id)
    if found is None:
        return
    choices = found.value
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
    buttons = [
        [
            Attendance(c.meeting_id, "abs", member_id or None).button(
                format_when(c.starts_at, context.language)
            )
        ]
        for c in open_choices
    ]
    text = context._("Which meeting can you not attend?")
    if member:
        text = context._("Which meeting can %(name)s not attend?", name=escape(member[1]))
    if reason:
        text += "\n" + _reason_line(context, escape(reason))
    await tell(update, context, text, markup=InlineKeyboardMarkup(buttons))


async def _member_named(
    update: Update, context: BotContext, words: str
) -> Done[tuple[int, str] | None] | None:
    """For the secretariat and the chair: the member named before any ';' (id, name), or no one.
    A chair whose words name nobody is giving a reason for their own absence; the secretariat,
    who has no absence of its own, is told how to name the member (and None comes back)."""
    actor = context.require_actor()
    if not actor.may(Action.REPORT_ABSENCE_FOR_OTHERS):
        return Done(None)
    name = words.partition(";")[0].strip()
    found = await attempt(update, context, find_member, name=name) if name else Done(None)
    if found is None or found.value is not None or actor.may(Action.REPORT_ABSENCE):
        return found
    text = context._("Name the member whose absence you report: /absent NAME; reason (optional).")
    if name:
        text = context._("No member of the council is called %(name)s.", name=escape(name)) + (
            "\n" + text
        )
    await tell(update, context, text)
    return None


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
    found = await attempt(update, context, my_meetings)
    if found is None:
        return
    mine = [c for c in found.value if c.absent]
    if not mine:
        await tell(
            update, context, context._("You have not reported absence for any coming meeting.")
        )
        return
    buttons = [
        [Attendance(c.meeting_id, "wd").button(format_when(c.starts_at, context.language))]
        for c in mine
    ]
    await tell(
        update,
        context,
        context._("Which meeting will you attend after all?"),
        markup=InlineKeyboardMarkup(buttons),
    )


async def button(update: Update, context: BotContext) -> None:
    """Every Attendance button: it names a meeting and an action, both re-checked by a service;
    the member it names (an absence reported for them, a summons for them) is re-checked too."""
    pressed = Attendance.of(update)
    if pressed.member_id is None:
        await ACTIONS[pressed.action](update, context, pressed.meeting_id)
    elif pressed.action in FOR_MEMBER:
        await FOR_MEMBER[pressed.action](update, context, pressed.meeting_id, pressed.member_id)
    else:
        await tell(update, context, context._(STALE_BUTTON), alert=True)


async def _report(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    reason = _reason_shown(update, context)
    reported = await attempt(
        update, context, report_absence, meeting_id=meeting_id, reason=reason, member_id=member_id
    )
    if reported is None:
        return
    result = reported.value
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
                Attendance(meeting_id, "sum").button(context._("Yes, summon %(name)s", name=name)),
                Attendance(meeting_id, "nos").button(context._("No")),
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
    meeting_id, member_id = result.meeting_id, result.member_id
    name = escape(result.substitute_name)
    buttons = InlineKeyboardMarkup(
        [
            [
                Attendance(meeting_id, "sum", member_id).button(
                    context._("Yes, summon %(name)s", name=name)
                ),
                Attendance(meeting_id, "nos", member_id).button(context._("No")),
            ]
        ]
    )
    question = context._("Summon the substitute %(name)s?", name=name)
    await replace(update, f"{text}\n{question}", buttons)


async def _summon(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    summoned = await attempt(
        update, context, summon_substitute, meeting_id=meeting_id, member_id=member_id
    )
    if summoned is None:
        return
    name = summoned.value
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
    withdrawn = await attempt(update, context, withdraw_absence, meeting_id=meeting_id)
    if withdrawn is None:
        return
    released = withdrawn.value
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
    answered = await attempt(
        update, context, answer_summons, meeting_id=meeting_id, accept=accept, member_id=member_id
    )
    if answered is None:
        return
    member = answered.value
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
            [[Attendance(meeting_id, "dec", member_id).button(context._("Withdraw my acceptance"))]]
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


async def _accept(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    await _answer(update, context, meeting_id, accept=True, member_id=member_id)


async def _decline(
    update: Update, context: BotContext, meeting_id: int, member_id: int | None = None
) -> None:
    await _answer(update, context, meeting_id, accept=False, member_id=member_id)


async def _presence(update: Update, context: BotContext, meeting_id: int, present: bool) -> None:
    # The buttons under the group's message are pressed by everyone at once: a burst is applied
    # in few transactions, in order of arrival (issue 15).
    request = PresenceRequest(context.require_actor(), meeting_id, present, context.now())
    presence = await attempt_together(
        update, context, set_presences, ("presence", meeting_id), request
    )
    if presence is not None:
        await tell(update, context, presence_text(context, presence.value))


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
        await _ask_to_end_leave(update, context)
        return
    try:  # the Danish ways of writing a date, or ISO (procedure/danish_dates.py)
        start, rest = leading_date(" ".join(args))
        back, reason = leading_date(rest)
    except DateInputError as error:
        said = unreadable(error, context.language)
        await tell(update, context, f"{said}\n{context._(LEAVE_USAGE)}")
        return
    reported = await attempt(
        update,
        context,
        report_long_absence,
        starts_on=start,
        expected_back=back,
        reason=reason or None,
    )
    if reported is None:
        return
    leave_ = reported.value
    params = {
        "start": format_day(_noon(start), context.language),
        "back": format_day(_noon(back), context.language),
    }
    if leave_.kind == "mayor":
        text = context._(
            "Your leave from %(start)s until %(back)s is recorded. Your substitute stands in for"
            " every meeting in that period.",
            **params,
        )
    else:
        text = context._(
            "Your leave from %(start)s until %(back)s is recorded. The chair has been told; your"
            " substitute is summoned to the next meeting, where the council decides.",
            **params,
        )
    await tell(update, context, text)


def _(message: str) -> str:
    return message


LEAVE_USAGE = _(
    "Report a long absence of at least 3 months like this: /leave 1.2.2027 1.6.2027 reason\n"
    "(the first day away and the day you expect to be back). When you are back: /leave end"
)


def _noon(day: date) -> str:
    return f"{day.isoformat()}T12:00:00"


async def _pending_decisions(update: Update, context: BotContext) -> None:
    found = await attempt(update, context, pending_decisions)
    if found is None:
        return
    leaves = found.value
    if not leaves:
        await tell(update, context, context._("No long absence awaits the council's decision."))
        return
    for item in leaves:
        if item.on_agenda:
            # R-S5: taken at the meeting through the decision of its agenda item (/punkt).
            text = context._(
                "The council decides on the leave of %(member)s at the meeting, under its agenda"
                " item (/item).",
                member=escape(item.member),
            )
            await tell(update, context, text)
            continue
        buttons = InlineKeyboardMarkup(
            [
                [
                    LeaveDecision(item.id, True).button(context._("Approved")),
                    LeaveDecision(item.id, False).button(context._("Not approved")),
                ]
            ]
        )
        await tell(
            update,
            context,
            context._(
                "The council's decision on the leave of %(member)s:",
                member=escape(item.member),
            ),
            markup=buttons,
        )


async def decision_button(update: Update, context: BotContext) -> None:
    """A LeaveDecision button: the chair or secretariat records the council's decision (R-S5)."""
    pressed = LeaveDecision.of(update)
    approved = pressed.approved
    decided = await attempt(
        update,
        context,
        decide_long_absence,
        long_absence_id=pressed.long_absence_id,
        approved=approved,
    )
    if decided is None:
        return
    text = (
        context._("Recorded: the council approved the substitute's entry.")
        if approved
        else context._("Recorded: the council did not approve the substitute's entry.")
    )
    await tell(update, context, text)
    await replace(update, text)


async def quorum(update: Update, context: BotContext) -> None:
    """R-Q2: members, required, expected or actual attendance, quorate or not, who is missing."""
    view = await attempt(update, context, quorum_view)
    if view is not None:
        await tell(update, context, quorum_text(view.value, context.language))


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
    linked = await attempt(update, context, link_group, chat_id=chat.id)
    if linked is None:
        return
    council = linked.value
    await set_group_menu(context.bot, chat.id, context.language)
    await message.reply_text(
        context._(
            "This group is now linked to %(council)s. I keep a pinned message here showing"
            " attendance and quorum for the coming meeting.",
            council=council,
        )
    )


# Ending a long absence is shown first (the substitute leaves, the chair is told) and confirmed.


async def _ask_to_end_leave(update: Update, context: BotContext) -> None:
    dialogue_id = await dialogues.begin(update, context, "end_leave", {})
    if dialogue_id is None:
        return
    text = context._(
        "End your long absence now? Your substitute leaves and you attend again; the chair is told."
    )
    button = Dialog("ok", dialogue_id).button(context._("Yes, I am back"))
    await dialogues.prompt(update, context, dialogue_id, text, [[button]])


async def _end_leave_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    ended = await dialogues.confirmed(
        update,
        context,
        turn,
        choice,
        end_long_absence,
        done=context._("Yes, I am back"),
        not_done=context._("Not ended"),
    )
    if ended is None:
        return
    await dialogues.say(
        update, context, context._("Welcome back. Your substitute leaves; the chair has been told.")
    )


dialogues.flow("end_leave", Flow(_("Ending your long absence"), choice=_end_leave_confirmed))
