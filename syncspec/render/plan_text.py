"""Terraform-like text rendering of a plan (``syncspec plan``, the default format).

Colours are plain ANSI codes, used only when the caller says so (it decides from the TTY and
``NO_COLOR``).
"""

from __future__ import annotations

from syncspec.engine.model import Action, ActionKind, Notice, NoticeKind, Plan
from syncspec.engine.review import profile_name
from syncspec.render._common import (
    MOVE,
    SIGN,
    action_lines,
    action_title,
    candidate_lines,
    change_count,
    changing,
    delete_banner,
    impact_lines,
    location,
    summary_line,
)
from syncspec.render.schedules import plan_lines

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_ACTION_COLOR = {
    ActionKind.CREATE: "\x1b[32m",  # green
    ActionKind.UPDATE: "\x1b[33m",  # yellow
    ActionKind.DELETE: "\x1b[31m",  # red
    ActionKind.NOOP: "",
    ActionKind.RENAME: "\x1b[33m",  # yellow
}
_LINE_COLOR = {
    "+": "\x1b[32m",
    "-": "\x1b[31m",
    "~": "\x1b[33m",
    MOVE: "\x1b[36m",
    " ": "",
}
_NOTICE = {
    NoticeKind.CONFLICT: ("error", "\x1b[31m"),
    NoticeKind.WARNING: ("warning", "\x1b[33m"),
    NoticeKind.UNMANAGED: ("unmanaged", "\x1b[2m"),  # dim
}


def _paint(text: str, code: str, color: bool) -> str:
    return f"{code}{text}{_RESET}" if color and code else text


def _header(action: Action) -> str:
    ident = f" (id {action.job_id})" if action.job_id else ""
    where = location(action.file, action.line)
    suffix = f"  [{where}]" if where else ""
    return f"{SIGN[action.kind]} {action_title(action)}{ident}{suffix}"


def _action_lines(action: Action, color: bool, compact: bool) -> list[str]:
    header = _header(action)
    if compact:
        count = change_count(action)
        header += f"  ({count})" if count else ""
    lines = ["  " + _paint(header, _ACTION_COLOR[action.kind], color)]
    lines += ["      ! " + line for line in impact_lines(action)]
    if compact:
        return lines
    for sign, text in action_lines(action):
        lines.append("      " + _paint(f"{sign} {text}".rstrip(), _LINE_COLOR[sign], color))
    return lines


def _notice_line(notice: Notice, color: bool) -> str:
    word, code = _NOTICE[notice.kind]
    where = location(notice.file, notice.line)
    prefix = f"{where}: " if where else ""
    text = "  " + _paint(f"{word}: {prefix}{notice.message}", code, color)
    return "\n".join([text, *("      " + line for line in candidate_lines(notice))])


def render_plan_text(plan: Plan, *, color: bool, compact: bool = False) -> str:
    """The plan as text, ending with the summary line (and a newline). ``compact``: one line
    per action, and unmanaged jobs only counted."""
    out: list[str] = []
    banner = delete_banner(plan)
    if banner:
        out += [_paint(banner, _ACTION_COLOR[ActionKind.DELETE] + _BOLD, color), ""]
    actions = changing(plan)
    if actions:
        out.append(
            f"syncspec will perform these actions on {plan.api_url} "
            f"(profile {profile_name(plan.profile)}):"
        )
        out.append("")
        for action in actions:
            out.extend(_action_lines(action, color, compact))
        out.append("")
    for kind, title in (
        (NoticeKind.CONFLICT, "Conflicts (these files are not planned):"),
        (NoticeKind.WARNING, "Warnings:"),
        (NoticeKind.UNMANAGED, "Unmanaged live jobs (never changed):"),
    ):
        notices = [n for n in plan.notices if n.kind == kind]
        if notices and not (compact and kind == NoticeKind.UNMANAGED):
            out.append(title)
            out.extend(_notice_line(n, color) for n in notices)
            out.append("")
    if plan.coverage or plan.triggers or plan.trigger_errors:
        out.extend(plan_lines(plan, color=color, compact=compact))
    out.append(_paint(summary_line(plan), _BOLD, color))
    return "\n".join(out) + "\n"
