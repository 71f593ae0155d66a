"""Turning findings (key paths) into problems (``file:line:col``), without a second parse.

The C composer's nodes already know where they start (``node.start_mark``): the loader keeps the
document's root node (``Parsed.root``) and the findings of a file are located against it where
the file was checked (in the worker process, when there are workers). Only a small picklable
summary of the top-level keys (``TopPositions``) travels back to the parent, for the project
rules (SS6xx), which run across files there.

Where a path points (the same answers the round-trip loader gave before):
- an item of a sequence: where the item starts;
- a mapping entry: where its value starts, or its key with ``on_key`` (last step only) or when
  the value is null (a null has no position of its own: the C parser reports the next token's);
- a path that leaves the document (a missing key, an index past the end, a step into a scalar or
  through a ``<<`` merge): the deepest node on the path that exists;
- then, with ``Finding.offset``, the character inside the string value (``position_in_scalar``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Problem
from syncspec.jobfile.yaml.loader import compose_root
from syncspec.jobfile.yaml.scalarpos import position_in_scalar

_NULL = "tag:yaml.org,2002:null"
Position = tuple[int, int]  # 1-based (line, col)


def _pos(node: Any) -> Position:
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


# libyaml counts NEL, LS and PS as line breaks (YAML 1.1); YAML 1.2, editors and the round-trip
# loader used before do not. A document with one of them is positioned from the character index.
_YAML11_BREAKS = ("\x85", "\u2028", "\u2029", "\ufeff")


class _IndexPositions:
    def __init__(self, text: str) -> None:
        self._text = text

    def __call__(self, node: Any) -> Position:
        text, index = self._text, node.start_mark.index
        line_start = max(text.rfind("\n", 0, index), text.rfind("\r", 0, index)) + 1
        line = text.count("\n", 0, index) + _lone_cr(text, index) + 1
        col = index - line_start - text.count("\ufeff", line_start, index) + 1
        return line, col


def _lone_cr(text: str, end: int) -> int:
    if "\r" not in text:
        return 0
    return text.count("\r", 0, end) - text.count("\r\n", 0, end + 1)


def positions(text: str | None) -> Callable[[Any], Position]:
    """How to turn a node of ``text`` into its position."""
    if text is not None and any(ch in text for ch in _YAML11_BREAKS):
        return _IndexPositions(text)
    return _pos


def _is_null(node: Any) -> bool:
    ctag = node.ctag
    tag = str(ctag.suffix) if ctag.handle is None else str(ctag)
    return tag == _NULL


def _kind(node: Any) -> str:
    """ "mapping", "sequence" or "scalar" (ruamel's node ids)."""
    return str(node.id)


def _entry(node: Any, step: PathItem) -> tuple[Any, Any] | None:
    """The (key node, value node) of ``step`` in a mapping node, if it is written there.

    The builder keeps keys as written (text); documents built by ruamel's constructor (merge
    keys) may have typed keys (``200:`` -> 200), which match their text too. Keys are unique
    (the loader refuses duplicates); a key merged in with ``<<`` is not written there.
    """
    text = step if isinstance(step, str) else str(step)
    for key_node, value_node in node.value:
        if _kind(key_node) == "scalar" and key_node.value == text:
            return key_node, value_node
    return None


def locate(
    root: Any, path: tuple[PathItem, ...], on_key: bool, where: Callable[[Any], Position] = _pos
) -> Position:
    """1-based (line, col) of the node at ``path`` under ``root``; see the module docstring.

    ``where`` gives a node's position (``positions(text)``: the marks, or the index for text
    with YAML 1.1-only line breaks)."""
    position = where(root)
    node = root
    last = len(path) - 1
    for index, step in enumerate(path):
        kind = _kind(node)
        if kind == "sequence":
            items = node.value
            if not (isinstance(step, int) and 0 <= step < len(items)):
                break
            node = items[step]
            position = where(node)
        elif kind == "mapping":
            found = _entry(node, step)
            if found is None:
                break
            key_node, node = found
            use_key = (on_key and index == last) or _is_null(node)
            position = where(key_node if use_key else node)
        else:
            break
    return position


@dataclass(frozen=True)
class _Top:
    key: Position
    value: Position
    null: bool
    collection: bool  # paths deeper than this key need the whole document


@dataclass(frozen=True)
class TopPositions:
    """Where the document and each of its top-level keys and values start (picklable)."""

    start: Position
    keys: dict[str, _Top]

    @classmethod
    def of(cls, root: Any, text: str | None = None) -> TopPositions:
        where = positions(text)
        keys: dict[str, _Top] = {}
        if _kind(root) == "mapping":
            for key_node, value_node in root.value:
                if _kind(key_node) == "scalar":
                    keys[key_node.value] = _Top(
                        where(key_node),
                        where(value_node),
                        _is_null(value_node),
                        _kind(value_node) != "scalar",
                    )
        return cls(where(root), keys)

    def locate(self, path: tuple[PathItem, ...], on_key: bool) -> Position | None:
        """Like ``locate``; None when the answer needs more of the document than this."""
        if not path:
            return self.start
        step = path[0] if isinstance(path[0], str) else str(path[0])
        top = self.keys.get(step)
        if top is None:
            return self.start
        if len(path) > 1 and top.collection:
            return None
        use_key = (on_key and len(path) == 1) or top.null
        return top.key if use_key else top.value


def to_problems(
    display: str, text: str, findings: Iterable[Finding], root: Any = None
) -> list[Problem]:
    """Locate every finding of one file against its root node (re-composed from ``text`` with
    the C parser when not given: the parent's project findings deeper than the top level)."""
    found = list(findings)
    if not found:
        return []
    if root is None:
        root = compose(text)
    where = positions(text)
    out: list[Problem] = []
    for f in found:
        line, col = locate(root, f.path, f.on_key, where) if root is not None else (1, 1)
        out.append(_problem(display, text, f, line, col))
    return out


def top_to_problems(
    display: str, text: str, findings: Iterable[Finding], top: TopPositions | None
) -> list[Problem]:
    """Locate findings with the top-level summary, falling back to ``to_problems``."""
    out: list[Problem] = []
    for f in findings:
        position = top.locate(f.path, f.on_key) if top is not None else None
        if position is None:
            out.extend(to_problems(display, text, [f]))
        else:
            out.append(_problem(display, text, f, *position))
    return out


def _problem(display: str, text: str, f: Finding, line: int, col: int) -> Problem:
    if f.offset is not None:
        line, col = position_in_scalar(text, line, col, f.offset)
    return Problem(f.rule, f.severity, f.message, display, line, col, f.hint)


def compose(text: str) -> Any:
    """The root node of ``text`` (None if it cannot be composed; the loader reported why)."""

    try:
        return compose_root(text)
    except Exception:  # the file loaded before; if it does not now, every finding is at 1:1
        return None
