"""Field-level differences between two canonical jobs, as RFC 6901 JSON pointers.

DeepDiff does the structural comparison. The one thing done here is aligning the ``resources``
array before handing it over: items are paired by identity (V4 ``name``; legacy ``resource`` +
``method``), so an item that changed place shows as one ``moved`` entry plus its own changes
instead of a cascade of changes at every index after it. Only items whose relative order changed
are reported as moved (items that merely shifted because another was added or removed are not).

Pointers address the new (local) job, except a whole removed resource item, which is addressed
by its index in the old (live) job.
"""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import Any

from syncspec.engine.model import FieldChange
from syncspec.engine.normalize import CLIENT_FIELDS, stable_json

_RESOURCES = "resources"
_KIND_RANK = {"removed": 0, "moved": 1, "changed": 2, "added": 3}


def escape_pointer_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*tokens: str | int) -> str:
    """RFC 6901 pointer from path tokens: ``pointer("query", "a/b")`` -> ``/query/a~1b``."""
    return "".join("/" + escape_pointer_token(t) for t in tokens)


def pointer_tokens(ptr: str) -> list[str]:
    """The unescaped tokens of an RFC 6901 pointer (``""`` -> ``[]``)."""
    if not ptr:
        return []
    return [t.replace("~1", "/").replace("~0", "~") for t in ptr[1:].split("/")]


def _identity(item: Any) -> tuple[Any, ...] | None:
    if isinstance(item, dict):
        name = item.get("name")
        if isinstance(name, str):
            return ("name", name)
        resource, method = item.get("resource"), item.get("method")
        if isinstance(resource, str) and isinstance(method, str):
            return ("resource", resource, method)
    return None


def _pair_items(old: Sequence[Any], new: Sequence[Any]) -> list[tuple[int, int]]:
    """(old index, new index) pairs of the same item, sorted by old index.

    The k-th occurrence of an identity in ``old`` pairs with its k-th occurrence in ``new``
    (duplicates are a validate error, but the diff must still be well defined). Items left
    unpaired at the same index on both sides are paired too, so a renamed node shows as a
    changed ``name`` rather than a removal plus an addition.
    """
    positions: dict[tuple[Any, ...], list[int]] = {}
    for j, item in enumerate(new):
        key = _identity(item)
        if key is not None:
            positions.setdefault(key, []).append(j)
    pairs: dict[int, int] = {}
    for i, item in enumerate(old):
        key = _identity(item)
        if key is not None and positions.get(key):
            pairs[i] = positions[key].pop(0)
    taken = set(pairs.values())
    for i in range(min(len(old), len(new))):
        if i not in pairs and i not in taken:
            pairs[i] = i
            taken.add(i)
    return sorted(pairs.items())


def _unmoved(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """The largest set of pairs that kept their relative order (longest increasing run of new
    indexes, taken in old order); every other pair is reported as a move."""
    tails: list[int] = []  # tails[k]: index into pairs of the smallest tail of a run of k+1
    tail_values: list[int] = []
    parent: list[int | None] = [None] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tail_values, j)
        parent[n] = tails[k - 1] if k > 0 else None
        if k == len(tails):
            tails.append(n)
            tail_values.append(j)
        else:
            tails[k] = n
            tail_values[k] = j
    keep: set[tuple[int, int]] = set()
    cursor: int | None = tails[-1] if tails else None
    while cursor is not None:
        keep.add(pairs[cursor])
        cursor = parent[cursor]
    return keep


def _sort_key(change: FieldChange) -> tuple[Any, ...]:
    tokens = pointer_tokens(change.pointer)
    field_rank = CLIENT_FIELDS.index(tokens[0]) if tokens and tokens[0] in CLIENT_FIELDS else 99
    path = tuple((0, int(t), "") if t.isdigit() else (1, 0, t) for t in tokens[1:])
    if tokens[:1] == [_RESOURCES] and len(tokens) == 2:
        # whole items: removals (old indexes) first, then per new index its move or addition
        group = 0 if change.kind == "removed" else 1
        return (field_rank, tokens[0], group, path, -1)
    # inner changes of an item come right after the item's own move, ordered by path
    return (field_rank, tokens[0] if tokens else "", 1, path, _KIND_RANK[change.kind])


