"""The lodash functions Truto's JSONata exposes (``src/presets/core.ts`` wraps lodash-es), and
the lodash helpers (``get``, ``iteratee``, ``castArray``) the other extensions use."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from typing import Any

from syncspec.nodetest.js.values import js_string, js_truthy


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
    if is_function(spec):
        return lambda item: call_function(spec, item)
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


def sort_key(value: Any) -> tuple[int, Any]:
    # lodash compareAscending puts undefined/null/NaN after every comparable value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return (1, 0)
    if isinstance(value, bool):
        return (0, int(value))
    return (0, value)


def group_by(array: Any = None, key: Any = None) -> dict[str, list[Any]]:
    get = _iteratee(key)
    out: dict[str, list[Any]] = {}
    for item in cast_array(array):
        out.setdefault(_key_text(get(item)), []).append(item)
    return out


def key_by(array: Any = None, key: Any = None) -> dict[str, Any]:
    get = _iteratee(key)
    return {_key_text(get(item)): item for item in cast_array(array)}


def pick(obj: Any = None, keys: Any = None) -> dict[str, Any]:
    if not isinstance(obj, dict):
        return {}
    out: dict[str, Any] = {}
    for key in cast_array(keys):
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
    for key in cast_array(keys):
        parts = _path_parts(key)
        target = out
        for part in parts[:-1]:
            target = target.get(part) if isinstance(target, dict) else None
        if isinstance(target, dict):
            target.pop(parts[-1], None)
    return dict(out)


def compact(array: Any = None) -> list[Any]:

    return [v for v in cast_array(array) if js_truthy(v)]


def join(array: Any = None, separator: Any = ",") -> str:
    sep = "," if separator is None else js_string(separator)
    return sep.join("" if v is None else js_string(v) for v in cast_array(array))


def order_by(array: Any = None, attrs: Any = None, orders: Any = None) -> list[Any]:
    items = list(cast_array(array))
    keys = cast_array(attrs) if attrs is not None else [None]
    directions = [str(o).lower() for o in cast_array(orders)]
    for index in range(len(keys) - 1, -1, -1):  # stable sorts, least significant key first
        get = _iteratee(keys[index])
        descending = index < len(directions) and directions[index] == "desc"
        present = [i for i in items if sort_key(get(i))[0] == 0]
        missing = [i for i in items if sort_key(get(i))[0] == 1]
        present.sort(key=lambda i: sort_key(get(i)), reverse=descending)
        items = present + missing if not descending else missing + present
    return items


def find(array: Any = None, predicate: Any = None) -> Any:

    test = _iteratee(predicate)
    return next((v for v in cast_array(array) if js_truthy(test(v))), None)


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


def chunk(array: Any = None, size: Any = 1) -> list[list[Any]]:
    items = cast_array(array)
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

    return walk(cast_array(array), 1 if depth is None else depth)
