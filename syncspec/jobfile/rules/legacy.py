"""Rules for legacy resources (runtime versions 1-3): SS2xx.

Source: truto-api.md, "Legacy resources". ``depends_on`` names the parent by its ``resource``;
the parent's record is available to the child as ``{{resources.crm.contacts.id}}``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules import depgraph
from syncspec.jobfile.rules.kit import did_you_mean, finding
from syncspec.jobfile.rules.placeholders import Scope, check_values, dotted

SS201 = Rule("SS201", Severity.ERROR, "resource is not unified_api/resource or a proxy name")
SS202 = Rule("SS202", Severity.WARNING, "method is not list/get/create/update/delete")
SS203 = Rule("SS203", Severity.ERROR, "depends_on names a resource that is not in this job")
SS204 = Rule("SS204", Severity.ERROR, "depends_on forms a cycle")
SS205 = Rule("SS205", Severity.ERROR, "loop_on names an argument not declared in args_schema")
SS206 = Rule("SS206", Severity.ERROR, "loop_on names an argument that is not an array")
SS207 = Rule("SS207", Severity.WARNING, "the same resource and method appear twice")
RULES: tuple[Rule, ...] = (SS201, SS202, SS203, SS204, SS205, SS206, SS207)

METHODS: frozenset[str] = frozenset({"list", "get", "create", "update", "delete"})
_RESOURCE = re.compile(r"[A-Za-z0-9_][\w\-]*(?:/[A-Za-z0-9_][\w\-]*)?\Z")
# loop_on spellings: user_ids, args.user_ids, {{args.user_ids}}, {{ args.user_ids }}
_LOOP_ON = re.compile(r"\s*(?:\{\{\s*)?(?:args\.)?([\w\-]+)(?:\s*\}\})?\s*\Z")
# Keys whose values are not placeholder templates.
_NOT_TEMPLATES = frozenset({"resource", "method", "depends_on", "persist", "loop_on"})

Path = tuple[PathItem, ...]


def check_resource_name(value: object, at: Path) -> list[Finding]:
    """SS201 for one ``resource`` value (shared with V4 request nodes)."""
    if not isinstance(value, str) or "{{" in value or _RESOURCE.match(value):
        return []
    candidate = value.strip().strip("/").replace(".", "/").replace(" ", "")
    hint = (
        f'did you mean "{candidate}"?'
        if candidate != value and _RESOURCE.match(candidate)
        else 'write "unified_api/resource" (e.g. "crm/contacts") or a proxy name (e.g. "contacts")'
    )
    return [
        finding(
            SS201,
            f'resource "{value}" is neither "unified_api/resource" nor a bare proxy resource name',
            at,
            hint=hint,
        )
    ]


def check_method(value: object, at: Path) -> list[Finding]:
    """SS202 for one ``method`` value (shared with V4 request nodes)."""
    if not isinstance(value, str) or value in METHODS or "{{" in value:
        return []
    hint = did_you_mean(value.lower(), METHODS) or "integration-specific methods are allowed"
    return [
        finding(
            SS202,
            f'method "{value}" is not one of {", ".join(sorted(METHODS))}; '
            "fine only if it is an integration-specific method",
            at,
            hint=hint,
        )
    ]


def _loop_on(
    value: object, at: Path, args: Mapping[str, str | None], has_schema: bool
) -> list[Finding]:
    if not isinstance(value, str):
        return []
    match = _LOOP_ON.match(value)
    if match is None:
        return []
    name = match.group(1)
    if name not in args:
        hint = did_you_mean(name, args) or (
            f"declare it in args_schema: {name}: {{type: array, items: {{type: string}}}}"
        )
        why = (
            "which args_schema does not declare" if has_schema else "but the job has no args_schema"
        )
        return [
            finding(
                SS205,
                f'loop_on names the argument "{name}", {why}',
                at,
                hint=hint,
            )
        ]
    kind = args[name]
    if kind is not None and kind != "array":
        return [
            finding(
                SS206,
                f'loop_on names the argument "{name}", declared as "{kind}": loop_on repeats the '
                "resource for each item of an array argument",
                at,
                hint=f"declare {name} with type: array",
            )
        ]
    return []


def check(resources: list[Any], args: Mapping[str, str | None], has_schema: bool) -> list[Finding]:
    """All SS2xx findings, plus SS4xx for the placeholders inside the resources."""
    out: list[Finding] = []
    # (dict, Mapping): the parsed data's mappings are dicts, and dict is the cheap check
    items = {i: r for i, r in enumerate(resources) if isinstance(r, (dict, Mapping))}
    by_name: dict[str, list[int]] = {}
    for i, item in items.items():
        name = item.get("resource")
        if isinstance(name, str):
            by_name.setdefault(name, []).append(i)

    parents: dict[int, list[int]] = {}
    broken: set[int] = set()  # items whose depends_on names nothing
    first_pair: dict[tuple[str, str], int] = {}
    for i, item in items.items():
        base: Path = ("resources", i)
        out.extend(check_resource_name(item.get("resource"), (*base, "resource")))
        out.extend(check_method(item.get("method"), (*base, "method")))
        parents[i] = []
        dep = item.get("depends_on")
        if isinstance(dep, str):
            if dep in by_name:
                # A "get" may depend on the "list" of the same resource: only itself is a loop.
                others = [j for j in by_name[dep] if j != i]
                parents[i] = others or [i]
            else:
                broken.add(i)
                out.append(
                    finding(
                        SS203,
                        f'depends_on names "{dep}", which is not a resource of this job',
                        (*base, "depends_on"),
                        hint=did_you_mean(dep, by_name)
                        or "depends_on takes the resource name of another item, e.g. crm/contacts",
                    )
                )
        out.extend(_loop_on(item.get("loop_on"), (*base, "loop_on"), args, has_schema))
        pair = (item.get("resource"), item.get("method"))
        if isinstance(pair[0], str) and isinstance(pair[1], str):
            key = (pair[0], pair[1])
            if key in first_pair:
                out.append(
                    finding(
                        SS207,
                        f'resource "{key[0]}" with method "{key[1]}" already appears at '
                        f"resources[{first_pair[key]}]",
                        (*base, "resource"),
                        hint="merge the two items, or remove one",
                    )
                )
            else:
                first_pair[key] = i

    for loop in depgraph.cycles(parents):
        first = min(loop)
        names = [str(items[i].get("resource")) for i in loop]
        # present the cycle starting from the item that is reported
        k = loop.index(first)
        ordered = names[k:] + names[:k]
        out.append(
            finding(
                SS204,
                "depends_on forms a cycle: " + " -> ".join([*ordered, ordered[0]]),
                ("resources", first, "depends_on"),
                hint="a resource cannot (indirectly) depend on itself",
            )
        )

    names_dotted = {name: dotted(name) for name in by_name}
    ancestry = depgraph.Ancestry(parents)
    unknown = broken | ancestry.tangled | ancestry.below(broken)
    for i, item in items.items():
        scope = Scope(
            args=args,
            has_args_schema=has_schema,
            names=names_dotted,
            upstream=depgraph.UpstreamNames(ancestry, by_name, (i,)),
            where=f'resource "{item.get("resource")}"',
            upstream_known=i not in unknown,
        )
        pairs: list[tuple[Path, object]] = []
        for key, value in item.items():
            if not isinstance(key, str):
                continue
            if key == "loop_on" and isinstance(value, str) and _LOOP_ON.match(value):
                continue  # checked by SS205/SS206
            if key in _NOT_TEMPLATES and isinstance(value, str | bool):
                continue
            pairs.append((("resources", i, key), value))
        check_values(pairs, scope, out)
    return out
