"""Building plain data from the C parser's node graph, fast and strictly.

ruamel's Python ``SafeConstructor`` costs ~1 ms per job file (tag objects, generators, state
machines); this builder costs a fraction of that, because job files need only JSON's types:
mappings with unique hashable keys, lists, strings, numbers, booleans and null. Dates and
``=`` stay text (the API takes JSON). Any other tag is refused. Nesting beyond ``MAX_DEPTH`` is
refused here exactly (the loader's pre-check only has to keep the C composer's stack safe).
The one tag of syncspec's own, ``!var NAME``, becomes a ``VarRef`` marker (see ``varref``).
Mapping keys are kept as written (text): JSON has only text keys. Merge keys (``<<``) are rare:
those documents go through ruamel's own constructor instead.
"""

from __future__ import annotations

from typing import Any

from syncspec.jobfile.yaml.limits import MAX_DEPTH, LoadFailed
from syncspec.jobfile.yaml.varref import VAR_TAG, var_ref

_P = "tag:yaml.org,2002:"
_STR, _MAP, _SEQ, _NULL, _BOOL = f"{_P}str", f"{_P}map", f"{_P}seq", f"{_P}null", f"{_P}bool"
_INT, _FLOAT, _MERGE = f"{_P}int", f"{_P}float", f"{_P}merge"
_AS_TEXT = frozenset({f"{_P}timestamp", f"{_P}value"})


class NeedsMerge(Exception):
    """The document uses ``<<`` merge keys: build it with ruamel's constructor instead."""


def _tag(node: Any) -> str:
    ctag = node.ctag
    return str(ctag.suffix) if ctag.handle is None else str(ctag)


def _at(node: Any) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def build(loader: Any, node: Any, aliases: bool = True) -> Any:
    """The data of ``node``; ``loader`` (a ruamel SafeConstructor) converts numbers.

    ``aliases=False`` (the text has no ``&anchor``) skips the memo that aliased nodes need.
    """
    memo: dict[int, Any] | None = {} if aliases else None  # aliases share node objects
    return _build(loader, node, 0, memo)


def _build(loader: Any, node: Any, depth: int, memo: dict[int, Any] | None) -> Any:
    # The hot loop of validate: tags are read inline, strings (most nodes) return first.
    if memo is not None and id(node) in memo:
        return memo[id(node)]
    ctag = node.ctag
    tag = ctag.suffix if ctag.handle is None else str(ctag)
    value = node.value
    if tag == _STR:
        return value
    if tag in (_MAP, _SEQ):
        if depth >= MAX_DEPTH:
            line, col = _at(node)
            raise LoadFailed(
                "SS010",
                f"nesting is deeper than {MAX_DEPTH} levels",
                line,
                col,
                "flatten the structure; no sync job needs this depth",
            )
        depth += 1
        if tag == _SEQ:
            items: list[Any] = []
            if memo is not None:
                memo[id(node)] = items
            items.extend([_build(loader, item, depth, memo) for item in value])
            return items
        mapping: dict[Any, Any] = {}
        if memo is not None:
            memo[id(node)] = mapping
        for key_node, value_node in value:
            key_tag = key_node.ctag
            if key_tag.handle is not None or key_tag.suffix != _STR:
                # not a plain string key: merge keys, numbers, booleans, collections, tags
                if _tag(key_node) == _MERGE:
                    raise NeedsMerge
                if _tag(key_node) == VAR_TAG:
                    raise var_as_key(key_node)
                if isinstance(_build(loader, key_node, depth, memo), list | dict):
                    raise _unhashable(node)
            # JSON object keys are text: `200:` and `"200":` are the same key, `true:` is "true"
            name = key_node.value
            if name in mapping:
                line, col = _at(key_node)
                first = node.start_mark.line + 1
                raise LoadFailed(
                    "SS002",
                    f"duplicate key `{name}` (the mapping starts at line {first})",
                    line,
                    col,
                    "each key may appear once in a mapping; remove or merge the duplicate",
                )
            mapping[name] = _build(loader, value_node, depth, memo)
        return mapping
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return loader.construct_yaml_bool(node)
    if tag == _INT:
        return loader.construct_yaml_int(node)
    if tag == _FLOAT:
        return loader.construct_yaml_float(node)
    if tag in _AS_TEXT:
        return str(value)
    if tag == VAR_TAG:
        return var_ref(node)
    line, col = _at(node)
    raise unsupported_tag(tag, line, col)


def unsupported_tag(tag: str, line: int, col: int) -> LoadFailed:
    """SS009 for ``tag`` (``!!binary``, ``!vars``...), with a did-you-mean for local tags."""
    shown = tag.replace(_P, "!!")
    hint = "remove the tag; quote the value if it should be text"
    if shown.startswith("!") and not shown.startswith("!!"):
        hint = (
            "the only tag a job file may use is `!var NAME` (a value of the active profile); "
            + hint
        )
        if shown.lower().startswith("!var"):
            hint = "did you mean `!var`? " + hint
    return LoadFailed(
        "SS009",
        f"unsupported YAML tag {shown}: job files hold plain data only",
        line,
        col,
        hint,
    )


def var_as_key(node: Any) -> LoadFailed:
    line, col = _at(node)
    return LoadFailed(
        "SS016",
        "a `!var` cannot be a mapping key: keys are the same in every environment",
        line,
        col,
        "put the `!var` in the value; to vary the whole mapping, write `key: !var NAME`",
    )


class Unhashable(Exception):
    """A mapping or list used as a mapping key (the loader explains it)."""

    def __init__(self, mapping_node: Any) -> None:
        super().__init__("unhashable key")
        self.mapping_node = mapping_node


def _unhashable(mapping_node: Any) -> Unhashable:
    return Unhashable(mapping_node)
