"""Structure checks (SS1xx): choose the resource shape, validate with the models, explain errors.

pydantic's errors are turned into findings addressed by a path into the document (union tags
stripped), one per offending node, with "did you mean" hints for unknown keys and enum values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from syncspec.jobfile.jobs import SERVER_FIELDS
from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules.project import SS603, check_label
from syncspec.jobfile.shape.corevalidate import core_schema, validation_errors
from syncspec.jobfile.shape.runtime import canonical_runtime_version

SS101 = Rule("SS101", Severity.ERROR, "unknown key")
SS102 = Rule("SS102", Severity.ERROR, "value has the wrong type")
SS103 = Rule("SS103", Severity.ERROR, "required key missing")
SS104 = Rule("SS104", Severity.ERROR, "value is not one of the allowed values, or is empty")
SS105 = Rule("SS105", Severity.ERROR, "legacy resources and V4 nodes mixed in one job")
# (SS106 is retired: "empty list" is SS104 now, or the semantic rule that names the node.)
SS107 = Rule("SS107", Severity.WARNING, "default_runtime_version not set (not managed)")
RULES: tuple[Rule, ...] = (SS101, SS102, SS103, SS104, SS105, SS107)

Shape = Literal["legacy", "v4"]
# Keys only a V4 node has / only a legacy resource has (shared: resource, method, id, query, ...).
_V4_KEYS = frozenset({"name", "type", "run_if", "debug", "integrated_account_id", "config"})
_V4_KEYS |= {"destination_type", "resources_to_persist", "body", "recurse", "delete_tracking"}
_LEGACY_KEYS = frozenset({"persist"})


_TYPE_NAMES = {
    "string": "a string",
    "int": "an integer",
    "bool": "a boolean (true/false)",
    "dict": "a mapping",
    "list": "a list",
    "model": "a mapping",
    "float": "a number",
}


def _finding(rule: Rule, message: str, path: tuple[PathItem, ...], **kw: Any) -> Finding:
    return Finding(rule.id, rule.severity, message, path, **kw)


def item_shape(item: object) -> Shape | None:
    """Which shape one resource item is written in (None: cannot tell)."""
    if not isinstance(item, (dict, Mapping)):  # dict: the cheap check
        return None
    keys = set(item)
    if keys & _V4_KEYS:
        return "v4"
    if keys & _LEGACY_KEYS or "resource" in keys or "method" in keys:
        return "legacy"
    return None


def choose_shape(data: Mapping[str, Any]) -> tuple[Shape, list[Finding], set[int]]:
    """The shape to validate ``data`` with, findings about it, and items to skip (wrong shape)."""
    findings: list[Finding] = []
    resources = data.get("resources")
    items = resources if isinstance(resources, list) else []
    shapes = [item_shape(item) for item in items]
    version = canonical_runtime_version(data.get("default_runtime_version"))
    declared: Shape | None = None
    if type(version) is int and 1 <= version <= 4:
        declared = "v4" if version == 4 else "legacy"
    if declared is None:
        known = [s for s in shapes if s is not None]
        inferred: Shape = "legacy"
        if known:
            inferred = "v4" if known.count("v4") > known.count("legacy") else known[0]
            if known.count("v4") == known.count("legacy"):
                inferred = known[0]
        if "default_runtime_version" not in data:
            which = "V4 nodes" if inferred == "v4" else "legacy resources"
            findings.append(
                _finding(
                    SS107,
                    f"default_runtime_version is not set: it will not be managed, and the "
                    f"resources are read as {which}",
                    (),
                    hint="set default_runtime_version: 4 for V4 nodes, or 1-3 for legacy",
                )
            )
        shape = inferred
    else:
        shape = declared
    skip: set[int] = set()
    for index, item_kind in enumerate(shapes):
        if item_kind is not None and item_kind != shape:
            skip.add(index)
            if declared is not None:
                message = (
                    f"this resource is a {_shape_name(item_kind)} but "
                    f"default_runtime_version is {version}, which uses {_shape_name(shape)}s"
                )
            else:
                message = (
                    f"this resource is a {_shape_name(item_kind)}; the others are "
                    f"{_shape_name(shape)}s: one job uses one shape"
                )
            findings.append(
                _finding(
                    SS105,
                    message,
                    ("resources", index),
                    hint=(
                        "V4 nodes have name/type (default_runtime_version: 4); legacy "
                        "resources have resource/method (versions 1-3)"
                    ),
                )
            )
    return shape, findings, skip


def _shape_name(shape: Shape) -> str:
    return "V4 node" if shape == "v4" else "legacy resource"


Chosen = tuple[Shape, list[Finding], set[int]]


def check_structure(data: Mapping[str, Any], chosen: Chosen | None = None) -> list[Finding]:
    """SS1xx findings (and SS603 for the label) of one parsed job document (``chosen``: its
    ``choose_shape``, when the caller has it already)."""

    shape, shape_findings, skip = choose_shape(data) if chosen is None else chosen
    findings = list(shape_findings)
    version = data.get("default_runtime_version")
    if canonical_runtime_version(version) is not version:
        # "4" is how Truto's TypeScript SDK writes 4 (and what pull may bring): the same value.
        data = {**data, "default_runtime_version": canonical_runtime_version(version)}
    errors = validation_errors(shape, data)
    if errors:
        findings.extend(_explain(shape, data, errors, skip))
    label = data.get("label")
    if isinstance(label, str) and label and not label.strip():
        findings.append(_finding(SS603, "the label is blank", ("label",)))
    elif isinstance(label, str) and label:
        findings.extend(check_label(label))
    return findings


def _explain(
    shape: Shape, data: Mapping[str, Any], errors: Iterable[Any], skip: set[int]
) -> list[Finding]:
    grouped: dict[tuple[PathItem, ...], list[tuple[Any, tuple[Any, ...]]]] = {}
    order: list[tuple[PathItem, ...]] = []
    for error in errors:
        loc = tuple(error["loc"])
        path = _data_path(data, loc, error["type"] == "missing")
        if len(path) >= 2 and path[0] == "resources" and path[1] in skip:
            continue
        key = (*path, error["type"]) if error["type"] in ("extra_forbidden", "missing") else path
        if key not in grouped:
            grouped[key] = []
            order.append(key)
        grouped[key].append((error, loc))
    return [_one(shape, data, grouped[key]) for key in order]


def _data_path(data: Any, loc: tuple[Any, ...], missing: bool) -> tuple[PathItem, ...]:
    """``loc`` without union tags: only the steps that exist in the document."""
    path: list[PathItem] = []
    current = data
    last = len(loc) - 1
    for i, step in enumerate(loc):
        if missing and i == last:
            path.append(step)
            break
        in_map = isinstance(current, Mapping) and not isinstance(step, int) and step in current
        in_list = isinstance(current, list) and isinstance(step, int) and 0 <= step < len(current)
        if in_map or in_list:
            path.append(step)
            current = current[step]
        # else: a union tag (e.g. "request", "str"), not part of the document
    return tuple(path)


def _value_at(data: Any, path: tuple[PathItem, ...]) -> Any:
    current = data
    for step in path:
        try:
            current = current[step]
        except (KeyError, IndexError, TypeError):
            return None
    return current


def _yaml_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return type(value).__name__


def _where(path: tuple[PathItem, ...]) -> str:
    out = ""
    for step in path:
        out += f"[{step}]" if isinstance(step, int) else (f".{step}" if out else str(step))
    return out or "the job"


def _one(shape: Shape, data: Any, group: list[tuple[Any, tuple[Any, ...]]]) -> Finding:
    error, loc = group[0]
    kind: str = error["type"]
    missing = kind == "missing"
    path = _data_path(data, loc, missing)
    if kind == "extra_forbidden":
        return _unknown_key(shape, loc, path)
    if missing:
        parent, name = path[:-1], path[-1]
        if path == ("label",):
            return _finding(
                SS603,
                "the job has no label: `label` is its identity across environments",
                (),
                hint="add `label: <unique-name>` at the top of the file",
            )
        return _finding(
            SS103,
            f"{_where(parent)} is missing the required key `{name}`",
            parent,
        )
    if kind == "union_tag_not_found":
        return _finding(
            SS103,
            f"{_where(path)} is missing the required key `type`",
            path,
            hint=f"one of: {', '.join(_NODE_TYPES)}",
        )
    value = _value_at(data, path)
    if kind == "union_tag_invalid":
        tag = str(_value_at(data, (*path, "type")))
        return _finding(
            SS104,
            f"unknown node type `{tag}`",
            (*path, "type"),
            hint=_suggest(tag, _NODE_TYPES) or f"one of: {', '.join(_NODE_TYPES)}",
        )
    if path == ("default_runtime_version",) and kind == "literal_error":
        return _finding(
            SS104,
            f"default_runtime_version is {_show(value)}; expected 1, 2, 3 or 4",
            path,
            hint="write the number without quotes"
            if isinstance(value, str) and value.strip() in ("1", "2", "3", "4")
            else "1-3 use legacy resources; 4, Truto's current runtime, uses V4 nodes",
        )
    if kind in ("literal_error", "enum"):
        expected = str(error.get("ctx", {}).get("expected", ""))
        options = [o.strip().strip("'\"") for o in expected.replace(" or ", ", ").split(",")]
        hint = _suggest(str(value), options) if isinstance(value, str) else None
        return _finding(
            SS104,
            f"{_where(path)} is {_show(value)}; expected {expected}",
            path,
            hint=hint,
        )
    if path == ("label",) and kind == "string_too_short":
        return _finding(SS603, "the label is empty", path, hint="give the job a unique label")
    if kind in ("too_short", "string_too_short"):
        what = "list" if kind == "too_short" else "text"
        return _finding(SS104, f"{_where(path)} must not be an empty {what}", path)
    if kind.endswith("_type") or kind in ("model_attributes_type", "model_type"):
        expected_types: list[str] = []
        for err, _ in group:
            type_name = _TYPE_NAMES.get(str(err["type"]).removesuffix("_type"))
            if type_name is not None and type_name not in expected_types:
                expected_types.append(type_name)
        expected = " or ".join(expected_types) if expected_types else "another type"
        hint = None
        if isinstance(value, str | int | float | bool) and "a string" in expected_types:
            hint = "quote the value to make it a string"
        if path == ("label",) and value is not None:
            hint = "quote the label"
        return _finding(
            SS102,
            f"{_where(path)} should be {expected}, not {_yaml_type(value)}",
            path,
            hint=hint,
        )
    return _finding(SS102, f"{_where(path)}: {error['msg']}", path)


def _show(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    return _yaml_type(value) if isinstance(value, list | Mapping) or value is None else str(value)


def _suggest(word: str, options: Iterable[str]) -> str | None:
    import difflib  # only when there is a finding to suggest for

    matches = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f'did you mean "{matches[0]}"?' if matches else None


# Kept here (not imported from models.py) so `validate` never imports pydantic; a test checks
# it equals models.NODE_TYPES, which is derived from the pydantic node classes.
_NODE_TYPES = (
    "request",
    "transform",
    "add_context",
    "spool",
    "get_state",
    "update_state",
    "delete_state",
    "event",
    "destination",
)


def _unknown_key(shape: Shape, loc: tuple[Any, ...], path: tuple[PathItem, ...]) -> Finding:
    key = str(path[-1]) if path else str(loc[-1])
    allowed = allowed_keys(shape, loc[:-1])
    where = _where(path[:-1])
    if key in SERVER_FIELDS and len(path) == 1:
        return _finding(
            SS101,
            f"`{key}` is a server field; job files do not carry it",
            path,
            on_key=True,
            hint="remove it: Truto sets it, and syncspec never diffs it",
        )
    hint = _suggest(key, allowed) if allowed else None
    if hint is None and allowed:
        hint = f"allowed keys: {', '.join(allowed)}"
    prefix = "unknown key" if where == "the job" else f"unknown key in {where}:"
    return _finding(SS101, f"{prefix} `{key}`", path, on_key=True, hint=hint)


def allowed_keys(shape: Shape, loc: tuple[Any, ...]) -> list[str]:
    """The keys a job of ``shape`` accepts at ``loc`` (a pydantic loc, union tags included)."""

    schema = core_schema(shape)
    definitions = {d["ref"]: d for d in schema.get("definitions", [])}
    target = _resolve(schema, loc, definitions)
    if target is None:
        return []
    return sorted(
        str(field.get("validation_alias", name)) for name, field in target["fields"].items()
    )


def _resolve(
    node: dict[str, Any], loc: tuple[Any, ...], definitions: dict[str, Any]
) -> dict[str, Any] | None:
    """Follow ``loc`` through a plain pydantic-core schema to the typed-dict it ends in."""
    kind = node["type"]
    if kind == "definitions":
        return _resolve(node["schema"], loc, definitions)
    if kind == "definition-ref":
        return _resolve(definitions[node["schema_ref"]], loc, definitions)
    if kind in ("nullable", "default"):
        return _resolve(node["schema"], loc, definitions)
    if kind == "tagged-union":
        choice = node["choices"].get(loc[0]) if loc else None
        return None if choice is None else _resolve(choice, loc[1:], definitions)
    if kind == "union":
        for choice in node["choices"]:
            found = _resolve(choice, loc[1:], definitions) if loc else None
            if found is not None:
                return found
        return None
    if not loc:
        return node if kind == "typed-dict" else None
    head, rest = loc[0], loc[1:]
    if kind == "typed-dict":
        for name, field in node["fields"].items():
            if head in (name, field.get("validation_alias")):
                return _resolve(field["schema"], rest, definitions)
        return None
    if kind == "list":
        return _resolve(node["items_schema"], rest, definitions)
    if kind == "dict":
        return _resolve(node["values_schema"], rest, definitions)
    return None
