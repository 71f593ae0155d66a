"""A job's ``args_schema``: its two documented shapes, translation to JSON Schema, and lint.

Truto documents two shapes (truto-api.md, "args_schema: two shapes in the wild"):

* JSON-Schema style:
  ``{"type": "object", "properties": {"x": {"type": "string", "required": true}}}``
* flat map (V4 docs): ``{"x": {"type": "string", "required": true}}``

In both, ``required`` is a per-property boolean. ``to_json_schema`` turns either into a real JSON
Schema (``required`` collected into an array, Truto-only formats moved to ``x-truto-format``) so
run arguments can be checked with jsonschema before a run is started. jsonschema is imported only
when a schema needs more than the cheap built-in checks (it costs ~80 ms to import).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules.kit import did_you_mean, finding

JSON_TYPES: frozenset[str] = frozenset(
    {"string", "number", "integer", "boolean", "array", "object", "null"}
)
TRUTO_FORMATS: frozenset[str] = frozenset(
    {"integrated_account_id", "webhook_id", "datastore_id", "date", "updated_at"}
)
JSON_SCHEMA_FORMATS: frozenset[str] = frozenset(
    {
        "date-time", "date", "time", "duration", "email", "idn-email", "hostname",
        "idn-hostname", "ipv4", "ipv6", "uri", "uri-reference", "iri", "iri-reference", "uuid",
        "uri-template", "json-pointer", "relative-json-pointer", "regex",
    }
)  # fmt: skip
# Spellings people reach for from other languages.
_TYPE_ALIASES: dict[str, str] = {
    "str": "string", "text": "string", "int": "integer", "float": "number", "double": "number",
    "bool": "boolean", "list": "array", "dict": "object", "map": "object", "none": "null",
}  # fmt: skip

SS501 = Rule("SS501", Severity.ERROR, "args_schema is not a valid JSON Schema once translated")
SS502 = Rule("SS502", Severity.ERROR, "args_schema property type is not a JSON Schema type")
SS503 = Rule("SS503", Severity.WARNING, "args_schema uses a JSON Schema required array")
SS504 = Rule("SS504", Severity.WARNING, "args_schema property has an unknown format")
SS505 = Rule("SS505", Severity.ERROR, "args_schema argument definition is not a mapping")
SS506 = Rule("SS506", Severity.WARNING, "args_schema property has no type")
SS507 = Rule("SS507", Severity.ERROR, "args_schema top-level type is not object")
RULES: tuple[Rule, ...] = (SS501, SS502, SS503, SS504, SS505, SS506, SS507)

Shape = Literal["json_schema", "flat"]

# Keys (and the Python types of their values) a schema may use without needing jsonschema's
# metaschema check: the vocabulary of Truto's documented examples.
_SIMPLE_KEYS: dict[str, type | tuple[type, ...]] = {
    "description": str, "title": str, "format": str, "x-truto-format": str,
    "additionalProperties": bool, "enum": list, "examples": list,
    "minimum": (int, float), "maximum": (int, float), "minLength": int, "maxLength": int,
    "minItems": int, "maxItems": int, "pattern": str,
}  # fmt: skip
_ANY_VALUE_KEYS = frozenset({"default", "const"})


def shape(args_schema: object) -> Shape | None:
    """Which documented shape ``args_schema`` has (None when it is not a mapping)."""
    if not isinstance(args_schema, Mapping):
        return None
    props = args_schema.get("properties")
    if isinstance(props, Mapping) and not isinstance(props.get("type"), str):
        return "json_schema"
    if args_schema.get("type") == "object" or isinstance(args_schema.get("type"), str):
        return "json_schema"
    return "flat"


def _flat_is_meta(name: object, value: object) -> bool:
    # Keys of a flat map that are really schema keywords, not arguments.
    return (name == "required" and isinstance(value, list | bool)) or (
        name in ("description", "title", "additionalProperties", "$schema")
        and not isinstance(value, Mapping)
    )


def properties(args_schema: object) -> dict[str, Any]:
    """Argument name -> its definition as written (in either shape)."""
    kind = shape(args_schema)
    if kind is None:
        return {}
    assert isinstance(args_schema, Mapping)
    if kind == "json_schema":
        props = args_schema.get("properties")
        if not isinstance(props, Mapping):
            return {}
        return {str(k): v for k, v in props.items()}
    return {str(k): v for k, v in args_schema.items() if not _flat_is_meta(k, v)}


def _type_name(definition: object) -> str | None:
    if not isinstance(definition, Mapping):
        return None
    kind = definition.get("type")
    if isinstance(kind, str):
        return kind
    if isinstance(kind, list):
        named = [t for t in kind if isinstance(t, str) and t != "null"]
        return named[0] if named else None
    return None


def declared_args(args_schema: object) -> dict[str, str | None]:
    """Argument name -> declared ``type`` (None when missing or not a string)."""
    return {name: _type_name(definition) for name, definition in properties(args_schema).items()}


def _required_array(schema: Mapping[str, Any]) -> list[str]:
    value = schema.get("required")
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def required_args(args_schema: object) -> list[str]:
    """Names of required arguments: per-property ``required: true`` plus any top-level array."""
    return _required_array(to_json_schema(args_schema))


def _translate_property(definition: object) -> object:
    if not isinstance(definition, Mapping):
        return definition
    out: dict[str, Any] = {}
    for key, value in definition.items():
        if key == "required" and isinstance(value, bool):
            continue
        if key == "format" and isinstance(value, str) and value in TRUTO_FORMATS:
            out["x-truto-format"] = value
        elif key == "properties" and isinstance(value, Mapping):
            out.update(_translate_object(definition))
        elif key == "items" and isinstance(value, Mapping):
            out["items"] = _translate_property(value)
        elif key != "required" or not isinstance(definition.get("properties"), Mapping):
            out[key] = value
    return out


def _translate_object(schema: Mapping[str, Any]) -> dict[str, Any]:
    """``properties`` and ``required`` of an object schema written in Truto's style."""
    props = schema.get("properties")
    assert isinstance(props, Mapping)
    required = _required_array(schema)
    for name, definition in props.items():
        wanted = isinstance(definition, Mapping) and definition.get("required") is True
        if wanted and name not in required:
            required.append(str(name))
    out: dict[str, Any] = {"properties": {k: _translate_property(v) for k, v in props.items()}}
    if required:
        out["required"] = required
    return out


