"""``syncspec diff``: two environments side by side, as text, JSON or markdown."""

from __future__ import annotations

import json

from syncspec.engine.envdiff import EnvironmentDiff, JobComparison
from syncspec.redact import redact
from syncspec.render._common import format_value

_MARK = {
    "same": "=",
    "explained": "~",
    "different": "!",
    "only_left": "<",
    "only_right": ">",
    "ambiguous": "?",
}


def _summary(diff: EnvironmentDiff) -> str:
    left, right = diff.left.profile, diff.right.profile
    one_sided = [j for j in diff.jobs if j.status in ("only_left", "only_right")]
    explained_one_sided = sum(1 for j in one_sided if j.explained)
    verdict = (
        "same (every difference is explained by the profiles)"
        if diff.same
        else "different (unexplained differences)"
    )
    return (
        f"{left} vs {right}: {verdict}. {len(diff.jobs)} label(s): {diff.count('same')} same, "
        f"{diff.count('explained')} differ only by profile values, "
        f"{diff.count('different')} differ otherwise, {diff.count('only_left')} only in {left}, "
        f"{diff.count('only_right')} only in {right} ({explained_one_sided} of those explained "
        f"by job selection), {diff.count('ambiguous')} ambiguous."
    )


def _where(job: JobComparison, diff: EnvironmentDiff) -> str:
    if job.status == "only_left":
        return f"only in {diff.left.profile}"
    if job.status == "only_right":
        return f"only in {diff.right.profile}"
    return {"same": "same", "explained": "differs by profile values", "different": "differs"}.get(
        job.status, "ambiguous"
    )


def _difference_line(d: object, diff: EnvironmentDiff) -> str:
    from syncspec.engine.envdiff import Difference

    assert isinstance(d, Difference)
    left, right = diff.left.profile, diff.right.profile
    if d.kind == "moved":
        values = "moved"
    else:
        values = f"{left}: {format_value(d.left)} | {right}: {format_value(d.right)}"
    why = f"explained: !var {d.explained_by}" if d.explained_by else "NOT explained"
    return f"{d.pointer}: {values}  ({why})"


def render_env_diff_text(diff: EnvironmentDiff) -> str:
    out = [
        f"syncspec diff: {diff.left.profile} ({diff.left.api_url}) vs "
        f"{diff.right.profile} ({diff.right.api_url})",
        "",
    ]
    for job in diff.jobs:
        if job.status == "same":
            continue
        note = f" ({job.note})" if job.note else ""
        flag = "" if job.explained else "  [unexplained]"
        out.append(f"{_MARK[job.status]} {job.label}: {_where(job, diff)}{note}{flag}")
        out.extend(f"    {_difference_line(d, diff)}" for d in job.differences)
    if len(out) > 2:
        out.append("")
    out.append(_summary(diff))
    return redact("\n".join(out) + "\n")


def render_env_diff_json(diff: EnvironmentDiff) -> str:
    return redact(json.dumps(diff.as_json(), indent=2, ensure_ascii=False)) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_env_diff_markdown(diff: EnvironmentDiff) -> str:
    left, right = diff.left.profile, diff.right.profile
    out = [f"### syncspec diff · `{left}` vs `{right}`", "", f"**{_summary(diff)}**", ""]
    rows = [j for j in diff.jobs if j.status != "same"]
    if rows:
        out += [f"| job | where | {left} | {right} | explained |", "|---|---|---|---|---|"]
    for job in rows:
        if not job.differences:
            why = job.note or ("no" if not job.explained else "yes")
            out.append(f"| `{_cell(job.label)}` | {_where(job, diff)} | | | {_cell(why)} |")
        for d in job.differences:
            why = f"`!var {d.explained_by}`" if d.explained_by else "**no**"
            out.append(
                f"| `{_cell(job.label)}` | `{_cell(d.pointer)}` | "
                f"`{_cell(format_value(d.left))}` | `{_cell(format_value(d.right))}` | {why} |"
            )
    return redact("\n".join(out) + "\n")
