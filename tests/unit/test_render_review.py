"""The review surface of a plan (issue 14): exact shapes of creates, deletes, updates, moves,
the delete banner, the hidden marker, --compact and the conflict wording, in text and markdown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from syncspec.engine.model import Action, ActionKind, FieldChange, Notice, NoticeKind, Plan
from syncspec.engine.review import ReviewContext, read_event, review_context
from syncspec.render.plan_github import render_plan_github
from syncspec.render.plan_markdown import marker, render_plan_markdown
from syncspec.render.plan_text import render_plan_text
from tests.unit.test_render_plan import sample_plan

EXPRESSION_OLD = "$map($, function($i) {\n  $i.id\n})"
EXPRESSION_NEW = "$map($, function($i) {\n  {'id': $i.id}\n})"


def make_plan(**kw: Any) -> Plan:
    return Plan(
        syncspec_version="0.1.0",
        created_at="2024-01-01T00:00:00Z",
        api_url="https://api.truto.one",
        profile="p",
        **kw,
    )


def update_action() -> Action:
    nodes = [
        {"name": "issues", "type": "request", "resource": "ticketing/tickets", "method": "list"},
        {"name": "slim", "type": "transform", "depends_on": "issues", "config": {}},
        {"name": "fresh", "type": "spool", "depends_on": "slim"},
    ]
    return Action(
        kind=ActionKind.UPDATE,
        label="jira",
        job_id="7",
        file="jobs/jira.yaml",
        line=3,
        changes=[
            # top-level fields absent on one side are compared against null by the diff
            FieldChange(pointer="/mutex_key", kind="changed", old=None, new="jira-{{args.x}}"),
            FieldChange(pointer="/state_key", kind="changed", old="s", new=None),
            FieldChange(pointer="/args_validation", kind="changed", old="a = 1", new="a = 2"),
            FieldChange(pointer="/resources/0", kind="moved", from_pointer="/resources/1"),
            FieldChange(
                pointer="/resources/1", kind="removed", old={"name": "old-node", "type": "spool"}
            ),
            FieldChange(pointer="/resources/2", kind="added", new=nodes[2]),
            FieldChange(
                pointer="/resources/1/config/expression",
                kind="changed",
                old=EXPRESSION_OLD,
                new=EXPRESSION_NEW,
            ),
        ],
        body={"mutex_key": "jira-{{args.x}}", "resources": nodes},
    )


UPDATE_LINES = [
    '+ /mutex_key: "jira-{{args.x}}"',
    '- /state_key: "s"',
    '- /args_validation: "a = 1"',
    '+ /args_validation: "a = 2"',
    "↕ /resources/0 (issues): moved from /resources/1",
    "- /resources/1 (old-node):",
    "-   name: old-node",
    "-   type: spool",
    "+ /resources/2 (fresh):",
    "+   name: fresh",
    "+   type: spool",
    "+   depends_on: slim",
    "~ /resources/1/config/expression (slim): |",
    "    $map($, function($i) {",
    "-     $i.id",
    "+     {'id': $i.id}",
    "    })",
]


def create_action() -> Action:
    return Action(
        kind=ActionKind.CREATE,
        label="new-v4",
        file="jobs/new-v4.yaml",
        line=2,
        body={
            "label": "new-v4",
            "integration_name": "jira",
            "default_runtime_version": 4,
            "args_schema": None,
            "mutex_key": None,
            "resources": [
                {
                    "method": "list",
                    "name": "issues",
                    "resource": "ticketing/tickets",
                    "type": "request",
                },
                {
                    "config": {"expression": "$.{\n  'id': id\n}"},
                    "depends_on": "issues",
                    "name": "slim",
                    "type": "transform",
                },
                {
                    "config": {"id": "{{args.webhook_id}}"},
                    "destination_type": "webhook",
                    "name": "out",
                    "resources_to_persist": ["slim"],
                    "type": "destination",
                },
            ],
        },
    )


# the canonical body has sorted keys; nodes are shown in the order Truto's docs write them,
# unset fields are left out, multi-line JSONata is a literal block
CREATE_YAML = [
    "label: new-v4",
    "integration_name: jira",
    "default_runtime_version: 4",
    "resources:",
    "  - name: issues",
    "    type: request",
    "    resource: ticketing/tickets",
    "    method: list",
    "  - name: slim",
    "    type: transform",
    "    depends_on: issues",
    "    config:",
    "      expression: |-",
    "        $.{",
    "          'id': id",
    "        }",
    "  - name: out",
    "    type: destination",
    "    destination_type: webhook",
    "    config:",
    "      id: '{{args.webhook_id}}'",
    "    resources_to_persist:",
    "      - slim",
]


def test_text_update_shows_line_pairs_additions_removals_moves_and_multiline() -> None:
    text = render_plan_text(make_plan(actions=[update_action()]), color=False)
    assert text == (
        "syncspec will perform these actions on https://api.truto.one (profile p):\n\n"
        "  ~ update jira (id 7)  [jobs/jira.yaml:3]\n"
        + "".join(f"      {line}\n" for line in UPDATE_LINES)
        + "\nPlan: 0 to create, 1 to update, 0 to delete; 0 unmanaged.\n"
    )
    assert "null" not in text


def test_text_create_is_the_whole_job_as_yaml() -> None:
    text = render_plan_text(make_plan(actions=[create_action()]), color=False)
    assert text == (
        "syncspec will perform these actions on https://api.truto.one (profile p):\n\n"
        "  + create new-v4  [jobs/new-v4.yaml:2]\n"
        + "".join(f"      + {line}\n" for line in CREATE_YAML)
        + "\nPlan: 1 to create, 0 to update, 0 to delete; 0 unmanaged.\n"
    )


def test_text_delete_shows_the_live_job_and_a_banner() -> None:
    actions = [
        Action(
            kind=ActionKind.DELETE,
            label=f"old-{i:02d}",
            job_id=str(i),
            body={"label": f"old-{i:02d}", "integration_name": "zendesk", "mutex_key": None},
        )
        for i in range(12)
    ]
    text = render_plan_text(make_plan(actions=actions), color=False)
    assert text.startswith(
        "⚠ This plan deletes 12 jobs: old-00, old-01, old-02, old-03, old-04, old-05, old-06, "
        "old-07, old-08, old-09 and 2 more\n\n"
        "syncspec will perform these actions on https://api.truto.one (profile p):\n\n"
        "  - delete old-00 (id 0)\n"
        "      - label: old-00\n"
        "      - integration_name: zendesk\n"
        "  - delete old-01 (id 1)\n"
    )


def test_text_compact_is_one_line_per_action() -> None:
    assert render_plan_text(sample_plan(), color=False, compact=True) == (
        "⚠ This plan deletes 1 job: team-a-old\n"
        "\n"
        "syncspec will perform these actions on https://api.truto.one (profile staging):\n"
        "\n"
        "  - delete team-a-old (id j2)\n"
        "  ~ update zendesk-tickets (id j1)  [jobs/zendesk-tickets.yaml:2]  (2 changes)\n"
        "  + create new-job  [jobs/new-job.yaml:2]  (1 resource)\n"
        "\n"
        "Conflicts (these files are not planned):\n"
        '  error: jobs/dup.yaml:2: 2 live jobs are labelled "dup" (ids j4, j5); '
        "keep one: pin it for this environment in syncspec.toml ([profiles.staging.pins] "
        '"dup" = "<id>"; each environment pins its own, the job file stays as it is), or '
        "delete the others\n"
        "      id j4, differs from the file\n"
        "      id j5, differs from the file\n"
        "\n"
        "Error: 1 conflict (its file is not planned). Plan for the rest: 1 to create, 1 to "
        "update, 1 to delete; 1 unmanaged.\n"
    )


def conflict_only_plan() -> Plan:
    return make_plan(
        actions=[
            Action(kind=ActionKind.NOOP, label="a", job_id="1"),
            Action(kind=ActionKind.NOOP, label="b", job_id="2"),
        ],
        notices=[
            Notice(
                kind=NoticeKind.CONFLICT,
                message='2 live jobs are labelled "c" (ids 3, 4)',
                label="c",
                file="jobs/c.yaml",
                line=1,
            )
        ],
    )


def test_a_conflict_is_never_reported_as_no_changes() -> None:
    plan = conflict_only_plan()
    summary = (
        "Error: 1 conflict (its file is not planned). Plan for the rest: 0 to create, 0 to "
        "update, 0 to delete; 0 unmanaged."
    )
    text = render_plan_text(plan, color=False)
    markdown = render_plan_markdown(plan)
    github = render_plan_github(plan)
    assert text == (
        "Conflicts (these files are not planned):\n"
        '  error: jobs/c.yaml:1: 2 live jobs are labelled "c" (ids 3, 4)\n'
        "\n" + summary + "\n"
    )
    assert f"\n\n**{summary}**\n\n" in markdown
    assert github.splitlines()[-1] == summary
    for out in (text, markdown, github):
        assert "No changes" not in out


def test_markdown_marker_is_the_first_line_then_head_and_run_link() -> None:
    context = ReviewContext(
        profile="prod", head_sha="ab" * 20, run_url="https://github.com/o/r/actions/runs/5"
    )
    md = render_plan_markdown(sample_plan(), context=context)
    assert md.startswith(
        "<!-- syncspec-plan profile=prod -->\n"
        "### syncspec plan · `staging` · https://api.truto.one\n"
        "Planned at head `abababababab` · [workflow run](https://github.com/o/r/actions/runs/5)"
        " · 2024-01-01 00:00 UTC\n"
        "\n"
        "> [!CAUTION]\n"
        "> **⚠ This plan deletes 1 job: team-a-old**\n"
        "\n"
    )
    # without a context: the plan's own profile ("env" is the no-profiles one: "default")
    assert render_plan_markdown(sample_plan()).startswith(
        "<!-- syncspec-plan profile=staging -->\n### syncspec plan · `staging` · "
        "https://api.truto.one\nPlanned at 2024-01-01 00:00 UTC\n\n"
    )
    no_profiles = make_plan(actions=[]).model_copy(update={"profile": "env"})
    assert render_plan_markdown(no_profiles).startswith("<!-- syncspec-plan profile=default -->\n")


@pytest.mark.parametrize(
    ("profile", "line"),
    [
        ("staging", "<!-- syncspec-plan profile=staging -->"),
        ("a b-->x", "<!-- syncspec-plan profile=a%20b--%3Ex -->"),
        ("é", "<!-- syncspec-plan profile=%C3%A9 -->"),
        ("", "<!-- syncspec-plan profile=default -->"),
    ],
)
def test_marker_cannot_close_the_comment(profile: str, line: str) -> None:
    assert marker(profile) == line


def test_markdown_update_section_is_a_diff_block_under_the_graph() -> None:
    md = render_plan_markdown(make_plan(actions=[update_action()]))
    section = md.split("#### `~ update` `jira` (id `7`) — `jobs/jira.yaml:3`\n\n", 1)[1]
    assert section == (
        "```mermaid\n"
        "flowchart TD\n"
        '  n0["issues #40;changed#41;<br/>request: ticketing/tickets list"]:::t_request\n'
        '  n1[/"slim #40;changed#41;<br/>transform"/]:::t_transform\n'
        '  n2[["fresh #40;new#41;<br/>spool"]]:::t_spool\n'
        "  n0 --> n1\n"
        "  n1 --> n2\n"
        "  classDef t_request fill:#ddf4ff,stroke:#0969da,color:#1f2328\n"
        "  classDef t_spool fill:#f6f8fa,stroke:#57606a,color:#1f2328\n"
        "  classDef t_transform fill:#fbefff,stroke:#8250df,color:#1f2328\n"
        "  classDef added stroke:#1a7f37,stroke-width:4px\n"
        "  class n2 added\n"
        "  classDef changed stroke:#bf8700,stroke-width:4px,stroke-dasharray:6 3\n"
        "  class n0,n1 changed\n"
        "```\n\n"
        "<sub>Solid arrows: <code>depends_on</code>; dashed: <code>resources_to_persist</code>."
        " Thick outline: a new node; dashed outline: a changed one.</sub>\n\n"
        "Removed nodes (not drawn): `old-node`\n\n"
        "```diff\n" + "\n".join(line.rstrip() for line in UPDATE_LINES) + "\n```\n"
    )


def test_markdown_create_section_folds_the_job_yaml() -> None:
    md = render_plan_markdown(make_plan(actions=[create_action()]))
    section = md.split("#### `+ create` `new-v4` — `jobs/new-v4.yaml:2`\n\n", 1)[1]
    graph, rest = section.split("\n```\n\n", 1)
    assert graph.splitlines()[:5] == [
        "```mermaid",
        "flowchart TD",
        '  n0["issues<br/>request: ticketing/tickets list"]:::t_request',
        '  n1[/"slim<br/>transform"/]:::t_transform',
        '  n2{{"out<br/>destination: webhook"}}:::t_destination',
    ]
    assert "  n1 -.-> n2" in graph and "class " not in graph  # a create highlights nothing
    assert rest == (
        "<sub>Solid arrows: <code>depends_on</code>; dashed: <code>resources_to_persist</code>."
        "</sub>\n\n"
        "<details><summary>Job file as created (23 lines of YAML)</summary>\n\n"
        "```yaml\n" + "\n".join(CREATE_YAML) + "\n```\n\n</details>\n"
    )


def test_markdown_compact() -> None:
    md = render_plan_markdown(sample_plan(), compact=True)
    assert md.endswith(
        "**Conflicts** (these files are not planned):\n\n"
        '- `jobs/dup.yaml:2`: 2 live jobs are labelled "dup" (ids j4, j5); keep one: pin it '
        'for this environment in syncspec.toml (\\[profiles.staging.pins\\] "dup" = '
        '"&lt;id&gt;"; each environment pins its own, the job file stays as it is), or delete the '
        "others\n"
        "  - id j4, differs from the file\n"
        "  - id j5, differs from the file\n\n"
        "**Changes:**\n\n"
        "- `- delete` `team-a-old` (id `j2`)\n"
        "- `~ update` `zendesk-tickets` (id `j1`) — 2 changes — `jobs/zendesk-tickets.yaml:2`\n"
        "- `+ create` `new-job` — 1 resource — `jobs/new-job.yaml:2`\n"
    )
    assert "```" not in md and "<details>" not in md


def test_markdown_keeps_every_heading_when_bodies_do_not_fit() -> None:
    # 40 creates of ~3,000 characters each: far over the budget, so bodies give way
    creates = [
        Action(
            kind=ActionKind.CREATE,
            label=f"job-{i:02d}",
            file=f"jobs/job-{i:02d}.yaml",
            line=1,
            body={
                "label": f"job-{i:02d}",
                "default_runtime_version": 4,
                "resources": [
                    {"name": f"n{k}", "type": "transform", "config": {"expression": "x" * 100}}
                    for k in range(25)
                ],
            },
        )
        for i in range(40)
    ]
    md = render_plan_markdown(make_plan(actions=creates), max_chars=20_000)
    assert len(md) <= 20_000
    assert md.count("#### `+ create`") == 40
    note = "_Details (25 resources) not shown to stay within GitHub's comment size — see the full "
    assert 0 < md.count(note) < 40
    assert "more changes not shown" not in md


def test_long_lines_are_cut_in_markdown_with_their_length() -> None:
    change = FieldChange(pointer="/mutex_key", kind="changed", old="a", new="b" * 1500)
    md = render_plan_markdown(
        make_plan(actions=[Action(kind=ActionKind.UPDATE, label="u", changes=[change])])
    )
    assert f'+ /mutex_key: "{"b" * 985}… (1516 chars)\n' in md


# --- where the plan was made ----------------------------------------------------------------

SHA_HEAD = "1" * 40
SHA_MERGE = "2" * 40
GITHUB = {
    "GITHUB_SHA": SHA_MERGE,
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_REPOSITORY": "acme/jobs",
    "GITHUB_RUN_ID": "123",
}


def test_review_context_prefers_the_pull_request_head() -> None:
    event = {"pull_request": {"head": {"sha": SHA_HEAD}}}
    assert review_context("staging", GITHUB, event) == ReviewContext(
        profile="staging",
        head_sha=SHA_HEAD,
        run_url="https://github.com/acme/jobs/actions/runs/123",
    )
    assert review_context("env", GITHUB).head_sha == SHA_MERGE
    assert review_context("env", GITHUB).profile == "default"
    assert review_context("env", {}) == ReviewContext()


@pytest.mark.parametrize(
    "env",
    [
        {**GITHUB, "GITHUB_SERVER_URL": "javascript:alert(1)//"},
        {**GITHUB, "GITHUB_REPOSITORY": "acme/jobs) [x](https://evil"},
        {**GITHUB, "GITHUB_RUN_ID": "12a"},
    ],
)
def test_review_context_rejects_odd_values(env: dict[str, str]) -> None:
    assert review_context("p", env).run_url is None
    bad = review_context("p", {"GITHUB_SHA": "not-a-sha"}, {"pull_request": {"head": "x"}})
    assert bad.head_sha is None


def test_read_event(tmp_path: Path) -> None:
    path = tmp_path / "event.json"
    path.write_text(json.dumps({"pull_request": {"head": {"sha": SHA_HEAD}}}))
    assert read_event({"GITHUB_EVENT_PATH": str(path)}) == {
        "pull_request": {"head": {"sha": SHA_HEAD}}
    }
    path.write_text("[1, 2]")
    assert read_event({"GITHUB_EVENT_PATH": str(path)}) is None
    path.write_text("{not json")
    assert read_event({"GITHUB_EVENT_PATH": str(path)}) is None
    assert read_event({"GITHUB_EVENT_PATH": str(tmp_path / "missing.json")}) is None
    assert read_event({}) is None


# -- issue 24: the changed span of a long line, and the full plan linked when anything is cut --

LONG_OLD = (
    "$map(resources.`knowledge-base`.pages, function($p) { {'id': $p.id, 'title': $p.title, "
    "'url': $p.url, 'parent': $p.parent_id, 'updated': $p.updated_at, 'space': $p.space_key, "
    "'labels': $p.labels, 'owner': $p.owner.email, 'created': $p.created_at, 'archived': "
    "$p.archived, 'version': $p.version.number, 'body': $p.body.storage.value} })"
)
LONG_NEW = LONG_OLD.replace("'owner': $p.owner.email", "'owner': $p.owner.account_id")


def long_line_plan() -> Plan:
    change = FieldChange(
        pointer="/resources/1/config/expression", kind="changed", old=LONG_OLD, new=LONG_NEW
    )
    action = Action(
        kind=ActionKind.UPDATE,
        label="confluence-pages",
        job_id="j1",
        file="jobs/confluence-pages.yaml",
        line=3,
        changes=[change],
    )
    return make_plan(actions=[action], notices=[])


def test_a_long_one_line_change_shows_its_changed_span() -> None:
    assert len(LONG_OLD) >= 300
    md = render_plan_markdown(long_line_plan())
    lines = md.splitlines()
    minus = next(line for line in lines if "⟪" in line and line.startswith("-"))
    plus = next(line for line in lines if "⟪" in line and line.startswith("+"))
    assert "⟪email⟫" in minus and "⟪account_id⟫" in plus
    assert max(len(minus), len(plus)) <= 120  # visible without scrolling
    assert "'owner': $p.owner.⟪" in plus  # with its context
    assert "characters: only the part between ⟪ ⟫ changed, at character " in md


def test_the_full_plan_is_linked_when_anything_is_cut() -> None:
    url = "https://github.com/o/r/actions/runs/5/artifacts/77"
    context = review_context(
        "prod",
        {
            "GITHUB_SERVER_URL": "https://github.com",
            "GITHUB_REPOSITORY": "o/r",
            "GITHUB_RUN_ID": "5",
            "SYNCSPEC_PLAN_ARTIFACT_URL": url,
        },
    )
    assert context.artifact_url == url
    small = render_plan_markdown(sample_plan(), context=context)
    assert url not in small  # nothing cut: no link needed
    cut = render_plan_markdown(sample_plan(), context=context, max_chars=1_200)
    assert f"Not everything fits in this comment: [download the full plan]({url})." in cut
    assert "see the full plan artifact" not in cut
    assert len(cut) <= 1_200 + 200
    elsewhere = {
        "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "o/r",
        "GITHUB_RUN_ID": "5",
        "SYNCSPEC_PLAN_ARTIFACT_URL": "https://evil.example/x",
    }
    assert review_context("prod", elsewhere).artifact_url is None


def test_the_rendered_comment_shows_the_sha_and_the_changed_span() -> None:
    """The comment as GitHub renders it (markdown to HTML, as looked at in a headless browser
    for issue 24): the head SHA in the header, the changed span in the first 100 columns."""
    from markdown_it import MarkdownIt

    context = ReviewContext(profile="default", head_sha="3f9c2a71be04" + "0" * 28)
    html_text = MarkdownIt("commonmark").render(
        render_plan_markdown(long_line_plan(), context=context)
    )
    assert "Planned at head <code>3f9c2a71be04</code>" in html_text
    pre = html_text.split("<pre>", 1)[1].split("</pre>", 1)[0]
    minus, plus = pre.splitlines()[0:2]
    assert minus.index("⟪email⟫") + len("⟪email⟫") <= 100
    assert plus.index("⟪account_id⟫") + len("⟪account_id⟫") <= 100
