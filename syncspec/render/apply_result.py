"""Text and JSON renderings of an ``ApplyResult`` (one line per action, then a summary).

JSON (``apply --format json``), ``format_version`` 1::

    {"format_version": 1, "ok": false,
     "exit_code": 1, "interrupted": null, "verification_error": null,
     "summary": {"done": 2, "failed": 1, "not_attempted": 3, "unknown": 0},
     "results": [{"kind": "update", "label": "zendesk-tickets", "job_id": "…",
                  "outcome": "done", "error": null, "attempts": 1, "stale": false,
                  "note": null, "duplicate_deleted": null}, …],
     "residual": [<plan action>, …]}

``outcome`` is ``done``, ``failed`` (refused: not written), ``not_attempted`` (with
``stale: true`` when the job changed since the plan) or ``unknown`` (sent, no answer: it may
or may not have been applied). ``interrupted`` is ``"SIGINT"``/``"SIGTERM"`` when a signal
ended the run; ``verification_error`` says why the re-list after the writes failed.
``results`` is in execution order (deletes, updates, creates); ``residual`` lists what still
differs after the apply (a normalization bug: each entry is a plan action with its changes).
"""

from __future__ import annotations

import json
from typing import Any

from syncspec.engine.model import ActionKind, ActionResult, ApplyResult, Outcome
from syncspec.render.schedules import apply_lines

_VERB = {
    ActionKind.CREATE: ("create", "created"),
    ActionKind.UPDATE: ("update", "updated"),
    ActionKind.DELETE: ("delete", "deleted"),
    ActionKind.NOOP: ("keep", "kept"),
    ActionKind.RENAME: ("rename", "renamed"),
}
_SIGN = {
    ActionKind.CREATE: "+",
    ActionKind.UPDATE: "~",
    ActionKind.DELETE: "-",
    ActionKind.RENAME: "~",
}
_COLOR = {
    Outcome.DONE: "\x1b[32m",
    Outcome.FAILED: "\x1b[31m",
    Outcome.NOT_ATTEMPTED: "\x1b[33m",
    Outcome.UNKNOWN: "\x1b[35m",
}
_RESET = "\x1b[0m"
# Not-attempted actions are listed by label on one line, at most this many labels.
_MAX_LABELS = 20


def summary_counts(result: ApplyResult) -> dict[str, int]:
    return {o.value: sum(1 for r in result.results if r.outcome == o) for o in Outcome}


def render_apply_json(result: ApplyResult) -> str:
    data: dict[str, Any] = {
        "format_version": result.format_version,
        "ok": result.ok,
        "exit_code": result.exit_code,
        "interrupted": result.interrupted,
        "verification_error": result.verification_error,
        "summary": summary_counts(result),
        "results": [r.model_dump(mode="json") for r in result.results],
        "residual": [a.model_dump(mode="json") for a in result.residual],
        "triggers": [t.model_dump(mode="json") for t in result.triggers],
        "trigger_residual": result.trigger_residual,
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_result_line(r: ActionResult, *, color: bool = False) -> str:
    verb, done = _VERB[r.kind]
    ident = f" ({r.job_id})" if r.job_id else ""
    note = f" [{r.note}]" if r.note else ""
    if r.outcome == Outcome.DONE:
        text = f"{_SIGN.get(r.kind, ' ')} {done} {r.label}{ident}{note}"
    elif r.outcome == Outcome.FAILED:
        text = f"! failed to {verb} {r.label}{ident}: {r.error}{note}"
    elif r.outcome == Outcome.UNKNOWN:
        text = f"? unknown outcome: {verb} {r.label}{ident}: {r.error}"
    else:
        reason = f": {r.error}" if r.error else ""
        text = f"  not attempted: {verb} {r.label}{ident}{reason}"
    return f"{_COLOR[r.outcome]}{text}{_RESET}" if color else text


def _grouped(result: ApplyResult) -> tuple[list[ActionResult], list[ActionResult]]:
    """(lines shown one by one, plain not-attempted actions summarised on one line)."""
    single: list[ActionResult] = []
    grouped: list[ActionResult] = []
    for r in result.results:
        plain_skip = r.outcome == Outcome.NOT_ATTEMPTED and not r.stale
        (grouped if plain_skip else single).append(r)
    return single, grouped


def render_apply_text(result: ApplyResult, *, color: bool = False) -> str:
    single, grouped = _grouped(result)
    lines = [render_result_line(r, color=color) for r in single]
    counts = summary_counts(result)
    if grouped:
        labels = [r.label for r in grouped]
        shown = ", ".join(labels[:_MAX_LABELS])
        more = f" and {len(labels) - _MAX_LABELS} more" if len(labels) > _MAX_LABELS else ""
        reasons = sorted({(r.error or "").removeprefix("not attempted: ") for r in grouped} - {""})
        why = f"; {'; '.join(reasons)}" if reasons else ""
        lines.append(f"  not attempted: {shown}{more} ({len(grouped)} action(s){why})")
    if result.verification_error:
        lines.append(f"! {result.verification_error}")
    if result.triggers:
        lines.extend(apply_lines(result.triggers))
    if result.trigger_residual:
        lines.append(
            f"After apply, {len(result.trigger_residual)} cron trigger(s) differ from what was "
            "written. This is a normalization bug in syncspec; please report it:"
        )
        lines.extend(f"  {text}" for text in result.trigger_residual)
    if not result.results and not result.triggers:
        lines.append("No changes applied.")
    else:
        if result.interrupted:
            title = f"Apply interrupted ({result.interrupted})"
        elif result.exit_code == 0:
            title = "Apply complete"
        elif result.exit_code == 4:
            title = "Apply incomplete (jobs changed since the plan)"
        else:
            title = "Apply FAILED"
        unknown = f", {counts['unknown']} unknown outcome" if counts["unknown"] else ""
        lines.append("")
        lines.append(
            f"{title}: {counts['done']} done, {counts['failed']} failed, "
            f"{counts['not_attempted']} not attempted{unknown}."
        )
    untouched = [r.label for r in result.results if r.outcome != Outcome.DONE]
    if untouched:
        shown = ", ".join(untouched[:_MAX_LABELS])
        more = f" and {len(untouched) - _MAX_LABELS} more" if len(untouched) > _MAX_LABELS else ""
        lines.append(f"Not changed (or unknown): {shown}{more}. Re-run plan/apply to converge.")
    if result.residual:
        lines.append("")
        lines.append(
            f"After apply, {len(result.residual)} job(s) still differ from what was sent. "
            "This is a normalization bug in syncspec (the server stores these fields "
            "differently); please report it:"
        )
        for action in result.residual:
            lines.append(f"  {action.label} ({action.job_id}):")
            for change in action.changes:
                old = json.dumps(change.old, ensure_ascii=False)
                new = json.dumps(change.new, ensure_ascii=False)
                lines.append(f"    {change.pointer}: sent {new}, server has {old}")
            if not action.changes:
                lines.append(
                    f"    still {'present' if action.kind == ActionKind.DELETE else 'absent'}"
                )
    return "\n".join(lines)
