"""Refusals a service can give. Each carries a message key and parameters, so the caller can say it
in the person's language (bot/) or print it (CLI); no service ever formats text for a person."""

from __future__ import annotations

from typing import Any


class ServiceError(Exception):
    """Base of every refusal; `code` names the message, `params` fill it in."""

    code = "error"

    def __init__(self, detail: str = "", **params: Any) -> None:
        super().__init__(detail or self.code)
        self.detail = detail or self.code
        self.params = params


class NotFound(ServiceError):
    code = "not_found"


class NotAllowed(ServiceError):
    """The acting person's roles do not permit the action (procedure.permissions)."""

    code = "not_allowed"


class InvalidInput(ServiceError):
    code = "invalid_input"


class InviteUnknown(ServiceError):
    code = "invite_unknown"


class InviteUsed(ServiceError):
    code = "invite_used"


class InviteExpired(ServiceError):
    code = "invite_expired"


class AlreadyLinked(ServiceError):
    code = "already_linked"


# The agenda (issue 4). Each code has a sentence in bot/texts.py; params fill it in.


class TitleEmpty(ServiceError):
    code = "title_empty"


class TitleTooLong(ServiceError):
    """params: length, limit."""

    code = "title_too_long"


class DescriptionTooLong(ServiceError):
    """params: length, limit."""

    code = "description_too_long"


class FileTooBig(ServiceError):
    """params: size_mb, limit_mb (a bot can fetch files only up to Telegram's limit)."""

    code = "file_too_big"


class NoOpenMeeting(ServiceError):
    """No ordinary meeting is open for proposals (R-D1)."""

    code = "no_open_meeting"


class ProposalsClosed(ServiceError):
    """params: deadline (aware, local). The R-D1 deadline of that meeting has passed."""

    code = "proposals_closed"


class MeetingNotOpen(ServiceError):
    """The meeting is cancelled, has begun or is over: its agenda can no longer change."""

    code = "meeting_not_open"


class AlreadyDistributed(ServiceError):
    """params: version. Nothing changed since the agenda went out."""

    code = "already_distributed"


class AgendaEmpty(ServiceError):
    code = "agenda_empty"


class ExceptionReasonRequired(ServiceError):
    """params: deadline. After R-D2 a distribution needs the chair's reason (R-D3)."""

    code = "exception_reason_required"


class ItemNotChangeable(ServiceError):
    """The item is no longer in a state that allows this (e.g. withdrawn, or the agenda went out)."""

    code = "item_not_changeable"


class InvalidMoment(ServiceError):
    """params: text. A date and time that could not be read or lies in the past."""

    code = "invalid_moment"


class Refused(ServiceError):
    """A request the current state does not allow (pressed twice, too late, not yours, ...).

    `code` names the situation (bot/texts.py says it in the person's language); nothing changed.
    """

    def __init__(self, code: str, detail: str = "", **params: Any) -> None:
        super().__init__(detail or code, **params)
        self.code = code
