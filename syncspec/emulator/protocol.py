"""The emulator's wire protocol: Truto's error body, field validation, pagination.

Validation answers 400 with ``{"statusCode", "error", "message"}``; cursors are opaque
base64url JSON of the last row's insertion order.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from syncspec.emulator.store import Row

REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
JOB_NULLABLE = ("args_schema", "args_validation", "mutex_key", "state_key")
ERROR_HANDLING = ("fail_fast", "ignore", "batch")


class HttpError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"statusCode": status, "error": REASONS.get(status, "Error"), "message": message}


def error_response(
    status: int, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(error_body(status, message), status_code=status, headers=headers)


# -- validation helpers ----------------------------------------------------------------------

Check = Callable[[Any], bool]


def is_str(v: Any) -> bool:
    return isinstance(v, str)


def is_str_or_null(v: Any) -> bool:
    return v is None or isinstance(v, str)


def _is_obj(v: Any) -> bool:
    return isinstance(v, dict)


def _is_obj_or_null(v: Any) -> bool:
    return v is None or isinstance(v, dict)


def _is_bool(v: Any) -> bool:
    return isinstance(v, bool)


def _is_runtime(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 4


def _is_obj_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(i, dict) for i in v)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(i, str) for i in v)


def _is_cron(v: Any) -> bool:
    return isinstance(v, str) and len(v.split()) == 5


_EXPECT: dict[Check, str] = {
    is_str: "a string",
    is_str_or_null: "a string or null",
    _is_obj: "an object",
    _is_obj_or_null: "an object or null",
    _is_bool: "a boolean",
    _is_runtime: "an integer from 1 to 4",
    _is_obj_list: "an array of objects",
    _is_str_list: "an array of strings",
    _is_cron: "a 5-field cron expression",
}

JOB_FIELDS: dict[str, Check] = {
    "label": is_str,
    "integration_name": is_str,
    "default_runtime_version": _is_runtime,
    "args_schema": _is_obj_or_null,
    "args_validation": is_str_or_null,
    "mutex_key": is_str_or_null,
    "state_key": is_str_or_null,
    "resources": _is_obj_list,
}
RUN_FIELDS: dict[str, Check] = {
    "sync_job_id": is_str,
    "integrated_account_id": is_str,
    "status": is_str,
    "args": _is_obj_or_null,
    "resources": _is_obj_list,
    "error_handling": is_str,
    "ignore_previous_run": _is_bool,
    "force": _is_bool,
    "super_query": is_str_or_null,
    "events_to_send": _is_str_list,
    "datastore_id": is_str_or_null,
    "mutex_key": is_str_or_null,
    "state_key": is_str_or_null,
    "webhook_id": is_str_or_null,
    "daemon_group_key": is_str_or_null,
}
RUN_PATCH_FIELDS: dict[str, Check] = {
    "status": is_str,
    "started_at": is_str_or_null,
    "finished_at": is_str_or_null,
}
CRON_FIELDS: dict[str, Check] = {
    "sync_job_id": is_str,
    "cron_expression": _is_cron,
    "integrated_account_id": is_str_or_null,
    "args": _is_obj_or_null,
    "webhook_id": is_str_or_null,
    "daemon_group_key": is_str_or_null,
    "super_query": is_str_or_null,
    "error_handling": is_str_or_null,
    "events_to_send": _is_str_list,
    "meta": _is_obj_or_null,
}


def validate(
    body: dict[str, Any], fields: dict[str, Check], required: tuple[str, ...] = ()
) -> None:
    for name in body:
        if name not in fields:
            raise HttpError(400, f"{name} is not allowed")
    for name in required:
        if name not in body:
            raise HttpError(400, f"{name} is required")
    for name, value in body.items():
        check = fields[name]
        if not check(value):
            raise HttpError(400, f"{name} must be {_EXPECT[check]}")


async def json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise HttpError(400, "request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise HttpError(400, "request body must be a JSON object")
    return body


# -- pagination ------------------------------------------------------------------------------


def _encode_cursor(kind: str, seq: int) -> str:
    raw = json.dumps({"k": kind, "s": seq}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(kind: str, cursor: str) -> int:
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if data["k"] == kind and isinstance(data["s"], int):
            return int(data["s"])
    except (ValueError, KeyError, TypeError, binascii.Error):
        pass
    raise HttpError(400, "next_cursor is invalid")


def page_params(request: Request, kind: str) -> tuple[int, int | None]:
    text = request.query_params.get("limit")
    limit = DEFAULT_LIMIT
    if text is not None:
        try:
            limit = int(text)
        except ValueError:
            limit = 0
        if not 1 <= limit <= MAX_LIMIT:
            raise HttpError(400, f"limit must be an integer from 1 to {MAX_LIMIT}")
    cursor = request.query_params.get("next_cursor")
    return limit, (_decode_cursor(kind, cursor) if cursor else None)


def page(
    kind: str, rows: list[Row], limit: int, items: list[dict[str, Any]], key: str = "result"
) -> JSONResponse:
    """One page of a list; ``key`` names the array ("result", or "results" as some of Truto's
    doc pages show it)."""
    more = len(rows) > limit
    cursor = _encode_cursor(kind, rows[limit - 1].seq) if more else None
    return JSONResponse({key: items[:limit], "next_cursor": cursor, "limit": limit})
