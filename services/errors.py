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
