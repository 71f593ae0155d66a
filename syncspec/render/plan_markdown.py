"""A plan as a pull-request comment (``--format markdown``) or a step summary.

The first line is a hidden marker, ``<!-- syncspec-plan profile=NAME -->``, by which the workflow
finds (and edits) its own comment and no other. Then: the head commit and run link, a banner when
the plan deletes jobs, the summary, and one section per changed job: creates as the whole job in
YAML (folded) under a Mermaid picture of its graph, updates as a ```` ```diff ```` block (GitHub
colours ``+``/``-`` lines) with the graph's changed nodes highlighted, deletes as the live job in
red.

GitHub rejects comments over 65,536 characters, so the text is assembled within a budget: the
heading, summary and notices first, then the sections. Each section has shorter forms (without
the graph; heading and a note only) and takes the longest that still leaves room for the
headings of every section after it; only when even the headings do not fit are the remaining
actions counted in a closing "N more changes not shown" line. Every block is bounded (lines cut
at ``_LINE_LIMIT``, ``_MAX_BLOCK_LINES`` lines), so the total never exceeds ``max_chars``.
"""

from __future__ import annotations

import html
import re

from syncspec.engine.graph import changed_nodes, is_v4, job_graph, removed_nodes
from syncspec.engine.model import Action, ActionKind, Notice, NoticeKind, Plan
from syncspec.engine.review import ReviewContext, profile_name, review_context
from syncspec.render._common import (
    SIGN,
    DiffLine,
    action_lines,
    candidate_lines,
    change_count,
    changing,
    count_notices,
    delete_banner,
    impact_lines,
    job_yaml_lines,
    location,
    summary_line,
)
from syncspec.render.graph import render_mermaid
from syncspec.render.schedules import coverage_text, trigger_line

_LINE_LIMIT = 1_000  # characters of one diff/YAML line
_WIDE_LINE = 100  # a changed line longer than this shows its changed span (GitHub's width)
_SPAN_CONTEXT = 20  # characters shown on each side of a changed span
_MAX_BLOCK_LINES = 400
_FOLD_OVER = 30  # update diffs longer than this many lines are folded in <details>
_MAX_GRAPH_NODES = 100  # beyond this a picture helps nobody (and GitHub may refuse to draw it)
_MAX_UNMANAGED = 100
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~])")
_MARKER_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_NOT_SHOWN = "see the full plan artifact"
_LEGEND = "Solid arrows: <code>depends_on</code>; dashed: <code>resources_to_persist</code>."
_LEGEND_MARKS = " Thick outline: a new node; dashed outline: a changed one."


_MAX_TRIGGERS = 200  # trigger actions listed in the PR comment (the rest are counted)


def marker(profile: str) -> str:
    """The hidden first line, with the profile percent-encoded (it can never close the
    comment or collide with another profile's marker)."""
    safe = _MARKER_SAFE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group().encode()), profile)
    return f"<!-- syncspec-plan profile={safe or 'default'} -->"


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


def _fenced(lines: list[str], lang: str) -> str:
    body = "\n".join(lines)
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=2)
    fence = "`" * (longest + 1)
    return f"{fence}{lang}\n{body}\n{fence}"


def _bounded(lines: list[str]) -> list[str]:
    out = [
        line if len(line) <= _LINE_LIMIT else f"{line[:_LINE_LIMIT]}… ({len(line)} chars)"
        for line in lines[:_MAX_BLOCK_LINES]
    ]
    if len(lines) > _MAX_BLOCK_LINES:
        out.append(f"… {len(lines) - _MAX_BLOCK_LINES} more lines ({_NOT_SHOWN})")
    return out


def _diff_block(lines: list[DiffLine]) -> str:
    out: list[str] = []
    i = 0
    while i < len(lines):
        sign, text = lines[i]
        if sign == "-" and i + 1 < len(lines) and lines[i + 1][0] == "+":
            pair = _changed_span(text, lines[i + 1][1])
            if pair is not None:
                out.extend(pair)
                i += 2
                continue
        out.append(f"{sign} {text}".rstrip())
        i += 1
    return _fenced(_bounded(out), "diff")


