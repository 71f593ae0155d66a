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

from syncspec.nodetest import luxon
from syncspec.nodetest.jsvalue import as_js_number, js_string

# Every function @truto/truto-jsonata registers (src/presets/*.ts), as of trutohq/truto-jsonata
# 82da45e. The ones not in IMPLEMENTED fail offline.
TRUTO_FUNCTIONS: tuple[str, ...] = (
    "base64decode", "base64encode", "base64ToBlob", "blob", "bufferToString",
    "convertCurrencyFromSubunit", "convertCurrencyToSubunit", "dependencyGraph",
    "diceCoefficient", "digest", "firstNonEmpty", "getArrayBuffer", "getDataUri", "getMimeType",
    "jsonParse", "mapValues", "mostSimilar", "parseDocument", "parseQuery", "parseUrl",
    "removeEmpty", "removeEmptyItems", "sign", "sortNodes", "stringifyQuery", "teeStream",
    "toNumber", "uuid", "zipSqlResponse", "each", "sift", "groupBy", "keyBy", "pick", "omit",
    "compact", "join", "orderBy", "find", "lofilter", "values", "chunk", "wrap", "difference",
    "flatten", "flattenDeep", "flattenDepth", "dtFromIso", "dtFromFormat",
    "convertMarkdownToAdf", "convertMarkdownToGoogleDocs", "convertMarkdownToHtml",
    "convertMarkdownToNotion", "convertMarkdownToSlack", "convertMdToPdf",
    "convertNotionToMarkdown", "convertNotionToMd", "convertHtmlToMarkdown", "xmlToJs",
    "jsToXml", "jsonToCsv", "jsonToParquet", "convertQueryToSql", "generateEmbeddingsCohere",
    "recursiveCharacterTextSplitter",
)  # fmt: skip


def _call(fn: Any, *args: Any) -> Any:
    """Call a JSONata function value (a lambda written in the expression, or a native one)."""
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    return Functions.func_apply(fn, list(args))


def _is_fn(value: Any) -> bool:
    from jsonata import Jsonata  # type: ignore[import-untyped]
    from jsonata.functions import Functions

    return Functions.is_lambda(value) or isinstance(value, Jsonata.JFunctionCallable)


