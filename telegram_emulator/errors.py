"""Telegram's error answers: ``{"ok": false, "error_code": N, "description": "..."}``."""

from __future__ import annotations

from typing import Any

JSONDict = dict[str, Any]


class ApiError(Exception):
    """A Bot API call that Telegram would refuse; becomes the JSON error body."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: {detail}")


def forbidden(detail: str) -> ApiError:
    return ApiError(403, f"Forbidden: {detail}")


def not_found() -> ApiError:
    return ApiError(404, "Not Found")


def unauthorized() -> ApiError:
    return ApiError(401, "Unauthorized")


def conflict(detail: str) -> ApiError:
    return ApiError(409, f"Conflict: {detail}")


def too_many_requests(retry_after: int) -> ApiError:
    return ApiError(
        429, f"Too Many Requests: retry after {retry_after}", {"retry_after": retry_after}
    )


def too_large() -> ApiError:
    return ApiError(413, "Request Entity Too Large")


SERVER_ERROR_TEXTS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


def server_error(status: int = 502, description: str | None = None) -> ApiError:
    return ApiError(status, description or SERVER_ERROR_TEXTS.get(status, "Internal Server Error"))
