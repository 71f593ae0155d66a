"""The one canonical form of a sync job, for both sides of every comparison.

``canonical_job`` is applied to a job file's data and to a live job (``GET /sync-job``) alike;
two jobs are equal exactly when their canonical forms are. The rules are declared per field in
``FIELD_RULES`` below; nothing else in syncspec decides what "the same" means.

Canonical form: a plain ``dict`` (no ruamel/pydantic types) holding every client-managed field
in ``CLIENT_FIELDS`` order, each with an explicit value (``None``, ``""``, ``[]`` where absent),
except ``default_runtime_version``, which is left out when the job does not set it. Nested
mappings have sorted keys; list order is kept (the API stores arrays as given).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from syncspec.jobfile import jobs
from syncspec.jobfile.shape.runtime import canonical_runtime_version

CLIENT_FIELDS: Final[tuple[str, ...]] = jobs.CLIENT_FIELDS
SERVER_FIELDS: Final[tuple[str, ...]] = ("id", *sorted(jobs.SERVER_FIELDS))


class _Omit:
    """Sentinel default: the field is left out of the canonical form when absent."""

    def __repr__(self) -> str:
        return "OMIT"


OMIT: Final = _Omit()


@dataclass(frozen=True)
class FieldRule:
    # canonical value when the field is absent or equal to one of ``empty`` (OMIT: leave it out)
    default: Any
    # values that mean the same as "absent" (compared after ``_plain`` and ``transform``)
    empty: tuple[Any, ...] = (None,)
    # field-specific rewriting, applied after ``_plain``
    transform: Callable[[Any], Any] | None = None


def _canonical_resources(value: Any) -> Any:
    if not isinstance(value, list):
        return value  # not a list: invalid, left for validate to report; compared as is
    return [_canonical_resource(item) for item in value]


# Keys of a resource item whose empty object means "not set" (Truto treats {} like absent).
EMPTY_OBJECT_KEYS: Final = frozenset({"query", "body"})


def _canonical_resource(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    # Only the item's own keys: a null deeper down (e.g. V4 get_state ``config.default: null``)
    # is a real value and is kept.
    return {
        key: value
        for key, value in item.items()
        if value is not None and not (key in EMPTY_OBJECT_KEYS and value == {})
    }


FIELD_RULES: Final[Mapping[str, FieldRule]] = {
    # Required in files; a live job without one is compared as null (the server shows "Untitled").
    # Compared in Unicode NFC: a server that stores the decomposed (NFD) form of "café" keeps the
    # same text, and must not cause a perpetual rename (issue 19).
    "label": FieldRule(default=None, transform=lambda v: nfc(v) if isinstance(v, str) else v),
    # truto-api.md: may be "" for multi-integration V4 jobs; null and "" mean the same (none), and
    # "" is what the API documents, so "" is canonical.
    "integration_name": FieldRule(default="", empty=(None, "")),
    # Absent (or null) in a file = not managed: left out here; the plan then ignores the live value
    # and warns once per file (see engine.plan). Absent on a live job: also left out.
    # "4" (the TypeScript SDK's type) and 4 are one value: canonical_runtime_version.
    "default_runtime_version": FieldRule(default=OMIT, transform=canonical_runtime_version),
    # "object or null": absent ≡ null ≡ {} (no arguments). null is canonical, so removing the field
    # from a file PATCHes args_schema: null.
    "args_schema": FieldRule(default=None, empty=(None, {})),
    # JSONata / placeholder strings. "" is deliberately NOT treated as null: no source says the
    # server treats them alike, and conflating them could hide a real change.
    "args_validation": FieldRule(default=None),
    "mutex_key": FieldRule(default=None),
    "state_key": FieldRule(default=None),
    # absent ≡ null ≡ []; inside each item, null-valued keys and empty query/body ≡ absent.
    "resources": FieldRule(default=[], empty=(None, []), transform=_canonical_resources),
}


def nfc(text: str) -> str:
    """``text`` in Unicode NFC (labels are compared in this form)."""
    import unicodedata

    return text if text.isascii() else unicodedata.normalize("NFC", text)


def _plain(value: Any) -> Any:
    """Plain JSON data with sorted mapping keys and integer-valued floats as ints.

    JSON has one number type: ``2`` and ``2.0`` are the same value, but YAML and Python's json
    read them as int and float. bool is kept apart from int (``True`` is not ``1`` in JSON).
    Non-finite floats cannot come from JSON and are kept as they are.
    """
    # Exact built-in types first (what the YAML builder and json.loads produce): a plan compares
    # thousands of jobs, and the ABC check below costs more than the rest of the walk.
    kind = type(value)
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if kind is dict:
        out: dict[str, Any] = {}
        for k in sorted(value, key=str):
            v = value[k]
            t = type(v)
            # leaves inline: most values of a job are strings, and a call each costs more
            out[str(k)] = v if t is str or t is int or t is bool or v is None else _plain(v)
        return out
    if kind is list:
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(value[k]) for k in sorted(value, key=str)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    # Subclasses (ruamel's ScalarString/ScalarFloat, ...) become the plain built-in type.
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return int(value) if value.is_integer() else float(value)
    return value


def _is_empty(value: Any, empty: tuple[Any, ...]) -> bool:
    # type check too, so that 0 / False never pass for an empty value
    for e in empty:  # noqa: SIM110 - a loop, not any(genexpr): runs for every field of every job
        if type(value) is type(e) and value == e:
            return True
    return False


def canonical_job(job: Mapping[str, Any]) -> dict[str, Any]:
    """The canonical client-managed fields of ``job`` (a job file's data or a live job)."""
    result: dict[str, Any] = {}
    for name in CLIENT_FIELDS:
        rule = FIELD_RULES[name]
        value = _plain(job.get(name))
        if rule.transform is not None:
            value = rule.transform(value)
        if _is_empty(value, rule.empty):
            if rule.default is OMIT:
                continue
            value = _plain(rule.default)  # a fresh copy, never a shared mutable default
        result[name] = value
    return result


def comparable_live(live: Mapping[str, Any], local: Mapping[str, Any]) -> dict[str, Any]:
    """``live`` (canonical) reduced to the fields ``local`` (canonical) manages."""
    return {name: value for name, value in live.items() if name in local}


# One encoder for every call: ``json.dumps`` with options builds a new one each time.
_STABLE_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def stable_json(value: Any) -> str:
    """Compact JSON with sorted keys: the byte-stable text that fingerprints are taken of."""
    return _STABLE_ENCODER.encode(value)


def fingerprint(live_job: Mapping[str, Any]) -> str:
    """sha256 (hex) of the live job's canonical body and its ``updated_at``.

    Either moving means someone changed the job since it was planned (``updated_at`` is the only
    change marker the API has; the body catches servers that do not bump it).
    """
    return fingerprint_of(canonical_job(live_job), live_job.get("updated_at"))


def fingerprint_of(canonical: Mapping[str, Any], updated_at: Any) -> str:
    """``fingerprint`` from an already canonical body (saves normalizing twice)."""
    return fingerprint_of_json(stable_json(canonical), updated_at)


def fingerprint_of_json(canonical_json: str, updated_at: Any) -> str:
    """``fingerprint`` from the ``stable_json`` of a canonical body (saves serialising twice)."""
    marker = "" if updated_at is None else str(updated_at)
    return hashlib.sha256(f"{canonical_json}\n{marker}".encode()).hexdigest()