def to_json_schema(args_schema: object) -> dict[str, Any]:
    """A real JSON Schema (draft 2020-12) equivalent to ``args_schema``, in either shape.

    ``None``/``{}``/non-mappings give the empty schema ``{}`` (anything goes).
    """
    kind = shape(args_schema)
    if kind is None or not args_schema:
        return {}
    assert isinstance(args_schema, Mapping)
    if kind == "flat":
        flat = {"properties": properties(args_schema), "required": args_schema.get("required")}
        out: dict[str, Any] = {"type": "object"}
        out.update(_translate_object(flat))
        return out
    out = {}
    for key, value in args_schema.items():
        if key == "required" and isinstance(value, bool):
            continue  # Truto's top-level "required" boolean has no JSON Schema meaning
        if key == "properties" and isinstance(value, Mapping):
            out.update(_translate_object(args_schema))
        elif key == "required" and isinstance(args_schema.get("properties"), Mapping):
            continue  # merged by _translate_object
        else:
            out[str(key)] = value
    out.setdefault("type", "object")
    return out


def args_problems(json_schema: Mapping[str, Any], args: Mapping[str, Any]) -> list[str]:
    """Why ``args`` do not satisfy ``json_schema`` (``to_json_schema`` of a job's args_schema):
    one message per argument, e.g. ``argument 'user_ids': 5 is not of type 'array' (schema rule:
    type)``; empty when they do. The one args checker (runs start, schedules).

    Raises ``InvalidSchema`` when ``json_schema`` itself is not a valid JSON Schema.
    """
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from referencing.exceptions import Unresolvable

    try:
        Draft202012Validator.check_schema(json_schema)
        # formats too (issue 24): `--arg d=yesterday` for a `format: date` argument is refused
        # here, not by the run; Truto's own formats (integrated_account_id...) are not checked
        validator = _with_truto_formats(Draft202012Validator)(
            json_schema, format_checker=Draft202012Validator.FORMAT_CHECKER
        )
        errors = list(validator.iter_errors(dict(args)))
    except SchemaError as exc:
        raise InvalidSchema(f"its args_schema is not a valid JSON Schema ({exc.message})") from None
    except Unresolvable as exc:
        raise InvalidSchema(f"its args_schema has an unresolvable $ref ({exc})") from None
    return sorted({_describe_error(err) for err in errors})


