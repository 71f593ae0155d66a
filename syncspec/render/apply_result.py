"""Text and JSON renderings of an ``ApplyResult`` (one line per action, then a summary).

JSON (``apply --format json``), ``format_version`` 1::

    {"format_version": 1, "ok": false,
     "summary": {"done": 2, "failed": 1, "skipped": 3},
     "results": [{"kind": "update", "label": "zendesk-tickets", "job_id": "…",
                  "outcome": "done", "error": null, "attempts": 1}, …],
     "residual": [<plan action>, …]}

``results`` is in execution order (deletes, updates, creates); ``residual`` lists what still
differs after the apply (a normalization bug: each entry is a plan action with its changes).
"""

from __future__ import annotations

import json
from typing import Any

from syncspec.engine.model import ActionKind, ActionResult, ApplyResult, Outcome

_VERB = {
    ActionKind.CREATE: ("create", "created"),
    ActionKind.UPDATE: ("update", "updated"),
    ActionKind.DELETE: ("delete", "deleted"),
    ActionKind.NOOP: ("keep", "kept"),
}
_SIGN = {ActionKind.CREATE: "+", ActionKind.UPDATE: "~", ActionKind.DELETE: "-"}
_COLOR = {Outcome.DONE: "\x1b[32m", Outcome.FAILED: "\x1b[31m", Outcome.SKIPPED: "\x1b[33m"}
_RESET = "\x1b[0m"


def summary_counts(result: ApplyResult) -> dict[str, int]:
    return {o.value: sum(1 for r in result.results if r.outcome == o) for o in Outcome}


def render_apply_json(result: ApplyResult) -> str:
    data: dict[str, Any] = {
        "format_version": result.format_version,
        "ok": result.ok,
        "summary": summary_counts(result),
        "results": [r.model_dump(mode="json") for r in result.results],
        "residual": [a.model_dump(mode="json") for a in result.residual],
    }
    return json.dumps(data, indent=2, ensure_ascii=False)


def render_result_line(r: ActionResult, *, color: bool = False) -> str:
    verb, done = _VERB[r.kind]
    ident = f" ({r.job_id})" if r.job_id else ""
    if r.outcome == Outcome.DONE:
        text = f"{_SIGN.get(r.kind, ' ')} {done} {r.label}{ident}"
    elif r.outcome == Outcome.FAILED:
        text = f"! failed to {verb} {r.label}{ident}: {r.error}"
    else:
        reason = f": {r.error}" if r.error else ""
        text = f"  skipped {verb} {r.label}{ident}{reason}"
    return f"{_COLOR[r.outcome]}{text}{_RESET}" if color else text


def render_apply_text(result: ApplyResult, *, color: bool = False) -> str:
    lines = [render_result_line(r, color=color) for r in result.results]
    counts = summary_counts(result)
    if not result.results:
        lines.append("No changes applied.")
    else:
        lines.append("")
        lines.append(
            f"Apply {'complete' if counts['failed'] == 0 else 'FAILED'}: {counts['done']} done, "
            f"{counts['failed']} failed, {counts['skipped']} not attempted."
        )
    if counts["failed"] or counts["skipped"]:
        untouched = [r.label for r in result.results if r.outcome != Outcome.DONE]
        lines.append("Not changed: " + ", ".join(untouched) + ". Re-run plan/apply to converge.")
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
