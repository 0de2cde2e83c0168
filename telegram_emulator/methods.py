"""The Bot API methods: Telegram's semantics, shapes and error texts on the in-memory world."""

from __future__ import annotations

import mimetypes
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram_emulator.entities import EntityParseError, detect_entities, parse_html, utf16_len
from telegram_emulator.errors import bad_request, conflict, too_large
from telegram_emulator.params import Params
from telegram_emulator.state import (
    BotWorld,
    ChatRecord,
    EmulatorState,
    MessageRecord,
    member_to_api,
    scope_key,
)

JSONDict = dict[str, Any]

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_UPLOAD = 50 * 1024 * 1024  # bots may send files up to 50 MB
MAX_DOWNLOAD = 20 * 1024 * 1024  # and download files up to 20 MB
MAX_POLL_TIMEOUT = 50.0
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
STALE_QUERY = "query is too old and response timeout expired or query ID is invalid"
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
SCOPE_TYPES = {
    "default": (),
    "all_private_chats": (),
    "all_group_chats": (),
    "all_chat_administrators": (),
    "chat": ("chat_id",),
    "chat_administrators": ("chat_id",),
    "chat_member": ("chat_id", "user_id"),
}
COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")


@dataclass
class Call:
    """One Bot API call being served."""

    state: EmulatorState
    world: BotWorld
    params: Params
    method: str
    chat_id: int | None = None


Handler = Callable[[Call], Any | Awaitable[Any]]


# ------------------------------------------------------------------ helpers


def formatted(
    p: Params, text_name: str, mode_name: str, entities_name: str
) -> tuple[str, list[JSONDict], str | None, str]:
    """(plain text, entities, parse mode, raw text) of a text or caption parameter."""
    raw = p.text(text_name) or ""
    parse_mode = p.text(mode_name) or None
    mode = (parse_mode or "").lower()
    if mode == "html":
        try:
            plain, entities = parse_html(raw)
        except EntityParseError as error:
            raise bad_request(f"can't parse entities: {error}") from None
    elif mode in ("markdown", "markdownv2"):
        plain, entities = raw, []  # kept verbatim: kkrbot speaks HTML
    elif mode:
        raise bad_request("unsupported parse_mode")
    else:
        plain = raw
        given = p.obj(entities_name, f"can't parse {entities_name} JSON object")
        entities = list(given) if isinstance(given, list) else []
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities]
    for auto in detect_entities(plain):
        start, end = auto["offset"], auto["offset"] + auto["length"]
        if not any(start < t_end and t_start < end for t_start, t_end in taken):
            entities.append(auto)
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return plain, entities, parse_mode, raw


def message_text(p: Params) -> tuple[str, list[JSONDict], str | None, str]:
    plain, entities, mode, raw = formatted(p, "text", "parse_mode", "entities")
    if not plain.strip():
        raise bad_request("message text is empty")
    if utf16_len(plain) > MAX_TEXT:
        raise bad_request("message is too long")
    return plain, entities, mode, raw


def caption_text(p: Params) -> tuple[str | None, list[JSONDict], str | None, str | None]:
    if not p.has("caption"):
        return None, [], p.text("parse_mode") or None, None
    plain, entities, mode, raw = formatted(p, "caption", "parse_mode", "caption_entities")
    if utf16_len(plain) > MAX_CAPTION:
        raise bad_request("message caption is too long")
    return plain, entities, mode, raw


