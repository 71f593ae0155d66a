"""Reading responses for ``http.py``: bodies as JSON, Truto's error messages, ``Retry-After``.

An error body is redacted *before* it is shortened: shortening first could cut a token in two
and leave most of it unmasked (issue 11).
"""

from __future__ import annotations

import email.utils
import json as jsonlib
import math
from datetime import UTC, datetime
from typing import Any

import httpx

from syncspec.errors import ApiError
from syncspec.redact import redact

SHOWN_BODY_CHARS = 200


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or HTTP-date); None if absent/bad."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        current = datetime.now(UTC).timestamp() if now is None else now
        seconds = when.timestamp() - current
    if math.isnan(seconds) or math.isinf(seconds):
        return None
    return max(0.0, seconds)


def server_message(content: bytes) -> str | None:
    """Truto's ``message`` (``{"statusCode","error","message"}``), else a short body excerpt.

    The token is masked *before* the text is shortened: shortening first could cut a token
    in two and leave most of it unmasked.
    """
    try:
        body = jsonlib.loads(content)
    except (ValueError, RecursionError):
        text = content.decode("utf-8", "replace").strip()
        return _excerpt(text) if text else None
    if isinstance(body, dict):
        message = body.get("message") or body.get("error")
        if isinstance(message, list):
            message = "; ".join(str(m) for m in message)
        if message:
            return _excerpt(str(message), 5 * SHOWN_BODY_CHARS)
    return None


def _excerpt(text: str, limit: int = SHOWN_BODY_CHARS) -> str:
    text = redact(text)
    return text if len(text) <= limit else text[:limit] + "..."


def error(
    cls: type[ApiError],
    method: str,
    path: str,
    explanation: str,
    *,
    status: int | None = None,
    server_message: str | None = None,
    maybe_applied: bool = False,
) -> ApiError:
    # Text reads "<METHOD> <path> -> <status>: <Truto's message> (<what it means for you>)".
    text = f"{server_message} ({explanation})" if server_message else explanation
    err = cls(text, method=method, path=path, status=status, maybe_applied=maybe_applied)
    err.server_message = server_message
    return err


def content_length(headers: httpx.Headers) -> int | None:
    try:
        return int(headers.get("Content-Length", ""))
    except ValueError:
        return None


def decode(content: bytes, method: str, path: str, status: int) -> Any:
    if not content:
        return None
    try:
        return jsonlib.loads(content)
    except RecursionError:
        text = "the server answered with JSON nested too deeply to read"
        raise error(ApiError, method, path, text, status=status) from None
    except ValueError:
        text = "the server answered with something that is not JSON"
        raise error(ApiError, method, path, text, status=status) from None
