"""The simulation API under ``/sim``: act as users, read what the bot did, inject faults.

JSON in, JSON out. Every route takes an optional ``bot_id`` (query or body) to address a bot other
than the default one. See README.md in this package for the full list.
"""

from __future__ import annotations

import base64
import binascii
import json
import mimetypes
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telegram_emulator.state import BotWorld, EmulatorState, SimError, scope_key

JSONDict = dict[str, Any]
Endpoint = Callable[[Request], Awaitable[Response]]
MAX_WAIT = 120.0


def _int(value: Any, name: str, *, required: bool = False) -> int | None:
    if value is None or value == "":
        if required:
            raise SimError(f"{name} is required")
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise SimError(f"{name} must be an integer") from None


def _bool(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes")
    return bool(value)


async def _body(request: Request) -> JSONDict:
    data: JSONDict = dict(request.query_params)
    if request.method in ("POST", "PUT", "PATCH"):
        raw = await request.body()
        if raw.strip():
            try:
                parsed = json.loads(raw)
            except ValueError:
                raise SimError("the body must be a JSON object") from None
            if not isinstance(parsed, dict):
                raise SimError("the body must be a JSON object")
            data.update(parsed)
    data.update(request.path_params)
    return data


def _fault_kind(kind: str) -> tuple[str, int]:
    """A fault kind, also spelled by its status code ("429", "403", "502", "5xx")."""
    aliases = {
        "429": "retry_after",
        "403": "forbidden",
        "400": "bad_request",
        "5xx": "server_error",
    }
    if kind in aliases:
        return aliases[kind], 502
    if kind.isdigit() and kind.startswith("5"):
        return "server_error", int(kind)
    return kind, 502


class SimApi:
    """Routes of the simulation API for one ``EmulatorState``."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        get, post, delete = ["GET"], ["POST"], ["DELETE"]
        table: list[tuple[str, Callable[[JSONDict], Any], list[str]]] = [
            ("/sim/health", lambda _: {"ok": True}, get),
            ("/sim/bots", self.list_bots, get),
            ("/sim/bots", self.register_bot, post),
            ("/sim/users", self.list_users, get),
            ("/sim/users", self.upsert_user, post),
            ("/sim/send", self.send, post),
            ("/sim/send_document", self.send_document, post),
            ("/sim/press", self.press, post),
            ("/sim/groups", self.add_group, post),
            ("/sim/groups/{chat_id}/remove_bot", self.remove_bot, post),
            ("/sim/block", self.block, post),
            ("/sim/unblock", self.unblock, post),
            ("/sim/chats", self.list_chats, get),
            ("/sim/chats/{chat_id}/messages", self.messages, get),
            ("/sim/chats/{chat_id}/messages/{message_id}", self.message, get),
            ("/sim/callback_answers", self.callback_answers, get),
            ("/sim/commands", self.commands, get),
            ("/sim/commands/all", self.all_commands, get),
            ("/sim/menu", self.menu, get),
            ("/sim/menu_buttons", self.menu_buttons, get),
            ("/sim/calls", self.calls, get),
            ("/sim/updates", self.updates, get),
            ("/sim/faults", self.list_faults, get),
            ("/sim/faults", self.add_fault, post),
            ("/sim/faults", self.clear_faults, delete),
            ("/sim/rate_limits", self.rate_limits, get),
            ("/sim/rate_limits", self.set_rate_limits, post),
            ("/sim/reset", self.reset, post),
        ]
        routes: list[BaseRoute] = [
            Route(path, self._endpoint(fn), methods=methods) for path, fn, methods in table
        ]
        routes.append(Route("/sim/wait", self.wait, methods=["GET", "POST"]))
        routes.append(Route("/sim/files/{file_id}", self.file_content, methods=["GET"]))
        return routes

    def _endpoint(self, fn: Callable[[JSONDict], Any]) -> Endpoint:
        async def endpoint(request: Request) -> Response:
            try:
                data = await _body(request)
                with self.state.lock:
                    result = fn(data)
            except SimError as error:
                return JSONResponse({"ok": False, "error": str(error)}, status_code=error.status)
            except (ValueError, TypeError, KeyError) as error:
                return JSONResponse({"ok": False, "error": str(error)}, status_code=400)
            return JSONResponse(result)

        return endpoint

    def _world(self, data: JSONDict) -> BotWorld:
        return self.state.world(_int(data.get("bot_id"), "bot_id"))

    # ------------------------------------------------------------ bots, users

    def list_bots(self, data: JSONDict) -> Any:
        return self.state.bots()

    def register_bot(self, data: JSONDict) -> Any:
        token = str(data.get("token") or "")
        if ":" not in token:
            raise SimError("token must look like 123456:ABC")
        privacy = data.get("privacy_mode")
        world = self.state.register_bot(
            token,
            username=data.get("username"),
            first_name=data.get("first_name"),
            privacy_mode=None if privacy is None else _bool(privacy),
        )
        return {"id": world.id, "username": world.username, "first_name": world.first_name}

    def list_users(self, data: JSONDict) -> Any:
        return [user.to_api() for user in self.state.users.values()]

    def upsert_user(self, data: JSONDict) -> Any:
        user_id = _int(data.get("id", data.get("user_id")), "id", required=True) or 0
        fields = {
            name: data.get(name)
            for name in ("first_name", "last_name", "username", "language_code")
            if name in data
        }
        return self.state.upsert_user(user_id, **fields).to_api()

    # -------------------------------------------------------------- acting

    def send(self, data: JSONDict) -> Any:
        world = self._world(data)
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise SimError("text is required")
        entities = data.get("entities")
        message, update_id = self.state.user_sends(
            world,
            user_id,
            text=text,
            chat_id=_int(data.get("chat_id"), "chat_id"),
            reply_to_message_id=_int(data.get("reply_to_message_id"), "reply_to_message_id"),
            entities=entities if isinstance(entities, list) else None,
        )
        return {"message": message, "update_id": update_id, "delivered": update_id is not None}

    def send_document(self, data: JSONDict) -> Any:
        world = self._world(data)
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        content: bytes | None = None
        if data.get("content_base64") is not None:
            try:
                content = base64.b64decode(str(data["content_base64"]), validate=True)
            except (binascii.Error, ValueError):
                raise SimError("content_base64 is not valid base64") from None
        elif data.get("content_text") is not None:
            content = str(data["content_text"]).encode("utf-8")
        size = _int(data.get("size"), "size")
        if content is None and size is None:
            raise SimError("give content_base64, content_text or size")
        file_name = str(data.get("file_name") or "document")
        mime_type = data.get("mime_type")
        if mime_type is None:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        record = self.state.store_file(
            file_name=file_name, mime_type=mime_type, content=content, size=size
        )
        caption = data.get("caption")
        message, update_id = self.state.user_sends(
            world,
            user_id,
            chat_id=_int(data.get("chat_id"), "chat_id"),
            document=record,
            caption=caption if isinstance(caption, str) and caption else None,
        )
        return {"message": message, "update_id": update_id, "delivered": update_id is not None}

    def press(self, data: JSONDict) -> Any:
        world = self._world(data)
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        chat_id = _int(data.get("chat_id"), "chat_id")
        message_id = _int(data.get("message_id"), "message_id", required=True) or 0
        label, callback_data = data.get("label"), data.get("data")
        if (label is None) == (callback_data is None):
            raise SimError("give exactly one of label or data")
        query_id, update_id = self.state.press(
            world,
            user_id,
            chat_id if chat_id is not None else user_id,
            message_id,
            label=label,
            data=callback_data,
            forged=_bool(data.get("forged", False)),
        )
        return {"callback_query_id": query_id, "update_id": update_id}

    def add_group(self, data: JSONDict) -> Any:
        world = self._world(data)
        members = [int(m) for m in data.get("members") or []]
        chat = self.state.add_bot_to_group(
            world,
            by_user_id=_int(data.get("by_user_id"), "by_user_id", required=True) or 0,
            title=str(data.get("title") or "Group"),
            chat_id=_int(data.get("chat_id"), "chat_id"),
            chat_type=str(data.get("type") or "group"),
            admin=_bool(data.get("admin", False)),
            members=members,
            username=data.get("username"),
        )
        return {**self.state.chat_to_api(chat), "bot_status": chat.bot_status}

    def remove_bot(self, data: JSONDict) -> Any:
        chat_id = _int(data.get("chat_id"), "chat_id", required=True) or 0
        by_user = _int(data.get("by_user_id"), "by_user_id", required=True) or 0
        self.state.remove_bot_from_group(self._world(data), chat_id, by_user)
        return {"ok": True}

    def block(self, data: JSONDict) -> Any:
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        self.state.set_blocked(self._world(data), user_id, True)
        return {"ok": True}

    def unblock(self, data: JSONDict) -> Any:
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        self.state.set_blocked(self._world(data), user_id, False)
        return {"ok": True}

    # ------------------------------------------------------------- reading

    def list_chats(self, data: JSONDict) -> Any:
        world = self._world(data)
        return [
            {
                **self.state.chat_to_api(chat),
                "bot_status": chat.bot_status,
                "blocked": chat.id in world.blocked_by,
                "members": sorted(chat.members),
                "bot_messages": sum(1 for m in chat.messages.values() if m.from_bot),
                "pinned": list(chat.pinned),
            }
            for chat in world.chats.values()
        ]

    def messages(self, data: JSONDict) -> Any:
        world = self._world(data)
        chat = world.chats.get(_int(data.get("chat_id"), "chat_id", required=True) or 0)
        if chat is None:
            return []
        everything = _bool(data.get("all", False))
        return [
            self.state.message_view(message)
            for message in chat.messages.values()
            if everything or message.from_bot
        ]

    def message(self, data: JSONDict) -> Any:
        world = self._world(data)
        chat = world.chats.get(_int(data.get("chat_id"), "chat_id", required=True) or 0)
        message_id = _int(data.get("message_id"), "message_id", required=True) or 0
        if chat is None or message_id not in chat.messages:
            raise SimError("no such message", 404)
        return self.state.message_view(chat.messages[message_id])

    def callback_answers(self, data: JSONDict) -> Any:
        return [query.to_dict() for query in self._world(data).callbacks.values()]

    def commands(self, data: JSONDict) -> Any:
        world = self._world(data)
        scope: JSONDict = {"type": data.get("scope") or "default"}
        for name in ("chat_id", "user_id"):
            if data.get(name) not in (None, ""):
                scope[name] = int(data[name])
        key = (scope_key(scope), str(data.get("language_code") or ""))
        return list(world.commands.get(key, []))

    def all_commands(self, data: JSONDict) -> Any:
        return [
            {"scope": scope, "language_code": language, "commands": commands}
            for (scope, language), commands in self._world(data).commands.items()
        ]

    def menu(self, data: JSONDict) -> Any:
        """The command menu a user sees in a chat, resolved the way Telegram resolves it."""
        world = self._world(data)
        user_id = _int(data.get("user_id"), "user_id", required=True) or 0
        chat_id = _int(data.get("chat_id"), "chat_id") or user_id
        language = str(data.get("language_code") or "")
        if not language and user_id in self.state.users:
            language = self.state.users[user_id].language_code or ""
        if chat_id > 0:
            scopes = [f"chat:chat_id={chat_id}", "all_private_chats", "default"]
        else:
            scopes = [
                f"chat_member:chat_id={chat_id}:user_id={user_id}",
                f"chat:chat_id={chat_id}",
                "all_group_chats",
                "default",
            ]
        for scope in scopes:
            for lang in dict.fromkeys([language, ""]):
                if (scope, lang) in world.commands:
                    return {
                        "scope": scope,
                        "language_code": lang,
                        "commands": world.commands[(scope, lang)],
                    }
        return {"scope": None, "language_code": None, "commands": []}

    def menu_buttons(self, data: JSONDict) -> Any:
        return {str(chat): button for chat, button in self._world(data).menu_buttons.items()}

    def calls(self, data: JSONDict) -> Any:
        method = str(data.get("method") or "").lower()
        chat_id = _int(data.get("chat_id"), "chat_id")
        since = _int(data.get("since"), "since") or 0
        return [
            entry
            for entry in self.state.calls
            if entry["seq"] > since
            and (not method or entry["method"].lower() == method)
            and (chat_id is None or entry["chat_id"] == chat_id)
        ]

    def updates(self, data: JSONDict) -> Any:
        return [body for _, _, body in self._world(data).updates]

    # ------------------------------------------------------ faults and limits

    def list_faults(self, data: JSONDict) -> Any:
        return [fault.to_dict() for fault in self.state.faults.faults]

    def add_fault(self, data: JSONDict) -> Any:
        count = data.get("count", 1)
        kind, status = _fault_kind(str(data.get("kind") or "retry_after"))
        spec: JSONDict = {
            "method": str(data.get("method") or "*"),
            "kind": kind,
            "chat_id": _int(data.get("chat_id"), "chat_id"),
            "bot_id": _int(data.get("bot_id"), "bot_id"),
            "remaining": None if count is None else int(count),
            "retry_after": int(data.get("retry_after", 5)),
            "status": int(data.get("status") or status),
            "description": data.get("description"),
            "latency_ms": int(data.get("latency_ms", 0)),
            "effect": _bool(data.get("effect", False)),
            "seconds": None if data.get("seconds") is None else float(data["seconds"]),
        }
        return self.state.faults.add(**spec).to_dict()

    def clear_faults(self, data: JSONDict) -> Any:
        self.state.faults.clear()
        return {"ok": True}

    def rate_limits(self, data: JSONDict) -> Any:
        return {**self.state.rate.config.to_dict(), "limited": self.state.rate.limited}

    def set_rate_limits(self, data: JSONDict) -> Any:
        changes = {k: v for k, v in data.items() if k != "bot_id"}
        self.state.rate.configure(**changes)
        return self.rate_limits(data)

    def reset(self, data: JSONDict) -> Any:
        self.state.reset()
        return {"ok": True}

    # ---------------------------------------------------------- async routes

    async def wait(self, request: Request) -> Response:
        """Long-poll until a condition holds; 200 when it does, 408 with the state when not."""
        try:
            data = await _body(request)
            world = self._world(data)
            predicate = self._condition(world, data)
        except SimError as error:
            return JSONResponse({"ok": False, "error": str(error)}, status_code=error.status)
        timeout = min(float(data.get("timeout", 5.0)), MAX_WAIT)

        def check() -> bool:
            with self.state.lock:
                return predicate() or self.state.closing

        await self.state.notifier.wait_for(check, timeout)
        with self.state.lock:
            satisfied = predicate()
            result: JSONDict = {"satisfied": satisfied}
            chat_id = _int(data.get("chat_id"), "chat_id")
            if chat_id is not None and chat_id in world.chats:
                result["messages"] = [
                    self.state.message_view(m)
                    for m in world.chats[chat_id].messages.values()
                    if m.from_bot
                ]
            query_id = data.get("callback_query_id")
            if query_id is not None and str(query_id) in world.callbacks:
                result["callback_answer"] = world.callbacks[str(query_id)].to_dict()
        return JSONResponse(result, status_code=200 if satisfied else 408)

    def _condition(self, world: BotWorld, data: JSONDict) -> Callable[[], bool]:
        chat_id = _int(data.get("chat_id"), "chat_id")
        message_id = _int(data.get("message_id"), "message_id")
        if data.get("callback_query_id") is not None:
            query_id = str(data["callback_query_id"])
            return lambda: query_id in world.callbacks and world.callbacks[query_id].answered
        if data.get("method") is not None:
            method = str(data["method"]).lower()
            wanted = _int(data.get("calls"), "calls") or 1
            return lambda: (
                sum(
                    1
                    for e in self.state.calls
                    if e["method"].lower() == method and chat_id in (None, e["chat_id"])
                )
                >= wanted
            )
        if data.get("update_id") is not None:
            update_id = _int(data["update_id"], "update_id") or 0
            return lambda: all(u[0] != update_id for u in world.updates)
        if chat_id is None:
            raise SimError("wait for what? give chat_id, callback_query_id, method or update_id")
        if message_id is not None:
            edits = _int(data.get("edits"), "edits") or 1

            def edited() -> bool:
                chat = world.chats.get(chat_id)
                message = chat.messages.get(message_id) if chat else None
                return message is not None and len(message.history) >= edits

            return edited
        count = _int(data.get("count"), "count") or 1

        def enough() -> bool:
            chat = world.chats.get(chat_id)
            return chat is not None and sum(m.from_bot for m in chat.messages.values()) >= count

        return enough

    async def file_content(self, request: Request) -> Response:
        with self.state.lock:
            record = self.state.files.get(request.path_params["file_id"])
        if record is None:
            return JSONResponse({"ok": False, "error": "no such file"}, status_code=404)
        return Response(record.data(), media_type=record.mime_type or "application/octet-stream")
