"""The Bot API over HTTP: ``/bot{token}/{method}`` and file downloads, as Telegram serves them."""

from __future__ import annotations

import asyncio
import inspect
import json
import time
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from telegram_emulator.errors import ApiError, bad_request, not_found, too_large, too_many_requests
from telegram_emulator.methods import MAX_UPLOAD, METHODS, Call
from telegram_emulator.params import Params, Upload
from telegram_emulator.state import EmulatorState, parse_chat_id

JSONDict = dict[str, Any]
# A little slack over the 50 MB upload limit for the multipart framing and other fields.
MAX_BODY = MAX_UPLOAD + 1024 * 1024


def error_response(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body(), status_code=error.status)


async def read_params(request: Request) -> dict[str, Any]:
    """Query string plus a JSON, form-urlencoded or multipart body, like Telegram accepts."""
    values: dict[str, Any] = dict(request.query_params)
    if request.method != "POST":
        return values
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_BODY:
        raise too_large()
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(parsed, dict):
                raise bad_request("can't parse JSON object")
            values.update(parsed)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        async with request.form(
            max_files=50, max_fields=200, max_part_size=4 * 1024 * 1024
        ) as form:
            for name, value in form.multi_items():
                if isinstance(value, UploadFile):
                    data = await value.read()
                    if len(data) > MAX_UPLOAD:
                        raise too_large()
                    values[name] = Upload(value.filename, value.content_type, data)
                else:
                    values[name] = value
    return values


def _chat_of(values: dict[str, Any]) -> int | None:
    try:
        chat_id = parse_chat_id(values.get("chat_id"))
    except ApiError:
        return None
    return chat_id if isinstance(chat_id, int) else None


class BotApi:
    """Serves the Bot API methods of ``methods.METHODS`` for one ``EmulatorState``."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/bot{token}/{method}", self.call, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self.download, methods=["GET"]),
        ]

    async def call(self, request: Request) -> Response:
        token = request.path_params["token"]
        name = request.path_params["method"]
        started = time.perf_counter()
        entry: JSONDict = {
            "method": name,
            "bot_id": None,
            "chat_id": None,
            "time": self.state.now(),
            "params": {},
        }
        try:
            values = await read_params(request)
            entry["chat_id"] = _chat_of(values)
            world = self.state.world_for_token(token)
            entry["bot_id"] = world.id
            known = METHODS.get(name.lower())
            if known is None:
                raise not_found()
            entry["method"], handler = known
            params = Params(values)
            entry["params"] = params.for_log()
            call = Call(self.state, world, params, entry["method"], entry["chat_id"])
            result = await self._run(call, handler)
            entry["chat_id"] = call.chat_id
            return JSONResponse({"ok": True, "result": result})
        except ApiError as error:
            entry.update(ok=False, status=error.status, description=error.description)
            return error_response(error)
        finally:
            entry.setdefault("ok", True)
            entry.setdefault("status", 200)
            entry.setdefault("description", None)
            entry["duration_ms"] = round((time.perf_counter() - started) * 1000, 3)
            self.state.record_call(entry)

    async def _run(self, call: Call, handler: Any) -> Any:
        state = call.state
        with state.lock:
            plan = state.faults.plan(call.method, call.chat_id, call.world.id)
        if plan.latency_ms:
            await asyncio.sleep(plan.latency_ms / 1000)
        fault = plan.error_fault
        if fault is not None and not fault.effect:
            raise fault.error()
        with state.lock:
            if state.rate.counts(call.method) and call.chat_id is not None:
                chat = call.world.chats.get(call.chat_id)
                retry_after = state.rate.check(
                    call.world.id, call.chat_id, chat.type if chat else None, state.now()
                )
                if retry_after is not None:
                    raise too_many_requests(retry_after)
        result = handler(call)
        if inspect.isawaitable(result):
            result = await result
        if fault is not None:  # effect=True: it happened, but the bot hears it failed
            raise fault.error()
        return result

    async def download(self, request: Request) -> Response:
        token = request.path_params["token"]
        try:
            self.state.world_for_token(token)
        except ApiError as error:
            return error_response(error)
        with self.state.lock:
            record = self.state.files_by_path.get(request.path_params["file_path"])
        if record is None:
            return error_response(not_found())
        return Response(record.data(), media_type=record.mime_type or "application/octet-stream")
