"""Words shared by several handlers: role names and the answers to a service's refusal."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from services.actors import Actor
from services.errors import Refused
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
    # Attendance (R-S3–R-S7, R-Q2, R-M2): each says what is the case; nothing was changed.
    "meeting_started": _("The meeting has already begun; absence can only be reported before it."),
    "meeting_closed": _("The meeting is over; nothing can be changed any more."),
    "not_open": _("The meeting has not been opened yet."),
    "already_open": _("The meeting is open already."),
    "too_early": _("A meeting can be opened on its own day only (%(starts_at)s)."),
    "already_absent": _("You have already reported absence for that meeting."),
    "not_absent": _("You have not reported absence for that meeting."),
    "member_already_absent": _("%(name)s is already reported absent from that meeting."),
    "not_a_member": _("%(name)s is not a member of the council; only members report absence."),
    "reason_too_long": _("Please keep the reason under %(limit)s characters."),
    "no_substitute": _(
        "You have no personal substitute registered. The secretariat knows of your absence."
    ),
    "already_summoned": _("%(substitute)s has been summoned already."),
    "substitute_taken": _("%(substitute)s is already summoned for another member."),
    "summons_not_yours": _(
        "This summons is not for you: only the substitute it was sent to can answer it,"
        " and only while it stands."
    ),
    "answer_accepted": _("You have already accepted."),
    "answer_declined": _("You have already declined this summons."),
    "answer_pending": _("You have not answered yet."),
    "answer_not_summoned": _("There is no summons for you to answer."),
    "already_present": _("Already checked in."),
    "not_present": _("Not checked in, so there is nothing to check out."),
    "only_yourself": _("You can only check yourself in or out. The secretariat can mark others."),
    "substitute_stands_in": _(
        "%(substitute)s stands in for this member at this meeting; nobody counts twice."
    ),
    "does_not_count": _("%(name)s is not a member or a standing-in substitute of this meeting."),
    "end_before_start": _("The end of the leave must come after its start (%(starts_on)s)."),
    "not_long_absence": _(
        "A leave must last at least 3 months (until %(until)s or later). For a single meeting,"
        " use /afbud."
    ),
    "already_on_leave": _("You have a leave recorded already. When you are back: /orlov slut"),
    "not_on_leave": _("You have no leave recorded."),
    "already_decided": _("The council's decision on this leave is recorded already."),
    "long_absence_ended": _("That leave has ended."),
    "subject_missing": _("Please give a subject: /anmod the subject of the meeting"),
    "subject_too_long": _("Please keep the subject under %(limit)s characters."),
    "already_requested": _(
        "You have asked already: %(requests)s of the %(needed)s requests needed so far."
    ),
    "group_taken": _("This group is linked to another council."),
    "no_meeting_held": _("No meeting has been opened yet, so there is no attendance record."),
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
    "time_does_not_exist": _(
        "%(text)s does not exist: the clocks are put forward then. Please choose another time."
    ),
    "meeting_clash": _("The council has a meeting at %(when)s already."),
    "place_length": _("Please give the place in 1 to %(limit)s characters."),
    "call_subject_missing": _(
        "An extraordinary meeting needs a subject: /indkald date time; place; subject"
    ),
    "exception_reason_length": _(
        "Please give the reason for the exception in 1 to %(limit)s characters."
    ),
    "rejection_reason_length": _(
        "Please give the proposer a reason for the rejection, in 1 to %(limit)s characters."
    ),
}
# The acting chair and the edges of attendance and the agenda (issue 11).
REFUSALS |= {
    "not_leading": _(
        "You are absent from this meeting, so %(acting)s leads it as acting chair."
        " Check in when you arrive, and the meeting is yours again."
    ),
    "acting_chair_needed_oldest": _(
        "The chair and the vice chair are both absent. Name the oldest member present, who"
        " leads the meeting: /aabn NAME"
    ),
    "acting_chair_needed_chosen": _(
        "The chair and the vice chair are both absent. Name the member the members choose to"
        " lead the meeting: /aabn NAME"
    ),
    "acting_chair_absent": _("%(name)s has reported absence and cannot lead the meeting."),
    "call_with_indkald": _("The chair calls an extraordinary meeting with /indkald."),
    "which_meeting": _("More than one coming meeting has an agenda waiting. Which meeting?"),
    "on_time_proposal": _(
        "The proposal came in time, so it goes on the agenda; only a late proposal can be"
        " declined. The proposer may withdraw it."
    ),
}
# A not_allowed refusal names the action; some deserve a sentence of their own.
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
# A button whose data no longer parses (an old message), or whose object is gone.
STALE_BUTTON = _("This button is no longer valid.")


def role_title(actor: Actor, language: str) -> str:
    """'formand (borgmester)' / 'chair (mayor)' — the office first when there is one."""
    role = gettext(language, ROLE_NAMES.get(actor.role, actor.role))
    if actor.office:
        return f"{gettext(language, ROLE_NAMES[actor.office])} ({role})"
    return role


def refusal(error: Refused, language: str) -> str:
    """What to tell a person when a service said no, with times in their words."""
    action = str(error.params.get("action", ""))
    if error.code == "not_allowed" and action in NOT_ALLOWED:
        return gettext(language, NOT_ALLOWED[action])
    if error.code in REFUSALS:
        params = {k: _shown(v, language) for k, v in error.params.items()}
        return gettext(language, REFUSALS[error.code], **params)
    return gettext(language, GENERIC_REFUSAL, detail=error.detail)


def _shown(value: Any, language: str) -> object:
    """A refusal's parameter as people read it: dates and times in words, text HTML escaped."""
    if isinstance(value, datetime):
        return format_when(value, language)
    if isinstance(value, date):
        return format_day(datetime.combine(value, datetime.min.time()), language)
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return escape(value)
        return format_when(moment, language) if "T" in value else format_day(moment, language)
    return value
