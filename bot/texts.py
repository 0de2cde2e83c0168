"""Words shared by several handlers: role names and the answers to a service's refusal."""

from __future__ import annotations

from services.actors import Actor
from services.errors import ServiceError
from templates.i18n import gettext


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
GENERIC_REFUSAL = _("That could not be done: %(detail)s")


def role_title(actor: Actor, language: str) -> str:
    """'formand (borgmester)' / 'chair (mayor)' — the office first when there is one."""
    role = gettext(language, ROLE_NAMES.get(actor.role, actor.role))
    if actor.office:
        return f"{gettext(language, ROLE_NAMES[actor.office])} ({role})"
    return role


def refusal(error: ServiceError, language: str) -> str:
    """What to tell a person when a service said no."""
    if error.code in REFUSALS:
        return gettext(language, REFUSALS[error.code])
    return gettext(language, GENERIC_REFUSAL, detail=error.detail)
