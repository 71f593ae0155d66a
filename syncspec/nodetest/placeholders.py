"""Resolving ``{{...}}`` placeholders as Truto does: a port of ``@truto/replace-placeholders``.

The port follows ``replace.ts`` and ``replacePlaceholders.ts`` (trutohq/replace-placeholders)
line by line, including its surprises, because a test that passes here must pass on Truto:

- every match of ``/{{([\\w-./|:?\\s]+)}}/g`` is replaced in order, the first occurrence of its
  text each time; a placeholder that is the whole string yields the value itself (any type),
  inside a longer string the value's ``String()``;
- ``?:`` splits the alternatives from the default; ``|`` separates alternatives, each with its
  own casts (``/:(?=[\\w\\s]+)/`` splits them; the first one converts the value); the first
  alternative whose value is not undefined wins (null counts as found);
- ``:null``, ``:undefined``, ``:ignore-empty-str`` written on *any* alternative decide what a
  missing value becomes: undefined (or ``''`` inside a longer string), null; otherwise the
  placeholder stays as literal text; ``:ignore-empty-str`` also skips alternatives equal to ``''``;
- an unknown cast raises ``Unsupported type: X`` when it is applied;
- ``$truto_merge`` keys deep-merge their resolved objects into the mapping that holds them.

The lint rules parse placeholders with ``syncspec.jobfile.rules.placeholder_syntax`` to *report*
problems; this module parses them to *evaluate* them, with Truto's exact
tokenization (see ``parse``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from syncspec.jobfile.rules.placeholder_syntax import CAST_SPLIT, CASTS, INNER_CLASS
from syncspec.nodetest.js.values import (
    UNDEFINED,
    as_js_number,
    js_string,
    lodash_to_string,
    parse_float,
    parse_int,
)

# replace.ts: /{{([\w-./|:?\s]+)}}/gi, with the lint rules' character class (one grammar)
_PLACEHOLDER = re.compile(r"\{\{(" + INNER_CLASS + r"+)\}\}")
_TYPE_SPLIT = CAST_SPLIT
MERGE_KEY = "$truto_merge"
# the casts replace.ts's typeCast knows (any other raises "Unsupported type")
KNOWN_CASTS = CASTS


class PlaceholderError(Exception):
    """What Truto's resolver throws (an unsupported cast), with the placeholder; ``path`` is
    where the failing string sits inside the template (keys and indexes)."""

    def __init__(self, message: str, path: tuple[str | int, ...] = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Alternative:
    path: str  # trimmed
    cast: str  # the first cast, trimmed; "str" when none is written


@dataclass(frozen=True)
class RuntimePlaceholder:
    text: str  # as written, braces included
    alternatives: tuple[Alternative, ...]
    default: str | None  # None when absent or empty (replace.ts tests it for truthiness)
    default_cast: str  # as written after the default's first cast colon (not trimmed), or "str"
    null_allowed: bool  # some alternative mentions ":null"
    ignore_empty: bool  # ... ":ignore-empty-str"
    undefined_allowed: bool  # ... ":undefined"


@lru_cache(maxsize=4096)
def parse(inner_text: str) -> RuntimePlaceholder:
    """One match's text (braces included) as replace.ts reads it."""
    inner = inner_text[2:-2]
    pieces = inner.split("?:")
    match_str = pieces[0]
    default_str = pieces[1] if len(pieces) > 1 else None
    parts = match_str.split("|")
    alternatives = []
    for part in parts:
        path, *types = _TYPE_SPLIT.split(part)
        alternatives.append(Alternative(path.strip(), (types[0] if types else "str").strip()))
    default: str | None = None
    default_cast = "str"
    if default_str:
        value, *types = _TYPE_SPLIT.split(default_str)
        default = value
        default_cast = types[0] if types and types[0] else "str"
    return RuntimePlaceholder(
        text=inner_text,
        alternatives=tuple(alternatives),
        default=default,
        default_cast=default_cast,
        null_allowed=any(":null" in p for p in parts),
        ignore_empty=any(":ignore-empty-str" in p for p in parts),
        undefined_allowed=any(":undefined" in p for p in parts),
    )


def lookup(context: Any, path: str) -> Any:
    """wild-wild-path ``get`` for the paths the placeholder grammar allows (dots, indexes)."""
    if path == "":
        return context
    current = context
    for segment in path.split("."):
        if isinstance(current, Mapping):
            if segment not in current:
                return UNDEFINED
            current = current[segment]
        elif isinstance(current, list):
            try:
                index = int(segment)
            except ValueError:
                return UNDEFINED
            if index < 0:
                index += len(current)
            if not 0 <= index < len(current):
                return UNDEFINED
            current = current[index]
        else:
            return UNDEFINED
    return current