def _cast_array(value: Any) -> list[Any]:
    """lodash ``castArray`` (undefined -> [undefined], which JSON shows as [])."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _path_parts(path: Any) -> list[str]:
    if isinstance(path, list):
        return [js_string(p) for p in path]
    return [p for p in re.split(r"\.|\[|\]", js_string(path)) if p != ""]


def lodash_get(obj: Any, path: Any) -> Any:
    current = obj
    for part in _path_parts(path):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if 0 <= index < len(current) else None
        else:
            return None
        if current is None:
            return None
    return current


def _iteratee(spec: Any) -> Callable[[Any], Any]:
    """lodash ``iteratee``: a function, a property path, a ``{k: v}`` matcher, a [path, value]."""
    if _is_fn(spec):
        return lambda item: _call(spec, item)
    if isinstance(spec, dict):
        return lambda item: (
            isinstance(item, dict) and all(lodash_get(item, k) == v for k, v in spec.items())
        )
    if isinstance(spec, list) and len(spec) == 2:
        return lambda item: lodash_get(item, spec[0]) == spec[1]
    if spec is None:
        return lambda item: item
    return lambda item: lodash_get(item, spec)


def _key_text(value: Any) -> str:
    return js_string(value) if value is not None else "undefined"


# -- core ----------------------------------------------------------------------------------
def first_non_empty(*args: Any) -> Any:
    return next((a for a in args if a is not None), None)


def remove_empty(arg: Any = None) -> Any:
    if arg is None:
        raise TypeError("Cannot read properties of undefined (reading 'length')")
    length = len(arg) if isinstance(arg, list | str) else 0
    return arg if length else None


def remove_empty_items(arg: Any = None) -> Any:
    if not isinstance(arg, list):
        return arg

    def keep(item: Any) -> bool:
        if isinstance(item, dict | list):
            return len(item) > 0
        from syncspec.nodetest.jsvalue import js_truthy

        return js_truthy(item)

    return [item for item in arg if keep(item)]


def map_values(
    original: Any = None, mapping: Any = None, lower_case: bool = False, default: Any = None
) -> Any:
    if original is None and default is not None:
        return default
    if mapping is None:
        return original
    table = dict(mapping) if lower_case else {str(k).lower(): v for k, v in mapping.items()}
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


def _sort_key(value: Any) -> tuple[int, Any]:
    # lodash compareAscending puts undefined/null/NaN after every comparable value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    if isinstance(value, bool):
        return (0, int(value))
    return (0, value)


def sort_nodes(
    array: Any = None, id_key: str = "id", parent_key: str = "parent_id", seq_key: str = "sequence"
) -> Any:
    nodes = _cast_array(array)
    by_id: dict[Any, dict[str, Any]] = {}
    for node in nodes:
        by_id[lodash_get(node, id_key)] = {**node, "children": []}
    roots: list[dict[str, Any]] = []
    for node in nodes:
        parent_id = lodash_get(node, parent_key)
        entry = by_id[lodash_get(node, id_key)]
        from syncspec.nodetest.jsvalue import js_truthy

        if js_truthy(parent_id) and parent_id in by_id:
            by_id[parent_id]["children"].append(entry)
        else:
            roots.append(entry)

    def ordered(group: list[dict[str, Any]], depth: int = 0) -> list[dict[str, Any]]:
        if depth > 10_000:
            raise ValueError("node tree too deep")
        out: list[dict[str, Any]] = []
        for node in sorted(group, key=lambda n: _sort_key(lodash_get(n, seq_key))):
            out.append({k: v for k, v in node.items() if k != "children"})
            out.extend(ordered(node["children"], depth + 1))
        return out

    return ordered(roots)


def json_parse(text: Any = None) -> Any:
    try:
        return json.loads(js_string(text), parse_constant=_no_constant)
    except ValueError:
        return None


def _no_constant(name: str) -> Any:
    raise ValueError(name)


def to_number(value: Any = None) -> Any:
    """lodash ``toNumber``: Number(value) for text (hex/binary/octal literals too), NaN -> null."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int | float):
        return as_js_number(value)
    if value is None:
        return None  # NaN, which JSONata turns into undefined
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text == "":
        return 0
    try:
        if re.fullmatch(r"0[bB][01]+", text):
            return int(text[2:], 2)
        if re.fullmatch(r"0[oO][0-7]+", text):
            return int(text[2:], 8)
        if re.fullmatch(r"0[xX][0-9a-fA-F]+", text):
            return int(text[2:], 16)
        if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?|[+-]?Infinity", text):
            return as_js_number(float(text.replace("Infinity", "inf")))
    except ValueError:
        return None
    return None


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
    """core.ts's null-safe ``$each``."""
    if obj is None:
        return None
    results = [r for k, v in obj.items() if (r := _call(fn, v, k, obj)) is not None]
    if not results:
        return None
    return results[0] if len(results) == 1 else results


def sift(obj: Any = None, fn: Any = None) -> Any:
    """core.ts's null-safe ``$sift``."""
    if obj is None:
        return None
    from syncspec.nodetest.jsvalue import js_truthy

    kept = {k: v for k, v in obj.items() if js_truthy(_call(fn, v, k, obj))}
    return kept or None


# -- lodash wrappers -----------------------------------------------------------------------
def group_by(array: Any = None, key: Any = None) -> dict[str, list[Any]]:
    get = _iteratee(key)
    out: dict[str, list[Any]] = {}
    for item in _cast_array(array):
        out.setdefault(_key_text(get(item)), []).append(item)
    return out


def key_by(array: Any = None, key: Any = None) -> dict[str, Any]:
    get = _iteratee(key)
    return {_key_text(get(item)): item for item in _cast_array(array)}


