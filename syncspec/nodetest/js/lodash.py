"""The lodash functions Truto's JSONata exposes (``src/presets/core.ts`` wraps lodash-es), and
the lodash helpers (``get``, ``iteratee``, ``castArray``) the other extensions use."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from itertools import pairwise
from typing import Any

from syncspec.nodetest.js.values import UNDEFINED, js_number, js_string, js_truthy


class _Promise:
    """What a JSONata function given to lodash returns on Truto: a Promise (its lambdas are
    asynchronous), truthy, equal only to itself, ``String()`` of it "[object Promise]"."""

    def __repr__(self) -> str:
        return "[object Promise]"


PROMISE: Any = _Promise()


def call_function(fn: Any, *args: Any) -> Any:
    """Call a JSONata function value (a lambda written in the expression, or a native one)."""
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    return Functions.func_apply(fn, list(args))


def is_function(value: Any) -> bool:
    from jsonata import Jsonata  # type: ignore[import-untyped]
    from jsonata.functions import Functions

    return Functions.is_lambda(value) or isinstance(value, Jsonata.JFunctionCallable)


def cast_array(value: Any) -> list[Any]:
    """lodash ``castArray`` (undefined -> [undefined], which JSON shows as [])."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _path_parts(path: Any) -> list[str]:
    if isinstance(path, list):
        return [js_string(p) for p in path]
    return [p for p in re.split(r"\.|\[|\]", js_string(path)) if p != ""]


def lodash_get(obj: Any, path: Any) -> Any:
    """lodash ``get``: ``UNDEFINED`` for a missing value, None for a JSON null."""
    parts = _path_parts(path)
    if not parts:
        return UNDEFINED
    current = obj
    for part in parts:
        if current is None or current is UNDEFINED:
            return UNDEFINED
        if isinstance(current, dict):
            current = current.get(part, UNDEFINED)
        elif isinstance(current, list | str) and part.lstrip("-").isdigit():
            index = int(part)
            current = current[index] if 0 <= index < len(current) else UNDEFINED
        elif isinstance(current, list | str) and part == "length":
            current = len(current)
        else:
            return UNDEFINED
    return current


def _iteratee(spec: Any) -> Callable[[Any], Any]:
    """lodash ``iteratee``: a function, a property path, a ``{k: v}`` matcher, a [path, value]."""
    if is_function(spec):
        # Truto's quirk, reproduced: lodash calls the JSONata function synchronously and gets a
        # Promise back (never awaited), so every item gets the same truthy, opaque key
        return lambda item: PROMISE
    if isinstance(spec, dict):
        return lambda item: all(js_equal(lodash_get(item, k), v) for k, v in spec.items())
    if isinstance(spec, list) and len(spec) == 2:
        return lambda item: js_equal(lodash_get(item, spec[0]), spec[1])
    if spec is None:
        return lambda item: item
    return lambda item: lodash_get(item, spec)


def js_equal(left: Any, right: Any) -> bool:
    """lodash ``isEqual`` of JSON values (1 is not true, unlike Python's ==)."""
    if isinstance(left, bool) or isinstance(right, bool):
        return type(left) is type(right) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(js_equal(v, right[k]) for k, v in left.items())
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            js_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    return type(left) is type(right) and left == right


def _key_text(value: Any) -> str:
    if value is PROMISE:
        return "[object Promise]"
    return js_string(value)  # None: "null", UNDEFINED: "undefined"


def _primitive(value: Any) -> Any:
    """JavaScript ToPrimitive of a JSON value (arrays join, objects are "[object Object]")."""
    if value is PROMISE:
        return "[object Promise]"
    if isinstance(value, list | dict):
        return js_string(value)
    return value


def _js_greater(left: Any, right: Any) -> bool:
    """JavaScript ``left > right`` (strings compare as text, anything else as numbers)."""
    a, b = _primitive(left), _primitive(right)
    if isinstance(a, str) and isinstance(b, str):
        return a > b
    x, y = js_number(a), js_number(b)
    return not (math.isnan(x) or math.isnan(y)) and x > y


def _is_nan(value: Any) -> bool:
    return isinstance(value, float) and math.isnan(value)


def compare_ascending(value: Any, other: Any) -> int:
    """lodash ``compareAscending``: null, then undefined (``UNDEFINED``), then NaN after
    everything else, and JavaScript's ``>``/``<`` for the rest (so 2 and "b" are neither
    greater nor less)."""
    if value is other or (value == other and type(value) is type(other)):
        return 0
    val_defined, val_null, val_reflexive = value is not UNDEFINED, value is None, not _is_nan(value)
    oth_defined, oth_null, oth_reflexive = other is not UNDEFINED, other is None, not _is_nan(other)
    if (
        (not oth_null and _js_greater(value, other))
        or (val_null and oth_defined and oth_reflexive)
        or (not val_defined and oth_reflexive)
        or not val_reflexive
    ):
        return 1
    if (
        (not val_null and _js_greater(other, value))
        or (oth_null and val_defined and val_reflexive)
        or (not oth_defined and val_reflexive)
        or not oth_reflexive
    ):
        return -1
    return 0


