"""Rules for V4 typed nodes (runtime version 4): SS3xx.

Source: truto-api.md, "V4 resources" and Truto's authoring checklist quoted there. Each node has
a unique ``name``, a ``type`` and at most one upstream node in ``depends_on``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules import depgraph
from syncspec.jobfile.rules import v4_context as rules_context
from syncspec.jobfile.rules.kit import did_you_mean, finding, node_label
from syncspec.jobfile.rules.legacy import check_method, check_resource_name
from syncspec.jobfile.rules.placeholder_syntax import Placeholder, is_placeholder_text
from syncspec.jobfile.rules.placeholders import Scope, at_placeholder, check_values, dotted

# Missing keys and bad enum values are also structure findings (SS103/SS104/SS106); these
# rules report them at the same paths with the node named, and validate keeps only these.
SS301 = Rule("SS301", Severity.ERROR, "V4 nodes without default_runtime_version: 4")
SS302 = Rule("SS302", Severity.ERROR, "node name is used twice")
SS303 = Rule("SS303", Severity.ERROR, "depends_on names a node that is not in this job")
SS304 = Rule("SS304", Severity.ERROR, "depends_on forms a cycle")
SS305 = Rule(
    "SS305", Severity.ERROR, "request node lacks resource, method or integrated_account_id"
)
SS306 = Rule("SS306", Severity.ERROR, "transform/add_context node lacks config.expression")
SS307 = Rule("SS307", Severity.ERROR, "state node lacks config.key")
SS308 = Rule("SS308", Severity.ERROR, "update_state lacks config.value or config.value_expression")
SS309 = Rule("SS309", Severity.ERROR, "event config.name is not start, complete or error")
SS310 = Rule("SS310", Severity.ERROR, "destination_type is not webhook, datastore or superquery")
SS311 = Rule("SS311", Severity.ERROR, "destination lacks config.id")
SS312 = Rule("SS312", Severity.ERROR, "destination persists no node")
SS313 = Rule("SS313", Severity.ERROR, "resources_to_persist names a node that is not in this job")
SS314 = Rule("SS314", Severity.ERROR, "state nodes are used but state_key is not set")
SS315 = Rule("SS315", Severity.WARNING, "incremental (stateful) job without mutex_key")
SS316 = Rule("SS316", Severity.WARNING, "destination config.id is hard-coded")
SS317 = Rule("SS317", Severity.ERROR, "update_state does not depend on a complete event")
SS318 = Rule("SS318", Severity.WARNING, "optional argument used without run_if or a default")
SS319 = Rule("SS319", Severity.ERROR, "delete_tracking is not hard or soft")
SS320 = Rule("SS320", Severity.ERROR, "node has no name")
RULES: tuple[Rule, ...] = (
    SS301, SS302, SS303, SS304, SS305, SS306, SS307, SS308, SS309, SS310,
    SS311, SS312, SS313, SS314, SS315, SS316, SS317, SS318, SS319, SS320,
    *rules_context.RULES,
)  # fmt: skip

STATE_TYPES = frozenset({"get_state", "update_state", "delete_state"})
EVENT_NAMES = frozenset({"start", "complete", "error"})
DESTINATION_TYPES = frozenset({"webhook", "datastore", "superquery"})
DELETE_TRACKING = frozenset({"hard", "soft"})
# Keys of a node that are not placeholder templates: names, flags and JSONata expressions.
_NOT_TEMPLATES = frozenset(
    {"name", "type", "depends_on", "run_if", "debug", "resources_to_persist", "destination_type"}
)
_JSONATA_CONFIG = frozenset({"expression", "value_expression"})

Path = tuple[PathItem, ...]


def _filled(value: object) -> bool:
    if isinstance(value, str):
        return bool(value.strip())
    return value is not None and value not in ([], {})


def _config(node: Mapping[str, Any]) -> Mapping[str, Any]:
    config = node.get("config")
    return config if isinstance(config, Mapping) else {}


def _text(value: object) -> str | None:
    """``value`` if it is a string (so it can be looked up in a set), else None."""
    return value if isinstance(value, str) else None


def _has_config(node: Mapping[str, Any]) -> bool:
    return isinstance(node.get("config"), Mapping)


def _config_path(node: Mapping[str, Any], base: Path) -> Path:
    return (*base, "config") if isinstance(node.get("config"), Mapping) else base


def _node_fields(i: int, node: Mapping[str, Any], kind: str | None, out: list[Finding]) -> None:
    base: Path = ("resources", i)
    name = node_label(i, node)
    config = _config(node)
    if kind == "request":
        missing = [
            key
            for key in ("resource", "method", "integrated_account_id")
            if not _filled(node.get(key))
        ]
        if missing:
            hint = (
                'integrated_account_id: "{{args.integrated_account_id}}"'
                if "integrated_account_id" in missing
                else None
            )
            out.append(
                finding(
                    SS305,
                    f"request node {name} has no {' / '.join(missing)}",
                    base,
                    hint=hint,
                )
            )
        # a blank resource or method is SS305 already
        if "resource" not in missing:
            out.extend(check_resource_name(node.get("resource"), (*base, "resource")))
        if "method" not in missing:
            out.extend(check_method(node.get("method"), (*base, "method")))
        tracking = node.get("delete_tracking")
        if tracking is not None and _text(tracking) not in DELETE_TRACKING:
            out.append(
                finding(
                    SS319,
                    f'delete_tracking is "{tracking}"; it must be "hard" or "soft"',
                    (*base, "delete_tracking"),
                    hint=did_you_mean(str(tracking), DELETE_TRACKING),
                )
            )
    elif kind in ("transform", "add_context"):
        if not isinstance(config.get("expression"), str) or not config.get("expression"):
            out.append(
                finding(
                    SS306,
                    f"{kind} node {name} has no config.expression (a JSONata expression)",
                    _config_path(node, base),
                    on_key=_has_config(node),
                )
            )
    elif kind in STATE_TYPES:
        if not _filled(config.get("key")):
            out.append(
                finding(
                    SS307,
                    f"{kind} node {name} has no config.key",
                    _config_path(node, base),
                    on_key=_has_config(node),
                )
            )
        if kind == "update_state" and not (
            _filled(config.get("value")) or _filled(config.get("value_expression"))
        ):
            out.append(
                finding(
                    SS308,
                    f"update_state node {name} has neither config.value nor "
                    "config.value_expression",
                    _config_path(node, base),
                    on_key=_has_config(node),
                    hint='e.g. value_expression: "$max(records.updated_at)"',
                )
            )
    elif kind == "event":
        event = config.get("name")
        if _text(event) not in EVENT_NAMES:
            at = (*base, "config", "name") if "name" in config else _config_path(node, base)
            key_only = "name" not in config and _has_config(node)
            shown = (
                f'"{event}"'
                if isinstance(event, str)
                else ("missing" if event is None else repr(event))
            )
            out.append(
                finding(
                    SS309,
                    f"event node {name} has config.name {shown}; it must be start, complete "
                    "or error",
                    at,
                    on_key=key_only,
                    hint=did_you_mean(event, EVENT_NAMES) if isinstance(event, str) else None,
                )
            )
    elif kind == "destination":
        _destination(i, node, out)


def _destination(i: int, node: Mapping[str, Any], out: list[Finding]) -> None:
    base: Path = ("resources", i)
    name = node_label(i, node)
    config = _config(node)
    dtype = node.get("destination_type")
    if _text(dtype) not in DESTINATION_TYPES:
        at = (*base, "destination_type") if "destination_type" in node else base
        shown = (
            f'"{dtype}"'
            if isinstance(dtype, str)
            else ("missing" if dtype is None else repr(dtype))
        )
        out.append(
            finding(
                SS310,
                f"destination node {name} has destination_type {shown}; it must be webhook, "
                "datastore or superquery",
                at,
                hint=did_you_mean(dtype, DESTINATION_TYPES) if isinstance(dtype, str) else None,
            )
        )
    dest_id = config.get("id")
    arg = f"{dtype}_id" if isinstance(dtype, str) and dtype in DESTINATION_TYPES else "webhook_id"
    if not _filled(dest_id):
        out.append(
            finding(
                SS311,
                f"destination node {name} has no config.id",
                _config_path(node, base),
                on_key=_has_config(node),
                hint=f'id: "{{{{args.{arg}}}}}"',
            )
        )
    elif isinstance(dest_id, str) and "{{" not in dest_id:
        out.append(
            finding(
                SS316,
                f'destination node {name} hard-codes config.id "{dest_id}": ids differ per '
                "environment",
                (*base, "config", "id"),
                hint=f'template it from the run arguments: id: "{{{{args.{arg}}}}}", or give '
                "it a value per profile: id: !var NAME",
            )
        )
    persist = node.get("resources_to_persist")
    if not isinstance(persist, list) or not persist:
        at = (*base, "resources_to_persist") if "resources_to_persist" in node else base
        out.append(
            finding(
                SS312,
                f"destination node {name} persists nothing: resources_to_persist must list at "
                "least one upstream node",
                at,
                hint=f"resources_to_persist: [{node.get('depends_on') or '<node name>'}]",
            )
        )


def _persist_targets(
    i: int, node: Mapping[str, Any], names: Mapping[str, list[int]], out: list[Finding]
) -> None:
    """SS313. A destination needs no depends_on to what it persists: resources_to_persist alone
    routes those nodes' records to it (every destination Truto publishes has no depends_on)."""
    persist = node.get("resources_to_persist")
    if node.get("type") != "destination" or not isinstance(persist, list):
        return
    for k, target in enumerate(persist):
        if not isinstance(target, str):
            continue
        at: Path = ("resources", i, "resources_to_persist", k)
        if target not in names:
            out.append(
                finding(
                    SS313,
                    f'resources_to_persist names "{target}", which is not a node of this job',
                    at,
                    hint=did_you_mean(target, names),
                )
            )


