"""An async client of the simulation API, for tests, the demo and the benchmarks.

    async with EmulatorClient(emu.sim_url) as tg:
        await tg.add_user(1001, "Mette", language_code="da")
        await tg.send(1001, "/start abc")
        [reply] = await tg.wait_for_messages(1001, 1)
        await tg.press(1001, 1001, reply.message_id, label="Ja")

Reads return small frozen dataclasses (``BotMessage``, ``Sent``, ``CallbackAnswer``,
``CallRecord``); everything else is the plain JSON of the route (see README.md).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

import httpx

JSONDict = dict[str, Any]


class EmulatorError(RuntimeError):
    """The simulation API refused a request (unknown chat, no such button, ...)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class WaitTimeout(AssertionError):
    """A wait ran out of time; ``seen`` holds the bot messages of the chat at that moment."""

    def __init__(self, message: str, seen: list[BotMessage] | None = None) -> None:
        texts = [m.text if m.text is not None else m.caption for m in seen or []]
        super().__init__(f"{message}; the bot's messages were: {texts!r}")
        self.seen = seen or []


class _Readable:
    """Lets a result be read like the JSON it came from: ``message["text"]``."""

    def __getitem__(self, key: str) -> Any:
        if key not in self.__dataclass_fields__:  # type: ignore[attr-defined]
            raise KeyError(key)
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


