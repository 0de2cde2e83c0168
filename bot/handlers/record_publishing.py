"""/publish (/offentliggoer): what of each meeting is on the council's public page, with buttons to
publish or withdraw it by hand (R-X1, R-P6), and — for the secretariat — the publishing setting
(the agenda when distributed or by hand, the minutes when approved or by hand), changed after a
confirmation. Every rule is in services/publishing*.py; this only shows and asks."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.constants import ParseMode

from bot import dialogues
from bot.callbacks import Dialog, DialogChoice, Publish, PublishSetting
from bot.context import BotContext
from bot.dialogues import Flow
from bot.handlers.common import attempt, in_chat, replace, tell
from bot.texts import fit, refusal
from procedure.permissions import Action
from services.dialogues import OpenDialogue
from services.errors import Refused
from services.publishing import publication_status, set_published
from services.publishing_setting import change_publish_setting, current_publish_setting
from templates.i18n import render


def _(message: str) -> str:
    return message


# What the setting becomes, by (document, automatic): the button, and what the confirmation says.
SWITCH_LABELS = {
    ("agenda", False): _("Agendas: only by hand"),
    ("agenda", True): _("Agendas: when distributed"),
    ("minutes", False): _("Minutes: only by hand"),
    ("minutes", True): _("Minutes: when approved"),
}
CONSEQUENCES = {
    ("agenda", False): _(
        "From now on agendas go public only when the chair or the secretariat publishes them"
        " here. What is public now stays public."
    ),
    ("agenda", True): _(
        "From now on every agenda goes public when it is distributed. Agendas held back until"
        " now stay held back until someone publishes them here."
    ),
    ("minutes", False): _(
        "From now on minutes go public only when the chair or the secretariat publishes them"
        " here. What is public now stays public."
    ),
    ("minutes", True): _(
        "From now on the minutes go public when they are approved. Minutes held back until now"
        " stay held back until someone publishes them here."
    ),
}
CHANGE_IT = _("Change the setting")
CHANGE_QUESTION = _("Change the publishing setting?")


async def publish(update: Update, context: BotContext) -> None:
    """What of each meeting is on the public page, with buttons to publish or withdraw."""
    text, markup = await _publication_view(update, context)
    if text:
        await tell(update, context, text, markup=markup)


async def _publication_view(
    update: Update, context: BotContext
) -> tuple[str, InlineKeyboardMarkup | None]:
    found = await attempt(
        update, context, publication_status, write=False, on_refusal=in_chat(update, context)
    )
    setting = await attempt(update, context, current_publish_setting, write=False)
    if found is None or setting is None:
        return "", None
    rows = []
    for status in found.value:
        m = status.meeting
        day = f"{m.starts_at:%d/%m}"
        for kind, exists, shown in (
            ("agenda", status.has_agenda, m.agenda_version is not None),
            ("minutes", status.has_minutes, m.minutes_version is not None),
        ):
            if not exists:
                continue
            label = (
                context._("Withdraw the %(document)s of %(day)s", document=context._(kind), day=day)
                if shown
                else context._(
                    "Publish the %(document)s of %(day)s", document=context._(kind), day=day
                )
            )
            rows.append([Publish(m.id, kind, not shown).button(label)])  # type: ignore[arg-type]
    if context.require_actor().may(Action.MANAGE_SETTINGS):
        rows.append(_switches(context, setting.value))
    text = render(
        "chat/publication.html.j2", context.language, statuses=found.value, setting=setting.value
    )
    return text, InlineKeyboardMarkup(rows) if rows else None


def _switches(context: BotContext, setting: object) -> list[InlineKeyboardButton]:
    """One button per document: the setting it would switch to."""
    buttons = []
    for kind in ("agenda", "minutes"):
        automatic = getattr(
            setting, "agenda_on_distribution" if kind == "agenda" else "minutes_on_approval"
        )
        label = context._(SWITCH_LABELS[(kind, not automatic)])
        buttons.append(PublishSetting(kind, not automatic).button(label))  # type: ignore[arg-type]
    return buttons


async def publish_button(update: Update, context: BotContext) -> None:
    pressed = Publish.of(update)
    done = await attempt(
        update,
        context,
        set_published,
        meeting_id=pressed.meeting_id,
        kind=pressed.kind,
        published=pressed.on,
    )
    if done is None:
        return
    await tell(update, context, context._("Published.") if pressed.on else context._("Withdrawn."))
    text, markup = await _publication_view(update, context)
    if text:
        await replace(update, text, markup)


# --- the setting, after a confirmation ----------------------------------------------------------


async def setting_button(update: Update, context: BotContext) -> None:
    """A switch of the setting: say what it will mean, and ask."""
    pressed = PublishSetting.of(update)
    actor = context.require_actor()
    if not actor.may(Action.MANAGE_SETTINGS):  # a forged press; the service checks it again
        refused = Refused("not_allowed", action=Action.MANAGE_SETTINGS.value)
        await tell(update, context, refusal(refused, context.language), alert=True)
        return
    if update.callback_query is not None:
        await update.callback_query.answer()
    state = {"kind": pressed.kind, "automatic": pressed.automatic}
    dialogue_id = await dialogues.begin(update, context, "publish_setting", state)
    if dialogue_id is None:
        return
    text = "\n\n".join(
        [context._(CONSEQUENCES[(pressed.kind, pressed.automatic)]), context._(CHANGE_QUESTION)]
    )
    button = Dialog("ok", dialogue_id).button(context._(CHANGE_IT))
    await dialogues.prompt(update, context, dialogue_id, text, [[button]])


async def _setting_confirmed(
    update: Update, context: BotContext, turn: OpenDialogue, choice: DialogChoice
) -> None:
    if choice != "ok":
        await dialogues.settle(update, context, context._(dialogues.NOT_OPEN))
        return
    await dialogues.finish(update, context)
    kind, automatic = str(turn.state["kind"]), bool(turn.state["automatic"])
    field = "agenda_on_distribution" if kind == "agenda" else "minutes_on_approval"
    changed = await attempt(
        update,
        context,
        change_publish_setting,
        on_refusal=in_chat(update, context),
        **{field: automatic},
    )
    if changed is None:
        await dialogues.settle(update, context, context._("Not changed"))
        return
    await dialogues.settle(update, context, context._(SWITCH_LABELS[(kind, automatic)]))
    await dialogues.say(update, context, context._("The setting is changed."))
    text, markup = await _publication_view(update, context)
    if text and update.effective_chat is not None:  # a new message: the button's is the question
        await context.bot.send_message(
            update.effective_chat.id, fit(text), parse_mode=ParseMode.HTML, reply_markup=markup
        )


dialogues.flow(
    "publish_setting",
    Flow(_("Changing the publishing setting"), choice=_setting_confirmed),
)
