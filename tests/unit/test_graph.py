"""The resource graph (engine/graph.py) and its Mermaid / DOT renderings (render/graph.py)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from syncspec.engine.graph import GraphEdge, GraphNode, changed_nodes, job_graph, removed_nodes
from syncspec.engine.model import FieldChange
from syncspec.render.graph import mermaid_text, render_dot, render_mermaid

V4 = {
    "label": "incremental",
    "default_runtime_version": 4,
    "resources": [
        {"name": "cursor", "type": "get_state", "config": {"key": "c"}},
        {
            "name": "tickets",
            "type": "request",
            "depends_on": "cursor",
            "resource": "ticketing/tickets",
            "method": "list",
        },
        {"name": "slim", "type": "transform", "depends_on": "tickets"},
        {
            "name": "out",
            "type": "destination",
            "destination_type": "webhook",
            "resources_to_persist": ["slim", "tickets", "missing"],
        },
        {"name": "done", "type": "event", "depends_on": "out"},
        {"name": "save", "type": "update_state", "depends_on": "done"},
        {"name": "ctx", "type": "add_context", "depends_on": "nowhere"},
        {"name": "pool", "type": "spool"},
        {"name": "what", "type": "future_type"},
    ],
}
LEGACY = {
    "label": "zendesk",
    "default_runtime_version": 2,
    "resources": [
        {"resource": "ticketing/users", "method": "list"},
        {"resource": "ticketing/tickets", "method": "list"},
        {"resource": "ticketing/comments", "method": "list", "depends_on": "ticketing/tickets"},
    ],
}


def test_v4_graph_has_depends_on_and_persist_edges_and_skips_unknown_names() -> None:
    graph = job_graph(V4)
    assert graph.v4 and graph.label == "incremental"
    assert graph.nodes[:4] == [
        GraphNode(0, "cursor", "get_state"),
        GraphNode(1, "tickets", "request", "ticketing/tickets list"),
        GraphNode(2, "slim", "transform"),
        GraphNode(3, "out", "destination", "webhook"),
    ]
    assert graph.edges == [
        GraphEdge(0, 1, "depends_on"),
        GraphEdge(1, 2, "depends_on"),
        GraphEdge(2, 3, "persists"),
        GraphEdge(1, 3, "persists"),
        GraphEdge(3, 4, "depends_on"),
        GraphEdge(4, 5, "depends_on"),
    ]


def test_legacy_graph_follows_depends_on_by_resource_name() -> None:
    graph = job_graph(LEGACY)
    assert not graph.v4
    assert [(n.name, n.type, n.detail) for n in graph.nodes] == [
        ("ticketing/users", "legacy", "list"),
        ("ticketing/tickets", "legacy", "list"),
        ("ticketing/comments", "legacy", "list"),
    ]
    assert graph.edges == [GraphEdge(1, 2, "depends_on")]


def test_changed_and_removed_nodes_from_an_update() -> None:
    changes = [
        FieldChange(pointer="/mutex_key", kind="added", new="m"),
        FieldChange(pointer="/resources/1/query/a", kind="changed", old=1, new=2),
        FieldChange(pointer="/resources/2", kind="added", new={"name": "n"}),
        FieldChange(pointer="/resources/3", kind="moved", from_pointer="/resources/0"),
        FieldChange(pointer="/resources/0", kind="removed", old={"name": "gone"}),
        FieldChange(pointer="/resources/4", kind="removed", old={"resource": "crm/x"}),
    ]
    assert changed_nodes(changes) == {1: "changed", 2: "added", 3: "changed"}
    assert removed_nodes(changes) == ["gone", "crm/x"]


def test_mermaid_exact_with_a_shape_per_type() -> None:
    assert render_mermaid(job_graph(V4), {1: "changed", 2: "added"}) == (
        "flowchart TD\n"
        '  n0[("cursor<br/>get_state")]:::t_state\n'
        '  n1["tickets #40;changed#41;<br/>request: ticketing/tickets list"]:::t_request\n'
        '  n2[/"slim #40;new#41;<br/>transform"/]:::t_transform\n'
        '  n3{{"out<br/>destination: webhook"}}:::t_destination\n'
        '  n4(("done<br/>event")):::t_event\n'
        '  n5[("save<br/>update_state")]:::t_state\n'
        '  n6[\\"ctx<br/>add_context"\\]:::t_add_context\n'
        '  n7[["pool<br/>spool"]]:::t_spool\n'
        '  n8("what<br/>future_type"):::t_other\n'
        "  n0 --> n1\n"
        "  n1 --> n2\n"
        "  n2 -.-> n3\n"
        "  n1 -.-> n3\n"
        "  n3 --> n4\n"
        "  n4 --> n5\n"
        "  classDef t_add_context fill:#fbefff,stroke:#8250df,color:#1f2328\n"
        "  classDef t_destination fill:#dafbe1,stroke:#1a7f37,color:#1f2328\n"
        "  classDef t_event fill:#ffebe9,stroke:#cf222e,color:#1f2328\n"
        "  classDef t_other fill:#f6f8fa,stroke:#57606a,color:#1f2328\n"
        "  classDef t_request fill:#ddf4ff,stroke:#0969da,color:#1f2328\n"
        "  classDef t_spool fill:#f6f8fa,stroke:#57606a,color:#1f2328\n"
        "  classDef t_state fill:#fff8c5,stroke:#9a6700,color:#1f2328\n"
        "  classDef t_transform fill:#fbefff,stroke:#8250df,color:#1f2328\n"
        "  classDef added stroke:#1a7f37,stroke-width:4px\n"
        "  class n2 added\n"
        "  classDef changed stroke:#bf8700,stroke-width:4px,stroke-dasharray:6 3\n"
        "  class n1 changed\n"
    )


def test_mermaid_legacy() -> None:
    assert render_mermaid(job_graph(LEGACY)) == (
        "flowchart TD\n"
        '  n0["ticketing/users<br/>list"]:::t_legacy\n'
        '  n1["ticketing/tickets<br/>list"]:::t_legacy\n'
        '  n2["ticketing/comments<br/>list"]:::t_legacy\n'
        "  n1 --> n2\n"
        "  classDef t_legacy fill:#ddf4ff,stroke:#0969da,color:#1f2328\n"
    )


HOSTILE = 'x"]\n  click n0 "javascript:alert(1)" %% --> n1[<img src=x onerror=alert(1)>`|end;'


def test_mermaid_labels_cannot_inject() -> None:
    job = {"default_runtime_version": 4, "resources": [{"name": HOSTILE, "type": "spool"}]}
    text = render_mermaid(job_graph(job))
    lines = text.splitlines()
    assert len(lines) == 3  # no statement smuggled in through the name
    label = lines[1].removeprefix('  n0[["').removesuffix('<br/>spool"]]:::t_spool')
    assert re.fullmatch(r"[A-Za-z0-9 _.,:/#;-]*", label)
    assert label.startswith("x#34;#93;#10;  click n0 #34;javascript:alert#40;1#41;#34; #37;#37; ")


@given(st.text())
def test_mermaid_text_is_safe_and_lossless(text: str) -> None:
    escaped = mermaid_text(text)
    assert re.fullmatch(r"[A-Za-z0-9 _.,:/#;-]*", escaped)
    decoded = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), escaped)
    assert decoded == text


def test_dot_exact_and_escaped() -> None:
    job = {
        "label": 'say "hi"\\',
        "default_runtime_version": 4,
        "resources": [
            {"name": 'a"b', "type": "request", "resource": "crm/x", "method": "list"},
            {"name": "sink", "type": "destination", "resources_to_persist": ['a"b']},
        ],
    }
    assert render_dot(job_graph(job), {1: "added"}) == (
        'digraph "say \\"hi\\"\\\\" {\n'
        "  rankdir=TB;\n"
        '  node [fontname="Helvetica", fontsize=11];\n'
        '  n0 [label="a\\"b\\nrequest: crm/x list", shape=box];\n'
        '  n1 [label="sink (new)\\ndestination", shape=hexagon, penwidth=3, color="#1a7f37"];\n'
        '  n0 -> n1 [style=dashed, label="persists"];\n'
        "}\n"
    )