def pick(obj: Any = None, keys: Any = None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    out: dict[str, Any] = {}
    for key in _cast_array(keys):
        parts = _path_parts(key)
        value = lodash_get(obj, parts)
        if value is None and not _has_path(obj, parts):
            continue
        target = out
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return out


def _has_path(obj: Any, parts: list[str]) -> bool:
    current = obj
    for part in parts:
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def omit(obj: Any = None, keys: Any = None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    out = json.loads(json.dumps(obj))  # lodash omit deep-clones
    for key in _cast_array(keys):
        parts = _path_parts(key)
        target = out
        for part in parts[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(parts[-1], None)
    return dict(out)


def compact(array: Any = None) -> list[Any]:
    from syncspec.nodetest.jsvalue import js_truthy

    return [v for v in _cast_array(array) if js_truthy(v)]


def join(array: Any = None, separator: Any = ",") -> str:
    sep = "," if separator is None else js_string(separator)
    return sep.join("" if v is None else js_string(v) for v in _cast_array(array))


def order_by(array: Any = None, attrs: Any = None, orders: Any = None) -> list[Any]:
    items = list(_cast_array(array))
    keys = _cast_array(attrs) if attrs is not None else [None]
    directions = [str(o).lower() for o in _cast_array(orders)]
    for index in range(len(keys) - 1, -1, -1):  # stable sorts, least significant key first
        get = _iteratee(keys[index])
        descending = index < len(directions) and directions[index] == "desc"
        present = [i for i in items if _sort_key(get(i))[0] == 0]
        missing = [i for i in items if _sort_key(get(i))[0] == 1]
        present.sort(key=lambda i: _sort_key(get(i)), reverse=descending)
        items = present + missing if not descending else missing + present
    return items


def find(array: Any = None, predicate: Any = None) -> Any:
    from syncspec.nodetest.jsvalue import js_truthy

    test = _iteratee(predicate)
    return next((v for v in _cast_array(array) if js_truthy(test(v))), None)


def lofilter(array: Any = None, predicate: Any = None) -> list[Any]:
    from syncspec.nodetest.jsvalue import js_truthy

    test = _iteratee(predicate)
    return [v for v in _cast_array(array) if js_truthy(test(v))]


def values(obj: Any = None) -> list[Any]:
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, list):
        return list(obj)
    if isinstance(obj, str):
        return list(obj)
    return []


def chunk(array: Any = None, size: Any = 1) -> list[list[Any]]:
    items = _cast_array(array)
    step = max(int(size if size is not None else 1), 0)
    if step < 1:
        return []
    return [items[i : i + step] for i in range(0, len(items), step)]


def wrap(value: Any = None, wrapper: Any = None, end_wrapper: Any = None) -> str:
    end = end_wrapper if end_wrapper else wrapper
    return join([wrapper, value, end], "")


def difference(first: Any = None, second: Any = None) -> list[Any]:
    if not isinstance(first, list):
        return []
    exclude = second if isinstance(second, list) else []
    return [v for v in first if v not in exclude]


def flatten(array: Any = None) -> list[Any]:
    return flatten_depth(array, 1)


def flatten_deep(array: Any = None) -> list[Any]:
    return flatten_depth(array, math.inf)


def flatten_depth(array: Any = None, depth: Any = 1) -> list[Any]:
    def walk(items: list[Any], level: float) -> list[Any]:
        out: list[Any] = []
        for item in items:
            if isinstance(item, list) and level > 0:
                out.extend(walk(item, level - 1))
            else:
                out.append(item)
        return out

    return walk(_cast_array(array), 1 if depth is None else depth)


def dt_from_iso(text: Any = None, zone: Any = None) -> luxon.DateTimeValue:
    dt = luxon.from_iso(text)
    if zone:
        dt = dt._in_zone(luxon.zone_named(zone)) if dt.moment is not None else dt
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
    "dtFromFormat": luxon.from_format,
}
NOT_OFFLINE: tuple[str, ...] = tuple(n for n in TRUTO_FUNCTIONS if n not in IMPLEMENTED)


def _unavailable(name: str) -> Callable[..., Any]:
    from syncspec.nodetest.expressions import NotOffline

    def fail(*_: Any) -> Any:
        raise NotOffline(f"${name}")

    return fail


def _json_nulls(value: Any) -> Any:
    """JSONata's ``null`` (a sentinel in jsonata-python) as None, without touching the original
    (literals of the compiled expression may be shared by the next evaluation)."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    if value is Utils.NULL_VALUE:
        return None
    if isinstance(value, list):
        return [_json_nulls(v) for v in value]
    if isinstance(value, dict) and not isinstance(value, luxon.DateTimeValue | luxon.JsDate):
        return {k: _json_nulls(v) for k, v in value.items()}
    return value


def _with_json_nulls(fn: Callable[..., Any]) -> Callable[..., Any]:
    def call(*args: Any) -> Any:
        return fn(*[_json_nulls(a) for a in args])

    return call


_WRAPPED = {name: _with_json_nulls(fn) for name, fn in IMPLEMENTED.items()}


def register(expression: Any) -> None:
    """Bind Truto's extensions on one compiled expression."""
    for name, fn in _WRAPPED.items():
        expression.register_lambda(name, fn)
    for name in NOT_OFFLINE:
        expression.register_lambda(name, _unavailable(name))