def sort_by(items: list[Any], getters: list[Callable[[Any], Any]], orders: list[Any]) -> list[Any]:
    """lodash ``baseOrderBy``: compare the criteria in turn, then the original index."""
    from functools import cmp_to_key

    rows = [(index, [get(item) for get in getters], item) for index, item in enumerate(items)]

    def compare(a: tuple[int, list[Any], Any], b: tuple[int, list[Any], Any]) -> int:
        for position, (x, y) in enumerate(zip(a[1], b[1], strict=True)):
            result = compare_ascending(x, y)
            if result:
                if position >= len(orders):
                    return result
                return -result if orders[position] == "desc" else result
        return a[0] - b[0]

    rows.sort(key=cmp_to_key(compare))
    return [row[2] for row in rows]


def group_by(array: Any = None, key: Any = None) -> dict[str, list[Any]]:
    get = _iteratee(key)
    out: dict[str, list[Any]] = {}
    for item in cast_array(array):
        out.setdefault(_key_text(get(item)), []).append(item)
    return out


def key_by(array: Any = None, key: Any = None) -> dict[str, Any]:
    get = _iteratee(key)
    return {_key_text(get(item)): item for item in cast_array(array)}


def _is_index(part: str) -> bool:
    return part.isdigit() and (part == "0" or not part.startswith("0"))


def pick(obj: Any = None, keys: Any = None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    out: dict[str, Any] = {}
    for key in cast_array(keys):
        parts = _path_parts(key)
        if not parts:
            continue
        value = lodash_get(obj, parts)
        if value is UNDEFINED:
            continue
        target: Any = out
        for part, following in pairwise(parts):  # lodash baseSet: [] before an index
            target = _child(target, part, [] if _is_index(following) else {})
        _assign(target, parts[-1], value)
    return out


def _child(target: Any, part: str, empty: Any) -> Any:
    if isinstance(target, list) and _is_index(part):
        index = int(part)
        while len(target) <= index:
            target.append(None)
        if not isinstance(target[index], dict | list):
            target[index] = empty
        return target[index]
    if isinstance(target, dict):
        if not isinstance(target.get(part), dict | list):
            target[part] = empty
        return target[part]
    return empty


def _assign(target: Any, part: str, value: Any) -> None:
    if isinstance(target, list) and _is_index(part):
        index = int(part)
        while len(target) <= index:
            target.append(None)
        target[index] = value
    elif isinstance(target, dict):
        target[part] = value


def _has_path(obj: Any, parts: list[str]) -> bool:
    current = obj
    for part in parts:
        if isinstance(current, list) and _is_index(part) and int(part) < len(current):
            current = current[int(part)]
            continue
        if not isinstance(current, dict) or part not in current:
            return False
        current = current[part]
    return True


def omit(obj: Any = None, keys: Any = None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    out = json.loads(json.dumps(obj))  # lodash omit deep-clones
    for key in cast_array(keys):
        parts = _path_parts(key)
        target = out
        for part in parts[:-1]:
            if isinstance(target, list) and _is_index(part) and int(part) < len(target):
                target = target[int(part)]
            else:
                target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(parts[-1], None)
        elif isinstance(target, list) and _is_index(parts[-1]) and int(parts[-1]) < len(target):
            target[int(parts[-1])] = None  # `delete` leaves a hole, which JSON writes as null
    return dict(out)


def compact(array: Any = None) -> list[Any]:

    return [v for v in cast_array(array) if js_truthy(v)]


def join(array: Any = None, separator: Any = UNDEFINED) -> str:
    # Array.prototype.join: an undefined separator is ","; null is the text "null"
    sep = "," if separator is UNDEFINED else js_string(separator)
    return sep.join("" if v is None else js_string(v) for v in cast_array(array))


def order_by(array: Any = None, attrs: Any = None, orders: Any = None) -> list[Any]:
    items = list(cast_array(array))
    keys = (attrs if isinstance(attrs, list) else [attrs]) if attrs is not None else []
    directions = orders if isinstance(orders, list) else ([] if orders is None else [orders])
    getters = [_iteratee(key) for key in keys] or [_iteratee(None)]
    return sort_by(items, getters, directions)


def find(array: Any = None, predicate: Any = None) -> Any:

    test = _iteratee(predicate)
    for item in cast_array(array):
        if js_truthy(test(item)):
            if item is None:  # found: a null item is null, not "nothing"
                from jsonata.utils import Utils  # type: ignore[import-untyped]

                return Utils.NULL_VALUE
            return item
    return None


def lofilter(array: Any = None, predicate: Any = None) -> list[Any]:

    test = _iteratee(predicate)
    return [v for v in cast_array(array) if js_truthy(test(v))]


def values(obj: Any = None) -> list[Any]:
    if isinstance(obj, dict):
        return list(obj.values())
    if isinstance(obj, list):
        return list(obj)
    if isinstance(obj, str):
        return list(obj)
    return []


def chunk(array: Any = None, size: Any = UNDEFINED) -> list[list[Any]]:
    items = cast_array(array)
    # lodash: undefined -> 1, else toInteger (null -> 0)
    step = (
        1
        if size is UNDEFINED
        else max(int(js_number(size)) if not math.isnan(js_number(size)) else 0, 0)
    )
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
    return [v for v in first if not any(_same_value_zero(v, x) for x in exclude)]


def _same_value_zero(left: Any, right: Any) -> bool:
    """JavaScript SameValueZero (lodash's ``difference``): objects only equal themselves."""
    if isinstance(left, dict | list) or isinstance(right, dict | list):
        return left is right
    if _is_nan(left) and _is_nan(right):
        return True
    return js_equal(left, right)


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

    return walk(cast_array(array), 1 if depth is None else depth)