def _common_prefix(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


def _changed_span(old: str, new: str) -> list[str] | None:
    """A long one-line change (a JSONata expression, say) as the changed span with some
    context, marked ``⟪ ⟫``, instead of two whole lines with the change off-screen: the line's
    key stays, the unchanged rest is ``…``. None when the lines are short or differ mostly."""
    if max(len(old), len(new)) <= _WIDE_LINE:
        return None
    start = _common_prefix(old, new)
    tail = _common_prefix(old[start:][::-1], new[start:][::-1])
    if max(len(old), len(new)) - start - tail > _WIDE_LINE:
        return None  # most of the line changed: the whole lines say it best
    key = re.match(r"\s*(?:- )?[^:]{0,60}: ?", old)
    lead = key.end() if key and key.end() <= start else 0
    rows = []
    for sign, text in (("-", old), ("+", new)):
        end = len(text) - tail
        left = max(lead, start - _SPAN_CONTEXT)
        right = min(len(text), end + _SPAN_CONTEXT)
        shown = (
            text[:lead]
            + ("…" if left > lead else "")
            + f"{text[left:start]}⟪{text[start:end]}⟫{text[end:right]}"
            + ("…" if right < len(text) else "")
        )
        rows.append(f"{sign} {shown}".rstrip())
    rows.append(
        f"  (one line of {len(new)} characters: only the part between ⟪ ⟫ changed, at "
        f"character {start + 1})"
    )
    return rows


def _heading(action: Action) -> str:
    ident = f" (id {_code(action.job_id)})" if action.job_id else ""
    where = location(action.file, action.line)
    at = f" — {_code(where)}" if where else ""
    if action.kind == ActionKind.RENAME and action.renamed_from is not None:
        name = f"{_code(action.renamed_from)} → {_code(action.label)}"
    else:
        name = _code(action.label)
    impact = "".join(f"\n\n> ⚠ {_text(line)}" for line in impact_lines(action))
    return f"#### {_code(f'{SIGN[action.kind]} {action.kind.value}')} {name}{ident}{at}{impact}"


def _graph(action: Action) -> str | None:
    """A Mermaid picture of a V4 job whose resources this action creates or changes."""
    body = action.body or {}
    changing = (ActionKind.CREATE, ActionKind.UPDATE, ActionKind.RENAME)
    if action.kind not in changing or "resources" not in body:
        return None
    if not is_v4(body):
        return None
    graph = job_graph(body)
    if not graph.nodes:
        return None
    if len(graph.nodes) > _MAX_GRAPH_NODES:
        return f"_Graph not drawn: {len(graph.nodes)} nodes._"
    marks = changed_nodes(action.changes) if action.kind != ActionKind.CREATE else {}
    legend = _LEGEND + (_LEGEND_MARKS if marks else "")
    parts = [_fenced(render_mermaid(graph, marks).splitlines(), "mermaid"), f"<sub>{legend}</sub>"]
    removed = removed_nodes(action.changes)
    if removed:
        parts.append("Removed nodes (not drawn): " + ", ".join(_code(n) for n in removed))
    return "\n\n".join(parts)


def _details(summary: str, block: str) -> str:
    return f"<details><summary>{summary}</summary>\n\n{block}\n\n</details>"


def _body(action: Action) -> str | None:
    if action.kind == ActionKind.CREATE:
        yaml = job_yaml_lines(action.body)
        noun = "line" if len(yaml) == 1 else "lines"
        return _details(
            f"Job file as created ({len(yaml)} {noun} of YAML)", _fenced(_bounded(yaml), "yaml")
        )
    lines = action_lines(action)
    if not lines:
        return None
    if action.kind == ActionKind.DELETE:
        noun = "line" if len(lines) == 1 else "lines"
        return _details(f"Live job as deleted ({len(lines)} {noun} of YAML)", _diff_block(lines))
    block = _diff_block(lines)
    if len(lines) > _FOLD_OVER:
        return _details(change_count(action), block)
    return block


def _section_forms(action: Action) -> list[str]:
    """The section of ``action``, longest first; the last is the heading alone with a note."""
    head = _heading(action)
    graph, body = _graph(action), _body(action)
    forms: list[str] = []
    if graph and body:
        forms.append(f"{head}\n\n{graph}\n\n{body}")
    if body:
        forms.append(f"{head}\n\n{body}")
    elif graph:
        forms.append(f"{head}\n\n{graph}")
    else:
        return [head]
    count = change_count(action)
    what = f" ({count})" if count else ""
    forms.append(
        f"{head}\n\n_Details{what} not shown to stay within GitHub's comment size — {_NOT_SHOWN}._"
    )
    return forms


def _compact_item(action: Action) -> str:
    count = change_count(action)
    where = location(action.file, action.line)
    name = _code(action.label)
    if action.kind == ActionKind.RENAME and action.renamed_from is not None:
        name = f"{_code(action.renamed_from)} → {name}"
    parts = [f"{_code(f'{SIGN[action.kind]} {action.kind.value}')} {name}"]
    if action.job_id:
        parts[0] += f" (id {_code(action.job_id)})"
    if count:
        parts.append(count)
    if where:
        parts.append(_code(where))
    return "- " + " — ".join(parts)


def _notice_item(notice: Notice) -> str:
    where = location(notice.file, notice.line)
    prefix = f"{_code(where)}: " if where else ""
    lines = [f"- {prefix}{_text(notice.message)}"]
    lines += [f"  - {_text(line)}" for line in candidate_lines(notice)]
    return "\n".join(lines)


def _table(plan: Plan) -> str:
    rows = [
        ("create", plan.count(ActionKind.CREATE)),
        ("update", plan.count(ActionKind.UPDATE)),
        ("rename", plan.count(ActionKind.RENAME)),
        ("delete", plan.count(ActionKind.DELETE)),
        ("unchanged", plan.count(ActionKind.NOOP)),
        ("unmanaged", count_notices(plan, NoticeKind.UNMANAGED)),
        ("conflicts", count_notices(plan, NoticeKind.CONFLICT)),
    ]
    return "\n".join(["| | jobs |", "|---|---:|", *(f"| {k} | {v} |" for k, v in rows)])


def _preamble(plan: Plan, context: ReviewContext) -> list[str]:
    heading = f"### syncspec plan · {_code(profile_name(plan.profile))} · {_text(plan.api_url)}"
    blocks = [f"{marker(context.profile)}\n{heading}"]
    where: list[str] = []
    if context.head_sha:
        where.append(f"head {_code(context.head_sha[:12])}")
    if context.run_url:
        where.append(f"[workflow run]({context.run_url.replace(')', '%29').replace(' ', '%20')})")
    when = _when(plan.created_at)
    if when:
        where.append(when)
    if where:
        blocks[0] += "\n" + "Planned at " + " · ".join(where)
    banner = delete_banner(plan)
    if banner:
        blocks.append(f"> [!CAUTION]\n> **{_text(banner)}**")
    blocks += [f"**{_text(summary_line(plan))}**", _table(plan)]
    return blocks


def _when(created_at: str) -> str | None:
    """``2026-12-05 10:24 UTC`` from the plan's ISO 8601 time (None when it is not one)."""
    from datetime import UTC, datetime

    try:
        moment = datetime.fromisoformat(created_at)
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _not_shown(context: ReviewContext) -> str:
    if context.artifact_url:
        return f"[download the full plan]({context.artifact_url})"
    return _NOT_SHOWN


def render_plan_markdown(
    plan: Plan,
    *,
    max_chars: int = 65_000,
    context: ReviewContext | None = None,
    compact: bool = False,
) -> str:
    """The plan as markdown of at most ``max_chars`` characters. ``compact``: one line per
    action, no details."""
    # without a context: the plan's own profile, no head or run link
    context = context or review_context(plan.profile, {})
    blocks = _preamble(plan, context)
    cut = False  # something was left out or shortened: link the full plan
    # room for the two closing "not shown" lines (counts of up to 12 digits)
    reserve = 2 * 80
    used = sum(len(b) + 2 for b in blocks)
    hidden_actions = hidden_notices = 0

    def fits(size: int, after: int = 0) -> bool:
        return used + size + 2 + after + reserve <= max_chars

    def add(block: str) -> bool:
        nonlocal used
        if not fits(len(block)):
            return False
        blocks.append(block)
        used += len(block) + 2
        return True

    def add_list(items: list[str]) -> int:
        """A tight list of as many ``items`` as fit; returns how many did not."""
        nonlocal used
        taken: list[str] = []
        size = -1
        for item in items:
            if not fits(size + len(item) + 1):
                break
            taken.append(item)
            size += len(item) + 1
        if taken:
            blocks.append("\n".join(taken))
            used += size + 2
        return len(items) - len(taken)

    for kind, title in (
        (NoticeKind.CONFLICT, "**Conflicts** (these files are not planned):"),
        (NoticeKind.WARNING, "**Warnings:**"),
    ):
        notices = [n for n in plan.notices if n.kind == kind]
        if notices and add(title):
            hidden_notices += add_list([_notice_item(n) for n in notices])
        else:
            hidden_notices += len(notices)

    actions = changing(plan)
    if compact:
        if actions and add("**Changes:**"):
            hidden_actions = add_list([_compact_item(a) for a in actions])
        else:
            hidden_actions = len(actions)
    else:
        forms = [_section_forms(a) for a in actions]
        # what the headings of the sections after each one need, so every action keeps its
        # heading before any gets its details
        after = [0] * (len(forms) + 1)
        for i in range(len(forms) - 1, -1, -1):
            after[i] = after[i + 1] + len(forms[i][-1]) + 2
        for i, options in enumerate(forms):
            chosen = next((f for f in options if fits(len(f), after[i + 1])), None)
            if chosen is None:
                chosen = options[-1] if fits(len(options[-1])) else None
            cut = cut or chosen is not options[0] or _NOT_SHOWN in options[0]
            if chosen is None or not add(chosen):
                hidden_actions = len(actions) - i
                break

    if plan.trigger_errors or plan.coverage:
        items = [f"- :x: {_text(e)}" for e in plan.trigger_errors]
        items += [f"- {_text(coverage_text(c))}" for c in plan.coverage]
        if add("**Schedules** (cron triggers, UTC):"):
            hidden_notices += add_list(items)
        if plan.triggers and not compact:
            lines = [f"{t.label}: {trigger_line(t)}" for t in plan.triggers[:_MAX_TRIGGERS]]
            if len(plan.triggers) > _MAX_TRIGGERS:
                lines.append(f"… and {len(plan.triggers) - _MAX_TRIGGERS} more")
            summary = f"{len(plan.triggers)} cron trigger action(s)"
            if not add(_details(summary, _fenced(lines, "text"))):
                hidden_actions += len(plan.triggers)

    unmanaged = [n for n in plan.notices if n.kind == NoticeKind.UNMANAGED]
    if unmanaged and not compact:
        shown = unmanaged[:_MAX_UNMANAGED]
        items = [_notice_item(n) for n in shown]
        if len(unmanaged) > len(shown):
            items.append(f"- … and {len(unmanaged) - len(shown)} more")
        noun = "job" if len(unmanaged) == 1 else "jobs"
        block = _details(
            f"{len(unmanaged)} unmanaged live {noun} (never changed)", "\n".join(items)
        )
        if not add(block):
            hidden_notices += len(unmanaged)

    if hidden_actions:
        blocks.append(f"_{hidden_actions:,} more changes not shown — {_NOT_SHOWN}._")
    if hidden_notices:
        blocks.append(f"_{hidden_notices:,} more notices not shown — {_NOT_SHOWN}._")
    text = "\n\n".join(blocks) + "\n"
    if context.artifact_url and (cut or hidden_actions or hidden_notices):
        # every "see the full plan artifact" becomes the link (and the top says so)
        text = text.replace(_NOT_SHOWN, _not_shown(context))
        link = f"Not everything fits in this comment: {_not_shown(context)}."
        head, _, rest = text.partition("\n\n")
        text = f"{head}\n\n{link}\n\n{rest}"
    return text
