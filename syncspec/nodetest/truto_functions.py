"""Truto's JSONata extension functions (``@truto/truto-jsonata``), the commonly used ones.

Each follows its TypeScript source in trutohq/truto-jsonata (``src/functions/*.ts`` and the lodash
wrappers of ``src/presets/core.ts``). Every other function that package registers is bound to a
stub that fails the case with "`$name` is not available offline", so a call of one can never
pass by accident (JSONata would otherwise only fail on an *unknown* function when it is called).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import math
import re
from collections.abc import Callable
from typing import Any

from syncspec.jobfile.rules.truto_functions import TRUTO_EXTENSIONS
from syncspec.nodetest.js import luxon, luxon_parse
from syncspec.nodetest.js.dates import JsDate
from syncspec.nodetest.js.errors import NotOffline
from syncspec.nodetest.js.lodash import (
    call_function,
    cast_array,
    chunk,
    compact,
    difference,
    find,
    flatten,
    flatten_deep,
    flatten_depth,
    group_by,
    join,
    key_by,
    lodash_get,
    lofilter,
    omit,
    order_by,
    pick,
    sort_by,
    values,
    wrap,
)
from syncspec.nodetest.js.values import UNDEFINED, as_js_number, js_number, js_string, js_truthy


def _null() -> Any:
    """JSONata's ``null`` (a function returning None yields *undefined*)."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    return Utils.NULL_VALUE


# Every function @truto/truto-jsonata registers: one list, shared with the JSONata lint rules
# (syncspec/jobfile/rules/truto_functions.py). The ones not in IMPLEMENTED fail offline.
TRUTO_FUNCTIONS: tuple[str, ...] = tuple(sorted(TRUTO_EXTENSIONS))


# -- core ----------------------------------------------------------------------------------
def first_non_empty(*args: Any) -> Any:
    return next((a for a in args if a is not None), None)


def remove_empty(arg: Any = None) -> Any:
    if arg is None:
        raise TypeError("Cannot read properties of undefined (reading 'length')")
    length = len(arg) if isinstance(arg, list | str) else 0
    return arg if length else None


def remove_empty_items(arg: Any = UNDEFINED) -> Any:
    if not isinstance(arg, list):
        return _null() if arg is None else (None if arg is UNDEFINED else arg)

    def keep(item: Any) -> bool:
        if isinstance(item, dict | list):
            return len(item) > 0

        return js_truthy(item)

    return [item for item in arg if keep(item)]


def map_values(
    original: Any = UNDEFINED, mapping: Any = None, lower_case: bool = False, default: Any = None
) -> Any:
    if original is None or original is UNDEFINED:
        if default is not None and default is not UNDEFINED:
            return default
        return _null() if original is None else None
    if mapping is None or mapping is UNDEFINED:
        return original
    table = (
        dict(mapping) if js_truthy(lower_case) else {str(k).lower(): v for k, v in mapping.items()}
    )
    if isinstance(original, str) or (
        isinstance(original, int | float) and not isinstance(original, bool)
    ):
        value = table.get(js_string(original).lower())
        return original if value is None else value
    if isinstance(original, list):
        return [map_values(v, table, True) for v in original]
    if isinstance(original, dict):
        return {k: map_values(v, table, True) for k, v in original.items()}
    return original


