"""A plan as a pull-request comment (``--format markdown``) or a step summary.

GitHub rejects comments over 65,536 characters, so the text is assembled block by block within a
budget: the heading, summary table and notices first, then one section per changed job; what
does not fit is counted in a closing "N more changes not shown" line. Each block is bounded
(values cut, at most ``_MAX_CHANGE_LINES`` lines per job), so the total never exceeds
``max_chars``.
"""

from __future__ import annotations

import html
import re

from syncspec.engine.model import Action, ActionKind, Notice, NoticeKind, Plan
from syncspec.render._common import (
    CHANGE_SIGN,
    SIGN,
    changing,
    count_notices,
    create_fields,
    format_change,
    format_value,
    location,
    summary_line,
)

_VALUE_LIMIT = 200
_MAX_CHANGE_LINES = 50
_FOLD_OVER = 10  # diffs longer than this many lines are folded in <details>
_MAX_UNMANAGED = 100
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")


def _text(value: str) -> str:
    """Plain text safe inside markdown (no accidental emphasis, links, tables or HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(value.replace("\n", " "), quote=False))


def _code(value: str) -> str:
    """An inline code span that survives backticks in ``value``."""
    value = value.replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", value)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _fenced(lines: list[str], lang: str = "diff") -> str:
    body = "\n".join(lines)
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _diff_lines(action: Action) -> list[str]:
    lines: list[str] = []
    if action.kind == ActionKind.CREATE:
        lines += [f"+ {name}: {format_value(v, _VALUE_LIMIT)}" for name, v in create_fields(action)]
    lines += [f"{CHANGE_SIGN[c.kind]} {format_change(c, _VALUE_LIMIT)}" for c in action.changes]
    if len(lines) > _MAX_CHANGE_LINES:
        hidden = len(lines) - _MAX_CHANGE_LINES
        lines = [*lines[:_MAX_CHANGE_LINES], f"… {hidden} more lines (see the full plan artifact)"]
    return lines


def _section(action: Action) -> str:
    ident = f" (id {_code(action.job_id)})" if action.job_id else ""
    where = location(action.file, action.line)
    at = f" — {_code(where)}" if where else ""
    head = (
        f"#### {_code(f'{SIGN[action.kind]} {action.kind.value}')} {_code(action.label)}{ident}{at}"
    )
    lines = _diff_lines(action)
    if not lines:
        return head
    block = _fenced(lines)
    if len(lines) > _FOLD_OVER:
        count = len(action.changes) or len(lines)
        noun = "change" if count == 1 else "changes"
        return f"{head}\n<details><summary>{count} {noun}</summary>\n\n{block}\n\n</details>"
    return f"{head}\n{block}"


def _notice_item(notice: Notice) -> str:
    where = location(notice.file, notice.line)
    prefix = f"{_code(where)}: " if where else ""
    return f"- {prefix}{_text(notice.message)}"


def _table(plan: Plan) -> str:
    rows = [
        ("create", plan.count(ActionKind.CREATE)),
        ("update", plan.count(ActionKind.UPDATE)),
        ("delete", plan.count(ActionKind.DELETE)),
        ("unchanged", plan.count(ActionKind.NOOP)),
        ("unmanaged", count_notices(plan, NoticeKind.UNMANAGED)),
        ("conflicts", count_notices(plan, NoticeKind.CONFLICT)),
    ]
    return "\n".join(["| | jobs |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)])


def render_plan_markdown(plan: Plan, *, max_chars: int = 65_000) -> str:
    """The plan as markdown of at most ``max_chars`` characters."""
    heading = f"### syncspec plan · {_code(plan.profile)} · {_text(plan.api_url)}"
    blocks: list[str] = [heading, f"**{_text(summary_line(plan))}**", _table(plan)]
    # room for the two closing "not shown" lines (counts of up to 12 digits)
    reserve = 2 * 80
    used = sum(len(b) + 2 for b in blocks)
    hidden_actions = hidden_notices = 0

    def add(block: str) -> bool:
        nonlocal used
        if used + len(block) + 2 + reserve > max_chars:
            return False
        blocks.append(block)
        used += len(block) + 2
        return True

    for kind, title in (
        (NoticeKind.CONFLICT, "**Conflicts** (these files are not planned):"),
        (NoticeKind.WARNING, "**Warnings:**"),
    ):
        notices = [n for n in plan.notices if n.kind == kind]
        if notices and add(title):
            for i, notice in enumerate(notices):
                if not add(_notice_item(notice)):
                    hidden_notices += len(notices) - i
                    break
        else:
            hidden_notices += len(notices)

    actions = changing(plan)
    for i, action in enumerate(actions):
        if not add(_section(action)):
            hidden_actions = len(actions) - i
            break

    unmanaged = [n for n in plan.notices if n.kind == NoticeKind.UNMANAGED]
    if unmanaged:
        shown = unmanaged[:_MAX_UNMANAGED]
        items = [_notice_item(n) for n in shown]
        if len(unmanaged) > len(shown):
            items.append(f"- … and {len(unmanaged) - len(shown)} more")
        noun = "job" if len(unmanaged) == 1 else "jobs"
        block = (
            f"<details><summary>{len(unmanaged)} unmanaged live {noun} (never changed)</summary>"
            "\n\n" + "\n".join(items) + "\n\n</details>"
        )
        if not add(block):
            hidden_notices += len(unmanaged)

    if hidden_actions:
        blocks.append(f"_{hidden_actions:,} more changes not shown — see the full plan artifact._")
    if hidden_notices:
        blocks.append(f"_{hidden_notices:,} more notices not shown — see the full plan artifact._")
    return "\n\n".join(blocks) + "\n"