@dataclass(frozen=True)
class BotMessage(_Readable):
    """A message in a chat as the simulation shows it (by default one the bot sent)."""

    message_id: int
    chat_id: int
    text: str | None
    caption: str | None = None
    raw: str | None = None  # as the bot sent it, before parse_mode
    parse_mode: str | None = None
    entities: list[JSONDict] = field(default_factory=list)
    reply_markup: JSONDict | None = None
    buttons: list[list[str]] = field(default_factory=list)  # labels, row by row
    document: JSONDict | None = None  # file_id, file_name, mime_type, file_size, file_path
    edit_count: int = 0
    history: list[JSONDict] = field(default_factory=list)
    deleted: bool = False
    pinned: bool = False
    from_bot: bool = True
    from_id: int = 0
    reply_to_message_id: int | None = None
    date: int = 0
    service: JSONDict = field(default_factory=dict)

    @classmethod
    def from_json(cls, data: JSONDict) -> BotMessage:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})

    @property
    def labels(self) -> list[str]:
        """All button labels, row after row."""
        return [label for row in self.buttons for label in row]

    @property
    def callback_data(self) -> dict[str, str]:
        """Inline button label -> callback_data."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return {b["text"]: b["callback_data"] for row in rows for b in row if "callback_data" in b}


@dataclass(frozen=True)
class Sent(_Readable):
    """What a simulated user sent, and whether the bot will get it as an update."""

    message: JSONDict
    update_id: int | None

    @property
    def message_id(self) -> int:
        return int(self.message["message_id"])

    @property
    def chat_id(self) -> int:
        return int(self.message["chat"]["id"])

    @property
    def delivered(self) -> bool:
        return self.update_id is not None


@dataclass(frozen=True)
class CallbackAnswer(_Readable):
    callback_query_id: str
    user_id: int
    chat_id: int
    message_id: int
    data: str
    answered: bool
    text: str | None = None
    show_alert: bool = False
    url: str | None = None
    cache_time: int | None = None


@dataclass(frozen=True)
class CallRecord(_Readable):
    """One Bot API call the bot made, with its outcome."""

    seq: int
    method: str
    bot_id: int | None
    chat_id: int | None
    time: float
    ok: bool
    status: int
    description: str | None
    duration_ms: float
    params: JSONDict

    @classmethod
    def from_json(cls, data: JSONDict) -> CallRecord:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


class EmulatorClient:
    """Async wrapper of ``/sim``; ``bot_id`` addresses a bot other than the default one."""

    def __init__(
        self, sim_url: str, *, bot_id: int | None = None, http: httpx.AsyncClient | None = None
    ) -> None:
        self.sim_url = sim_url.rstrip("/")
        self.bot_id = bot_id
        # The emulator is served over plain HTTP: no CA bundle to load (some 40 ms per client).
        self._http = http or httpx.AsyncClient(timeout=30.0, verify=False)
        self._own_http = http is None

    async def __aenter__(self) -> EmulatorClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def _request(
        self,
        method: str,
        path: str,
        *,
        body: JSONDict | None = None,
        params: JSONDict | None = None,
        timeout: float | None = None,
        accept: tuple[int, ...] = (200,),
        keep_none: bool = False,
    ) -> Any:
        query = {k: v for k, v in (params or {}).items() if v is not None}
        if self.bot_id is not None:
            query["bot_id"] = self.bot_id
        response = await self._http.request(
            method,
            f"{self.sim_url}{path}",
            json=None
            if body is None
            else {k: v for k, v in body.items() if keep_none or v is not None},
            params=query,
            timeout=timeout if timeout is not None else httpx.USE_CLIENT_DEFAULT,
        )
        if response.status_code not in accept:
            try:
                message = response.json().get("error") or response.text
            except ValueError:
                message = response.text
            raise EmulatorError(response.status_code, str(message))
        return response.json()

    # ------------------------------------------------------------ users, bots

    async def add_user(
        self,
        user_id: int,
        first_name: str | None = None,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = None,
    ) -> JSONDict:
        """Create or update a Telegram user; returns the User object."""
        body = {
            "id": user_id,
            "first_name": first_name,
            "last_name": last_name,
            "username": username,
            "language_code": language_code,
        }
        result: JSONDict = await self._request("POST", "/users", body=body)
        return result

    async def register_bot(
        self,
        token: str,
        *,
        username: str | None = None,
        first_name: str | None = None,
        privacy_mode: bool | None = None,
    ) -> JSONDict:
        """Announce a bot before it connects (its username, privacy mode); returns its id."""
        body = {
            "token": token,
            "username": username,
            "first_name": first_name,
            "privacy_mode": privacy_mode,
        }
        result: JSONDict = await self._request("POST", "/bots", body=body)
        return result

    async def bots(self) -> list[JSONDict]:
        result: list[JSONDict] = await self._request("GET", "/bots")
        return result

    # ------------------------------------------------------------------ acting

    async def send(
        self,
        user_id: int,
        text: str,
        chat_id: int | None = None,
        *,
        reply_to_message_id: int | None = None,
    ) -> Sent:
        """``user_id`` writes ``text`` (a command or not) in their private chat or ``chat_id``."""
        body = {
            "user_id": user_id,
            "text": text,
            "chat_id": chat_id,
            "reply_to_message_id": reply_to_message_id,
        }
        result = await self._request("POST", "/send", body=body)
        return Sent(result["message"], result["update_id"])

    async def send_document(
        self,
        user_id: int,
        file_name: str,
        content: bytes | None = None,
        *,
        mime_type: str | None = None,
        size: int | None = None,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> Sent:
        """``user_id`` sends a file; without ``content`` only its ``size`` is simulated."""
        body = {
            "user_id": user_id,
            "file_name": file_name,
            "content_base64": base64.b64encode(content).decode() if content is not None else None,
            "mime_type": mime_type,
            "size": size,
            "caption": caption,
            "chat_id": chat_id,
        }
        result = await self._request("POST", "/send_document", body=body)
        return Sent(result["message"], result["update_id"])

    async def press(
        self,
        user_id: int,
        chat_id: int,
        message_id: int,
        *,
        label: str | None = None,
        data: str | None = None,
        forged: bool = False,
    ) -> str:
        """``user_id`` presses an inline button (by label or callback_data); returns the query id.
        ``forged``: a modified client sends ``data`` though the message has no such button."""
        body = {
            "user_id": user_id,
            "chat_id": chat_id,
            "message_id": message_id,
            "label": label,
            "data": data,
            "forged": forged,
        }
        result = await self._request("POST", "/press", body=body)
        return str(result["callback_query_id"])

    async def ask(
        self, user_id: int, text: str, chat_id: int | None = None, *, timeout: float = 5.0
    ) -> BotMessage:
        """Send ``text`` and wait for the bot's next message in that chat; return it."""
        chat = chat_id if chat_id is not None else user_id
        before = len(await self.messages(chat))
        await self.send(user_id, text, chat_id)
        seen = await self.wait_for_messages(chat, before + 1, timeout=timeout)
        return seen[before]

    async def add_bot_to_group(
        self,
        by_user_id: int,
        title: str,
        *,
        chat_id: int | None = None,
        chat_type: str = "group",
        admin: bool = False,
        members: list[int] | None = None,
    ) -> JSONDict:
        """``by_user_id`` adds the bot to a (new) group; returns the Chat (``["id"]``)."""
        body = {
            "by_user_id": by_user_id,
            "title": title,
            "chat_id": chat_id,
            "type": chat_type,
            "admin": admin,
            "members": members or [],
        }
        result: JSONDict = await self._request("POST", "/groups", body=body)
        return result

    async def remove_bot_from_group(self, chat_id: int, by_user_id: int) -> None:
        await self._request(
            "POST", f"/groups/{chat_id}/remove_bot", body={"by_user_id": by_user_id}
        )

    async def block(self, user_id: int) -> None:
        """``user_id`` blocks the bot: sends to their chat get 403 Forbidden."""
        await self._request("POST", "/block", body={"user_id": user_id})

    async def unblock(self, user_id: int) -> None:
        await self._request("POST", "/unblock", body={"user_id": user_id})

    # ----------------------------------------------------------------- reading

    async def messages(self, chat_id: int, *, include_users: bool = False) -> list[BotMessage]:
        """The bot's messages in ``chat_id`` (with users' too if asked), oldest first."""
        params = {"all": "true" if include_users else None}
        result = await self._request("GET", f"/chats/{chat_id}/messages", params=params)
        return [BotMessage.from_json(item) for item in result]

    async def message(self, chat_id: int, message_id: int) -> BotMessage:
        result = await self._request("GET", f"/chats/{chat_id}/messages/{message_id}")
        return BotMessage.from_json(result)

    async def chats(self) -> list[JSONDict]:
        result: list[JSONDict] = await self._request("GET", "/chats")
        return result

    async def callback_answers(self) -> list[CallbackAnswer]:
        result = await self._request("GET", "/callback_answers")
        return [CallbackAnswer(**item) for item in result]

    async def commands(
        self,
        scope: str | JSONDict = "default",
        language: str = "",
        *,
        language_code: str | None = None,
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> list[JSONDict]:
        """The commands set (setMyCommands) for exactly this scope and language.

        ``scope`` is a scope type (``"all_private_chats"``) or a BotCommandScope dict
        (``{"type": "chat", "chat_id": 1001}``).
        """
        if isinstance(scope, dict):
            chat_id = scope.get("chat_id", chat_id)
            user_id = scope.get("user_id", user_id)
            scope = str(scope.get("type", "default"))
        params = {
            "scope": scope,
            "language_code": language_code if language_code is not None else language,
            "chat_id": chat_id,
            "user_id": user_id,
        }
        result: list[JSONDict] = await self._request("GET", "/commands", params=params)
        return result

    async def menu(
        self, user_id: int, chat_id: int | None = None, language: str | None = None
    ) -> JSONDict:
        """The command menu ``user_id`` would see, resolved through scopes and languages."""
        params = {"user_id": user_id, "chat_id": chat_id, "language_code": language}
        result: JSONDict = await self._request("GET", "/menu", params=params)
        return result

    async def calls(
        self, method: str | None = None, chat_id: int | None = None, since: int = 0
    ) -> list[CallRecord]:
        """The Bot API call log, optionally only one method or chat, after sequence ``since``."""
        params = {"method": method, "chat_id": chat_id, "since": since or None}
        result = await self._request("GET", "/calls", params=params)
        return [CallRecord.from_json(item) for item in result]

    async def file_content(self, file_id: str) -> bytes:
        """The bytes of a file (one the bot sent, or a user)."""
        response = await self._http.get(f"{self.sim_url}/files/{file_id}")
        if response.status_code != 200:
            raise EmulatorError(response.status_code, response.text)
        return response.content

    # ------------------------------------------------------------------ waiting

    async def _wait(self, body: JSONDict, timeout: float) -> JSONDict:
        result: JSONDict = await self._request(
            "POST",
            "/wait",
            body={**body, "timeout": timeout},
            timeout=timeout + 10.0,
            accept=(200, 408),
        )
        return result

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[BotMessage]:
        """Wait until the bot has sent ``count`` messages to ``chat_id``; return them all."""
        result = await self._wait({"chat_id": chat_id, "count": count}, timeout)
        seen = [BotMessage.from_json(m) for m in result.get("messages", [])]
        if not result["satisfied"]:
            raise WaitTimeout(
                f"chat {chat_id} got {len(seen)} of {count} bot messages in {timeout}s", seen
            )
        return seen

    async def wait_for_edits(
        self, chat_id: int, message_id: int, edits: int = 1, timeout: float = 5.0
    ) -> BotMessage:
        """Wait until message ``message_id`` has been edited ``edits`` times; return it."""
        body = {"chat_id": chat_id, "message_id": message_id, "edits": edits}
        result = await self._wait(body, timeout)
        seen = [BotMessage.from_json(m) for m in result.get("messages", [])]
        if not result["satisfied"]:
            raise WaitTimeout(f"message {message_id} was not edited {edits}x in {timeout}s", seen)
        return next(m for m in seen if m.message_id == message_id)

    async def wait_for_answer(self, callback_query_id: str, timeout: float = 5.0) -> CallbackAnswer:
        """Wait until the bot answers a button press (answerCallbackQuery)."""
        result = await self._wait({"callback_query_id": callback_query_id}, timeout)
        if not result["satisfied"]:
            raise WaitTimeout(f"callback query {callback_query_id} not answered in {timeout}s")
        return CallbackAnswer(**result["callback_answer"])

    async def wait_for_calls(
        self, method: str, count: int = 1, *, chat_id: int | None = None, timeout: float = 5.0
    ) -> None:
        """Wait until the bot has called ``method`` ``count`` times (optionally for one chat)."""
        body = {"method": method, "calls": count, "chat_id": chat_id}
        result = await self._wait(body, timeout)
        if not result["satisfied"]:
            raise WaitTimeout(f"{method} was not called {count}x in {timeout}s")

    async def wait_until_fetched(self, update_id: int, timeout: float = 5.0) -> None:
        """Wait until the bot confirmed an update (fetched it and asked for the next ones)."""
        result = await self._wait({"update_id": update_id}, timeout)
        if not result["satisfied"]:
            raise WaitTimeout(f"update {update_id} was not fetched in {timeout}s")

    # ---------------------------------------------------------- faults, limits

    async def inject_fault(
        self,
        method: str = "*",
        kind: str = "retry_after",
        *,
        count: int | None = 1,
        chat_id: int | None = None,
        retry_after: int = 5,
        status: int = 502,
        description: str | None = None,
        latency_ms: int = 0,
        effect: bool = False,
        seconds: float | None = None,
    ) -> JSONDict:
        """Make the next ``count`` calls (None: all, until cleared) of ``method`` misbehave.

        ``kind``: ``retry_after`` (429), ``server_error`` (``status``, 500/502/503/504),
        ``forbidden`` (403), ``bad_request`` (400 + ``description``) or ``latency``
        (``latency_ms`` added, then served). ``effect=True``: the call still takes effect.
        ``seconds``: a storm or an outage, the fault clears itself that long after it is added.
        """
        body: JSONDict = {
            "method": method,
            "kind": kind,
            "count": count,
            "chat_id": chat_id,
            "retry_after": retry_after,
            "status": status,
            "description": description,
            "latency_ms": latency_ms,
            "effect": effect,
            "seconds": seconds,
            "bot_id": self.bot_id,
        }
        result: JSONDict = await self._request("POST", "/faults", body=body, keep_none=True)
        return result

    async def clear_faults(self) -> None:
        await self._request("DELETE", "/faults")

    async def faults(self) -> list[JSONDict]:
        result: list[JSONDict] = await self._request("GET", "/faults")
        return result

    async def rate_limits(self) -> JSONDict:
        """The flood limits in force and ``limited``: how many calls were answered 429 so far."""
        result: JSONDict = await self._request("GET", "/rate_limits")
        return result

    async def set_rate_limits(self, enabled: bool = True, **limits: float) -> JSONDict:
        """Turn Telegram's flood limits on (or off); see ``RateLimitConfig`` for the knobs."""
        result: JSONDict = await self._request(
            "POST", "/rate_limits", body={"enabled": enabled, **limits}
        )
        return result

    async def reset(self) -> None:
        """Forget users, chats, messages, faults and the call log (bots stay connected)."""
        await self._request("POST", "/reset")
