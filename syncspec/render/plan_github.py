"""A plan for GitHub Actions: workflow-command annotations and the step summary.

GitHub displays at most 10 annotations of each severity per step, so at most that many are
emitted per severity (the most important first: conflicts, then changes, then unmanaged jobs),
followed by one plain log line counting the rest. Escaping follows GitHub's runner
(``toolkit/packages/core/src/command.ts``): data ``%``, CR, LF; properties also ``:`` and ``,``.
"""

from __future__ import annotations

from syncspec.engine.model import Action, ActionKind, Notice, NoticeKind, Plan
from syncspec.engine.review import ReviewContext
from syncspec.render._common import (
    CHANGE_SIGN,
    action_title,
    candidate_lines,
    changing,
    effective_kind,
    format_change,
    impact_lines,
    summary_line,
)
from syncspec.render.plan_markdown import render_plan_markdown

MAX_PER_SEVERITY = 10
# a GitHub step summary may hold 1 MiB; at most 4 bytes per character
STEP_SUMMARY_CHARS = 250_000
_MAX_MESSAGE_LINES = 20
_SEVERITIES = ("error", "warning", "notice")
_ACTION_SEVERITY = {
    ActionKind.CREATE: "notice",
    ActionKind.UPDATE: "notice",
    ActionKind.DELETE: "warning",
    ActionKind.RENAME: "notice",
}
_NOTICE_SEVERITY = {
    NoticeKind.CONFLICT: "error",
    NoticeKind.WARNING: "warning",
    NoticeKind.UNMANAGED: "notice",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(
    severity: str, message: str, *, title: str, file: str | None = None, line: int | None = None
) -> str:
    props: list[str] = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={line}")
    props.append(f"title={escape_property(title)}")
    return f"::{severity} {','.join(props)}::{escape_data(message)}"


def _action_command(action: Action) -> str:
    ident = f" (id {action.job_id})" if action.job_id else ""
    lines = [f"{action_title(action)}{ident}", *impact_lines(action)]
    lines += [f"{CHANGE_SIGN[effective_kind(c)]} {format_change(c)}" for c in action.changes]
    if len(lines) > _MAX_MESSAGE_LINES + 1:
        hidden = len(lines) - _MAX_MESSAGE_LINES - 1
        lines = [*lines[: _MAX_MESSAGE_LINES + 1], f"… {hidden} more (see the step summary)"]
    return workflow_command(
        _ACTION_SEVERITY[action.kind],
        "\n".join(lines),
        title=f"syncspec plan: {action_title(action)}",
        file=action.file,
        line=action.line,
    )


def _notice_command(notice: Notice) -> str:
    label = f" {notice.label}" if notice.label else ""
    return workflow_command(
        _NOTICE_SEVERITY[notice.kind],
        "\n".join([notice.message, *candidate_lines(notice)]),
        title=f"syncspec plan: {notice.kind.value}{label}",
        file=notice.file,
        line=notice.line,
    )


def render_plan_github(plan: Plan) -> str:
    """Annotation commands (at most 10 per severity), an omitted-count line if needed, and the
    summary line."""
    ranked: list[tuple[str, str]] = []
    for notice in plan.notices:
        if notice.kind != NoticeKind.UNMANAGED:
            ranked.append((_NOTICE_SEVERITY[notice.kind], _notice_command(notice)))
    ranked += [(_ACTION_SEVERITY[a.kind], _action_command(a)) for a in changing(plan)]
    ranked += [
        (_NOTICE_SEVERITY[n.kind], _notice_command(n))
        for n in plan.notices
        if n.kind == NoticeKind.UNMANAGED
    ]
    shown: dict[str, int] = dict.fromkeys(_SEVERITIES, 0)
    omitted: dict[str, int] = dict.fromkeys(_SEVERITIES, 0)
    out: list[str] = []
    for severity, command in ranked:
        if shown[severity] < MAX_PER_SEVERITY:
            shown[severity] += 1
            out.append(command)
        else:
            omitted[severity] += 1
    if any(omitted.values()):
        counts = ", ".join(f"{omitted[s]} {s}" for s in _SEVERITIES if omitted[s])
        out.append(
            f"syncspec: {counts} annotation(s) not shown (GitHub displays at most "
            f"{MAX_PER_SEVERITY} per severity); see the step summary for the full plan"
        )
    out.append(summary_line(plan))
    return "\n".join(out) + "\n"


def render_plan_step_summary(plan: Plan, context: ReviewContext | None = None) -> str:
    """Markdown for ``$GITHUB_STEP_SUMMARY``: the PR-comment report with GitHub's larger limit."""
    return render_plan_markdown(plan, max_chars=STEP_SUMMARY_CHARS, context=context)
