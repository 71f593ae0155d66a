"""Formatting shared by the plan renderers (text, markdown, github).

A plan is shown as diff lines, ``(sign, text)`` pairs: a create is its whole job as YAML with
``+``, a delete the live job with ``-``, an update ``-``/``+`` pairs per changed field. Values
that do not fit on one line (objects, arrays, multi-line JSONata) are YAML blocks under their
pointer, so a reviewer reads them as they are written in the job file.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from syncspec.engine.diff import pointer_tokens
from syncspec.engine.model import (
    Action,
    ActionKind,
    CronTriggerRef,
    DeleteImpact,
    FieldChange,
    Notice,
    NoticeKind,
    Plan,
)
from syncspec.render.schedules import trigger_counts

SIGN = {
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.DELETE: "-",
    ActionKind.NOOP: " ",
    ActionKind.RENAME: "~",
}
CHANGE_SIGN = {"added": "+", "removed": "-", "changed": "~", "moved": "↕"}
VALUE_LIMIT = 80  # characters of one value shown inline before it is cut (annotations)
MOVE = "↕"

DiffLine = tuple[str, str]  # (sign: "+", "-", " ", "~" or "↕"; text without the sign)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, 0 to delete; 3 unmanaged.``, ``No changes. ...``, or,
    when conflicts kept files out of the plan, an ``Error: ...`` line (never "No changes")."""
    unmanaged = count_notices(plan, NoticeKind.UNMANAGED)
    conflicts = count_notices(plan, NoticeKind.CONFLICT)
    renames = plan.count(ActionKind.RENAME)
    renamed = f"{renames} to rename, " if renames else ""
    counts = (
        f"{plan.count(ActionKind.CREATE)} to create, {plan.count(ActionKind.UPDATE)} to "
        f"update, {renamed}{plan.count(ActionKind.DELETE)} to delete; {unmanaged} unmanaged."
    )
    if conflicts:
        files = "its file is" if conflicts == 1 else "their files are"
        return (
            f"Error: {_plural(conflicts, 'conflict')} ({files} not planned). "
            f"Plan for the rest: {counts}"
        )
    if plan.trigger_errors:
        return f"Error: the cron triggers could not be planned. Plan for the jobs: {counts}"
    if not plan.has_changes:
        noops = plan.count(ActionKind.NOOP)
        jobs = "job is" if noops == 1 else "jobs are"
        return f"No changes. {noops} {jobs} up to date; {unmanaged} unmanaged."
    if plan.triggers:
        counts += f" {trigger_counts(plan)}"
    return f"Plan: {counts}"


def delete_banner(plan: Plan, *, limit: int = 10) -> str | None:
    """``⚠ This plan deletes 2 jobs: a, b`` (at most ``limit`` labels), or None."""
    labels = [a.label for a in plan.actions if a.kind == ActionKind.DELETE]
    if not labels:
        return None
    shown = ", ".join(labels[:limit])
    more = f" and {len(labels) - limit} more" if len(labels) > limit else ""
    return f"⚠ This plan deletes {_plural(len(labels), 'job')}: {shown}{more}"


def action_title(action: Action) -> str:
    """``update LABEL``; a rename says where the label comes from: ``rename OLD → NEW``."""
    if action.kind == ActionKind.RENAME and action.renamed_from is not None:
        return f"{action.kind.value} {action.renamed_from} → {action.label}"
    return f"{action.kind.value} {action.label}"


def impact_lines(action: Action) -> list[str]:
    """What a delete leaves behind (its cron triggers, runs, run state), or why it heals."""
    if action.kind != ActionKind.DELETE:
        return []
    if action.duplicate_of:
        return [
            f"a copy of job {action.duplicate_of} (the same job, no runs, no cron triggers), "
            "left by an interrupted apply: deleted, the earliest job is kept"
        ]
    if action.impact is None:
        return []
    return describe_impact(action.impact)


def describe_impact(impact: DeleteImpact) -> list[str]:
    """One line each: triggers (how many, which accounts), runs in progress, run state."""
    lines: list[str] = []
    foreign = impact.foreign_triggers
    owned = [t for t in impact.triggers if t.owned]
    if foreign:
        lines.append(
            f"{len(foreign)} cron trigger(s) not managed by syncspec point at it and would be "
            f"orphaned (accounts: {_accounts(foreign)}; ids {', '.join(t.id for t in foreign)})"
        )
    if owned:
        lines.append(
            f"{len(owned)} cron trigger(s) managed by syncspec point at it (accounts: "
            f"{_accounts(owned)})"
        )
    if impact.runs_in_progress:
        lines.append(
            f"{len(impact.runs_in_progress)} run(s) in progress: "
            f"{', '.join(impact.runs_in_progress)}"
        )
    if impact.runs_total:
        lines.append(f"{impact.runs_total} run(s) in its history would be detached")
    if impact.has_run_state is True:
        lines.append("it has run state (cursors): a new job would start from scratch")
    elif impact.has_run_state is None:
        lines.append("whether it has run state could not be told (state_key is a template)")
    return lines