def sort_nodes(
    array: Any = None, id_key: str = "id", parent_key: str = "parent_id", seq_key: str = "sequence"
) -> Any:
    nodes = cast_array(array)
    if seq_key is None:
        seq_key = "sequence"
    by_id: dict[Any, dict[str, Any]] = {}
    for node in nodes:
        by_id[lodash_get(node, id_key)] = {**node, "children": []}
    roots: list[dict[str, Any]] = []
    for node in nodes:
        parent_id = lodash_get(node, parent_key)
        entry = by_id[lodash_get(node, id_key)]

        if js_truthy(parent_id) and parent_id in by_id:
            by_id[parent_id]["children"].append(entry)
        else:
            roots.append(entry)

    def ordered(group: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
        if depth > 10_000:
            raise ValueError("node tree too deep")
        out: list[dict[str, Any]] = []
        for node in sort_by(group, [lambda n: lodash_get(n, seq_key)], []):
            out.append({k: v for k, v in node.items() if k != "children"})
            out.extend(ordered(node["children"], depth + 1))
        return out

    return ordered(roots)


def json_parse(text: Any = None) -> Any:
    try:
        parsed = json.loads(js_string(text), parse_constant=_no_constant)
        return _null() if parsed is None else parsed
    except ValueError:
        return _null()  # the package returns null on a parse error


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def to_number(value: Any = UNDEFINED) -> Any:
    """lodash ``toNumber``: Number(value) (hex/binary/octal literals too); NaN is JSON null."""
    if isinstance(value, str) and re.fullmatch(r"[+-]0[xX][0-9a-fA-F]+", value.strip()):
        return math.nan  # lodash's "bad hex"
    number = js_number(value)
    return number if math.isnan(number) or math.isinf(number) else as_js_number(number)


def base64_encode(text: Any = None, url_safe: bool = False) -> str:
    encoded = base64.b64encode(js_string(text).encode("utf-8")).decode("ascii")
    if url_safe:
        encoded = encoded.replace("=", "").replace("+", "-").replace("/", "_")
    return encoded


def base64_decode(text: Any = None, url_safe: bool = False) -> str:
    data = js_string(text)
    if url_safe:
        data = data.replace("-", "+").replace("_", "/")
    data = re.sub(r"[\t\n\f\r ]", "", data)
    data += "=" * (-len(data) % 4)
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("atob: the string to be decoded is not correctly encoded") from None
    return raw.decode("utf-8", errors="replace")  # TextDecoder replaces bad bytes


def digest(text: Any = None, algorithm: str = "SHA-256", string_type: str = "hex") -> Any:
    name = {"SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    algo = "md5" if algorithm in ("MD5", "md5") else name.get(str(algorithm).upper())
    if algo is None:
        raise ValueError(f"Unrecognized algorithm name: {algorithm}")
    raw = hashlib.new(algo, js_string(text).encode("utf-8")).digest()
    if string_type == "hex":
        return raw.hex()
    encoded = base64.b64encode(raw).decode("ascii")
    if string_type == "base64-urlSafe":
        return encoded.replace("=", "").replace("+", "-").replace("/", "_")
    if string_type == "base64" or algo == "md5":
        return encoded
    return None


def each(obj: Any = None, fn: Any = None) -> Any:
    """core.ts's null-safe ``$each`` (its arguments keep JSONata's nulls: a null value is passed
    to the function as null, and a null result is kept)."""
    if obj is None or obj is _null():
        return None
    null = _null()
    results = [
        r
        for k, v in obj.items()
        if (r := call_function(fn, null if v is None else v, k, obj)) is not None
    ]
    if not results:
        return None
    return results[0] if len(results) == 1 else results


def sift(obj: Any = None, fn: Any = None) -> Any:
    """core.ts's null-safe ``$sift``."""
    if obj is None or obj is _null():
        return None
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    null = _null()
    kept = {
        k: v
        for k, v in obj.items()
        if Functions.to_boolean(call_function(fn, null if v is None else v, k, obj))
    }
    return kept or None


def _alphanumeric(value: Any) -> str:
    if not isinstance(value, str):  # value.toLowerCase() in the TypeScript source
        raise TypeError(f"value.toLowerCase is not a function ({js_string(value)})")
    return re.sub(r"[^a-z0-9]", "", value.lower())


def _pairs(text: str) -> list[str]:
    return [text] if len(text) == 1 else [text[i : i + 2] for i in range(len(text) - 1)]


def _dice(left_text: str, right_text: str) -> float | int | None:
    """The ``dice-coefficient`` package: shared bigrams, each matched once."""
    left, right = _pairs(left_text), _pairs(right_text)
    if not left and not right:
        return math.nan  # 0 / 0: NaN in JavaScript (JSON null)
    shared = 0
    for pair in left:
        if pair in right:
            right[right.index(pair)] = ""
            shared += 1
    return as_js_number(2 * shared / (len(left) + len(right)))


def dice_coefficient(value: Any = None, other: Any = None) -> float | int | None:
    if value == other:
        return 1
    return _dice(_alphanumeric(value), _alphanumeric(other))


def most_similar(value: Any = None, candidates: Any = None, threshold: Any = UNDEFINED) -> Any:
    best, best_score = "", 0.0
    target = _alphanumeric(value)
    items = candidates if isinstance(candidates, list) else []
    for candidate in items:
        score = _dice(target, _alphanumeric(candidate))
        if score is not None and score > best_score:
            best, best_score = candidate, score
    limit = 0.8 if threshold is UNDEFINED else js_number(threshold)  # `>= null` compares with 0
    return best if best_score >= limit else value


def dt_from_iso(text: Any = None, zone: Any = None) -> luxon.DateTimeValue:
    dt = luxon_parse.from_iso(text)
    if zone:
        dt = dt._in_zone(luxon.zone_named(zone))
    return dt


IMPLEMENTED: dict[str, Callable[..., Any]] = {
    "firstNonEmpty": first_non_empty,
    "removeEmpty": remove_empty,
    "removeEmptyItems": remove_empty_items,
    "mapValues": map_values,
    "sortNodes": sort_nodes,
    "jsonParse": json_parse,
    "toNumber": to_number,
    "base64encode": base64_encode,
    "base64decode": base64_decode,
    "digest": digest,
    "each": each,
    "sift": sift,
    "groupBy": group_by,
    "keyBy": key_by,
    "pick": pick,
    "omit": omit,
    "compact": compact,
    "join": join,
    "orderBy": order_by,
    "find": find,
    "lofilter": lofilter,
    "values": values,
    "chunk": chunk,
    "wrap": wrap,
    "difference": difference,
    "flatten": flatten,
    "flattenDeep": flatten_deep,
    "flattenDepth": flatten_depth,
    "dtFromIso": dt_from_iso,
    "dtFromFormat": luxon_parse.from_format,
    "diceCoefficient": dice_coefficient,
    "mostSimilar": most_similar,
}
NOT_OFFLINE: tuple[str, ...] = tuple(n for n in TRUTO_FUNCTIONS if n not in IMPLEMENTED)


def _unavailable(name: str) -> Callable[..., Any]:

    def fail(*_: Any) -> Any:
        raise NotOffline(f"${name}")

    return fail


def _json_nulls(value: Any) -> Any:
    """JSONata's ``null`` (a sentinel in jsonata-python) as None, without touching the original
    (literals of the compiled expression may be shared by the next evaluation)."""
    from jsonata.utils import Utils

    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, list):
        return [_json_nulls(v) for v in value]
    if isinstance(value, dict) and not isinstance(value, luxon.DateTimeValue | JsDate):
        return {k: _json_nulls(v) for k, v in value.items()}
    return value


def _with_json_nulls(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return fn(*[_json_nulls(a) for a in args])

    return call


def _null_aware(fn: Callable[..., Any]) -> Callable[..., Any]:
    """For functions that tell an argument given as null (None) from one that is absent
    (UNDEFINED), as JavaScript default parameters and lodash do."""

    def call(*args: Any) -> Any:
        return fn(*[UNDEFINED if a is None else _json_nulls(a) for a in args])

    return call


# each/sift pass the object's values (nulls included) on to a JSONata function
_RAW_ARGUMENTS = ("each", "sift")
_NULL_AWARE = ("join", "chunk", "mostSimilar", "removeEmptyItems", "mapValues", "toNumber")
_WRAPPED = {
    name: fn
    if name in _RAW_ARGUMENTS
    else (_null_aware(fn) if name in _NULL_AWARE else _with_json_nulls(fn))
    for name, fn in IMPLEMENTED.items()
}


def register(expression: Any) -> None:
    """Bind Truto's extensions on one compiled expression."""
    for name, fn in _WRAPPED.items():
        expression.register_lambda(name, fn)
    for name in NOT_OFFLINE:
        expression.register_lambda(name, _unavailable(name))
