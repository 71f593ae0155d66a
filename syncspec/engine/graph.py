"""The graph of a job's resources, as data (pure): what ``syncspec graph`` and the markdown plan
draw.

V4 nodes are joined by ``depends_on`` (upstream -> node) and, for destinations, by
``resources_to_persist`` (persisted node -> destination): Truto's destinations do not
``depends_on`` what they persist (truto-api.md), so without those edges a destination would float
alone. Legacy resources have ``depends_on`` too (the parent's ``resource`` name), so they are
drawn the same way. Names that match nothing are left out of the edges: ``validate`` reports them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from syncspec.engine.diff import pointer_tokens
from syncspec.engine.model import FieldChange
from syncspec.jobfile.shape.runtime import canonical_runtime_version

EdgeKind = Literal["depends_on", "persists"]
Mark = Literal["changed", "added"]


@dataclass(frozen=True)
class GraphNode:
    index: int  # position in ``resources``
    name: str  # V4 ``name``; legacy ``resource``
    type: str  # V4 ``type``; legacy: "legacy"
    detail: str = ""  # request/legacy: "resource method"; destination: its destination_type


@dataclass(frozen=True)
class GraphEdge:
    source: int
    target: int
    kind: EdgeKind


@dataclass(frozen=True)
class JobGraph:
    label: str
    v4: bool
    nodes: list[GraphNode] = field(default_factory=list)
    edges: list[GraphEdge] = field(default_factory=list)


def _names(value: Any) -> list[str]:
    """``depends_on`` / ``resources_to_persist``: one name or a list of names."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def is_v4(job: Mapping[str, Any]) -> bool:
    resources = job.get("resources")
    if canonical_runtime_version(job.get("default_runtime_version")) == 4:
        return True
    return isinstance(resources, list) and any(
        isinstance(r, dict) and "type" in r and "name" in r for r in resources
    )


def job_graph(job: Mapping[str, Any]) -> JobGraph:
    """The nodes and edges of ``job`` (a job file's data or a canonical job body)."""
    resources = job.get("resources")
    items = [r for r in resources if isinstance(r, dict)] if isinstance(resources, list) else []
    v4 = is_v4(job)
    nodes: list[GraphNode] = []
    for index, item in enumerate(items):
        if v4:
            kind = str(item.get("type", "?"))
            detail = ""
            if kind == "request":
                detail = " ".join(str(item[k]) for k in ("resource", "method") if k in item)
            elif kind == "destination" and "destination_type" in item:
                detail = str(item["destination_type"])
            nodes.append(GraphNode(index, str(item.get("name", f"#{index}")), kind, detail))
        else:
            name = str(item.get("resource", f"#{index}"))
            nodes.append(GraphNode(index, name, "legacy", str(item.get("method", ""))))
    by_name: dict[str, int] = {}
    for node in nodes:
        by_name.setdefault(node.name, node.index)  # duplicates: a validate error; first wins
    edges: list[GraphEdge] = []
    seen: set[tuple[int, int, str]] = set()

    def add(source: str, target: int, kind: EdgeKind) -> None:
        if source in by_name and (by_name[source], target, kind) not in seen:
            seen.add((by_name[source], target, kind))
            edges.append(GraphEdge(by_name[source], target, kind))

    for index, item in enumerate(items):
        for parent in _names(item.get("depends_on")):
            add(parent, index, "depends_on")
        if v4 and item.get("type") == "destination":
            for persisted in _names(item.get("resources_to_persist")):
                add(persisted, index, "persists")
    return JobGraph(label=str(job.get("label", "")), v4=v4, nodes=nodes, edges=edges)


def changed_nodes(changes: Iterable[FieldChange]) -> dict[int, Mark]:
    """Which resource items (by index in the new job) an update adds or changes.

    Pointers address the new job, except a whole removed item (its index in the live job), so
    removals mark nothing here: a removed node is not in the picture of the new job.
    """
    marks: dict[int, Mark] = {}
    for change in changes:
        tokens = pointer_tokens(change.pointer)
        if len(tokens) < 2 or tokens[0] != "resources" or not tokens[1].isdigit():
            continue
        index = int(tokens[1])
        whole = len(tokens) == 2
        if whole and change.kind == "removed":
            continue
        if whole and change.kind == "added":
            marks[index] = "added"
        else:
            marks.setdefault(index, "changed")
    return marks


def removed_nodes(changes: Sequence[FieldChange]) -> list[str]:
    """Names of the whole resource items an update removes (they are not in the new graph)."""
    names: list[str] = []
    for change in changes:
        tokens = pointer_tokens(change.pointer)
        if change.kind == "removed" and len(tokens) == 2 and tokens[0] == "resources":
            item = change.old
            if isinstance(item, dict):
                names.append(str(item.get("name", item.get("resource", tokens[1]))))
    return names