def reply_markup(p: Params, *, inline_only: bool = False) -> JSONDict | None:
    markup = p.obj("reply_markup", "can't parse reply keyboard markup JSON object")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
        return markup
    if inline_only:
        raise bad_request("inline keyboard expected")
    if "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise bad_request('field "keyboard" must be an Array of Arrays')
        return markup
    if markup.get("remove_keyboard") or markup.get("force_reply"):
        return markup
    raise bad_request("can't parse reply keyboard markup JSON object")


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            if not isinstance(button, dict):
                raise bad_request(
                    "can't parse inline keyboard button: InlineKeyboardButton must be an Object"
                )
            if not isinstance(button.get("text"), str) or not button["text"]:
                raise bad_request(
                    'can\'t parse inline keyboard button: Field "text" must be of type String'
                )
            actions = [name for name in BUTTON_ACTIONS if name in button]
            if not actions:
                raise bad_request(
                    "can't parse inline keyboard button: Text buttons are unallowed in the "
                    "inline keyboard"
                )
            if "callback_data" in button:
                data = button["callback_data"]
                size = len(str(data).encode("utf-8"))
                if not isinstance(data, str) or not 1 <= size <= MAX_CALLBACK_DATA:
                    raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not str(button["url"]).strip():
                raise bad_request("BUTTON_URL_INVALID")


def reply_target(call: Call, chat: ChatRecord) -> int | None:
    p = call.params
    target = p.obj("reply_parameters", "can't parse reply parameters JSON object")
    message_id: int | None = None
    allow_missing = p.flag("allow_sending_without_reply")
    if isinstance(target, dict):
        message_id = int(target["message_id"]) if "message_id" in target else None
        allow_missing = allow_missing or bool(target.get("allow_sending_without_reply"))
    elif p.has("reply_to_message_id"):
        message_id = p.integer("reply_to_message_id")
    if message_id is None:
        return None
    replied = chat.messages.get(message_id)
    if replied is None or replied.deleted:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    return message_id


def bot_message(call: Call, chat: ChatRecord) -> MessageRecord:
    state = call.state
    message = MessageRecord(
        message_id=chat.new_message_id(),
        chat_id=chat.id,
        sender_id=call.world.id,
        from_bot=True,
        date=int(state.now()),
        reply_to_message_id=reply_target(call, chat),
    )
    chat.messages[message.message_id] = message
    return message


def target_message(call: Call, not_found: str) -> tuple[ChatRecord, MessageRecord]:
    p = call.params
    if p.has("inline_message_id"):
        raise bad_request("MESSAGE_ID_INVALID")
    chat = call.state.writable_chat(call.world, p.raw("chat_id"))
    call.chat_id = chat.id
    message_id = p.integer("message_id", required="message identifier is not specified")
    message = chat.messages.get(message_id or 0)
    if message is None or message.deleted:
        raise bad_request(not_found)
    return chat, message


def api_message(call: Call, chat: ChatRecord, message: MessageRecord) -> JSONDict:
    return call.state.message_to_api(call.world, chat, message)


# ------------------------------------------------------------------ methods


