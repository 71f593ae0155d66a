"""The add_context reachability rule (SS321): a bare ``{{key}}`` set by an add_context node that
is not upstream of the node using it.

An ``add_context`` node merges the object its expression returns into the context of the nodes
downstream of it (through ``depends_on``; a destination sees what the nodes it persists see), so
its keys become top-level placeholders (``{{last_synced_at}}``). Anywhere else the key is
undefined and Truto sends the literal ``{{last_synced_at}}`` text. Truto's own incremental-sync
example has exactly this slip (its request depends on the get_state node, not on the add_context
that sets the key). The keys are known statically when the expression is an object constructor
(``{ "last_synced_at": ... }``); other expressions set unknown keys and are not checked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules.jsonata import context_keys
from syncspec.jobfile.rules.kit import finding, node_label
from syncspec.jobfile.rules.placeholder_syntax import Placeholder
from syncspec.jobfile.rules.placeholders import at_placeholder

SS321 = Rule(
    "SS321",
    Severity.WARNING,
    "placeholder uses an add_context key from a node that is not upstream",
)
RULES: tuple[Rule, ...] = (SS321,)

Path = tuple[PathItem, ...]
# Roots that never come from add_context (reserved by Truto's context).
_RESERVED = frozenset(
    {"args", "resources", "sync_job_run", "tenant_id", "payload", "total_records_size"}
)


def _setters(nodes: Mapping[int, Mapping[str, Any]]) -> dict[str, list[int]]:

    out: dict[str, list[int]] = {}
    for i, node in nodes.items():
        config = node.get("config")
        if node.get("type") != "add_context" or not isinstance(config, Mapping):
            continue
        if not isinstance(node.get("name"), str):
            continue  # nothing can depend on it (SS320 reports it)
        expression = config.get("expression")
        if not isinstance(expression, str) or not expression.strip():
            continue
        for key in sorted(context_keys(expression) or ()):
            out.setdefault(key, []).append(i)
    return out


def check_context_keys(
    nodes: Mapping[int, Mapping[str, Any]],
    reach: Mapping[int, set[int]],
    found: Mapping[int, list[tuple[Path, Placeholder]]],
    out: list[Finding],
) -> None:
    """SS321 for every bare placeholder path whose add_context setters are all out of reach."""
    if not any(n.get("type") == "add_context" for n in nodes.values()):
        return
    setters = _setters(nodes)
    if not setters:
        return
    for i, placeholders in found.items():
        for at, ph in placeholders:
            for path in ph.paths:
                key = path.split(".", 1)[0]
                where = setters.get(key)
                if key in _RESERVED or not where or any(s in reach[i] for s in where):
                    continue
                setter_name = nodes[where[0]]["name"]
                first = len(out)
                out.append(
                    finding(
                        SS321,
                        f'{ph.text} in node {node_label(i, nodes[i])} reads "{key}", which '
                        f'add_context node "{setter_name}" sets only for the nodes downstream of '
                        "it: here it is undefined and Truto sends the placeholder text",
                        at,
                        hint=f"depends_on: {setter_name} (or depend on a node downstream of it)",
                    )
                )
                at_placeholder(out, first, ph)
