"""SS8xx: the ``schedules`` of a job (cron triggers as code; DESIGN.md "Schedules").

The structure (keys, types, enums) is the models' job; these rules check what the values mean:
cron expressions (with the character they go wrong at), schedules that never fire, duplicate
names, ``webhook_id`` with ``daemon_group_key``, a scheduled job without ``mutex_key`` (Truto's
own checklist), static ``args`` against ``args_schema``, and account selectors that can match
nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from syncspec.jobfile.problems import Finding, Rule, Severity
from syncspec.jobfile.rules import args_schema as args_rules
from syncspec.jobfile.rules.kit import finding

SS801 = Rule("SS801", Severity.ERROR, "schedule cron expression is not valid 5-field cron")
SS802 = Rule("SS802", Severity.WARNING, "schedule cron expression never fires")
SS803 = Rule("SS803", Severity.ERROR, "two schedules of a job have the same name")
SS804 = Rule("SS804", Severity.ERROR, "schedule sets both webhook_id and daemon_group_key")
SS805 = Rule("SS805", Severity.WARNING, "scheduled job without mutex_key")
SS806 = Rule("SS806", Severity.ERROR, "schedule args do not satisfy args_schema")
SS807 = Rule("SS807", Severity.WARNING, "schedule accounts selector can match no account")
RULES: tuple[Rule, ...] = (SS801, SS802, SS803, SS804, SS805, SS806, SS807)

# A stand-in account id for checking args offline (the real one is filled per account).
_ANY_ACCOUNT = "00000000-0000-0000-0000-000000000000"
ACCOUNT_ARG = "integrated_account_id"


def check(data: Mapping[str, Any]) -> list[Finding]:
    """Every SS8xx finding of one parsed job document (never raises)."""
    schedules = data.get("schedules")
    if not isinstance(schedules, list):
        return []
    out: list[Finding] = []
    seen: dict[str, int] = {}
    for index, schedule in enumerate(schedules):
        if not isinstance(schedule, Mapping):
            continue
        path = ("schedules", index)
        name = schedule.get("name")
        if isinstance(name, str):
            if name in seen:
                out.append(
                    finding(
                        SS803,
                        f'schedule name "{name}" is used twice (also schedules[{seen[name]}]); '
                        "the name is part of each trigger's identity",
                        (*path, "name"),
                        hint="give each schedule of the job its own name",
                    )
                )
            else:
                seen[name] = index
        out.extend(_check_cron(schedule.get("cron"), (*path, "cron")))
        if schedule.get("webhook_id") is not None and schedule.get("daemon_group_key") is not None:
            out.append(
                finding(
                    SS804,
                    "a trigger sends its runs to a webhook_id or a daemon_group_key, never both",
                    (*path, "daemon_group_key"),
                    hint="remove one of them",
                    on_key=True,
                )
            )
        out.extend(_check_accounts(schedule.get("accounts"), (*path, "accounts")))
        out.extend(_check_args(data.get("args_schema"), schedule, path))
    if schedules and not _filled(data.get("mutex_key")):
        out.append(
            finding(
                SS805,
                "the job runs on cron triggers but has no mutex_key: a run that outlasts the "
                "interval overlaps the next one (Truto's checklist)",
                ("schedules",),
                hint='mutex_key: "{{args.integrated_account_id}}"',
                on_key=True,
            )
        )
    return out


def _filled(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _check_cron(expression: object, path: tuple[Any, ...]) -> list[Finding]:
    if not isinstance(expression, str):
        return []  # the structure rules report it
    # the cron grammar loads with the first schedule: most job files have none (start-up)
    from syncspec.jobfile.rules import cron

    found = cron.problems(expression)
    if found:
        return [
            Finding(SS801.id, SS801.severity, p.message, path, p.hint, offset=p.offset)
            for p in found
        ]
    # H changes only minutes/hours/days chosen, never whether a day exists (H of day of month
    # stays within 1-28), so any seed tells whether the expression can fire at all.
    if cron.never_fires(cron.resolve_h(expression, "")):
        return [
            finding(
                SS802,
                f'"{expression}" never fires (no month has that day)',
                path,
                hint="check the day-of-month and month fields",
            )
        ]
    return []


def _check_accounts(selector: object, path: tuple[Any, ...]) -> list[Finding]:
    if not isinstance(selector, Mapping):
        return []
    out = []
    for key in ("tenants", "ids"):
        if selector.get(key) == []:
            out.append(
                finding(
                    SS807,
                    f"accounts.{key} is an empty list: this schedule covers no account",
                    (*path, key),
                    hint=f"remove `{key}` to cover every account, or list some",
                )
            )
    return out


def _check_args(
    schema: object, schedule: Mapping[str, Any], path: tuple[Any, ...]
) -> list[Finding]:
    if not isinstance(schema, Mapping) or not schema:
        return []
    args = schedule.get("args")
    if args is not None and not isinstance(args, Mapping):
        return []  # the structure rules report it
    if args is not None and not _static(args):
        return []
    values = dict(args or {})
    if ACCOUNT_ARG in args_rules.declared_args(schema):
        values.setdefault(ACCOUNT_ARG, _ANY_ACCOUNT)
    messages = _simple_args_problems(schema, values)
    if messages is None:  # a schema beyond the simple vocabulary: jsonschema decides
        try:
            messages = args_rules.args_problems(args_rules.to_json_schema(schema), values)
        except args_rules.InvalidSchema:
            return []  # the args_schema rules (SS5xx) report the schema itself
    where = (*path, "args") if args is not None else (*path, "name")
    return [
        finding(
            SS806,
            f"{message} (the triggers' runs would be refused)",
            where,
            hint="give the value in the schedule's args",
        )
        for message in messages
    ]


_PY_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "number": (int, float), "integer": (int,), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}  # fmt: skip
_SIMPLE_PROPERTY_KEYS = frozenset(
    {"type", "description", "title", "format", "x-truto-format", "default", "examples"}
)


def _simple_args_problems(schema: object, args: Mapping[str, Any]) -> list[str] | None:
    """What ``args_problems`` (jsonschema) would say for a schema of plain typed properties
    (required, type), in its words; None for anything richer (a given argument with a checked
    format included). Keeps ``validate`` from
    importing jsonschema (~0.3 s)
    for the usual args_schema."""
    translated = args_rules.to_json_schema(schema)
    if set(translated) - {"type", "properties", "required", "description"}:
        return None
    props = translated.get("properties") or {}
    if not isinstance(props, Mapping) or translated.get("type") != "object":
        return None
    messages = []
    for name in translated.get("required") or []:
        if name not in args:
            messages.append(f"argument {name!r}: is required (schema rule: required)")
    for name, definition in props.items():
        if not isinstance(definition, Mapping) or set(definition) - _SIMPLE_PROPERTY_KEYS:
            return None
        kind = definition.get("type")
        if kind is None or name not in args:
            continue
        if "format" in definition or definition.get("x-truto-format") in args_rules.DATE_FORMATS:
            return None  # a value's format: jsonschema's format checker decides
        if not isinstance(kind, str) or kind not in _PY_TYPES:
            return None
        value = args[name]
        ok = isinstance(value, _PY_TYPES[kind]) and not (
            kind in ("number", "integer") and isinstance(value, bool)
        )
        if kind == "integer" and isinstance(value, float) and value.is_integer():
            ok = True
        if not ok:
            messages.append(
                f"argument {name!r}: {value!r} is not of type {kind!r} (schema rule: type)"
            )
    return sorted(set(messages))  # as args_problems orders them


def _static(value: object, depth: int = 0) -> bool:
    """Plain JSON data (a value still to be resolved at plan time is not checked offline)."""
    if depth > 32:
        return False
    if value is None or isinstance(value, str | int | float | bool):
        return True
    if isinstance(value, list):
        return all(_static(v, depth + 1) for v in value)
    if isinstance(value, Mapping):
        return all(isinstance(k, str) and _static(v, depth + 1) for k, v in value.items())
    return False
