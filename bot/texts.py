"""Words shared by several handlers: role names and the answers to a service's refusal."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from services.actors import Actor
from services.errors import ServiceError
from templates.i18n import format_day, format_when, gettext


def _(message: str) -> str:
    return message


ROLE_NAMES = {
    "mayor": _("mayor"),
    "member": _("member"),
    "substitute": _("substitute"),
    "secretariat": _("secretariat"),
    "observer": _("observer"),
    "chair": _("chair"),
    "vice_chair": _("vice chair"),
}

REFUSALS = {
    "not_allowed": _("Sorry, your role does not allow that."),
    "not_found": _("I could not find that. It may have been removed."),
    "invite_unknown": _(
        "I do not know that invitation. Please check the link, or ask the secretariat for a new one."
    ),
    "invite_used": _("That invitation has been used already. Ask the secretariat for a new one."),
    "invite_expired": _("That invitation has expired. Ask the secretariat for a new one."),
    "already_linked": _(
        "This Telegram account is linked to someone already. Write to the secretariat if that is wrong."
    ),
}
REFUSALS |= {
    "title_empty": _("The title is empty. Please write a short title for the item."),
    "title_too_long": _(
        "The title is %(length)s characters long; at most %(limit)s are allowed."
        " Please write a shorter title and put the rest in the description."
    ),
    "description_too_long": _(
        "The description is %(length)s characters long; at most %(limit)s are allowed."
        " Please shorten it or send the text as a document."
    ),
    "file_too_big": _(
        "The file is %(size_mb)s MB; Telegram lets me handle files of at most %(limit_mb)s MB."
        " Please send a smaller file, or a link in the description."
    ),
    "no_open_meeting": _(
        "There is no ordinary meeting open for proposals right now. /meetings shows the coming ones."
    ),
    "proposals_closed": _(
        "The deadline for proposals to the meeting %(when)s was %(deadline)s."
        " The chair can still take an item in: write to the chair or the secretariat."
    ),
    "meeting_not_open": _("That meeting is cancelled, has begun or is over."),
    "already_distributed": _(
        "The agenda has already been distributed (version %(version)s), and nothing has changed since."
    ),
    "agenda_empty": _("The agenda has no items yet."),
    "exception_reason_required": _(
        "The distribution deadline was %(deadline)s. Sending later is an exception the chair must"
        " give a reason for (R-D3)."
    ),
    "item_not_changeable": _("That item can no longer be changed."),
    "invalid_moment": _("I could not use the time %(text)s: it must be a future date and time."),
}
# NotAllowed names the action; some deserve a sentence of their own.
NOT_ALLOWED = {
    "approve_agenda": _("Only the chair approves the agenda."),
    "edit_agenda": _("The chair and the secretariat prepare the agenda."),
    "distribute_agenda": _("The chair and the secretariat send the agenda."),
    "plan_meetings": _("The chair and the secretariat plan the meetings."),
    "order_agenda": _("Only the chair decides the order of the items."),
    "accept_late_proposal": _("Only the chair can take in a late proposal."),
    "record_deadline_exception": _("Only the chair can record the reason for a late agenda."),
    "exception": _("Only the chair can record the reason for a late agenda."),
    "call_meeting": _("Only the chair calls an extraordinary meeting."),
    "propose": _("Members propose items; a substitute can when standing in for a member."),
    "withdraw": _("You can only withdraw your own proposals."),
}
GENERIC_REFUSAL = _("That could not be done: %(detail)s")


def role_title(actor: Actor, language: str) -> str:
    """'formand (borgmester)' / 'chair (mayor)' — the office first when there is one."""
    role = gettext(language, ROLE_NAMES.get(actor.role, actor.role))
    if actor.office:
        return f"{gettext(language, ROLE_NAMES[actor.office])} ({role})"
    return role


def refusal(error: ServiceError, language: str) -> str:
    """What to tell a person when a service said no, with times in their words."""
    action = str(error.params.get("action", ""))
    if error.code == "not_allowed" and action in NOT_ALLOWED:
        return gettext(language, NOT_ALLOWED[action])
    if error.code in REFUSALS:
        params = {k: _shown(v, language) for k, v in error.params.items()}
        return gettext(language, REFUSALS[error.code], **params)
    return gettext(language, GENERIC_REFUSAL, detail=error.detail)


def _shown(value: object, language: str) -> object:
    if isinstance(value, datetime):
        return format_when(value, language)
    if isinstance(value, date):
        return format_day(datetime.combine(value, datetime.min.time()), language)
    return escape(str(value)) if isinstance(value, str) else value