class InvalidSchema(ValueError):
    """A job's args_schema that is not a valid JSON Schema (so no args can be checked)."""


# Truto's own formats whose values are ISO 8601 dates or timestamps (truto-api.md); the ids
# (integrated_account_id, webhook_id, datastore_id) are opaque and not checked.
DATE_FORMATS = ("date", "updated_at")


def _with_truto_formats(base: Any) -> Any:
    """``base`` validator class that also checks ``x-truto-format`` (where ``to_json_schema``
    moves Truto's formats) for the date-like ones."""
    from jsonschema import validators
    from jsonschema.exceptions import ValidationError

    def truto_format(_validator: Any, fmt: Any, instance: Any, _schema: Any) -> Iterator[Any]:
        if fmt in DATE_FORMATS and isinstance(instance, str) and not _iso_date(instance):
            yield ValidationError(
                f"{instance!r} is not a {fmt!r} (an ISO 8601 date or timestamp, "
                "e.g. 2024-01-01 or 2024-01-01T00:00:00Z)"
            )

    return validators.extend(base, {"x-truto-format": truto_format})


def _iso_date(text: str) -> bool:
    from datetime import datetime

    try:
        datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


_REQUIRED = re.compile(r"^'(?P<name>.+)' is a required property$")
_UNEXPECTED = re.compile(r"\('(?P<names>.+)' (?:was|were) unexpected\)")


def _describe_error(err: Any) -> str:
    path = [*err.absolute_path]
    rule = "format" if err.validator == "x-truto-format" else str(err.validator)
    message = str(err.message)
    if rule == "required" and (m := _REQUIRED.match(message)):
        return (
            f"argument {_arg_name([*path, m.group('name')])!r}: is required (schema rule: required)"
        )
    if rule == "additionalProperties" and (m := _UNEXPECTED.search(message)):
        names = [n.strip().strip("'") for n in m.group("names").split(",")]
        return "; ".join(
            f"argument {_arg_name([*path, n])!r}: is not declared in the job's args_schema "
            "(schema rule: additionalProperties)"
            for n in names
        )
    if not path:
        return f"args: {message} (schema rule: {rule})"
    return f"argument {_arg_name(path)!r}: {message} (schema rule: {rule})"