def check(
    data: Mapping[str, Any],
    resources: list[Any],
    args: Mapping[str, str | None],
    required: frozenset[str],
    has_schema: bool,
) -> list[Finding]:
    """All SS3xx findings, plus SS4xx for the placeholders inside the nodes."""
    out: list[Finding] = []
    if data.get("default_runtime_version") is None:
        # A declared 1-3 with V4 nodes is a structure finding (SS105). Absent is worse than the
        # structure warning (SS107) says: Truto stamps a legacy runtime, which cannot run V4 nodes.
        out.append(
            finding(
                SS301,
                "resources are V4 nodes, but default_runtime_version is not set: Truto would "
                "stamp a legacy runtime (2 or 3), which cannot run them",
                ("default_runtime_version",)
                if "default_runtime_version" in data
                else ("resources",),
                on_key="default_runtime_version" not in data,
                hint="default_runtime_version: 4",
            )
        )
    nodes = {i: r for i, r in enumerate(resources) if isinstance(r, Mapping)}
    names: dict[str, list[int]] = {}
    for i, node in nodes.items():
        name = node.get("name")
        if name is None:
            # its own finding: the structure's SS103 at this path gives way to node errors
            kind = node.get("type")
            out.append(
                finding(
                    SS320,
                    f"{kind if isinstance(kind, str) else 'the'} node at resources[{i}] has no "
                    "name: every node needs one, unique in the job (depends_on, "
                    "resources_to_persist and placeholders refer to it)",
                    ("resources", i),
                    hint="name: <unique-node-name>",
                )
            )
        if not isinstance(name, str):
            continue
        if name in names:
            out.append(
                finding(
                    SS302,
                    f'node name "{name}" is already used by resources[{names[name][0]}]',
                    ("resources", i, "name"),
                    hint="node names must be unique within a job",
                )
            )
        names.setdefault(name, []).append(i)

    parents: dict[int, list[int]] = {}
    broken: set[int] = set()  # nodes whose depends_on names nothing
    for i, node in nodes.items():
        parents[i] = []
        dep = node.get("depends_on")
        deps = [dep] if isinstance(dep, str) else dep if isinstance(dep, list) else []
        for d in deps:
            if not isinstance(d, str):
                continue
            if d in names:
                parents[i].extend(names[d])
            else:
                broken.add(i)
                out.append(
                    finding(
                        SS303,
                        f'depends_on names "{d}", which is not a node of this job',
                        ("resources", i, "depends_on"),
                        hint=did_you_mean(d, names),
                    )
                )
        _node_fields(i, node, _text(node.get("type")), out)

    for loop in depgraph.cycles(parents):
        first = min(loop)
        loop_names = [str(nodes[i].get("name")) for i in loop]
        k = loop.index(first)
        ordered = loop_names[k:] + loop_names[:k]
        out.append(
            finding(
                SS304,
                "depends_on forms a cycle: " + " -> ".join([*ordered, ordered[0]]),
                ("resources", first, "depends_on"),
                hint="the nodes of a job form a graph without cycles",
            )
        )

    ancestry = depgraph.Ancestry(parents)
    state_nodes = [i for i, n in nodes.items() if _text(n.get("type")) in STATE_TYPES]
    complete_nodes = [
        i
        for i, n in nodes.items()
        if n.get("type") == "event"
        and _config(n).get("name") == "complete"
        and isinstance(n.get("name"), str)
    ]
    complete_events = [nodes[i]["name"] for i in complete_nodes]
    # A request node's output is addressed by its resource path (resources.ticketing.tickets),
    # any other node's by its name (resources.get-last-synced-at.value): truto-api.md.
    names_dotted: dict[str, tuple[str, ...]] = {}
    renamed: dict[str, tuple[str, ...]] = {}
    for name, where in names.items():
        first_node = nodes[where[0]]
        resource = first_node.get("resource")
        if first_node.get("type") == "request" and isinstance(resource, str) and resource:
            names_dotted[name] = renamed[name] = dotted(resource)
        else:
            names_dotted[name] = dotted(name)
    reach = _Reach(nodes, names, ancestry)
    after_complete = reach.marked(complete_nodes)
    below_broken = reach.marked(sorted(broken))
    found_by_node: dict[int, list[tuple[Path, Placeholder]]] = {}
    for i, node in nodes.items():
        _persist_targets(i, node, names, out)
        if (
            node.get("type") == "update_state"
            and i not in ancestry.tangled
            and not after_complete(i)
        ):
            hint = (
                f"depends_on: {complete_events[0]}"
                if complete_events
                else "add an event node with config: {name: complete} and depend on it"
            )
            out.append(
                finding(
                    SS317,
                    f'update_state node {node_label(i, node)} does not depend on a "complete" '
                    "event: the cursor would move even when the sync fails",
                    ("resources", i, "depends_on") if "depends_on" in node else ("resources", i),
                    hint=hint,
                )
            )
        found = _node_placeholders(
            i,
            node,
            names_dotted=names_dotted,
            renamed=renamed,
            upstream=reach.names(i),
            args=args,
            has_schema=has_schema,
            upstream_known=not (i in broken or i in ancestry.tangled or below_broken(i)),
            out=out,
        )
        _optional_args(found, args, required, functools.partial(reach.gated, node=i), out)
        found_by_node[i] = found
    rules_context.check_context_keys(nodes, reach.reaches, found_by_node, out)

    if state_nodes:
        first = state_nodes[0]
        if not _filled(data.get("state_key")):
            out.append(
                finding(
                    SS314,
                    f"node {node_label(first, nodes[first])} uses run state, but the job has no "
                    "state_key to namespace it",
                    ("resources", first),
                    hint='state_key: "{{args.integrated_account_id}}"',
                )
            )
        if not _filled(data.get("mutex_key")):
            out.append(
                finding(
                    SS315,
                    "this job keeps run state (an incremental sync, usually run on a cron "
                    "trigger) but has no mutex_key: overlapping runs would race on the state",
                    ("state_key",) if "state_key" in data else ("resources", first),
                    on_key="state_key" in data,
                    hint='mutex_key: "{{args.integrated_account_id}}"',
                )
            )
    return out


