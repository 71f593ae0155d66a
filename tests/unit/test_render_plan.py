from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from syncspec.config import PruneScope
from syncspec.engine.model import (
    Action,
    ActionKind,
    FieldChange,
    Notice,
    NoticeKind,
    Plan,
    PlanOptions,
)
from syncspec.engine.plan import load_plan, plan_changes
from syncspec.render.plan_github import (
    escape_data,
    escape_property,
    render_plan_github,
    render_plan_step_summary,
    workflow_command,
)
from syncspec.render.plan_json import render_plan_json
from syncspec.render.plan_markdown import render_plan_markdown
from syncspec.render.plan_text import render_plan_text

RES = [
    {"resource": "ticketing/users", "method": "list"},
    {"resource": "ticketing/tickets", "method": "list"},
    {
        "resource": "ticketing/comments",
        "method": "list",
        "depends_on": "ticketing/tickets",
        "query": {"ticket_id": "{{resources.ticketing.tickets.id}}"},
    },
]


def local(data: dict[str, Any]) -> Any:
    from syncspec.jobfile.jobs import LocalJob

    display = f"jobs/{data['label']}.yaml"
    return LocalJob(path=Path("/p") / display, display=display, line=2, data=data)


def sample_plan() -> Plan:
    files = [
        local(
            {
                "label": "zendesk-tickets",
                "integration_name": "zendesk",
                "default_runtime_version": 2,
                "resources": [RES[1], RES[0], {**RES[2], "query": {"ticket_id": "x" * 200}}],
            }
        ),
        local(
            {
                "label": "new-job",
                "integration_name": "hubspot",
                "default_runtime_version": 4,
                "resources": [{"name": "a", "type": "spool"}],
            }
        ),
        local({"label": "dup", "integration_name": "x", "default_runtime_version": 4}),
    ]
    live = [
        {
            "id": "j1",
            "label": "zendesk-tickets",
            "integration_name": "zendesk",
            "default_runtime_version": 2,
            "resources": RES,
            "updated_at": "u",
        },
        {"id": "j2", "label": "team-a-old", "integration_name": "zendesk", "updated_at": "u"},
        {"id": "j3", "label": "other", "integration_name": "zendesk", "updated_at": "u"},
        {"id": "j4", "label": "dup"},
        {"id": "j5", "label": "dup"},
    ]
    return plan_changes(
        files,
        live,
        options=PlanOptions(prune=True),
        prune_scope=PruneScope(labels=("team-a-*",)),
        api_url="https://api.truto.one",
        profile="staging",
        now="2024-01-01T00:00:00Z",
    )


def empty_plan(**kw: Any) -> Plan:
    return Plan(
        syncspec_version="0.1.0",
        created_at="2024-01-01T00:00:00Z",
        api_url="https://api.truto.one",
        profile="p",
        **kw,
    )


# --- text -------------------------------------------------------------------------------------


def test_text_rendering_exact() -> None:
    names = " (ticketing/comments list)"
    assert render_plan_text(sample_plan(), color=False) == (
        "⚠ This plan deletes 1 job: team-a-old\n"
        "\n"
        "syncspec will perform these actions on https://api.truto.one (profile staging):\n"
        "\n"
        "  - delete team-a-old (id j2)\n"
        "      - label: team-a-old\n"
        "      - integration_name: zendesk\n"
        "  ~ update zendesk-tickets (id j1)  [jobs/zendesk-tickets.yaml:2]\n"
        "      ↕ /resources/1 (ticketing/users list): moved from /resources/0\n"
        f'      - /resources/2/query/ticket_id{names}: "{{{{resources.ticketing.tickets.id}}}}"\n'
        f'      + /resources/2/query/ticket_id{names}: "{"x" * 200}"\n'
        "  + create new-job  [jobs/new-job.yaml:2]\n"
        "      + label: new-job\n"
        "      + integration_name: hubspot\n"
        "      + default_runtime_version: 4\n"
        "      + resources:\n"
        "      +   - name: a\n"
        "      +     type: spool\n"
        "\n"
        "Conflicts (these files are not planned):\n"
        '  error: jobs/dup.yaml:2: 2 live jobs are labelled "dup" (ids j4, j5); '
        "keep one: pin it for this environment in syncspec.toml ([profiles.staging.pins] "
        '"dup" = "<id>"; each environment pins its own, the job file stays as it is), or '
        "delete the others\n"
        "      id j4, differs from the file\n"
        "      id j5, differs from the file\n"
        "\n"
        "Unmanaged live jobs (never changed):\n"
        '  unmanaged: live job "other" (id j3) is not managed by any file\n'
        "\n"
        "Error: 1 conflict (its file is not planned). Plan for the rest: 1 to create, 1 to "
        "update, 1 to delete; 1 unmanaged.\n"
    )