def _accounts(triggers: Sequence[CronTriggerRef]) -> str:
    return ", ".join(sorted({t.integrated_account_id or "none" for t in triggers}))


def candidate_lines(notice: Notice) -> list[str]:
    """For a label held several times: one line per live job, with what helps choose."""
    out = []
    for c in notice.candidates:
        parts = [f"id {c.id}"]
        parts += [f"created {c.created_at}"] if c.created_at else []
        parts += [f"updated {c.updated_at}"] if c.updated_at else []
        parts.append("matches the file" if c.matches_file else "differs from the file")
        parts += [f"{c.triggers} cron trigger(s)"] if c.triggers is not None else []
        parts += [f"{c.runs} run(s)"] if c.runs is not None else []
        out.append(", ".join(parts))
    return out


def count_notices(plan: Plan, kind: NoticeKind) -> int:
    return sum(1 for n in plan.notices if n.kind == kind)


def changing(plan: Plan) -> list[Action]:
    return [a for a in plan.actions if a.kind != ActionKind.NOOP]


def effective_kind(change: FieldChange) -> str:
    """A top-level field compared against null (absent on one side) is an addition or a
    removal, not ``null -> value``."""
    if change.kind == "changed" and change.old is None:
        return "added"
    if change.kind == "changed" and change.new is None:
        return "removed"
    return change.kind


def format_value(value: Any, limit: int = VALUE_LIMIT) -> str:
    """Compact JSON of ``value``, cut to ``limit`` characters with a note of the full length."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 1, 1)]}… ({len(text)} chars)"


def format_change(change: FieldChange, limit: int = VALUE_LIMIT) -> str:
    """One line: ``/ptr: old -> new`` (changed), ``/ptr: new`` (added), ``/ptr: old``
    (removed), ``/from -> /to`` (moved); without the leading sign (see ``effective_kind``)."""
    kind = effective_kind(change)
    if kind == "moved":
        return f"{change.from_pointer} -> {change.pointer}"
    if kind == "added":
        return f"{change.pointer}: {format_value(change.new, limit)}"
    if kind == "removed":
        return f"{change.pointer}: {format_value(change.old, limit)}"
    return (
        f"{change.pointer}: {format_value(change.old, limit)} -> {format_value(change.new, limit)}"
    )


def location(action_file: str | None, line: int | None) -> str:
    if not action_file:
        return ""
    return f"{action_file}:{line}" if line else action_file


# --- YAML and diff lines ------------------------------------------------------------------------


# Canonical jobs have sorted keys; shown to a person, a node reads best in the order Truto's docs
# write it (what it is, where it hangs, what it calls, then its settings).
_KEY_ORDER = {
    k: i
    for i, k in enumerate(
        (
            "name",
            "type",
            "depends_on",
            "run_if",
            "resource",
            "method",
            "destination_type",
            "integrated_account_id",
            "id",
            "loop_on",
            "query",
            "body",
            "config",
            "resources_to_persist",
        )
    )
}


def _literal(value: Any) -> Any:
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, Mapping):
        keys = sorted(value, key=lambda k: _KEY_ORDER.get(str(k), len(_KEY_ORDER)))
        return {str(k): _literal(value[k]) for k in keys}
    if isinstance(value, list):
        return [_literal(v) for v in value]
    return value


def yaml_lines(value: Any) -> list[str]:
    """``value`` as block YAML (the job-file style: multi-line strings as ``|`` blocks, lists
    indented under their key), one string per line."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.width = 1_000_000  # never fold a long line: the reviewer sees it as written
    yaml.indent(mapping=2, sequence=4, offset=2)
    buffer = io.StringIO()
    yaml.dump(_literal(value), buffer)
    lines = buffer.getvalue().splitlines()
    if lines and lines[-1] == "...":  # a bare scalar document end marker
        lines.pop()
    return lines


def _is_block(value: Any) -> bool:
    if isinstance(value, str):
        return "\n" in value
    return isinstance(value, (dict, list)) and bool(value)


def _value_lines(sign: str, pointer: str, value: Any) -> list[DiffLine]:
    if not _is_block(value):
        return [(sign, f"{pointer}: {json.dumps(value, ensure_ascii=False)}")]
    body = yaml_lines(value)
    if isinstance(value, str):  # ``|`` then the text: drop ruamel's document-level indicator
        head, body = body[0], body[1:]
        return [(sign, f"{pointer}: {head}"), *((sign, f"  {line}") for line in body)]
    return [(sign, f"{pointer}:"), *((sign, f"  {line}") for line in body)]