def get_me(call: Call) -> JSONDict:
    world = call.world
    return {
        **world.user().to_api(),
        "can_join_groups": True,
        "can_read_all_group_messages": not world.privacy_mode,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def log_out(call: Call) -> bool:
    return True


async def get_updates(call: Call) -> list[JSONDict]:
    state, world, p = call.state, call.world, call.params
    offset = p.integer("offset") or 0
    limit = min(max(p.integer("limit") or 100, 1), 100)
    timeout = min(max(p.number("timeout") or 0.0, 0.0), MAX_POLL_TIMEOUT)
    allowed = p.obj("allowed_updates", "can't parse allowed updates JSON object")
    with state.lock:
        if world.webhook.get("url"):
            raise conflict(
                "can't use getUpdates method while webhook is active; use deleteWebhook to "
                "delete the webhook first"
            )
        if isinstance(allowed, list):
            world.allowed_updates = [str(kind) for kind in allowed] or None
        world.confirm(offset)
        world.poll_generation += 1
        generation = world.poll_generation
        world.polling = True
    state.changed()  # an older long poll of this bot now ends with a conflict

    def ready() -> bool:
        with state.lock:
            return bool(world.pending()) or world.poll_generation != generation or state.closing

    try:
        await state.notifier.wait_for(ready, timeout)
    finally:
        with state.lock:
            if world.poll_generation == generation:
                world.polling = False
    with state.lock:
        if world.poll_generation != generation:
            raise conflict(
                "terminated by other getUpdates request; make sure that only one bot instance "
                "is running"
            )
        if state.closing:
            return []
        return [body for _, _, body in world.pending()[:limit]]


def delete_webhook(call: Call) -> bool:
    with call.state.lock:
        call.world.webhook.clear()
        if call.params.flag("drop_pending_updates"):
            call.world.updates.clear()
    return True


def set_webhook(call: Call) -> bool:
    p = call.params
    url = p.text("url") or ""
    with call.state.lock:
        if not url:
            call.world.webhook.clear()
            return True
        if not url.startswith("https://") and not url.startswith("http://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        allowed = p.obj("allowed_updates", "can't parse allowed updates JSON object")
        call.world.webhook.update(
            url=url,
            secret_token=p.text("secret_token"),
            max_connections=p.integer("max_connections") or 40,
            allowed_updates=allowed if isinstance(allowed, list) else None,
            ip_address=p.text("ip_address"),
        )
        if isinstance(allowed, list):
            call.world.allowed_updates = [str(kind) for kind in allowed] or None
        if p.flag("drop_pending_updates"):
            call.world.updates.clear()
    call.state.webhooks.ensure_running()  # from now on updates are POSTed to the URL (webhook.py)
    return True


def get_webhook_info(call: Call) -> JSONDict:
    world = call.world
    with call.state.lock:
        info: JSONDict = {
            "url": world.webhook.get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(world.pending()),
        }
        if world.webhook.get("url"):
            info["max_connections"] = world.webhook.get("max_connections", 40)
            if world.webhook.get("allowed_updates"):
                info["allowed_updates"] = world.webhook["allowed_updates"]
            for key in ("last_error_date", "last_error_message"):
                if world.webhook.get(key):
                    info[key] = world.webhook[key]
        return info


def send_message(call: Call) -> JSONDict:
    p = call.params
    with call.state.lock:
        chat = call.state.writable_chat(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        plain, entities, mode, raw = message_text(p)
        markup = reply_markup(p)
        message = bot_message(call, chat)
        message.text, message.entities = plain, entities
        message.raw, message.parse_mode, message.reply_markup = raw, mode, markup
        preview = p.obj("link_preview_options", "can't parse link preview options JSON object")
        if isinstance(preview, dict) and preview:
            message.extra["link_preview_options"] = preview
        call.state.changed()
        return api_message(call, chat, message)


def edit_message_text(call: Call) -> JSONDict:
    p = call.params
    with call.state.lock:
        chat, message = target_message(call, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.text is None:
            raise bad_request("there is no text in the message to edit")
        plain, entities, mode, raw = message_text(p)
        markup = reply_markup(p, inline_only=True)
        if (plain, entities, markup) == (message.text, message.entities, message.inline_markup):
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.revision())
        message.text, message.entities, message.raw, message.parse_mode = plain, entities, raw, mode
        message.reply_markup = markup
        message.edit_date = int(call.state.now())
        call.state.changed()
        return api_message(call, chat, message)


def edit_message_caption(call: Call) -> JSONDict:
    p = call.params
    with call.state.lock:
        chat, message = target_message(call, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        if message.document is None:
            raise bad_request("there is no caption in the message to edit")
        caption, entities, mode, raw = caption_text(p)
        markup = reply_markup(p, inline_only=True)
        current = (message.caption, message.caption_entities, message.inline_markup)
        if (caption, entities, markup) == current:
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.revision())
        message.caption, message.caption_entities = caption, entities
        message.raw, message.parse_mode, message.reply_markup = raw, mode, markup
        message.edit_date = int(call.state.now())
        call.state.changed()
        return api_message(call, chat, message)


def edit_message_reply_markup(call: Call) -> JSONDict:
    p = call.params
    with call.state.lock:
        chat, message = target_message(call, "message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        markup = reply_markup(p, inline_only=True)
        if markup == message.inline_markup:
            raise bad_request(NOT_MODIFIED)
        message.history.append(message.revision())
        message.reply_markup = markup
        message.edit_date = int(call.state.now())
        call.state.changed()
        return api_message(call, chat, message)


def delete_message(call: Call) -> bool:
    with call.state.lock:
        chat, message = target_message(call, "message to delete not found")
        _delete(call, chat, message)
        call.state.changed()
    return True


def delete_messages(call: Call) -> bool:
    p = call.params
    with call.state.lock:
        chat = call.state.writable_chat(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        ids = p.obj("message_ids", "can't parse message identifiers JSON object")
        if not isinstance(ids, list) or not 1 <= len(ids) <= 100:
            raise bad_request("message identifiers are not specified")
        for message_id in ids:
            message = chat.messages.get(int(message_id))
            if message is not None and not message.deleted:
                _delete(call, chat, message)
        call.state.changed()
    return True


def _delete(call: Call, chat: ChatRecord, message: MessageRecord) -> None:
    may = message.from_bot or chat.type == "private" or chat.bot_status == "administrator"
    if not may:
        raise bad_request("message can't be deleted")
    message.deleted = True
    if message.message_id in chat.pinned:
        chat.pinned.remove(message.message_id)


def answer_callback_query(call: Call) -> bool:
    p = call.params
    with call.state.lock:
        query = call.world.callbacks.get(p.text("callback_query_id") or "")
        if query is None or query.answered:
            raise bad_request(STALE_QUERY)
        text = p.text("text")
        if text is not None and len(text) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        call.chat_id = query.chat_id
        query.answered = True
        query.text = text
        query.show_alert = p.flag("show_alert")
        query.url = p.text("url")
        query.cache_time = p.integer("cache_time")
        query.answered_at = call.state.now()
        call.state.changed()
    return True


def send_document(call: Call) -> JSONDict:
    p = call.params
    state = call.state
    with state.lock:
        chat = state.writable_chat(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        caption, entities, mode, raw = caption_text(p)
        markup = reply_markup(p)
        upload = p.upload("document")
        reference = p.text("document")
        if upload is None and reference and reference.startswith("attach://"):
            upload = p.upload(reference[len("attach://") :])
        if upload is not None:
            if len(upload.data) > MAX_UPLOAD:
                raise too_large()
            mime = upload.content_type
            if not mime or mime == "application/octet-stream":
                mime = mimetypes.guess_type(upload.filename or "")[0] or mime
            document = state.store_file(
                file_name=upload.filename or "document",
                mime_type=mime,
                content=upload.data,
            )
        elif reference and reference in state.files:
            document = state.files[reference]
        elif reference:
            raise bad_request("wrong file identifier/HTTP URL specified")
        else:
            raise bad_request("there is no document in the request")
        message = bot_message(call, chat)
        message.document = document
        message.caption, message.caption_entities = caption, entities
        message.raw, message.parse_mode, message.reply_markup = raw, mode, markup
        state.changed()
        return api_message(call, chat, message)


def get_file(call: Call) -> JSONDict:
    with call.state.lock:
        record = call.state.files.get(call.params.text("file_id") or "")
        if record is None:
            raise bad_request("invalid file_id")
        if record.file_size > MAX_DOWNLOAD:
            raise bad_request("file is too big")
        return {
            "file_id": record.file_id,
            "file_unique_id": record.file_unique_id,
            "file_size": record.file_size,
            "file_path": record.file_path,
        }


def pin_chat_message(call: Call) -> bool:
    with call.state.lock:
        chat, message = target_message(call, "message to pin not found")
        if chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")
        if message.message_id in chat.pinned:
            chat.pinned.remove(message.message_id)
        chat.pinned.append(message.message_id)
        call.state.changed()
    return True


def unpin_chat_message(call: Call) -> bool:
    p = call.params
    with call.state.lock:
        chat = call.state.writable_chat(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        if chat.type != "private" and chat.bot_status != "administrator":
            raise bad_request("not enough rights to manage pinned messages in the chat")
        message_id = p.integer("message_id")
        if message_id is None:
            if chat.pinned:
                chat.pinned.pop()
        elif message_id in chat.pinned:
            chat.pinned.remove(message_id)
        else:
            raise bad_request("message to unpin not found")
        call.state.changed()
    return True


def unpin_all_chat_messages(call: Call) -> bool:
    with call.state.lock:
        chat = call.state.writable_chat(call.world, call.params.raw("chat_id"))
        call.chat_id = chat.id
        chat.pinned.clear()
        call.state.changed()
    return True


def _scope(p: Params) -> str:
    scope = p.obj("scope", "can't parse BotCommandScope JSON object")
    if scope is None:
        return "default"
    if not isinstance(scope, dict) or scope.get("type") not in SCOPE_TYPES:
        raise bad_request("unsupported bot command scope type")
    for needed in SCOPE_TYPES[str(scope["type"])]:
        if needed not in scope:
            raise bad_request(f"{needed} is empty")
    return scope_key(scope)


def _language(p: Params) -> str:
    language = p.text("language_code") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return language


def set_my_commands(call: Call) -> bool:
    p = call.params
    commands = p.obj("commands", "can't parse commands JSON object")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("commands must be an Array of at most 100 BotCommand")
    cleaned: list[JSONDict] = []
    for command in commands:
        name = str(command.get("command", "")) if isinstance(command, dict) else ""
        if not COMMAND_RE.match(name.lstrip("/")):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(command.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        cleaned.append({"command": name.lstrip("/"), "description": description})
    key = (_scope(p), _language(p))
    with call.state.lock:
        if cleaned:
            call.world.commands[key] = cleaned
        else:
            call.world.commands.pop(key, None)
        call.state.changed()
    return True


def get_my_commands(call: Call) -> list[JSONDict]:
    key = (_scope(call.params), _language(call.params))
    with call.state.lock:
        return list(call.world.commands.get(key, []))


def delete_my_commands(call: Call) -> bool:
    key = (_scope(call.params), _language(call.params))
    with call.state.lock:
        call.world.commands.pop(key, None)
        call.state.changed()
    return True


def set_chat_menu_button(call: Call) -> bool:
    p = call.params
    button = p.obj("menu_button", "can't parse menu button JSON object") or {"type": "default"}
    if not isinstance(button, dict) or button.get("type") not in ("commands", "web_app", "default"):
        raise bad_request("unsupported menu button type")
    with call.state.lock:
        chat_id = 0
        if p.has("chat_id"):
            chat = call.state.chat_for_bot(call.world, p.raw("chat_id"))
            chat_id = call.chat_id = chat.id
        call.world.menu_buttons[chat_id] = button
        call.state.changed()
    return True


def get_chat_menu_button(call: Call) -> JSONDict:
    p = call.params
    with call.state.lock:
        buttons = call.world.menu_buttons
        if p.has("chat_id"):
            chat = call.state.chat_for_bot(call.world, p.raw("chat_id"))
            if chat.id in buttons:
                return buttons[chat.id]
        return buttons.get(0, {"type": "commands"})


def send_chat_action(call: Call) -> bool:
    p = call.params
    with call.state.lock:
        chat = call.state.writable_chat(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        if (p.text("action") or "") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
    return True


def get_chat(call: Call) -> JSONDict:
    state = call.state
    with state.lock:
        chat = state.chat_for_bot(call.world, call.params.raw("chat_id"))
        call.chat_id = chat.id
        info = {
            **state.chat_to_api(chat),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }
        if chat.pinned:
            pinned = chat.messages[chat.pinned[-1]]
            info["pinned_message"] = state.message_to_api(call.world, chat, pinned)
        return info


def get_chat_member(call: Call) -> JSONDict:
    state, p = call.state, call.params
    with state.lock:
        chat = state.chat_for_bot(call.world, p.raw("chat_id"))
        call.chat_id = chat.id
        user_id = p.integer("user_id", required="user_id is empty")
        if user_id == call.world.id:
            return member_to_api(call.world.user(), chat.bot_status)
        if user_id not in state.users:
            raise bad_request("user not found")
        status = "member" if user_id in chat.members else "left"
        if chat.type == "private" and user_id != chat.id:
            raise bad_request("user not found")
        return member_to_api(state.users[user_id or 0], status)


def get_chat_member_count(call: Call) -> int:
    with call.state.lock:
        chat = call.state.chat_for_bot(call.world, call.params.raw("chat_id"))
        call.chat_id = chat.id
        return len(chat.members) + (0 if chat.bot_status in ("left", "kicked") else 1)


def get_chat_administrators(call: Call) -> list[JSONDict]:
    with call.state.lock:
        chat = call.state.chat_for_bot(call.world, call.params.raw("chat_id"))
        call.chat_id = chat.id
        if chat.bot_status == "administrator":
            return [member_to_api(call.world.user(), "administrator")]
        return []


def leave_chat(call: Call) -> bool:
    with call.state.lock:
        chat = call.state.chat_for_bot(call.world, call.params.raw("chat_id"))
        call.chat_id = chat.id
        if chat.type == "private":
            raise bad_request("chat member status can't be changed in private chats")
        chat.bot_status = "left"
        call.state.changed()
    return True


def _profile_setter(field_name: str, limit: int) -> Handler:
    def setter(call: Call) -> bool:
        value = call.params.text(field_name) or ""
        if len(value) > limit:
            raise bad_request(f"{field_name} is too long")
        with call.state.lock:
            call.world.profile[f"{field_name}:{_language(call.params)}"] = value
        return True

    return setter


def _profile_getter(field_name: str) -> Handler:
    def getter(call: Call) -> JSONDict:
        with call.state.lock:
            profile = call.world.profile
            language = _language(call.params)
            value = profile.get(f"{field_name}:{language}", profile.get(f"{field_name}:", ""))
            if field_name == "name" and not value:
                value = call.world.first_name
            return {field_name: value}

    return getter


METHODS: dict[str, tuple[str, Handler]] = {
    name.lower(): (name, handler)
    for name, handler in {
        "getMe": get_me,
        "logOut": log_out,
        "close": log_out,
        "getUpdates": get_updates,
        "deleteWebhook": delete_webhook,
        "setWebhook": set_webhook,
        "getWebhookInfo": get_webhook_info,
        "sendMessage": send_message,
        "editMessageText": edit_message_text,
        "editMessageCaption": edit_message_caption,
        "editMessageReplyMarkup": edit_message_reply_markup,
        "deleteMessage": delete_message,
        "deleteMessages": delete_messages,
        "answerCallbackQuery": answer_callback_query,
        "sendDocument": send_document,
        "getFile": get_file,
        "pinChatMessage": pin_chat_message,
        "unpinChatMessage": unpin_chat_message,
        "unpinAllChatMessages": unpin_all_chat_messages,
        "setMyCommands": set_my_commands,
        "getMyCommands": get_my_commands,
        "deleteMyCommands": delete_my_commands,
        "setChatMenuButton": set_chat_menu_button,
        "getChatMenuButton": get_chat_menu_button,
        "sendChatAction": send_chat_action,
        "getChat": get_chat,
        "getChatMember": get_chat_member,
        "getChatMemberCount": get_chat_member_count,
        "getChatAdministrators": get_chat_administrators,
        "leaveChat": leave_chat,
        "setMyName": _profile_setter("name", 64),
        "getMyName": _profile_getter("name"),
        "setMyDescription": _profile_setter("description", 512),
        "getMyDescription": _profile_getter("description"),
        "setMyShortDescription": _profile_setter("short_description", 120),
        "getMyShortDescription": _profile_getter("short_description"),
    }.items()
}
