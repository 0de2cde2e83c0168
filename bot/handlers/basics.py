"""/help, /meetings, /language and the answer to anything not understood."""

from __future__ import annotations

from telegram import InlineKeyboardMarkup, Update
from telegram.constants import ChatType

from bot import dialogues
from bot.callbacks import Language
from bot.commands import commands_for
from bot.context import BotContext
from bot.handlers import record, record_word
from bot.handlers.common import attempt, reply_long
from bot.menus import refresh_person
from bot.texts import STALE_BUTTON, refusal, role_title
from services.errors import Refused
from services.meetings import upcoming_meetings
from services.menus import menu_state
from services.people import switch_language
from templates.i18n import LANGUAGES, render

LANGUAGE_NAMES = {"da": "Dansk", "en": "English"}


async def help_command(update: Update, context: BotContext) -> None:
    """The commands of the person's roles, in their language, the actions of the moment first;
    in the council's group only the commands that belong there."""
    actor = context.require_actor()
    if update.effective_message is None:
        return
    chat = update.effective_chat
    in_group = chat is not None and chat.type != ChatType.PRIVATE
    found = await attempt(update, context, menu_state, write=False)
    if found is None:
        return
    state = found.value  # R-P3: the acting chair's help shows the chair's powers they hold
    commands = commands_for(
        actor, in_group=in_group, moment=state.moment, acting_chair=state.acting_chair
    )
    text = render(
        "chat/help.html.j2",
        context.language,
        name=actor.name,
        role=role_title(actor, context.language),
        commands=commands,
    )
    await update.effective_message.reply_html(text)


async def meetings(update: Update, context: BotContext) -> None:
    """The council's coming meetings with their R-D1 and R-D2 deadlines in local time."""
    actor = context.require_actor()
    if update.effective_message is None:
        return
    message = update.effective_message

    async def refused(error: Refused) -> None:
        await message.reply_text(refusal(error, context.language))

    coming = await attempt(update, context, upcoming_meetings, write=False, on_refusal=refused)
    if coming is None:
        return
    text = render(
        "chat/meetings.html.j2", context.language, meetings=coming.value, council=actor.council_name
    )
    await reply_long(update, text)  # many meetings: several messages, none cut


async def language(update: Update, context: BotContext) -> None:
    """`/language` offers the choice; `/language en` switches at once."""
    if update.effective_message is None:
        return
    if context.args:
        await _switch(update, context, context.args[0].lower())
        return
    buttons = [Language(code).button(LANGUAGE_NAMES[code]) for code in LANGUAGES]  # type: ignore[arg-type]
    await update.effective_message.reply_text(
        context._("Which language should I speak?"), reply_markup=InlineKeyboardMarkup([buttons])
    )


async def language_button(update: Update, context: BotContext) -> None:
    """A press on Dansk / English."""
    await _switch(update, context, Language.of(update).code)


async def _switch(update: Update, context: BotContext, code: str) -> None:
    if code not in LANGUAGES:
        answer = context._(
            "I speak Danish (da) and English (en). Try /language da or /language en."
        )
        await _answer(update, answer)
        return
    switched = await attempt(update, context, switch_language, language=code)
    if switched is None:
        return
    context.actor = switched.value
    context.language = code
    if context.actor is not None:  # the menu in the new language, before the answer
        await refresh_person(update, context)
    await _answer(update, context._("Good — I will speak English with you from now on."), done=True)


async def _answer(update: Update, text: str, *, done: bool = False) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer()
        if done and query.message is not None:
            await query.edit_message_text(
                text
            )  # the buttons go: pressing twice cannot switch twice
            return
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)


async def free_message(update: Update, context: BotContext) -> None:
    """A private message that is no command we know: the open dialogue's answer, if one is open
    (a command never is: /foreslaa, /hjaelp … go to their own handlers); else a document from the
    secretariat is the minutes edited in Word; else not understood."""
    message = update.effective_message
    is_command = message is not None and (message.text or "").startswith("/")
    if is_command:
        await not_understood(update, context)
    elif not await dialogues.route(update, context):
        if record_word.takes_upload(update, context):  # the minutes edited in Word (R-X2)
            await record.minutes_upload(update, context)
        else:
            await not_understood(update, context)


async def not_understood(update: Update, context: BotContext) -> None:
    """Anything else a linked person writes in private: say so and point to /help."""
    if update.effective_message is None:
        return
    await update.effective_message.reply_text(
        context._("I did not understand that. /help lists what I can do.")
    )


async def stale_button(update: Update, context: BotContext) -> None:
    """A button whose data no longer parses (an old message, a made-up press): say so, so the
    spinner stops and the person knows — every family's handler sees only data that parses."""
    if update.callback_query is not None:
        await update.callback_query.answer(context._(STALE_BUTTON), show_alert=True)
