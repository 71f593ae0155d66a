"""Run state (``/sync-job-run-state``): list, get, set (PATCH, or POST when missing), delete,
and the value helpers.

Values are opaque strings to the API. Users store structured data themselves; Truto's own
example is base64 of a JSON object, another source stores a plain ISO date. ``encode_value``
builds a value from ``--value``/``--value-file``/``--json`` (+ ``--base64``); ``decode_value``
undoes base64 and pretty-prints JSON for display.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from syncspec.errors import ApiError, ConfigError, NotFoundError


class RunStateApi(Protocol):
    """The part of ``syncspec.api.client.TrutoClient`` this module uses."""

    def list_run_state(self, state_key: str) -> list[dict[str, Any]]: ...
    def create_run_state(self, state_key: str, key: str, value: str) -> dict[str, Any]: ...
    def get_run_state(self, state_key: str, key: str) -> dict[str, Any]: ...
    def update_run_state(self, state_key: str, key: str, value: str) -> dict[str, Any]: ...
    def delete_run_state(self, state_key: str, key: str) -> dict[str, Any]: ...


def _check_state_key(state_key: str) -> str:
    if not state_key.strip():
        raise ConfigError("--state-key must not be empty")
    return state_key


def _check_key(key: str) -> str:
    if not key.strip():
        raise ConfigError("KEY must not be empty")
    return key


# ---------------------------------------------------------------------------------------------
# values


def encode_value(
    *,
    value: str | None = None,
    value_bytes: bytes | None = None,
    json_text: str | None = None,
    as_base64: bool = False,
) -> str:
    """The string to store, from exactly one of ``value``, ``value_bytes`` (a file's bytes,
    kept exactly) or ``json_text`` (stored as compact JSON), optionally base64-encoded."""
    given = [v for v in (value, value_bytes, json_text) if v is not None]
    if len(given) != 1:
        raise ConfigError("give exactly one of --value, --value-file or --json")
    raw: bytes
    if json_text is not None:
        try:
            parsed = json.loads(json_text)
        except ValueError as exc:
            raise ConfigError(f"--json: invalid JSON: {exc}") from None
        raw = json.dumps(parsed, separators=(",", ":"), ensure_ascii=False).encode()
    elif value_bytes is not None:
        raw = value_bytes
    else:
        assert value is not None
        raw = value.encode()
    if as_base64:
        return base64.b64encode(raw).decode("ascii")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(
            "--value-file: the file is not UTF-8 text; pass --base64 to store it base64-encoded"
        ) from None


Encoding = Literal["raw", "json", "base64", "base64+json"]


@dataclass(frozen=True)
class DecodedValue:
    text: str  # what to show: decoded text, pretty JSON, or the raw value unchanged
    encoding: Encoding  # how the stored value was read
    data: Any  # the JSON value when it is JSON, else the (decoded) text


def decode_value(value: str) -> DecodedValue:
    """Show a stored value: base64 undone when it is base64 of UTF-8 text, JSON pretty-printed.

    A value that only happens to be valid base64 (``"2024"``) decodes to bytes that are not
    printable text, so it is shown as stored.
    """
    text = value
    encoding: Encoding = "raw"
    decoded = _b64_text(value)
    if decoded is not None:
        text, encoding = decoded, "base64"
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            data = json.loads(stripped)
        except ValueError:
            pass
        else:
            pretty = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False)
            return DecodedValue(pretty, "base64+json" if encoding == "base64" else "json", data)
    return DecodedValue(text, encoding, text)


def _b64_text(value: str) -> str | None:
    compact = value.strip()
    if len(compact) < 4 or len(compact) % 4:
        return None
    try:
        raw = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text or not all(ch.isprintable() or ch in "\t\r\n" for ch in text):
        return None
    return text


def with_decoded(entry: dict[str, Any]) -> dict[str, Any]:
    """``entry`` plus ``decoded_value`` (the JSON value, or the decoded text) and ``encoding``."""
    value = entry.get("value")
    if not isinstance(value, str):
        return dict(entry)
    decoded = decode_value(value)
    return {**entry, "decoded_value": decoded.data, "encoding": decoded.encoding}


# ---------------------------------------------------------------------------------------------
# calls


def list_entries(client: RunStateApi, state_key: str) -> list[dict[str, Any]]:
    return client.list_run_state(_check_state_key(state_key))


def _missing(state_key: str, key: str) -> NotFoundError:
    # An entry is addressed by key + state key; the client's generic 404 text ("may belong to
    # another environment") sends people looking in the wrong place.
    return NotFoundError(
        f"no run-state entry {key!r} under state key {state_key!r} (see the keys there with "
        f"`syncspec run-state list --state-key {state_key}`)",
        status=404,
    )


def get_entry(client: RunStateApi, state_key: str, key: str) -> dict[str, Any]:
    try:
        return client.get_run_state(_check_state_key(state_key), _check_key(key))
    except NotFoundError:
        raise _missing(state_key, key) from None


@dataclass(frozen=True)
class SetResult:
    action: Literal["created", "updated"]
    entry: dict[str, Any]


# PATCH, then POST: each step can lose a race with another writer (a delete between our PATCH
# and POST, a create between our 404 and POST). A few rounds settle any real race.
_SET_ROUNDS = 3


def set_entry(client: RunStateApi, state_key: str, key: str, value: str) -> SetResult:
    """PATCH the entry; when it does not exist (404), create it with POST.

    Works with both readings of Truto's docs: POST as create-or-update, and POST answering 409
    when the key exists (someone created it after our 404): then PATCH again.
    """
    _check_state_key(state_key)
    _check_key(key)
    for _ in range(_SET_ROUNDS):
        try:
            return SetResult("updated", client.update_run_state(state_key, key, value))
        except NotFoundError:
            pass
        try:
            return SetResult("created", client.create_run_state(state_key, key, value))
        except ApiError as exc:
            if exc.status != 409:
                raise
    raise ApiError(
        f"run-state entry {key!r} kept changing (created and deleted by another writer); try again",
        method="PATCH",
        path=f"/sync-job-run-state/{key}",
        status=409,
    )


def delete_entry(client: RunStateApi, state_key: str, key: str) -> dict[str, Any]:
    try:
        return client.delete_run_state(_check_state_key(state_key), _check_key(key))
    except NotFoundError as exc:
        if exc.maybe_applied:  # a retried DELETE whose first attempt may have deleted it
            raise
        raise _missing(state_key, key) from None
