"""Turning findings (key paths) into problems (``file:line:col``).

Only files with findings get here: they are re-parsed with ruamel's round-trip loader, whose
mappings and sequences remember where each key, value and item starts.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Problem
from syncspec.jobfile.scalarpos import position_in_scalar


def position_index(text: str) -> Any:
    """The round-trip document of ``text`` (None if it cannot be parsed that way)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = True
    try:
        return yaml.load(text)
    except Exception:  # the fast loader accepted it; if this one does not, fall back to 1:1
        return None


def locate(doc: Any, path: tuple[PathItem, ...], on_key: bool) -> tuple[int, int]:
    """1-based (line, col) of the node at ``path``; the deepest existing ancestor otherwise."""
    line, col = _start(doc)
    current = doc
    for index, step in enumerate(path):
        lc = getattr(current, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current):
                line, col = lc.item(step)
                current = current[step]
            elif isinstance(current, dict) and step in current:
                value = current[step]
                last = index == len(path) - 1
                # a null value has no position of its own (ruamel reports the next token's)
                line, col = lc.key(step) if (on_key and last) or value is None else lc.value(step)
                current = value
            else:
                break
        except (KeyError, IndexError, TypeError, AttributeError):
            break
    return line + 1, col + 1


def _start(node: Any, default: tuple[int, int] = (0, 0)) -> tuple[int, int]:
    lc = getattr(node, "lc", None)
    if lc is None or lc.line is None:
        return default
    return lc.line, lc.col


def to_problems(display: str, text: str, findings: Iterable[Finding]) -> list[Problem]:
    """Locate every finding of one file."""
    found = list(findings)
    if not found:
        return []
    doc = position_index(text)
    out: list[Problem] = []
    for f in found:
        line, col = locate(doc, f.path, f.on_key) if doc is not None else (1, 1)
        if f.offset is not None:
            line, col = position_in_scalar(text, line, col, f.offset)
        out.append(Problem(f.rule, f.severity, f.message, display, line, col, f.hint))
    return out
