"""A whole term in the chat: /memberleaves (/udtraed) with a confirmation, the substitute's answer
to becoming member, /annualplan (/aarsplan) and /alliance (/valgforbund)."""

from __future__ import annotations

import re
from html import escape
from zoneinfo import ZoneInfo

from telegram import InlineKeyboardMarkup, Update

from bot.callbacks import LeaveReason, MemberLeaves, MembershipOffer
from bot.context import BotContext
from bot.handlers.common import args_text, attempt, in_chat, replace, tell
from services.annual_plan import year_plan
from services.constitution import notify_alliance
from services.membership_changes import answer_offer, leave, member_named
from templates.i18n import format_when, gettext

PAPERS_LANGUAGE = "da"  # the council's papers (the reason recorded for a leave) are Danish


def _(message: str) -> str:
    return message


# R-S6: why a member or substitute leaves (stored in the council's language for the minutes).
REASONS: dict[LeaveReason, str] = {
    "own": _("At their own request"),
    "council": _("No longer a member of the municipal council"),
    "party": _("Left the party that elected them"),
}


async def member_leaves(update: Update, context: BotContext) -> None:
    """R-S6: `/udtraed NAME` — the secretariat records that a member or substitute leaves; the
    reason buttons are the confirmation (nothing happens until one is pressed)."""
    name = args_text(context)
    if not name:
        await tell(update, context, context._("Write the name: /memberleaves Anne Rasmussen"))
        return
    found = await attempt(
        update, context, member_named, write=False, name=name, on_refusal=in_chat(update, context)
    )
    if found is None:
        return
    person_id, _role = found.value
    buttons = [
        [MemberLeaves(person_id, code).button(context._(label))] for code, label in REASONS.items()
    ]
    buttons.append([MemberLeaves(person_id, "stop").button(context._("Cancel"))])
    await tell(
        update,
        context,
        context._("Does %(name)s leave the council from today? Choose why:", name=escape(name)),
        markup=InlineKeyboardMarkup(buttons),
    )


async def member_leaves_button(update: Update, context: BotContext) -> None:
    """A MemberLeaves button: the leave is recorded (R-S6), or nothing when cancelled."""
    pressed = MemberLeaves.of(update)
    if pressed.reason == "stop":
        await tell(update, context, context._("Cancelled; nothing was changed."))
        await replace(update, context._("Cancelled; nothing was changed."))
        return
    actor = context.require_actor()
    today = context.now().astimezone(ZoneInfo(actor.council_timezone)).date()
    reason = gettext(PAPERS_LANGUAGE, REASONS[pressed.reason])
    done = await attempt(
        update, context, leave, person_id=pressed.person_id, on=today, reason=reason
    )
    if done is None:
        return
    departure = done.value
    if departure.asked:
        text = context._(
            "Recorded. %(substitute)s, the personal substitute, is asked to become member.",
            substitute=escape(departure.asked),
        )
    else:
        text = context._("Recorded. The party is asked to name a successor.")
    if departure.office:
        text += "\n" + context._(
            "The office is vacant: the group that elected them names a successor."
        )
    await tell(update, context, context._("Recorded."))
    await replace(update, text)


async def offer_button(update: Update, context: BotContext) -> None:
    """A MembershipOffer button: the substitute accepts or declines becoming member (R-S6)."""
    pressed = MembershipOffer.of(update)
    done = await attempt(
        update, context, answer_offer, vacancy_id=pressed.vacancy_id, accept=pressed.accept
    )
    if done is None:
        return
    actor = context.require_actor()
    if pressed.accept:
        text = context._(
            "✅ You are now member of %(council)s. Welcome! The chair and the secretariat have"
            " been told.",
            council=escape(actor.council_name),
        )
    else:
        text = context._(
            "You stay substitute. The party names a new member; the chair and the secretariat"
            " have been told."
        )
    await tell(update, context, context._("Recorded."))
    await replace(update, text)


async def annual_plan(update: Update, context: BotContext) -> None:
    """R-M1: `/aarsplan 2027` — the year's ordinary meetings."""
    text = args_text(context)
    year = int(text) if re.fullmatch(r"\d{4}", text) else context.now().year
    found = await attempt(update, context, year_plan, write=False, year=year)
    if found is None:
        return
    tz = ZoneInfo(context.require_actor().council_timezone)
    lines = [context._("<b>The meetings of %(year)s</b>", year=year)]
    lines += [
        f"• {format_when(m.starts_at.astimezone(tz), context.language)}, {escape(m.place)}"
        for m in found.value
    ]
    if not found.value:
        lines.append(context._("No ordinary meetings are planned for that year yet."))
    await tell(update, context, "\n".join(lines))


async def alliance(update: Update, context: BotContext) -> None:
    """R-K2: `/valgforbund V C` — parties notify the secretariat that they count together."""
    parties = [p for p in re.split(r"[\s,+]+", args_text(context)) if p]
    done = await attempt(
        update, context, notify_alliance, parties=parties, on_refusal=in_chat(update, context)
    )
    if done is None:
        return
    await tell(
        update,
        context,
        context._(
            "The alliance %(parties)s is notified to the secretariat.",
            parties=escape(" + ".join(done.value.parties)),
        ),
    )
