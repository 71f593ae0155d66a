"""What one node of a job produces for a given input document, and whether it runs.

- ``add_context``, ``transform``: the value of ``config.expression``;
- ``update_state``: ``config.value_expression`` (JSONata; it wins, as on Truto) or the resolved
  ``config.value`` placeholder;
- ``get_state``: the resolved ``config.default`` (what the node yields while the cell is unset);
- ``request``: ``{id, query, body, integrated_account_id}`` as far as the node has them,
  placeholders resolved; a string ``query``/``body`` is a JSONata expression;
- ``destination``: its resolved ``config``;
- a legacy resource (runtime 1-3): its resolved ``id`` and ``query``.

``runs`` evaluates ``run_if`` (absent = runs) with JavaScript's truthiness, which Truto applies.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from syncspec.jobfile.rules.kit import did_you_mean
from syncspec.nodetest.expressions import ExpressionFailed, evaluate
from syncspec.nodetest.js.values import UNDEFINED, js_truthy
from syncspec.nodetest.placeholders import PlaceholderError, replace_placeholders, to_json_value


class NodeFailed(Exception):
    """The node cannot produce a value: a broken expression, a failing placeholder, ...

    ``field`` is the key path of the offending value inside the node; ``offset`` a character
    index into it (a JSONata error position), both for pointing at the job file.
    """

    def __init__(
        self,
        message: str,
        field: tuple[str | int, ...] = (),
        offset: int | None = None,
        budget: bool = False,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.offset = offset
        self.budget = budget  # it went over a budget of the case


@dataclass(frozen=True)
class Node:
    index: int  # in the job's resources
    name: str  # V4 name, or the legacy resource
    type: str  # V4 type, or "resource" (legacy)
    data: dict[str, Any]


def find_node(job: dict[str, Any], name: str) -> Node | str:
    """The node called ``name`` in ``job``, or why there is none."""
    resources = job.get("resources")
    if not isinstance(resources, list):
        return "the job has no resources"
    v4 = job.get("default_runtime_version") == 4 or any(
        isinstance(r, dict) and "type" in r and "name" in r for r in resources
    )
    candidates: list[Node] = []
    names: list[str] = []
    for index, item in enumerate(resources):
        if not isinstance(item, dict):
            continue
        if v4:
            label = item.get("name")
            if isinstance(label, str):
                names.append(label)
                if label == name:
                    candidates.append(Node(index, label, str(item.get("type")), item))
            continue
        resource, method = item.get("resource"), item.get("method")
        if isinstance(resource, str):
            names.append(resource)
            if name in (resource, f"{resource}#{method}"):
                candidates.append(Node(index, resource, "resource", item))
    if len(candidates) == 1:
        return candidates[0]
    if len(candidates) > 1:
        methods = ", ".join(f"{name}#{c.data.get('method')}" for c in candidates)
        return f"several resources are {name!r}: name one with its method ({methods})"

    kind = "node" if v4 else "resource"
    hint = did_you_mean(name, names)
    known = ", ".join(dict.fromkeys(names)) or "none"
    return f"the job has no {kind} {name!r}" + (f" ({hint})" if hint else f" ({kind}s: {known})")


def _expression(node: Node, field: tuple[str | int, ...], given: Any) -> Any:
    text = _at(node.data, field)
    if not isinstance(text, str):
        raise NodeFailed(f"`{'.'.join(map(str, field))}` is not a JSONata expression (text)", field)
    try:
        return evaluate(text, given)
    except ExpressionFailed as exc:
        raise NodeFailed(exc.message, field, exc.offset, exc.budget) from None


def _at(data: Any, field: tuple[str | int, ...]) -> Any:
    for step in field:
        if isinstance(data, dict) and step in data:
            data = data[step]
        else:
            return UNDEFINED
    return data


def _placeholders(node: Node, field: tuple[str | int, ...], given: Any) -> Any:

    try:
        return replace_placeholders(_at(node.data, field), given)
    except PlaceholderError as exc:
        raise NodeFailed(str(exc), (*field, *exc.path)) from None


def produces(node: Node, given: Any) -> Any:
    """The value ``node`` produces on ``given`` (JSON; ``UNDEFINED`` for nothing)."""

    kind, data = node.type, node.data
    config = data.get("config") if isinstance(data.get("config"), dict) else {}
    assert isinstance(config, dict)
    if kind in ("add_context", "transform"):
        return _expression(node, ("config", "expression"), given)
    if kind == "update_state":
        if "value_expression" in config:
            return _expression(node, ("config", "value_expression"), given)
        return to_json_value(_placeholders(node, ("config", "value"), given))
    if kind == "get_state":
        return to_json_value(_placeholders(node, ("config", "default"), given))
    if kind == "destination":
        return to_json_value(_placeholders(node, ("config",), given))
    if kind in ("request", "resource"):
        fields: tuple[str, ...] = ("id", "query", "body", "integrated_account_id")
        if kind == "resource":
            fields = ("id", "query")
        out: dict[str, Any] = {}
        for key in fields:
            if key not in data:
                continue
            value = data[key]
            if key in ("query", "body") and isinstance(value, str) and kind == "request":
                out[key] = _expression(node, (key,), given)
            else:
                out[key] = _placeholders(node, (key,), given)
        return to_json_value(out)
    raise NodeFailed(
        f"a {kind} node produces nothing to compare with `expect`; "
        "test whether it runs with `expect_run`"
    )


def runs(node: Node, given: Any) -> bool:
    """Whether the node runs on ``given`` (its ``run_if``; absent = true)."""
    if "run_if" not in node.data or node.data["run_if"] is None:
        return True
    return js_truthy(_expression(node, ("run_if",), given))