class _Reach:
    """The nodes whose output (and add_context keys) each node sees: its depends_on ancestors;
    for a destination also the nodes it persists and their ancestors (their records reach it
    through resources_to_persist, without a depends_on). Asked per node and name, never built
    as a set per node (a chain would make that quadratic: issue 22)."""

    def __init__(
        self,
        nodes: Mapping[int, Mapping[str, Any]],
        names: Mapping[str, list[int]],
        ancestry: depgraph.Ancestry,
    ) -> None:
        self.nodes, self.by_name, self.ancestry = nodes, names, ancestry
        self.persisted: dict[int, frozenset[int]] = {}
        for i, node in nodes.items():
            persist = node.get("resources_to_persist")
            if node.get("type") != "destination" or not isinstance(persist, list):
                continue
            self.persisted[i] = frozenset(
                j
                for target in persist
                if isinstance(target, str)
                for j in names.get(target, [])
                if j != i
            )
        self._gates: dict[str, Callable[[int], bool]] = {}

    def reaches(self, item: int, node: int) -> bool:
        """``item``'s output reaches ``node``."""
        extra = self.persisted.get(node, frozenset())
        return (
            item in extra
            or self.ancestry.is_ancestor(item, node)
            or any(self.ancestry.is_ancestor(item, j) for j in extra)
        )

    def names(self, node: int) -> depgraph.UpstreamNames:
        extra = self.persisted.get(node, frozenset())
        return depgraph.UpstreamNames(self.ancestry, self.by_name, (node, *extra), extra)

    def marked(self, marked: list[int]) -> Callable[[int], bool]:
        """Whether a node is reached by one of the ``marked`` nodes."""
        below = self.ancestry.below(marked)
        hit = below | frozenset(marked)

        def test(node: int) -> bool:
            return node in below or any(j in hit for j in self.persisted.get(node, ()))

        return test

    def gated(self, arg: str, node: int) -> bool:
        """A run_if of the node or of a node reaching it mentions ``arg``."""
        test = self._gates.get(arg)
        if test is None:
            gates = [
                i for i, n in self.nodes.items() if n.get("run_if") and arg in str(n.get("run_if"))
            ]
            marked = self.marked(gates)
            own = frozenset(gates)

            def test(i: int) -> bool:
                return i in own or marked(i)

            self._gates[arg] = test
        return test(node)