def test_text_colour_only_when_asked() -> None:
    plan = sample_plan()
    plain = render_plan_text(plan, color=False)
    coloured = render_plan_text(plan, color=True)
    assert "\x1b[" not in plain
    assert "\x1b[" in coloured
    stripped = coloured
    for code in ("\x1b[0m", "\x1b[1m", "\x1b[2m", "\x1b[31m", "\x1b[32m", "\x1b[33m", "\x1b[36m"):
        stripped = stripped.replace(code, "")
    assert stripped == plain


def test_text_no_changes() -> None:
    plan = empty_plan(actions=[Action(kind=ActionKind.NOOP, label="a", job_id="1")])
    assert render_plan_text(plan, color=False) == "No changes. 1 job is up to date; 0 unmanaged.\n"


def test_text_summary_counts_unmanaged() -> None:
    notices = [
        Notice(kind=NoticeKind.UNMANAGED, message=f"m{i}", label=f"l{i}", job_ids=[str(i)])
        for i in range(3)
    ]
    actions = [
        Action(kind=ActionKind.CREATE, label="c", body={"label": "c"}),
        Action(kind=ActionKind.UPDATE, label="u1", job_id="1"),
        Action(kind=ActionKind.UPDATE, label="u2", job_id="2"),
    ]
    text = render_plan_text(empty_plan(actions=actions, notices=notices), color=False)
    assert text.endswith("\nPlan: 1 to create, 2 to update, 0 to delete; 3 unmanaged.\n")


# --- json -------------------------------------------------------------------------------------


def test_json_is_versioned_stable_and_loadable(tmp_path: Path) -> None:
    plan = sample_plan()
    text = render_plan_json(plan)
    data = json.loads(text)
    assert list(data) == [
        "format_version",
        "syncspec_version",
        "created_at",
        "api_url",
        "profile",
        "options",
        "environment",
        "actions",
        "notices",
        "triggers",
        "coverage",
        "trigger_errors",
    ]
    assert data["format_version"] == 1
    assert list(data["actions"][1]) == [
        "kind",
        "label",
        "job_id",
        "file",
        "line",
        "fingerprint",
        "changes",
        "body",
        "renamed_from",
        "impact",
        "duplicate_of",
        "vars",
    ]
    assert list(data["actions"][1]["changes"][0]) == [
        "pointer",
        "kind",
        "old",
        "new",
        "from_pointer",
    ]
    assert list(data["notices"][0]) == [
        "kind",
        "message",
        "label",
        "job_ids",
        "file",
        "line",
        "suggestion",
        "candidates",
    ]
    path = tmp_path / "p.json"
    path.write_text(text)
    assert load_plan(path) == plan
    assert render_plan_json(plan) == text


# --- markdown ---------------------------------------------------------------------------------


def test_markdown_contains_summary_table_and_sections() -> None:
    md = render_plan_markdown(sample_plan())
    summary = (
        "**Error: 1 conflict (its file is not planned). Plan for the rest: 1 to create, 1 to "
        "update, 1 to delete; 1 unmanaged.**"
    )
    assert summary.replace(".", "\\.") not in md
    assert summary in md
    assert "| update | 1 |" in md and "| conflicts | 1 |" in md
    assert (
        "#### `~ update` `zendesk-tickets` (id `j1`) — `jobs/zendesk-tickets.yaml:2`\n\n"
        "```diff\n↕ /resources/1 (ticketing/users list): moved from /resources/0\n"
    ) in md
    assert "not shown" not in md
    assert "<details><summary>1 unmanaged live job (never changed)</summary>" in md


def test_markdown_folds_long_diffs() -> None:
    def plan(items: int) -> Plan:
        changes = [
            FieldChange(pointer=f"/resources/{i}", kind="added", new={"name": f"n{i}"})
            for i in range(items)
        ]
        return empty_plan(actions=[Action(kind=ActionKind.UPDATE, label="u", changes=changes)])

    # each added item is two lines; more than 30 lines fold
    assert "<details>" not in render_plan_markdown(plan(15))
    md = render_plan_markdown(plan(16))
    fold = "<details><summary>16 changes</summary>\n\n```diff\n+ /resources/0:\n+   name: n0\n"
    assert fold in md


def test_markdown_escapes_backticks_and_fences() -> None:
    change = FieldChange(pointer="/mutex_key", kind="changed", old="a", new="```x```")
    plan = empty_plan(
        actions=[Action(kind=ActionKind.UPDATE, label="we`ird", job_id="1", changes=[change])]
    )
    md = render_plan_markdown(plan)
    assert "``we`ird``" in md
    assert '````diff\n- /mutex_key: "a"\n+ /mutex_key: "```x```"\n````' in md


