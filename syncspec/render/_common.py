"""Formatting shared by the plan renderers (text, markdown, github)."""

from __future__ import annotations

import json
from typing import Any

from syncspec.engine.model import Action, ActionKind, FieldChange, NoticeKind, Plan

SIGN = {
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.DELETE: "-",
    ActionKind.NOOP: " ",
}
CHANGE_SIGN = {"added": "+", "removed": "-", "changed": "~", "moved": "↕"}
VALUE_LIMIT = 80  # characters of one value shown inline before it is cut


def summary_line(plan: Plan) -> str:
    """``Plan: 1 to create, 2 to update, 0 to delete; 3 unmanaged.`` or ``No changes. ...``."""
    unmanaged = count_notices(plan, NoticeKind.UNMANAGED)
    if not plan.has_changes:
        noops = plan.count(ActionKind.NOOP)
        jobs = "job is" if noops == 1 else "jobs are"
        return f"No changes. {noops} {jobs} up to date; {unmanaged} unmanaged."
    return (
        f"Plan: {plan.count(ActionKind.CREATE)} to create, {plan.count(ActionKind.UPDATE)} to "
        f"update, {plan.count(ActionKind.DELETE)} to delete; {unmanaged} unmanaged."
    )


def count_notices(plan: Plan, kind: NoticeKind) -> int:
    return sum(1 for n in plan.notices if n.kind == kind)


def changing(plan: Plan) -> list[Action]:
    return [a for a in plan.actions if a.kind != ActionKind.NOOP]


def format_value(value: Any, limit: int = VALUE_LIMIT) -> str:
    """Compact JSON of ``value``, cut to ``limit`` characters with a note of the full length."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(", ", ": "))
    if len(text) <= limit:
        return text
    return f"{text[: max(limit - 1, 1)]}… ({len(text)} chars)"


def format_change(change: FieldChange, limit: int = VALUE_LIMIT) -> str:
    """``/ptr: old -> new`` (changed), ``/ptr: new`` (added), ``/ptr: old`` (removed),
    ``/from -> /to`` (moved); without the leading sign."""
    if change.kind == "moved":
        return f"{change.from_pointer} -> {change.pointer}"
    if change.kind == "added":
        return f"{change.pointer}: {format_value(change.new, limit)}"
    if change.kind == "removed":
        return f"{change.pointer}: {format_value(change.old, limit)}"
    return (
        f"{change.pointer}: {format_value(change.old, limit)} -> {format_value(change.new, limit)}"
    )


def location(action_file: str | None, line: int | None) -> str:
    if not action_file:
        return ""
    return f"{action_file}:{line}" if line else action_file


def create_fields(action: Action) -> list[tuple[str, Any]]:
    """The fields a create sets (null/empty defaults left out, as Terraform hides unset ones)."""
    body = action.body or {}
    return [(k, v) for k, v in body.items() if v not in (None, "", [], {})]