def _node_placeholders(
    i: int,
    node: Mapping[str, Any],
    *,
    names_dotted: Mapping[str, tuple[str, ...]],
    renamed: Mapping[str, tuple[str, ...]],
    upstream: depgraph.UpstreamNames,
    args: Mapping[str, str | None],
    has_schema: bool,
    upstream_known: bool,
    out: list[Finding],
) -> list[tuple[Path, Placeholder]]:
    name = node_label(i, node)
    scope = Scope(
        args=args,
        has_args_schema=has_schema,
        names=names_dotted,
        upstream=upstream,
        where=f"node {name}",
        noun="node",
        upstream_known=upstream_known,
        renamed=renamed,
    )
    # recurse re-runs a request with its own records in scope.
    recurse_scope = Scope(
        args=args,
        has_args_schema=has_schema,
        names=names_dotted,
        upstream=upstream.with_name(str(node.get("name"))),
        where=f"node {name}",
        noun="node",
        upstream_known=upstream_known,
        renamed=renamed,
    )
    pairs: list[tuple[Path, object]] = []
    recurse_pairs: list[tuple[Path, object]] = []
    base: Path = ("resources", i)
    for key, value in node.items():
        if not isinstance(key, str) or key in _NOT_TEMPLATES:
            continue
        if key in ("body", "query") and isinstance(value, str):
            continue  # a string query or body is a JSONata expression (rules_jsonata)
        if key == "config" and isinstance(value, Mapping):
            for ckey, cvalue in value.items():
                if isinstance(ckey, str) and ckey not in _JSONATA_CONFIG:
                    pairs.append(((*base, "config", ckey), cvalue))
            continue
        if key == "recurse" and isinstance(value, Mapping):
            for rkey, rvalue in value.items():
                # `if` is JSONata, or a placeholder as in Truto's own recurse example
                # ("{{resources.knowledge-base.page-content.has_children:bool}}")
                if isinstance(rkey, str) and (rkey != "if" or is_placeholder_text(rvalue)):
                    recurse_pairs.append(((*base, "recurse", rkey), rvalue))
            continue
        pairs.append(((*base, key), value))
    found = check_values(pairs, scope, out)
    found.extend(check_values(recurse_pairs, recurse_scope, out))
    return found


def _optional_args(
    found: list[tuple[Path, Placeholder]],
    args: Mapping[str, str | None],
    required: frozenset[str],
    gated: Callable[[str], bool],
    out: list[Finding],
) -> None:
    """SS318: an optional argument used bare would send the literal placeholder text."""
    for at, ph in found:
        if len(ph.paths) != 1 or ph.default is not None or ph.tolerant:
            continue
        segments = ph.paths[0].split(".")
        if len(segments) < 2 or segments[0] != "args":
            continue
        arg = segments[1]
        if arg not in args or arg in required or gated(f"args.{arg}"):
            continue
        first = len(out)
        out.append(
            finding(
                SS318,
                f'{ph.text} uses the optional argument "{arg}" without a run_if gate or a default',
                at,
                hint=f'gate the node with run_if: "$exists(args.{arg})", add a default '
                f'"{{{{args.{arg}?:...}}}}", or declare it required: true',
            )
        )
        at_placeholder(out, first, ph)