def _big_plan(jobs: int) -> Plan:
    actions = [
        Action(
            kind=ActionKind.UPDATE,
            label=f"job-{i:04d}",
            job_id=f"id-{i}",
            file=f"jobs/job-{i:04d}.yaml",
            line=1,
            fingerprint="f" * 64,
            changes=[
                FieldChange(
                    pointer=f"/resources/{k}/query/ticket_id", kind="changed", old="a" * 300, new=k
                )
                for k in range(3)
            ],
        )
        for i in range(jobs)
    ]
    notices = [
        Notice(kind=NoticeKind.UNMANAGED, message=f"unmanaged {i}", label=f"u{i}", job_ids=[str(i)])
        for i in range(500)
    ]
    return empty_plan(actions=actions, notices=notices)


def test_markdown_of_2000_changed_jobs_stays_under_githubs_limit() -> None:
    md = render_plan_markdown(_big_plan(2000))
    assert len(md) < 65_536
    assert len(md) <= 65_000
    shown = md.count("#### `~ update`")
    assert 0 < shown < 2000
    assert md.endswith(
        f"_{2000 - shown:,} more changes not shown — see the full plan artifact._\n\n"
        "_500 more notices not shown — see the full plan artifact._\n"
    )
    assert "**Plan: 0 to create, 2000 to update, 0 to delete; 500 unmanaged.**" in md


def test_markdown_respects_any_budget() -> None:
    plan = _big_plan(50)
    for limit in (2_000, 5_000, 20_000):
        md = render_plan_markdown(plan, max_chars=limit)
        assert len(md) <= limit
        shown = md.count("#### `~ update`")
        if shown < 50:  # not even every heading fits: the rest are counted
            assert md.count(f"_{50 - shown} more changes not shown — see the full plan") == 1
        else:  # every action keeps its heading; the details of some give way
            assert "more changes not shown" not in md
            assert "not shown to stay within GitHub's comment size" in md
    # 2,000 characters hold some headings, 20,000 hold them all
    assert render_plan_markdown(plan, max_chars=2_000).count("#### `~ update`") < 50
    assert render_plan_markdown(plan, max_chars=20_000).count("#### `~ update`") == 50


def test_step_summary_has_a_larger_budget() -> None:
    summary = render_plan_step_summary(_big_plan(250))
    assert len(summary) > 65_536
    assert "more changes not shown" not in summary
    assert summary.count("#### `~ update`") == 250


# --- github -----------------------------------------------------------------------------------


def test_escaping_per_github_toolkit() -> None:
    assert escape_data("50%\r\nnext: a,b") == "50%25%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert (
        workflow_command("error", "bad\nthing", title="t: x", file="jobs/a,b.yaml", line=3)
        == "::error file=jobs/a%2Cb.yaml,line=3,title=t%3A x::bad%0Athing"
    )
    assert workflow_command("notice", "m", title="t") == "::notice title=t::m"


def test_github_rendering_exact() -> None:
    out = render_plan_github(sample_plan()).splitlines()
    assert out == [
        "::error file=jobs/dup.yaml,line=2,title=syncspec plan%3A conflict dup::"
        '2 live jobs are labelled "dup" (ids j4, j5); keep one: pin it for this environment '
        'in syncspec.toml ([profiles.staging.pins] "dup" = "<id>"; each environment pins its '
        "own, the job file stays as it is), or delete the others"
        "%0Aid j4, differs from the file%0Aid j5, differs from the file",
        "::warning title=syncspec plan%3A delete team-a-old::delete team-a-old (id j2)",
        "::notice file=jobs/zendesk-tickets.yaml,line=2,title=syncspec plan%3A update "
        "zendesk-tickets::update zendesk-tickets (id j1)%0A↕ /resources/0 -> /resources/1%0A"
        '~ /resources/2/query/ticket_id: "{{resources.ticketing.tickets.id}}" -> "'
        + "x" * 78
        + "… (202 chars)",
        "::notice file=jobs/new-job.yaml,line=2,title=syncspec plan%3A create new-job::"
        "create new-job",
        "::notice title=syncspec plan%3A unmanaged other::"
        'live job "other" (id j3) is not managed by any file',
        "Error: 1 conflict (its file is not planned). Plan for the rest: 1 to create, 1 to "
        "update, 1 to delete; 1 unmanaged.",
    ]


def test_github_at_most_ten_per_severity_with_omitted_count() -> None:
    plan = _big_plan(25)
    plan.notices.append(
        Notice(kind=NoticeKind.CONFLICT, message="c", label="c", file="jobs/c.yaml")
    )
    lines = render_plan_github(plan).splitlines()
    assert sum(1 for line in lines if line.startswith("::notice ")) == 10
    assert sum(1 for line in lines if line.startswith("::error ")) == 1
    # changes outrank unmanaged jobs for the visible slots
    assert all("update job-" in line for line in lines if line.startswith("::notice "))
    assert lines[-2] == (
        "syncspec: 515 notice annotation(s) not shown (GitHub displays at most 10 per "
        "severity); see the step summary for the full plan"
    )
    assert lines[-1] == (
        "Error: 1 conflict (its file is not planned). Plan for the rest: 0 to create, 25 to "
        "update, 0 to delete; 500 unmanaged."
    )
