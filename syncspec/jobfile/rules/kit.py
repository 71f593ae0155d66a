"""Small helpers shared by the semantic rule modules: building findings and suggestions."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Rule


def finding(
    rule: Rule,
    message: str,
    path: tuple[PathItem, ...],
    *,
    hint: str | None = None,
    on_key: bool = False,
) -> Finding:
    """A ``Finding`` for ``rule`` (its id and severity come from the catalogue entry)."""
    return Finding(rule.id, rule.severity, message, path, hint, on_key)


def closest(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate most similar to ``word``, if any is similar enough."""
    import difflib  # only when there is something to suggest: keeps validate's start-up lean

    matches = difflib.get_close_matches(word, list(candidates), n=1, cutoff=cutoff)
    return matches[0] if matches else None


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """``did you mean "x"?`` for the closest candidate, or None."""
    match = closest(word, candidates, cutoff)
    return f'did you mean "{match}"?' if match is not None else None


def node_label(i: int, node: Mapping[str, Any]) -> str:
    """How messages name a V4 node: ``"list-tickets"``, or ``resources[2] (no name)``."""
    name = node.get("name")
    return f'"{name}"' if isinstance(name, str) else f"resources[{i}] (no name)"