def _text_diff(pointer: str, old: str, new: str) -> list[DiffLine]:
    """A multi-line string changed: its lines, with ``-``/``+`` on the ones that differ."""
    lines: list[DiffLine] = [("~", f"{pointer}: |")]
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        code, text = line[:1], line[2:]
        if code == "?":
            continue
        lines.append((code if code in "+-" else " ", f"  {text}"))
    return lines


def item_name(body: Mapping[str, Any] | None, pointer: str) -> str | None:
    """The name of the resource item ``pointer`` addresses in ``body`` (V4 ``name``, legacy
    ``resource method``), if it is there."""
    tokens = pointer_tokens(pointer)
    resources = (body or {}).get("resources")
    if len(tokens) < 2 or tokens[0] != "resources" or not tokens[1].isdigit():
        return None
    if not isinstance(resources, list) or int(tokens[1]) >= len(resources):
        return None
    item = resources[int(tokens[1])]
    if not isinstance(item, dict):
        return None
    if isinstance(item.get("name"), str):
        return str(item["name"])
    parts = [str(item[k]) for k in ("resource", "method") if isinstance(item.get(k), str)]
    return " ".join(parts) or None


def _named(change: FieldChange, body: Mapping[str, Any] | None) -> str:
    """The change's pointer, followed by the name of the resource item it is in:
    ``/resources/3/config/expression (slim-issues)``."""
    tokens = pointer_tokens(change.pointer)
    if change.kind == "removed" and len(tokens) == 2:  # a whole item, by its live index
        name = item_name({"resources": [change.old]}, "/resources/0")
    else:
        name = item_name(body, change.pointer)
    return f"{change.pointer} ({name})" if name else change.pointer


def change_lines(change: FieldChange, body: Mapping[str, Any] | None = None) -> list[DiffLine]:
    """The diff lines of one field change; ``body`` (the update's new fields, each whole)
    names the resource items that pointers point into."""
    kind = effective_kind(change)
    where = _named(change, body)
    if kind == "moved":
        return [(MOVE, f"{where}: moved from {change.from_pointer}")]
    if kind == "added":
        return _value_lines("+", where, change.new)
    if kind == "removed":
        return _value_lines("-", where, change.old)
    old, new = change.old, change.new
    if isinstance(old, str) and isinstance(new, str) and ("\n" in old or "\n" in new):
        return _text_diff(where, old, new)
    return [*_value_lines("-", where, old), *_value_lines("+", where, new)]


def job_yaml_lines(body: Mapping[str, Any] | None) -> list[str]:
    """A whole job as YAML, leaving out fields that are unset (null or empty), as Terraform
    hides unset attributes: what remains is what the job file says."""
    shown = {k: v for k, v in (body or {}).items() if v not in (None, "", [], {})}
    return yaml_lines(shown) if shown else []


def action_lines(action: Action) -> list[DiffLine]:
    """Every diff line of ``action``: the whole job for a create (``+``) or a delete (``-``),
    the field changes of an update."""
    if action.kind == ActionKind.CREATE:
        lines = [("+", line) for line in job_yaml_lines(action.body)]
        return lines + var_lines(action, [""])
    if action.kind == ActionKind.DELETE:
        return [("-", line) for line in job_yaml_lines(action.body)]
    lines = []
    for change in action.changes:
        lines.extend(change_lines(change, action.body))
    return lines + var_lines(action, [c.pointer for c in action.changes])


def _under(pointer: str, prefix: str) -> bool:
    return pointer == prefix or pointer.startswith(prefix + "/") or not prefix


def var_lines(action: Action, touched: list[str]) -> list[DiffLine]:
    """``!var NAME → value at /pointer`` for each profile value that lands in a ``touched``
    part of the job (issue 20: the reviewer sees which value came from the profile)."""
    out: list[DiffLine] = []
    for landing in action.vars:
        if any(_under(landing.pointer, t) or _under(t, landing.pointer) for t in touched):
            value = format_value(landing.value)
            out.append((" ", f"!var {landing.name} → {value} at {landing.pointer}"))
    return out


def change_count(action: Action) -> str:
    """``3 changes`` / ``1 change`` for an update; ``N fields`` for a create; empty otherwise."""
    if action.kind in (ActionKind.UPDATE, ActionKind.RENAME):
        return _plural(len(action.changes), "change")
    if action.kind == ActionKind.CREATE:
        resources = (action.body or {}).get("resources")
        if isinstance(resources, list):
            return _plural(len(resources), "resource")
    return ""