def _arg_name(path: Sequence[Any]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


# --- lint ----------------------------------------------------------------------------------------


def _is_simple(schema: object) -> bool:
    """True when ``schema`` only uses plain keywords with plain values (no metaschema needed)."""
    if isinstance(schema, bool):
        return True
    if not isinstance(schema, Mapping):
        return False
    for key, value in schema.items():
        if key == "type":
            ok = (isinstance(value, str) and value in JSON_TYPES) or (
                isinstance(value, list)
                and bool(value)
                and all(isinstance(t, str) and t in JSON_TYPES for t in value)
                and len(set(value)) == len(value)
            )
        elif key == "properties":
            ok = isinstance(value, Mapping) and all(_is_simple(v) for v in value.values())
        elif key == "items":
            ok = _is_simple(value)
        elif key == "required":
            ok = (
                isinstance(value, list)
                and all(isinstance(v, str) for v in value)
                and len(set(value)) == len(value)
            )
        elif key in _ANY_VALUE_KEYS:
            ok = True
        elif key in _SIMPLE_KEYS:
            ok = isinstance(value, _SIMPLE_KEYS[key]) and not (
                isinstance(value, bool) and _SIMPLE_KEYS[key] is not bool
            )
        else:
            ok = False
        if not ok:
            return False
    return True


def _metaschema_findings(
    schema: dict[str, Any], kind: Shape, path: tuple[PathItem, ...], skip: set[tuple[Any, ...]]
) -> list[Finding]:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import best_match

    meta = Draft202012Validator(Draft202012Validator.META_SCHEMA)
    out: list[Finding] = []
    seen: set[tuple[Any, ...]] = set()
    for error in meta.iter_errors(schema):
        leaf = best_match(error.context) if error.context else error
        where = tuple(leaf.absolute_path)
        if kind == "flat" and where[:1] == ("properties",):
            where = where[1:]
        elif kind == "flat" and where[:1] == ("required",):
            where = ()
        if where in seen or where in skip:
            continue
        seen.add(where)
        out.append(
            finding(
                SS501,
                f"args_schema is not a valid JSON Schema: {leaf.message}",
                (*path, *where),
            )
        )
    return out


def _check_property(
    name: str, definition: object, where: tuple[PathItem, ...], out: list[Finding]
) -> set[tuple[PathItem, ...]]:
    """Per-argument checks; returns the relative paths already reported (to skip in SS501)."""
    reported: set[tuple[PathItem, ...]] = set()
    if not isinstance(definition, Mapping):
        out.append(
            finding(
                SS505,
                f'argument "{name}" must be a mapping such as {{type: string}}, '
                f"not {type(definition).__name__}",
                where,
                hint=f"{name}: {{type: string, required: true}}",
            )
        )
        reported.add(())
        return reported
    kind = definition.get("type")
    if "type" not in definition and "$ref" not in definition:
        out.append(
            finding(
                SS506,
                f'argument "{name}" has no type',
                where,
                on_key=True,
                hint="add type: string (or integer, number, boolean, array, object)",
            )
        )
    kinds = kind if isinstance(kind, list) else [kind]
    for value in kinds:
        if isinstance(value, str) and value not in JSON_TYPES:
            alias = _TYPE_ALIASES.get(value.lower())
            hint = f'did you mean "{alias}"?' if alias else did_you_mean(value, JSON_TYPES)
            out.append(
                finding(
                    SS502,
                    f'argument "{name}" has type "{value}", which is not a JSON Schema type',
                    (*where, "type"),
                    hint=hint or "use one of: " + ", ".join(sorted(JSON_TYPES)),
                )
            )
            reported.add(("type",))
    fmt = definition.get("format")
    if isinstance(fmt, str) and fmt not in TRUTO_FORMATS and fmt not in JSON_SCHEMA_FORMATS:
        out.append(
            finding(
                SS504,
                f'argument "{name}" has format "{fmt}", which is neither a Truto format '
                "nor a JSON Schema format",
                (*where, "format"),
                hint=did_you_mean(fmt, TRUTO_FORMATS | JSON_SCHEMA_FORMATS)
                or "Truto formats: " + ", ".join(sorted(TRUTO_FORMATS)),
            )
        )
    return reported


def check_args_schema(
    args_schema: object, path: tuple[PathItem, ...] = ("args_schema",)
) -> list[Finding]:
    """Lint ``args_schema`` (rules SS501-SS507). Never raises on malformed input."""
    kind = shape(args_schema)
    if kind is None or not args_schema:
        return []
    assert isinstance(args_schema, Mapping)
    out: list[Finding] = []
    if kind == "json_schema":
        top_type = args_schema.get("type")
        if top_type is not None and top_type != "object":
            out.append(
                finding(
                    SS507,
                    f'args_schema has type "{top_type}": run arguments are always an object',
                    (*path, "type"),
                    hint="type: object",
                )
            )
        props_path: tuple[PathItem, ...] = (*path, "properties")
    else:
        props_path = path
    required = args_schema.get("required")
    if isinstance(required, list):
        names = ", ".join(str(r) for r in required)
        out.append(
            finding(
                SS503,
                "args_schema lists required arguments in a JSON Schema array; Truto reads a "
                "per-argument boolean",
                (*path, "required"),
                on_key=True,
                hint=f"remove this list and add required: true to each of: {names}",
            )
        )
    skip: set[tuple[Any, ...]] = set()
    for name, definition in properties(args_schema).items():
        where = (*props_path, name)
        for rel in _check_property(name, definition, where, out):
            skip.add((*where[len(path) :], *rel))
    translated = to_json_schema(args_schema)
    if not _is_simple(translated):
        out.extend(_metaschema_findings(translated, kind, path, skip))
    return out
