"""Words shared by several handlers: role names and the answers to a service's refusal."""

from __future__ import annotations

from datetime import date, datetime
from html import escape
from typing import Any

from procedure.danish_dates import DateInputError
from services.actors import Actor
from services.errors import Refused
from templates.i18n import format_day, format_when, gettext, month_name


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
        " use /absent."
    ),
    "already_on_leave": _(
        "You have a long absence recorded already. When you are back: /leave end"
    ),
    "not_on_leave": _("You have no leave recorded."),
    "already_decided": _("The council's decision on this leave is recorded already."),
    "long_absence_ended": _("That leave has ended."),
    "subject_missing": _("Please give a subject: /request the subject of the meeting"),
    "subject_too_long": _("Please keep the subject under %(limit)s characters."),
    "no_request": _("You have no request for a meeting that still counts."),
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
        " give a reason for."
    ),
    "item_not_changeable": _("That item can no longer be changed."),
    "invalid_moment": _("I could not use the time %(text)s: it must be a future date and time."),
    "time_does_not_exist": _(
        "%(text)s does not exist: the clocks are put forward then. Please choose another time."
    ),
    "meeting_clash": _("The council has a meeting at %(when)s already."),
    "place_length": _("Please give the place in 1 to %(limit)s characters."),
    "call_subject_missing": _(
        "An extraordinary meeting needs a subject: /call date time; place; subject"
    ),
    "exception_reason_length": _(
        "Please give the reason for the exception in 1 to %(limit)s characters."
    ),
    "rejection_not_undoable": _(
        "That rejection can no longer be taken back: only the person who made it can, and only"
        " until the agenda goes out. The proposer can propose the item again."
    ),
    "cancellation_not_undoable": _(
        "That cancellation can no longer be taken back: only the person who made it can, and only"
        " until the notices go out. The meeting can be planned again with /plan."
    ),
    "too_many_documents": _("One proposal can carry at most %(limit)s documents."),
    "not_a_date": _(
        "I cannot read %(text)s as a date. Write it like 10.3.2027, 10. marts 2027 or 2027-03-10."
    ),
    "no_such_month": _("%(text)s is not a date: there is no month %(month)s."),
    "no_such_day": _("%(text)s is not a date: %(month_name)s %(year)s has %(days)s days."),
    "not_a_time": _("I cannot read %(text)s as a time. Write it like 10.00 or kl. 10.00."),
    "no_such_time": _("%(text)s is not a time of day: use 0.00 to 23.59."),
    "time_missing": _("Please give the time too, e.g. 10.3.2027 kl. 10.00."),
    "rejection_reason_length": _(
        "Please give the proposer a reason for the rejection, in 1 to %(limit)s characters."
    ),
}
# The meeting room (issue 12): items, decisions, votes, elections, appointments.
REFUSALS |= {
    "no_current_item": _("No item is under discussion. Choose an item first."),
    "no_next_item": _("That was the last item on the agenda."),
    "no_previous_item": _("This is the first item on the agenda."),
    "no_such_item": _("The agenda has %(count)s items; there is no item %(number)s."),
    "not_quorate": _(
        "The meeting is not quorate (%(present)s present, %(required)s needed),"
        " so no decision can be recorded."
    ),
    "decision_text_empty": _("Please write the decision."),
    "decision_text_too_long": _(
        "The decision is %(length)s characters long; at most %(limit)s are allowed."
    ),
    "say_whether_approved": _(
        "This item decides a long absence: please say whether the council approves it."
    ),
    "decided_at_the_meeting": _("The council decides this at the meeting, on its agenda item."),
    "question_empty": _("Please write what is put to the vote."),
    "question_too_long": _(
        "The question is %(length)s characters long; at most %(limit)s are allowed."
    ),
    "vote_open": _("A vote is open. Close it first."),
    "vote_closed": _("The vote is closed."),
    "vote_by_counts": _(
        "This vote is taken by a show of hands; the secretariat enters the counts."
    ),
    "vote_by_buttons": _("This vote is taken with the members' buttons; no counts can be entered."),
    "counts_needed": _("Please enter the votes for, against and abstaining."),
    "counts_invalid": _(
        "Those counts cannot be right: each is zero or more, and together at most those present."
    ),
    "casting_vote_not_needed": _("The chair's own vote decides this; no casting vote is needed."),
    "not_a_councillor": _(
        "%(name)s is not on the list of municipal councillors in the region, so cannot be"
        " appointed."
    ),
    "councillor_ambiguous": _(
        "There are several municipal councillors called %(name)s. Please add the municipality."
    ),
    "no_councillors": _(
        "The list of municipal councillors has not been imported yet, so eligibility cannot be"
        " checked."
    ),
    "election_closed": _("The election is over."),
    "no_open_election": _("No election is in progress at this meeting."),
    "election_kind": _("That is not possible in this kind of election."),
    "candidate_twice": _("%(name)s is a candidate already."),
    "candidates_needed": _("There are no candidates yet."),
    "round_open": _("A round is open. Close it first."),
    "no_open_round": _("No round is open."),
    "not_a_candidate": _("That is not a candidate in this round."),
    "lot_witness_needed": _(
        "The result must be decided by lot. Please name who witnesses the draw."
    ),
    "not_a_member": _("%(name)s is not a member of the council."),
    "in_another_group": _("%(name)s has already declared for another group."),
    "group_name_taken": _("There is a group called %(name)s already."),
    "groups_needed": _("No group has declared yet."),
    "seats_shared_already": _("The seats have been shared already."),
    "seats_not_shared": _("The seats have not been shared yet."),
    "not_spokesperson": _("Only the group's spokesperson can do that."),
    "no_seat_left": _("The group has named someone for every seat it has."),
    "renounce_too_many": _("The group has %(seats)s seats left to renounce."),
    "body_unknown": _("There is no body called %(name)s in the register."),
    "body_full": _("All %(seats)s seats of %(name)s are taken."),
}
# A whole term (issue 14): membership over time, the annual plan, the constituent meeting.
REFUSALS |= {
    "not_current_member": _("%(name)s is not in the council any more."),
    "offer_not_yours": _(
        "This offer is not for you: only the substitute it was sent to can answer."
    ),
    "offer_answered": _("This offer has been answered already."),
    "offer_pending": _(
        "The substitute has not answered yet; the party names a new member only after a decline."
    ),
    "no_open_seat": _("The party %(party)s has no open seat of that kind to fill."),
    "name_missing": _("Please give the person's name."),
    "already_in_council": _("%(name)s is in the council already."),
    "over_cap": _("The council has its %(cap)s members already (twice its municipalities)."),
    "party_change_leaves": _(
        "An elected member or substitute who leaves the party leaves the council:"
        " record that %(name)s leaves instead."
    ),
    "term_exists": _("A term after the election of %(election_day)s is recorded already."),
    "plan_no_dates": _("Please give the dates of the year's meetings."),
    "plan_wrong_year": _("%(day)s is not in %(year)s."),
    "plan_in_past": _("%(day)s has passed already."),
    "alliance_too_late": _(
        "Alliances had to be notified by %(deadline)s (three working days before the"
        " constituent meeting)."
    ),
    "alliance_unknown_party": _("%(party)s had no votes at the election."),
    "alliance_too_small": _("An alliance needs at least two parties."),
    "alliance_overlap": _("%(party)s is in another alliance already."),
    "no_constituent_meeting": _("The constituent meeting has not been called yet."),
    "constituent_too_late": _(
        "The constituent meeting must be held by %(deadline)s (31 January after the election)."
    ),
    "not_convener": _(
        "The constituent meeting is called by %(convener)s, the longest-serving mayor."
    ),
    "already_constituted": _("The council has elected its chair and vice chair already."),
    "constituent_called_already": _("The constituent meeting is called already, for %(when)s."),
    "not_constituent_meeting": _(
        "The chair and vice chair are elected at the constituent meeting, not at this one."
    ),
    "chair_election_open": _(
        "The seats are shared already: name the chair and vice chair with /election chair NAME"
        " and /election vicechair NAME."
    ),
    "no_chair_election": _("Share the seats first: /election chairs"),
    "officer_twice": _("%(name)s is named for the other office already."),
    "officer_wrong_group": _(
        "%(name)s (%(party)s) is not of the group %(group)s, whose seat it is: the group names"
        " one of its own."
    ),
    "officer_not_member": _("%(name)s is not a member of the council."),
    "no_vacant_office": _("The office of %(office)s is not vacant."),
    "successor_until_past": _(
        "The period must end after today; %(day)s has come already. Without a period, the"
        " successor holds the office for good."
    ),
    "no_office_to_return": _("%(name)s has no office held by a successor for a period."),
    "term_archived": _("That term is archived and can only be read."),
    "archived_term": _(
        "That belongs to the term that ended on %(day)s. An archived term can only be read;"
        " its minutes and attendance can still be exported."
    ),
    "no_leave_to_end": _("%(name)s has no leave recorded."),
    "no_secretariat": _("The council has no secretariat yet."),
    "leave_date_future": _("Record the leave on the day it takes effect, not before (%(day)s)."),
    "staff_cannot_leave": _(
        "%(name)s is not a member or substitute; the secretariat's people and observers are"
        " changed with the members file."
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
        " leads the meeting: /open NAME"
    ),
    "acting_chair_needed_chosen": _(
        "The chair and the vice chair are both absent. Name the member the members choose to"
        " lead the meeting: /open NAME"
    ),
    "move_needs_chair_reason": _(
        "On that date the agenda would be late: it had to go out by %(deadline)s. Only the acting"
        " chair, %(chair)s, can move the meeting there, giving the reason. Ask %(chair)s to move"
        " it with /move, or choose a date whose deadline has not passed."
    ),
    "several_meetings_on_day": _(
        "There are %(count)s coming meetings on %(day)s. Use /move or /cancelmeeting in the chat"
        " and choose the meeting."
    ),
    "birth_dates_missing": _(
        "The chair and the vice chair are both absent, and the oldest member present cannot be"
        " found: no birth date is known for %(names)s. Name who leads the meeting: /open NAME"
    ),
    "acting_chair_absent": _("%(name)s has reported absence and cannot lead the meeting."),
    "call_with_indkald": _("The chair calls an extraordinary meeting with /call."),
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


QUOTED_LIMIT = 200  # a refusal quotes at most this much of what someone wrote


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
            return escape(cut(value, QUOTED_LIMIT))  # what someone wrote, quoted back short
        # "2027-03-28 02:30" has a time (the DST gap names it); "2027-03-28" is a day.
        return format_when(moment, language) if len(value) > 10 else format_day(moment, language)
    return value


# The record (issue 13): minutes, publishing, calendars, the attendance export.
REFUSALS |= {
    "export_period": _(
        "The period must run forwards and be at most five years: %(start)s to %(end)s."
    ),
    "no_minutes": _("There are no minutes of that meeting yet."),
    "minutes_approved": _("Version %(version)s of the minutes is approved already."),
    "minutes_text_length": _("Please keep the text between 1 and %(limit)s characters."),
    "no_such_item": _("The minutes have no item %(number)s."),
    "nothing_to_publish": _(
        "There is nothing to publish yet: the agenda has not gone out, or the minutes are not"
        " approved."
    ),
    # The minutes edited in Word and sent back (services/minutes_word.py).
    "minutes_file_too_large": _(
        "The file is larger than %(limit)s MB, more than Telegram lets me fetch. The minutes' Word"
        " file is usually well under 1 MB: send it without pictures or embedded files."
    ),
    "minutes_file_not_docx": _(
        "That is not a Word document (.docx). Get the minutes as a Word file with /minutes word,"
        " edit it, and save it as a Word document (.docx), not as .doc, .odt or PDF."
    ),
    "minutes_file_no_table": _(
        "I cannot find the minutes' table of items in that file. Please edit the Word file I send"
        " with /minutes word."
    ),
    "minutes_file_items_differ": _(
        "The items in the file do not match the minutes (item %(numbers)s: missing, added, there"
        " twice or with another title). Leave the numbers and titles as they are, or get a new"
        " file with /minutes word."
    ),
    "minutes_file_outdated": _(
        "The file was made from version %(version)s of the minutes, and they have changed since"
        " (now version %(current)s). Get a new file with /minutes word, so that no change is lost."
    ),
    "minutes_file_text_too_long": _(
        "The text of item %(number)s is too long: at most %(limit)s characters."
    ),
    "minutes_file_decision_empty": _(
        "Item %(number)s has no decision text in the file. Write the decision, or leave it as it"
        " was."
    ),
    "minutes_file_remarks_too_long": _(
        "At most %(count)s remarks on the minutes, each of at most %(limit)s characters."
    ),
}
# --- Texts that fit: Telegram refuses a message over 4096 characters, an alert over 200.

MESSAGE_LIMIT = 4096
ALERT_LIMIT = 200
AND_MORE = _("…and %(count)s more")


def cut(text: str, width: int) -> str:
    """`text` in at most `width` characters, cut at a word boundary with an ellipsis."""
    if len(text) <= width:
        return text
    shortened = text[: width - 1]
    if " " in shortened[width // 2 :]:
        shortened = shortened.rsplit(" ", 1)[0]
    return shortened.rstrip(" ,.;:—-") + "…"


def shortened(names: list[str], language: str, *, shown: int = 5, width: int = 60) -> str:
    """Names joined by commas, each cut at a word boundary; beyond `shown`, '…and 18 more'."""
    listed = ", ".join(cut(name, width) for name in names[:shown])
    rest = len(names) - shown
    return f"{listed} {gettext(language, AND_MORE, count=rest)}" if rest > 0 else listed


def fit(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message that fits: a longer one is cut at a line (or word) boundary, ending in '…'.
    The last line of defence; lists are shortened where they are made."""
    if len(text) <= limit:
        return text
    head = text[: limit - 2]
    at_line = "\n" in head[limit // 2 :]
    return (head.rsplit("\n", 1)[0] if at_line else cut(head, limit - 2)) + "\n…"


def split(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """A long text as several messages, each within `limit`: cut between paragraphs (blank
    lines), else between lines; a single line longer than a message is cut by `fit`. Nothing is
    lost but what no message could carry. (The templates open and close each tag on one line.)"""
    parts: list[str] = []
    current = ""
    for block in _blocks(text.strip("\n"), limit):
        joined = f"{current}\n\n{block}" if current else block
        if len(joined) <= limit:
            current = joined
            continue
        if current:
            parts.append(current)
        current = block
    if current or not parts:
        parts.append(current)
    return parts


def _blocks(text: str, limit: int) -> list[str]:
    """Paragraphs within `limit`; a longer one as runs of its lines."""
    blocks: list[str] = []
    for paragraph in text.split("\n\n"):
        if len(paragraph) <= limit:
            blocks.append(paragraph)
            continue
        run = ""
        for line in paragraph.split("\n"):
            line = fit(line, limit)
            if run and len(run) + 1 + len(line) > limit:
                blocks.append(run)
                run = line
            else:
                run = f"{run}\n{line}" if run else line
        if run:
            blocks.append(run)
    return blocks


def unreadable(error: DateInputError, language: str) -> str:
    """What is wrong with a date or time someone wrote ('februar 2027 har 28 dage')."""
    params: dict[str, Any] = dict(error.params)
    if "month" in params and 1 <= int(params["month"]) <= 12:
        params["month_name"] = month_name(int(params["month"]), language)
    return refusal(Refused(error.code, **params), language)


# The meeting room's corrections and R-E2 in chat (issue 12).
REFUSALS |= {
    "decision_in_minutes": _(
        "The meeting is closed: the decision is now worded in the minutes. Write /minutes edit"
        " %(number)s followed by the text."
    ),
    "no_decision": _("Item %(number)s has no decision yet."),
    "candidate_unknown": _("%(name)s is not a candidate in this election."),
    "appointment_unknown": _("That appointment is not in the register, or it has ended already."),
}
