"""The emulator's in-memory world: users, bots, chats, messages, files, updates, call log.

Everything here is synchronous and guarded by one re-entrant lock, so the Bot API, the simulation
API and code in other threads can share one ``EmulatorState``. Waiting is done with ``notifier``.
"""

from __future__ import annotations

import itertools
import json
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from telegram_emulator.entities import detect_entities
from telegram_emulator.errors import ApiError, bad_request, forbidden
from telegram_emulator.faults import FaultBook, RateLimitConfig, RateLimiter
from telegram_emulator.notify import Notifier
from telegram_emulator.webhook import WebhookPusher

JSONDict = dict[str, Any]

# Telegram's default when a bot never chose: everything except these three.
NOT_DEFAULT_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
GROUP_ID_BASE = -4_000_000_000
SUPERGROUP_ID_BASE = -1_000_000_000_000


class SimError(Exception):
    """A simulation request that cannot be carried out (unknown chat, no such button, ...)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class UserRecord:
    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = None
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value
        return data


@dataclass
class FileRecord:
    file_id: str
    file_unique_id: str
    file_name: str | None
    mime_type: str | None
    file_size: int
    content: bytes | None  # None: only the size is known; downloads give zero bytes
    file_path: str

    def data(self) -> bytes:
        return self.content if self.content is not None else bytes(self.file_size)

    def to_document(self) -> JSONDict:
        doc: JSONDict = {"file_id": self.file_id, "file_unique_id": self.file_unique_id}
        if self.file_name is not None:
            doc["file_name"] = self.file_name
        if self.mime_type is not None:
            doc["mime_type"] = self.mime_type
        doc["file_size"] = self.file_size
        return doc


@dataclass
class MessageRecord:
    message_id: int
    chat_id: int
    sender_id: int
    from_bot: bool
    date: int
    text: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    caption: str | None = None
    caption_entities: list[JSONDict] = field(default_factory=list)
    raw: str | None = None  # the text or caption as the bot sent it, before parsing
    parse_mode: str | None = None
    document: FileRecord | None = None
    reply_markup: JSONDict | None = None  # as sent: inline keyboard, reply keyboard, remove, ...
    reply_to_message_id: int | None = None
    edit_date: int | None = None
    history: list[JSONDict] = field(default_factory=list)  # earlier versions, oldest first
    deleted: bool = False
    extra: JSONDict = field(default_factory=dict)  # service fields (new_chat_members, ...)

    @property
    def inline_markup(self) -> JSONDict | None:
        if self.reply_markup and "inline_keyboard" in self.reply_markup:
            return self.reply_markup
        return None

    def revision(self) -> JSONDict:
        return {
            "text": self.text,
            "caption": self.caption,
            "raw": self.raw,
            "parse_mode": self.parse_mode,
            "entities": self.entities,
            "reply_markup": self.reply_markup,
            "date": self.edit_date or self.date,
        }


@dataclass
class ChatRecord:
    id: int
    type: str  # private | group | supergroup
    title: str | None = None
    username: str | None = None
    messages: dict[int, MessageRecord] = field(default_factory=dict)
    next_message_id: int = 1
    pinned: list[int] = field(default_factory=list)  # most recent last
    bot_status: str = "member"  # member | administrator | left | kicked
    members: set[int] = field(default_factory=set)
    chat_instance: str = field(default_factory=lambda: str(secrets.randbits(62)))

    def new_message_id(self) -> int:
        message_id = self.next_message_id
        self.next_message_id += 1
        return message_id


@dataclass
class CallbackRecord:
    id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    created: float
    answered: bool = False
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None
    answered_at: float | None = None

    def to_dict(self) -> JSONDict:
        return {
            "callback_query_id": self.id,
            "user_id": self.user_id,
            "chat_id": self.chat_id,
            "message_id": self.message_id,
            "data": self.data,
            "answered": self.answered,
            "text": self.text,
            "show_alert": self.show_alert,
            "url": self.url,
            "cache_time": self.cache_time,
        }


@dataclass
class BotWorld:
    """One bot's view of Telegram: its chats, its update queue, its commands."""

    id: int
    username: str
    first_name: str
    token: str | None = None  # None until a bot claims this world
    privacy_mode: bool = True
    chats: dict[int, ChatRecord] = field(default_factory=dict)
    updates: list[tuple[int, str, JSONDict]] = field(default_factory=list)
    allowed_updates: list[str] | None = None
    poll_generation: int = 0
    polling: bool = False
    commands: dict[tuple[str, str], list[JSONDict]] = field(default_factory=dict)
    menu_buttons: dict[int, JSONDict] = field(default_factory=dict)  # chat id, 0 = default
    callbacks: dict[str, CallbackRecord] = field(default_factory=dict)
    blocked_by: set[int] = field(default_factory=set)
    webhook: JSONDict = field(default_factory=dict)
    profile: JSONDict = field(default_factory=dict)  # name/description set by the bot

    def user(self) -> UserRecord:
        return UserRecord(self.id, self.first_name, username=self.username, is_bot=True)

    def wants(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in NOT_DEFAULT_UPDATES

    def confirm(self, offset: int) -> None:
        """Forget updates before ``offset`` (negative: keep only the last -offset)."""
        if offset < 0:
            self.updates = self.updates[offset:]
        elif offset > 0:
            self.updates = [u for u in self.updates if u[0] >= offset]

    def pending(self) -> list[tuple[int, str, JSONDict]]:
        self.updates = [u for u in self.updates if self.wants(u[1])]
        return self.updates

    def clear(self) -> None:
        self.chats.clear()
        self.updates.clear()
        self.commands.clear()
        self.menu_buttons.clear()
        self.callbacks.clear()
        self.blocked_by.clear()
        self.webhook.clear()
        self.profile.clear()
        self.allowed_updates = None


def scope_key(scope: JSONDict | None) -> str:
    """A canonical key for a BotCommandScope (``default`` when none)."""
    if not scope:
        return "default"
    kind = str(scope.get("type", "default"))
    parts = [kind]
    for name in ("chat_id", "user_id"):
        if name in scope:
            parts.append(f"{name}={scope[name]}")
    return ":".join(parts)


class EmulatorState:
    """All of the emulated Telegram. Create one per test; ``reset()`` empties it."""

    def __init__(
        self,
        *,
        bot_token: str | None = None,
        bot_username: str | None = None,
        bot_first_name: str = "KKR Test Bot",
        rate_limits: RateLimitConfig | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.lock = threading.RLock()
        self.notifier = Notifier()
        self.clock = clock
        self.users: dict[int, UserRecord] = {}
        self.worlds: dict[str, BotWorld] = {}  # by token
        self.files: dict[str, FileRecord] = {}  # by file_id
        self.files_by_path: dict[str, FileRecord] = {}
        self.faults = FaultBook()
        self.rate = RateLimiter(rate_limits)
        self.calls: list[JSONDict] = []
        self.closing = False  # set on shutdown: long polls return at once
        self.webhooks = WebhookPusher(self)  # POSTs updates to a webhook once one is set
        self._update_ids = itertools.count(1)  # never restarts, so a running bot's offset holds
        self._ids = itertools.count(1)
        self._call_seq = itertools.count(1)
        self.default = BotWorld(
            id=_bot_id(bot_token) if bot_token else 123,
            username=bot_username or "",
            first_name=bot_first_name,
            token=bot_token,
        )
        if bot_token:
            self._name_bot(self.default, bot_username)
            self.worlds[bot_token] = self.default

    # ----------------------------------------------------------------- bots

    @staticmethod
    def _name_bot(world: BotWorld, username: str | None) -> None:
        world.username = username or world.username or f"test{world.id}_bot"

    def world_for_token(self, token: str) -> BotWorld:
        """The world of the bot with ``token``; the first unknown token claims the default world."""
        with self.lock:
            world = self.worlds.get(token)
            if world is not None:
                return world
            bot_id = _bot_id(token)
            if self.default.token is None:
                world = self.default
                world.token, world.id = token, bot_id
            else:
                world = BotWorld(id=bot_id, username="", first_name=f"Bot {bot_id}", token=token)
            self._name_bot(world, None)
            self.worlds[token] = world
            return world

    def register_bot(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool | None = None,
    ) -> BotWorld:
        with self.lock:
            world = self.world_for_token(token)
            if username:
                world.username = username
            if first_name:
                world.first_name = first_name
            if privacy_mode is not None:
                world.privacy_mode = privacy_mode
            return world

    def world(self, bot_id: int | None = None) -> BotWorld:
        """The world a simulation call addresses: by bot id, or the default bot."""
        with self.lock:
            if bot_id is None or bot_id == self.default.id:
                return self.default
            for world in self.worlds.values():
                if world.id == bot_id:
                    return world
            raise SimError(f"no bot with id {bot_id} has connected", 404)

    def bots(self) -> list[JSONDict]:
        with self.lock:
            worlds = [self.default, *[w for w in self.worlds.values() if w is not self.default]]
            return [
                {
                    "id": w.id,
                    "username": w.username or f"test{w.id}_bot",
                    "first_name": w.first_name,
                    "connected": w.token is not None,
                    "default": w is self.default,
                    "privacy_mode": w.privacy_mode,
                    "polling": w.polling,
                    "pending_updates": len(w.updates),
                    "webhook": dict(w.webhook),
                }
                for w in worlds
            ]

    # ---------------------------------------------------------------- users

    def upsert_user(self, user_id: int, **fields: Any) -> UserRecord:
        with self.lock:
            user = self.users.get(user_id)
            if user is None:
                user = UserRecord(user_id, fields.pop("first_name", None) or f"User{user_id}")
                self.users[user_id] = user
            for name, value in fields.items():
                if not hasattr(user, name) or name in ("id", "is_bot"):
                    raise SimError(f"unknown user field {name!r}")
                if value is not None:
                    setattr(user, name, value)
            self.changed()
            return user

    def user(self, user_id: int) -> UserRecord:
        with self.lock:
            return self.users.get(user_id) or self.upsert_user(user_id)

    # --------------------------------------------------------------- common

    def now(self) -> float:
        return self.clock()

    def changed(self) -> None:
        self.notifier.notify()

    def new_id(self) -> int:
        return next(self._ids)

    def push_update(self, world: BotWorld, kind: str, payload: JSONDict) -> int:
        with self.lock:
            update_id = next(self._update_ids)
            world.updates.append((update_id, kind, {"update_id": update_id, kind: payload}))
            self.changed()
            return update_id

    def store_file(
        self,
        *,
        file_name: str | None,
        mime_type: str | None,
        content: bytes | None,
        size: int | None = None,
        kind: str = "documents",
    ) -> FileRecord:
        with self.lock:
            n = self.new_id()
            suffix = ""
            if file_name and "." in file_name:
                suffix = "." + file_name.rsplit(".", 1)[1]
            record = FileRecord(
                file_id=f"BQACAgQAAxkBAAI{n:06d}{secrets.token_urlsafe(24)}",
                file_unique_id=f"AgAD{n:04d}{secrets.token_urlsafe(6)}",
                file_name=file_name,
                mime_type=mime_type,
                file_size=len(content) if content is not None else int(size or 0),
                content=content,
                file_path=f"{kind}/file_{n}{suffix}",
            )
            self.files[record.file_id] = record
            self.files_by_path[record.file_path] = record
            return record

    # ------------------------------------------------------- serialization

    def chat_to_api(self, chat: ChatRecord) -> JSONDict:
        if chat.type == "private":
            user = self.user(chat.id)
            data: JSONDict = {"id": chat.id, "type": "private", "first_name": user.first_name}
            if user.last_name:
                data["last_name"] = user.last_name
            if user.username:
                data["username"] = user.username
            return data
        data = {"id": chat.id, "type": chat.type, "title": chat.title or ""}
        if chat.username:
            data["username"] = chat.username
        return data

    def sender_to_api(self, world: BotWorld, message: MessageRecord) -> JSONDict:
        if message.from_bot:
            return world.user().to_api()
        return self.user(message.sender_id).to_api()

    def message_to_api(
        self, world: BotWorld, chat: ChatRecord, message: MessageRecord, *, nested: bool = False
    ) -> JSONDict:
        data: JSONDict = {
            "message_id": message.message_id,
            "from": self.sender_to_api(world, message),
            "chat": self.chat_to_api(chat),
            "date": message.date,
        }
        if message.edit_date is not None:
            data["edit_date"] = message.edit_date
        if message.reply_to_message_id is not None and not nested:
            replied = chat.messages.get(message.reply_to_message_id)
            if replied is not None and not replied.deleted:
                data["reply_to_message"] = self.message_to_api(world, chat, replied, nested=True)
        if message.text is not None:
            data["text"] = message.text
            if message.entities:
                data["entities"] = message.entities
        if message.document is not None:
            data["document"] = message.document.to_document()
        if message.caption is not None:
            data["caption"] = message.caption
            if message.caption_entities:
                data["caption_entities"] = message.caption_entities
        if message.inline_markup is not None:  # Telegram echoes only inline keyboards
            data["reply_markup"] = message.inline_markup
        data.update(message.extra)
        return data

    def message_view(self, message: MessageRecord) -> JSONDict:
        """A message as the simulation API shows it."""
        pinned = False
        with self.lock:
            for world in self._all_worlds():
                chat = world.chats.get(message.chat_id)
                if chat is not None and chat.messages.get(message.message_id) is message:
                    pinned = message.message_id in chat.pinned
        return {
            "message_id": message.message_id,
            "chat_id": message.chat_id,
            "from_bot": message.from_bot,
            "from_id": message.sender_id,
            "date": message.date,
            "text": message.text,
            "caption": message.caption,
            "raw": message.raw,
            "parse_mode": message.parse_mode,
            "entities": message.entities or message.caption_entities,
            "reply_markup": message.reply_markup,
            "buttons": _button_rows(message.reply_markup),
            "document": (
                None
                if message.document is None
                else {
                    **message.document.to_document(),
                    "file_path": message.document.file_path,
                }
            ),
            "reply_to_message_id": message.reply_to_message_id,
            "edit_count": len(message.history),
            "history": list(message.history),
            "edit_date": message.edit_date,
            "deleted": message.deleted,
            "pinned": pinned,
            "service": {k: v for k, v in message.extra.items() if k != "link_preview_options"},
        }

    def _all_worlds(self) -> list[BotWorld]:
        return [self.default, *[w for w in self.worlds.values() if w is not self.default]]

    # ------------------------------------------------- acting as a user

    def private_chat(self, world: BotWorld, user_id: int) -> ChatRecord:
        with self.lock:
            self.user(user_id)
            chat = world.chats.get(user_id)
            if chat is None:
                chat = ChatRecord(id=user_id, type="private")
                chat.members.add(user_id)
                world.chats[user_id] = chat
            return chat

    def sim_chat(self, world: BotWorld, user_id: int, chat_id: int | None) -> ChatRecord:
        if chat_id is None or chat_id == user_id:
            return self.private_chat(world, user_id)
        chat = world.chats.get(chat_id)
        if chat is None:
            if chat_id > 0:
                raise SimError(f"chat {chat_id} is another user's private chat", 400)
            raise SimError(f"no group {chat_id}; add the bot to it first", 404)
        if chat.type == "private":
            raise SimError(f"chat {chat_id} is another user's private chat", 400)
        chat.members.add(user_id)
        return chat

    def user_sends(
        self,
        world: BotWorld,
        user_id: int,
        *,
        text: str | None = None,
        chat_id: int | None = None,
        document: FileRecord | None = None,
        caption: str | None = None,
        reply_to_message_id: int | None = None,
        entities: list[JSONDict] | None = None,
    ) -> tuple[JSONDict, int | None]:
        """A user writes in a chat; returns the message and the update id (None if not delivered)."""
        with self.lock:
            if chat_id in (None, user_id) and user_id in world.blocked_by:
                self.set_blocked(world, user_id, False)  # writing to a blocked bot restarts it
            chat = self.sim_chat(world, user_id, chat_id)
            if chat.type != "private" and chat.bot_status in ("left", "kicked"):
                raise SimError(f"the bot is not a member of chat {chat.id}", 409)
            if reply_to_message_id is not None and reply_to_message_id not in chat.messages:
                raise SimError(f"no message {reply_to_message_id} in chat {chat.id}", 404)
            message = MessageRecord(
                message_id=chat.new_message_id(),
                chat_id=chat.id,
                sender_id=user_id,
                from_bot=False,
                date=int(self.now()),
                reply_to_message_id=reply_to_message_id,
            )
            if document is not None:
                message.document = document
                message.caption = caption
                message.caption_entities = detect_entities(caption) if caption else []
            else:
                if not text:
                    raise SimError("a message needs text or a document")
                message.text = text
                message.entities = entities if entities is not None else detect_entities(text)
            chat.messages[message.message_id] = message
            body = self.message_to_api(world, chat, message)
            update_id = None
            if self._bot_sees(world, chat, message):
                update_id = self.push_update(world, "message", body)
            self.changed()
            return body, update_id

    def _bot_sees(self, world: BotWorld, chat: ChatRecord, message: MessageRecord) -> bool:
        """Privacy mode: in groups a bot sees commands, replies to it and mentions of it only."""
        if chat.type == "private" or not world.privacy_mode or chat.bot_status == "administrator":
            return True
        if message.reply_to_message_id is not None:
            replied = chat.messages.get(message.reply_to_message_id)
            if replied is not None and replied.from_bot:
                return True
        text = message.text or message.caption or ""
        for entity in message.entities or message.caption_entities:
            piece = _utf16_slice(text, entity["offset"], entity["length"])
            if entity["type"] == "bot_command":
                _, _, target = piece.partition("@")
                if not target or target.lower() == world.username.lower():
                    return True
            if entity["type"] == "mention" and piece[1:].lower() == world.username.lower():
                return True
        return False

    def press(
        self,
        world: BotWorld,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        label: str | None = None,
        data: str | None = None,
        forged: bool = False,
    ) -> tuple[str, int]:
        """A user presses an inline button; returns (callback query id, update id). `forged`: a
        modified client sends `data` whether or not the message has such a button (hostile input)."""
        with self.lock:
            chat = world.chats.get(chat_id)
            if chat is None:
                raise SimError(f"no chat {chat_id}", 404)
            message = chat.messages.get(message_id)
            if message is None or message.deleted:
                raise SimError(f"no message {message_id} in chat {chat_id}", 404)
            markup = message.inline_markup
            if forged:
                markup = {"inline_keyboard": [[{"text": "?", "callback_data": data or ""}]]}
            if markup is None:
                raise SimError(f"message {message_id} has no inline keyboard")
            button = _find_button(markup, label=label, data=data)
            if button is None:
                wanted = f"label {label!r}" if label is not None else f"data {data!r}"
                raise SimError(f"no button with {wanted} on message {message_id}", 404)
            if "callback_data" not in button:
                raise SimError(f"button {button.get('text')!r} is not a callback button")
            user = self.user(user_id)
            query_id = str(secrets.randbits(63))
            world.callbacks[query_id] = CallbackRecord(
                id=query_id,
                user_id=user_id,
                chat_id=chat_id,
                message_id=message_id,
                data=button["callback_data"],
                created=self.now(),
            )
            payload = {
                "id": query_id,
                "from": user.to_api(),
                "message": self.message_to_api(world, chat, message),
                "chat_instance": chat.chat_instance,
                "data": button["callback_data"],
            }
            update_id = self.push_update(world, "callback_query", payload)
            return query_id, update_id

    def add_bot_to_group(
        self,
        world: BotWorld,
        *,
        by_user_id: int,
        title: str,
        chat_id: int | None = None,
        chat_type: str = "group",
        admin: bool = False,
        members: list[int] | None = None,
        username: str | None = None,
    ) -> ChatRecord:
        if chat_type not in ("group", "supergroup"):
            raise SimError("chat type must be group or supergroup")
        with self.lock:
            if chat_id is None:
                base = GROUP_ID_BASE if chat_type == "group" else SUPERGROUP_ID_BASE
                chat_id = base - self.new_id()
            if chat_id >= 0:
                raise SimError("group chat ids are negative")
            chat = world.chats.get(chat_id)
            old_status = "left"
            if chat is None:
                chat = ChatRecord(id=chat_id, type=chat_type, title=title, username=username)
                world.chats[chat_id] = chat
            else:
                old_status = chat.bot_status
                chat.title = title or chat.title
            new_status = "administrator" if admin else "member"
            chat.bot_status = new_status
            chat.members.update([by_user_id, *(members or [])])
            for member in chat.members:
                self.user(member)
            self._member_update(world, chat, by_user_id, old_status, new_status)
            if old_status in ("left", "kicked"):
                service = MessageRecord(
                    message_id=chat.new_message_id(),
                    chat_id=chat.id,
                    sender_id=by_user_id,
                    from_bot=False,
                    date=int(self.now()),
                    extra={
                        "new_chat_members": [world.user().to_api()],
                        "new_chat_member": world.user().to_api(),
                        "new_chat_participant": world.user().to_api(),
                    },
                )
                chat.messages[service.message_id] = service
                self.push_update(world, "message", self.message_to_api(world, chat, service))
            return chat

    def remove_bot_from_group(self, world: BotWorld, chat_id: int, by_user_id: int) -> None:
        with self.lock:
            chat = world.chats.get(chat_id)
            if chat is None or chat.type == "private":
                raise SimError(f"no group {chat_id}", 404)
            old = chat.bot_status
            chat.bot_status = "kicked"
            self._member_update(world, chat, by_user_id, old, "kicked")

    def set_blocked(self, world: BotWorld, user_id: int, blocked: bool) -> None:
        with self.lock:
            chat = self.private_chat(world, user_id)
            if blocked == (user_id in world.blocked_by):
                return
            if blocked:
                world.blocked_by.add(user_id)
                self._member_update(world, chat, user_id, "member", "kicked")
            else:
                world.blocked_by.discard(user_id)
                self._member_update(world, chat, user_id, "kicked", "member")

    def _member_update(
        self, world: BotWorld, chat: ChatRecord, by_user_id: int, old: str, new: str
    ) -> None:
        payload = {
            "chat": self.chat_to_api(chat),
            "from": self.user(by_user_id).to_api(),
            "date": int(self.now()),
            "old_chat_member": member_to_api(world.user(), old),
            "new_chat_member": member_to_api(world.user(), new),
        }
        self.push_update(world, "my_chat_member", payload)

    # ------------------------------------------------------- for the bot

    def chat_for_bot(self, world: BotWorld, raw_chat_id: Any) -> ChatRecord:
        """The chat a bot addresses, or Telegram's refusal."""
        chat_id = parse_chat_id(raw_chat_id)
        with self.lock:
            chat: ChatRecord | None = None
            if isinstance(chat_id, str):
                for candidate in world.chats.values():
                    if candidate.username and f"@{candidate.username}" == chat_id:
                        chat = candidate
            else:
                chat = world.chats.get(chat_id)
            if chat is None:
                if isinstance(chat_id, int) and chat_id in self.users:
                    raise forbidden("bot can't initiate conversation with a user")
                raise bad_request("chat not found")
            return chat

    def writable_chat(self, world: BotWorld, raw_chat_id: Any) -> ChatRecord:
        chat = self.chat_for_bot(world, raw_chat_id)
        if chat.type == "private" and chat.id in world.blocked_by:
            raise forbidden("bot was blocked by the user")
        if chat.type != "private" and chat.bot_status == "kicked":
            raise forbidden(f"bot was kicked from the {chat.type} chat")
        if chat.type != "private" and chat.bot_status == "left":
            raise forbidden(f"bot is not a member of the {chat.type} chat")
        return chat

    def record_call(self, entry: JSONDict) -> None:
        with self.lock:
            entry["seq"] = next(self._call_seq)
            self.calls.append(entry)
            self.changed()

    # ----------------------------------------------------------- reset

    def reset(self) -> None:
        """Forget users, chats, updates, files, faults and calls; bots stay connected."""
        with self.lock:
            self.users.clear()
            self.files.clear()
            self.files_by_path.clear()
            self.faults.clear()
            self.rate.reset()
            self.calls.clear()
            for world in self._all_worlds():
                world.clear()
            self.changed()


def member_to_api(user: UserRecord, status: str) -> JSONDict:
    data: JSONDict = {"status": status, "user": user.to_api()}
    if status == "kicked":
        data["until_date"] = 0
    if status == "administrator":
        data.update(
            can_be_edited=False,
            is_anonymous=False,
            can_manage_chat=True,
            can_delete_messages=True,
            can_manage_video_chats=True,
            can_restrict_members=True,
            can_promote_members=False,
            can_change_info=True,
            can_invite_users=True,
            can_post_stories=False,
            can_edit_stories=False,
            can_delete_stories=False,
            can_pin_messages=True,
        )
    return data


def parse_chat_id(raw: Any) -> int | str:
    if isinstance(raw, bool) or raw is None or raw == "":
        raise bad_request("chat_id is empty")
    if isinstance(raw, int):
        return raw
    text = str(raw).strip()
    if text.startswith("@"):
        return text
    try:
        return int(text)
    except ValueError:
        raise bad_request("chat not found") from None


def _bot_id(token: str) -> int:
    head = token.split(":", 1)[0]
    if not head.isdigit():
        raise ApiError(401, "Unauthorized")
    return int(head)


def _find_button(markup: JSONDict, *, label: str | None, data: str | None) -> JSONDict | None:
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if label is not None and button.get("text") == label:
                return dict(button)
            if data is not None and button.get("callback_data") == data:
                return dict(button)
    return None


def _button_rows(markup: JSONDict | None) -> list[list[str]]:
    if not markup:
        return []
    rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
    return [[b if isinstance(b, str) else str(b.get("text", "")) for b in row] for row in rows]


def _utf16_slice(text: str, offset: int, length: int) -> str:
    encoded = text.encode("utf-16-le")
    return encoded[2 * offset : 2 * (offset + length)].decode("utf-16-le", "replace")


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
