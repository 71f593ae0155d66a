"""Which node a case means, and what it produces (the parts the CLI tests do not reach)."""

from __future__ import annotations

from typing import Any

import pytest

from syncspec.nodetest.js.values import UNDEFINED
from syncspec.nodetest.nodes import Node, NodeFailed, find_node, produces, runs

LEGACY: dict[str, Any] = {
    "default_runtime_version": 2,
    "resources": [
        {"resource": "ticketing/tickets", "method": "list"},
        {"resource": "ticketing/tickets", "method": "get", "id": "{{args.ticket_id}}"},
        {"resource": "ticketing/comments", "method": "list", "query": {"t": "{{x.id:int}}"}},
    ],
}


def _node(job: dict[str, Any], name: str) -> Node:
    node = find_node(job, name)
    assert isinstance(node, Node), node
    return node


def test_a_legacy_resource_is_named_by_its_resource_and_if_needed_its_method() -> None:
    assert find_node(LEGACY, "ticketing/tickets") == (
        "several resources are 'ticketing/tickets': name one with its method "
        "(ticketing/tickets#list, ticketing/tickets#get)"
    )
    node = _node(LEGACY, "ticketing/tickets#get")
    assert produces(node, {"args": {"ticket_id": "7"}}) == {"id": "7"}
    assert produces(_node(LEGACY, "ticketing/comments"), {"x": {"id": "3"}}) == {"query": {"t": 3}}
    assert runs(node, {}) is True


def test_v4_nodes_are_named_by_name() -> None:
    job = {"default_runtime_version": 4, "resources": [{"name": "a", "type": "event"}]}
    assert find_node(job, "b") == "the job has no node 'b' (nodes: a)"
    assert find_node({"resources": None}, "a") == "the job has no resources"


@pytest.mark.parametrize(
    ("run_if", "expected"),
    [("0", False), ("''", False), ("[]", True), ("{}", True), ("nothing.here", False)],
)
def test_run_if_uses_javascript_truthiness(run_if: str, expected: bool) -> None:
    node = Node(0, "n", "event", {"name": "n", "type": "event", "run_if": run_if})
    assert runs(node, {}) is expected


def test_update_state_value_expression_wins_over_value() -> None:
    config = {"key": "k", "value": "{{a}}", "value_expression": "b"}
    node = Node(0, "s", "update_state", {"name": "s", "type": "update_state", "config": config})
    assert produces(node, {"a": 1, "b": 2}) == 2
    assert produces(node, {"a": 1}) is UNDEFINED  # undefined: Truto skips the write


def test_a_non_text_expression_fails_clearly() -> None:
    node = Node(0, "t", "transform", {"name": "t", "type": "transform", "config": {}})
    with pytest.raises(NodeFailed, match=r"^`config.expression` is not a JSONata expression"):
        produces(node, {})
