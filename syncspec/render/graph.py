"""A job's resource graph (``syncspec.engine.graph``) as Mermaid or Graphviz DOT.

Mermaid is what GitHub draws in a comment (a ```` ```mermaid ```` block). Node ids are generated
(``n0``, ``n1``, ...), never taken from the job, and every label character outside a small safe
set becomes a Mermaid entity code (``#34;``), so a node name with quotes, brackets, pipes,
``-->``, ``%%``, backticks or HTML can neither break the diagram nor inject into it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from syncspec.engine.graph import GraphNode, JobGraph, Mark

# Mermaid shape brackets per node type: open, close (the label goes in quotes between them)
_MERMAID_SHAPE = {
    "request": ("[", "]"),
    "transform": ("[/", "/]"),
    "add_context": ("[\\", "\\]"),
    "spool": ("[[", "]]"),
    "get_state": ("[(", ")]"),
    "update_state": ("[(", ")]"),
    "delete_state": ("[(", ")]"),
    "event": ("((", "))"),
    "destination": ("{{", "}}"),
    "legacy": ("[", "]"),
}
_MERMAID_FILL = {
    "request": "#ddf4ff,stroke:#0969da",
    "transform": "#fbefff,stroke:#8250df",
    "add_context": "#fbefff,stroke:#8250df",
    "spool": "#f6f8fa,stroke:#57606a",
    "state": "#fff8c5,stroke:#9a6700",
    "event": "#ffebe9,stroke:#cf222e",
    "destination": "#dafbe1,stroke:#1a7f37",
    "legacy": "#ddf4ff,stroke:#0969da",
    "other": "#f6f8fa,stroke:#57606a",
}
_MARK_STYLE = {
    "changed": "stroke:#bf8700,stroke-width:4px,stroke-dasharray:6 3",
    "added": "stroke:#1a7f37,stroke-width:4px",
}
_MARK_WORD = {"changed": "changed", "added": "new"}
_SAFE = re.compile(r"[^A-Za-z0-9 _.,:/\-]")

_DOT_SHAPE = {
    "request": "box",
    "transform": "parallelogram",
    "add_context": "trapezium",
    "spool": "component",
    "get_state": "cylinder",
    "update_state": "cylinder",
    "delete_state": "cylinder",
    "event": "ellipse",
    "destination": "hexagon",
    "legacy": "box",
}


def mermaid_text(text: str) -> str:
    """``text`` safe inside a quoted Mermaid label: every character outside
    ``[A-Za-z0-9 _.,:/-]`` as a ``#<code>;`` entity."""
    return _SAFE.sub(lambda m: f"#{ord(m.group())};", text)


def _fill_class(node: GraphNode) -> str:
    if node.type in ("get_state", "update_state", "delete_state"):
        return "state"
    return node.type if node.type in _MERMAID_FILL else "other"


def _label_lines(node: GraphNode, mark: Mark | None) -> list[str]:
    if node.type == "legacy":
        second = node.detail or "legacy"
    else:
        second = f"{node.type}: {node.detail}" if node.detail else node.type
    lines = [node.name, second]
    if mark:
        lines[0] = f"{node.name} ({_MARK_WORD[mark]})"
    return lines


def render_mermaid(graph: JobGraph, marks: Mapping[int, Mark] | None = None) -> str:
    """A Mermaid ``flowchart`` of ``graph`` (without the code fence); ``marks`` highlights the
    nodes an update adds or changes."""
    marks = marks or {}
    out = ["flowchart TD"]
    used: set[str] = set()
    for node in graph.nodes:
        opening, closing = _MERMAID_SHAPE.get(node.type, ("(", ")"))
        label = "<br/>".join(
            mermaid_text(line) for line in _label_lines(node, marks.get(node.index))
        )
        fill = _fill_class(node)
        used.add(fill)
        out.append(f'  n{node.index}{opening}"{label}"{closing}:::t_{fill}')
    for edge in graph.edges:
        arrow = "-.->" if edge.kind == "persists" else "-->"
        out.append(f"  n{edge.source} {arrow} n{edge.target}")
    # dark text on the light fills, also under GitHub's dark theme (which lightens the text)
    out.extend(
        f"  classDef t_{name} fill:{_MERMAID_FILL[name]},color:#1f2328" for name in sorted(used)
    )
    for mark in ("added", "changed"):
        ids = [f"n{i}" for i, m in sorted(marks.items()) if m == mark]
        if ids:
            out.append(f"  classDef {mark} {_MARK_STYLE[mark]}")
            out.append(f"  class {','.join(ids)} {mark}")
    return "\n".join(out) + "\n"


def _dot_string(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "")
    return '"' + escaped.replace("\n", "\\n") + '"'


def render_dot(graph: JobGraph, marks: Mapping[int, Mark] | None = None) -> str:
    """A Graphviz ``digraph`` of ``graph``."""
    marks = marks or {}
    out = [
        f"digraph {_dot_string(graph.label or 'job')} {{",
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=11];',
    ]
    for node in graph.nodes:
        mark = marks.get(node.index)
        attrs = [
            f"label={_dot_string(chr(10).join(_label_lines(node, mark)))}",
            f"shape={_DOT_SHAPE.get(node.type, 'box')}",
        ]
        if mark:
            attrs.append(
                'penwidth=3, color="#1a7f37"' if mark == "added" else 'penwidth=3, color="#bf8700"'
            )
        out.append(f"  n{node.index} [{', '.join(attrs)}];")
    for edge in graph.edges:
        style = ' [style=dashed, label="persists"]' if edge.kind == "persists" else ""
        out.append(f"  n{edge.source} -> n{edge.target}{style};")
    out.append("}")
    return "\n".join(out) + "\n"