def diff_jobs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FieldChange]:
    """Changes that turn canonical job ``old`` (live) into canonical job ``new`` (local).

    Fields present in only one of the two are compared against null. The result is
    deterministic: by field (``CLIENT_FIELDS`` order), then by position.
    """
    # not ``old == new``: Python has True == 1, JSON does not
    if stable_json(old) == stable_json(new):
        return []
    from deepdiff import DeepDiff  # slow to import: only when there is something to compare

    names = [n for n in CLIENT_FIELDS if n in old or n in new]
    names += sorted((set(old) | set(new)) - set(names))
    changes: list[FieldChange] = []
    # Both sides become [fields, paired resource items]; paths map back to pointers below.
    differing = [
        n for n in names if n != _RESOURCES and stable_json(old.get(n)) != stable_json(new.get(n))
    ]
    old_fields = {n: old.get(n) for n in differing}
    new_fields = {n: new.get(n) for n in differing}
    old_items: dict[int, Any] = {}
    new_items: dict[int, Any] = {}
    old_res, new_res = old.get(_RESOURCES), new.get(_RESOURCES)
    if _RESOURCES in names:
        if isinstance(old_res, list) and isinstance(new_res, list):
            pairs = _pair_items(old_res, new_res)
            unmoved = _unmoved(pairs)
            for i, j in pairs:
                # identical items are left out: DeepDiff's cost grows with what it walks
                if stable_json(old_res[i]) != stable_json(new_res[j]):
                    old_items[j], new_items[j] = old_res[i], new_res[j]
                if (i, j) not in unmoved:
                    changes.append(
                        FieldChange(
                            pointer=pointer(_RESOURCES, j),
                            kind="moved",
                            from_pointer=pointer(_RESOURCES, i),
                        )
                    )
            paired_old = {i for i, _ in pairs}
            paired_new = {j for _, j in pairs}
            for i, item in enumerate(old_res):
                if i not in paired_old:
                    changes.append(
                        FieldChange(pointer=pointer(_RESOURCES, i), kind="removed", old=item)
                    )
            for j, item in enumerate(new_res):
                if j not in paired_new:
                    changes.append(
                        FieldChange(pointer=pointer(_RESOURCES, j), kind="added", new=item)
                    )
        else:  # not both arrays (invalid data): compare the whole values
            old_fields[_RESOURCES], new_fields[_RESOURCES] = old_res, new_res

    tree = (
        DeepDiff([old_fields, old_items], [new_fields, new_items], view="tree")
        if old_fields or new_fields or old_items
        else {}
    )
    for report, levels in tree.items():
        for level in levels:
            path = level.path(output_format="list")
            tokens: list[str | int] = list(path[1:]) if path[0] == 0 else [_RESOURCES, *path[1:]]
            changes.append(_change(report, pointer(*tokens), level.t1, level.t2))
    if not changes:
        # DeepDiff saw none of what stable_json sees (should not happen with canonical input):
        # never let a difference pass unreported; show the differing fields whole.
        changes = [
            FieldChange(pointer=pointer(n), kind="changed", old=old.get(n), new=new.get(n))
            for n in names
            if stable_json(old.get(n)) != stable_json(new.get(n))
        ]
    changes.sort(key=_sort_key)
    return changes


def _change(report: str, ptr: str, t1: Any, t2: Any) -> FieldChange:
    if report.endswith("_added"):
        return FieldChange(pointer=ptr, kind="added", new=t2)
    if report.endswith("_removed"):
        return FieldChange(pointer=ptr, kind="removed", old=t1)
    if report in ("values_changed", "type_changes"):
        return FieldChange(pointer=ptr, kind="changed", old=t1, new=t2)
    # DeepDiff reports nothing else for plain JSON data compared in order.
    raise AssertionError(f"unexpected DeepDiff report {report!r} at {ptr}")