def _type_cast(value: Any, cast: str, whole: bool) -> Any:
    if value is UNDEFINED or value is None:
        return value
    checked = value.strip() if isinstance(value, str) and cast != "str" else value
    if cast in ("ignore-empty-str", "undefined", "any"):
        return checked
    if cast == "null":
        if checked == "null":
            return None
        return checked if whole else "null"
    if cast == "int":
        number = parse_int(checked)
        return checked if number is None else number
    if cast == "num":
        parsed = parse_float(checked)
        return checked if parsed is None else parsed
    if cast == "str":
        return lodash_to_string(value)
    if cast == "bool":
        if checked == "true" or checked is True:
            return True
        if checked == "false" or checked is False:
            return False
        return checked
    if cast == "json":
        if whole:
            if isinstance(checked, dict | list):
                return checked
            try:
                return json.loads(js_string(checked), parse_constant=_reject_constant)
            except ValueError:
                return checked
        return checked
    raise PlaceholderError(f"Unsupported type: {cast}")


def _reject_constant(name: str) -> Any:
    raise ValueError(name)  # JSON.parse accepts no NaN / Infinity


def _value_of(ph: RuntimePlaceholder, context: Any, whole: bool) -> Any:
    value: Any = UNDEFINED
    for alt in ph.alternatives:
        found = lookup(context, alt.path)
        if found == "" and ph.ignore_empty:
            continue
        if found is not UNDEFINED:
            value = _type_cast(found, alt.cast, whole)
            break
    if value is UNDEFINED and ph.default is not None:
        return _type_cast(ph.default, ph.default_cast, whole)
    if value is UNDEFINED:
        if ph.undefined_allowed:
            return UNDEFINED if whole else ""
        if ph.null_allowed:
            return None
        return ph.text  # stays as literal text
    return value


def _substitution(replacement: str, matched: str, before: str, after: str) -> str:
    """``String.prototype.replace``'s ``$`` patterns in a replacement string."""
    if "$" not in replacement:
        return replacement
    out: list[str] = []
    i = 0
    while i < len(replacement):
        ch = replacement[i]
        nxt = replacement[i + 1] if i + 1 < len(replacement) else ""
        if ch == "$" and nxt in ("$", "&", "`", "'"):
            out.append({"$": "$", "&": matched, "`": before, "'": after}[nxt])
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def replace(text: str, context: Any) -> Any:
    """``replace.ts``: resolve the placeholders of one string."""
    if "{{" not in text:
        return text
    matches = [m.group(0) for m in _PLACEHOLDER.finditer(text)]
    result: Any = text
    for match in matches:
        whole = match == text
        try:
            value = _value_of(parse(match), context, whole)
        except PlaceholderError as exc:
            raise PlaceholderError(f"placeholder {match}: {exc}") from None
        if whole:
            result = value
            continue
        index = result.find(match)
        if index == -1:
            continue
        before, after = result[:index], result[index + len(match) :]
        result = before + _substitution(js_string(value), match, before, after) + after
    return result


def replace_placeholders(template: Any, context: Any) -> Any:
    """``replacePlaceholders``: every string in ``template`` resolved, then ``$truto_merge``."""
    replaced = _replace_all(template, context)
    return _merge_all(replaced)


def _replace_all(node: Any, context: Any, path: tuple[str | int, ...] = ()) -> Any:
    if isinstance(node, str):
        try:
            return replace(node, context)
        except PlaceholderError as exc:
            raise PlaceholderError(str(exc), path) from None
    if isinstance(node, list):
        return [_replace_all(item, context, (*path, i)) for i, item in enumerate(node)]
    if isinstance(node, dict):
        return {key: _replace_all(value, context, (*path, key)) for key, value in node.items()}
    return node


def _merge_all(node: Any) -> Any:
    if isinstance(node, list):
        return [_merge_all(item) for item in node]
    if not isinstance(node, dict):
        return node
    if MERGE_KEY in node:
        sources = node[MERGE_KEY]
        merged: Any = {k: v for k, v in node.items() if k != MERGE_KEY}
        for source in sources if isinstance(sources, list) else [sources]:
            if isinstance(source, dict):  # undefined, null, strings, arrays are skipped
                merged = deepmerge(merged, source)
        node = merged
    return {key: _merge_all(value) for key, value in node.items()}


def deepmerge(target: Any, source: Any) -> Any:
    """The ``deepmerge`` package's defaults: objects merge key by key, arrays concatenate."""
    if isinstance(target, list) and isinstance(source, list):
        return [*target, *source]
    if not (isinstance(target, dict) and isinstance(source, dict)):
        return source
    out = dict(target)
    for key, value in source.items():
        if key in ("__proto__", "constructor"):
            continue
        if key in target and isinstance(value, dict | list):
            out[key] = deepmerge(target[key], value)
        else:
            out[key] = value
    return out


def to_json_value(value: Any) -> Any:
    """A resolved value as JSON would carry it: undefined keys dropped, undefined items null."""
    if isinstance(value, dict):
        return {k: to_json_value(v) for k, v in value.items() if v is not UNDEFINED}
    if isinstance(value, list):
        return [None if v is UNDEFINED else to_json_value(v) for v in value]
    if isinstance(value, float):
        return as_js_number(value)
    return value


__all__ = ["KNOWN_CASTS", "PlaceholderError", "parse", "replace", "replace_placeholders"]
