"""Render a realistic markdown plan the way GitHub shows a PR comment, and screenshot it.

Not part of the package or the test suite: a reviewer's-eye check of ``--format markdown``.
The plan creates a new V4 job, updates another (a multi-line JSONata change, an added field, a
new node) and deletes a third. Needs, outside the repository:

    npm install --prefix /tmp/shot mermaid github-markdown-css @highlightjs/cdn-assets
    apt-get install -y chromium      # if missing

Then:  python docs/screenshot_plan.py --node-modules /tmp/shot/node_modules --out /tmp/shot

It writes plan.md, plan.html and plan.png in --out. markdown-it-py (a dependency of rich) turns
the markdown into HTML; ```` ```mermaid ```` blocks become diagrams and ``> [!CAUTION]``
becomes an alert box, as on GitHub; highlight.js colours the diff and YAML blocks.
"""

from __future__ import annotations

import argparse
import copy
import html
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from syncspec.config import PruneScope
from syncspec.engine.model import PlanOptions
from syncspec.engine.plan import plan_changes
from syncspec.engine.review import ReviewContext
from syncspec.jobfile.jobs import LocalJob
from syncspec.render.plan_markdown import render_plan_markdown

ROOT = Path(__file__).resolve().parents[1]

NEW_JOB: dict[str, Any] = {
    "label": "zendesk-tickets-incremental",
    "integration_name": "zendesk",
    "default_runtime_version": 4,
    "args_schema": {
        "integrated_account_id": {
            "type": "string",
            "format": "integrated_account_id",
            "required": True,
        },
        "webhook_id": {"type": "string", "format": "webhook_id", "required": True},
    },
    "mutex_key": "zendesk-{{args.integrated_account_id}}",
    "state_key": "zendesk-tickets-{{args.integrated_account_id}}",
    "resources": [
        {"name": "start", "type": "event", "config": {"name": "start"}},
        {
            "name": "last-sync",
            "type": "get_state",
            "depends_on": "start",
            "config": {"key": "tickets_cursor", "default": ""},
        },
        {
            "name": "tickets",
            "type": "request",
            "depends_on": "last-sync",
            "resource": "ticketing/tickets",
            "method": "list",
            "integrated_account_id": "{{args.integrated_account_id}}",
            "query": {"updated_after": "{{resources.last-sync.value:ignore-empty-str}}"},
        },
        {
            "name": "slim-tickets",
            "type": "transform",
            "depends_on": "tickets",
            "config": {
                "expression": "$map($, function($t) {\n  {\n    'id': $t.id,\n"
                "    'subject': $t.subject,\n    'status': $t.status,\n"
                "    'updated_at': $t.updated_at\n  }\n})"
            },
        },
        {
            "name": "to-webhook",
            "type": "destination",
            "destination_type": "webhook",
            "config": {"id": "{{args.webhook_id}}"},
            "resources_to_persist": ["slim-tickets"],
        },
        {
            "name": "done",
            "type": "event",
            "depends_on": "to-webhook",
            "config": {"name": "complete"},
        },
        {
            "name": "save-cursor",
            "type": "update_state",
            "depends_on": "done",
            "config": {"key": "tickets_cursor", "value": "{{sync_job_run.started_at}}"},
        },
    ],
}


def _read(name: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load((ROOT / "jobs" / name).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _local(data: dict[str, Any], line: int = 3) -> LocalJob:
    display = f"jobs/{data['label']}.yaml"
    return LocalJob(path=ROOT / display, display=display, line=line, data=data)


def sample_markdown() -> str:
    jira_live = _read("jira-issues-datastore.yaml")
    jira = copy.deepcopy(jira_live)
    jira["mutex_key"] = "jira-{{args.integrated_account_id}}"
    nodes = jira["resources"]
    nodes[2]["config"]["expression"] = (
        "$map($, function($i) {\n  {\n    'id': $i.id,\n    'title': $i.name,\n"
        "    'status': $i.status.name,\n    'assignee': $i.assignee.email,\n"
        "    'updated_at': $i.updated_at\n  }\n})"
    )
    nodes.insert(
        2,
        {
            "name": "comments",
            "type": "request",
            "depends_on": "issues",
            "resource": "ticketing/comments",
            "method": "list",
            "integrated_account_id": "{{args.integrated_account_id}}",
            "query": {"ticket_id": "{{resources.ticketing.tickets.id}}"},
        },
    )
    nodes[-1]["resources_to_persist"] = ["projects", "slim-issues", "comments"]
    greenhouse = _read("greenhouse-candidates-guarded.yaml")
    live = [
        {**jira_live, "id": "6a1f0c2e", "updated_at": "2026-11-30T09:12:00Z"},
        {**greenhouse, "id": "9b77d410", "updated_at": "2026-11-02T10:00:00Z"},
        {
            "id": "3c09e5aa",
            "label": "team-a-hubspot-contacts-old",
            "integration_name": "hubspot",
            "default_runtime_version": 2,
            "resources": [
                {"resource": "crm/contacts", "method": "list"},
                {
                    "resource": "crm/notes",
                    "method": "list",
                    "depends_on": "crm/contacts",
                    "query": {"contact_id": "{{resources.crm.contacts.id}}"},
                },
            ],
            "updated_at": "2025-06-01T00:00:00Z",
        },
    ]
    plan = plan_changes(
        [_local(NEW_JOB), _local(jira, 4), _local(greenhouse, 4)],
        live,
        options=PlanOptions(prune=True),
        prune_scope=PruneScope(labels=("team-a-*",)),
        api_url="https://api.truto.one",
        profile="production",
        now="2026-12-01T17:00:00Z",
    )
    context = ReviewContext(
        profile="production",
        head_sha="4f2c9e1b7a0d3c5e8f6a1b2c3d4e5f60718293a4",
        run_url="https://github.com/acme/truto-jobs/actions/runs/12345678901",
    )
    return render_plan_markdown(plan, context=context)


_ALERT = re.compile(r"<blockquote>\s*<p>\[!CAUTION\]\s*", re.S)


def to_html(markdown: str, node_modules: Path) -> str:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable("table")

    def fence(renderer: Any, tokens: Any, idx: int, options: Any, env: Any) -> str:
        token = tokens[idx]
        lang = token.info.strip()
        if lang == "mermaid":
            return f'<pre class="mermaid">{html.escape(token.content)}</pre>\n'
        return f'<pre><code class="language-{lang}">{html.escape(token.content)}</code></pre>\n'

    md.add_render_rule("fence", fence)
    body = md.render(markdown)
    body = _ALERT.sub(
        '<blockquote class="alert"><p class="alert-title">Caution</p><p>', body, count=1
    )
    css = (node_modules / "github-markdown-css" / "github-markdown-light.css").as_uri()
    hl = node_modules / "@highlightjs" / "cdn-assets"
    return f"""<!doctype html>
<html><head><meta charset="utf-8">
<link rel="stylesheet" href="{css}">
<link rel="stylesheet" href="{(hl / "styles" / "github.min.css").as_uri()}">
<style>
  body {{ background: #fff; margin: 0; }}
  .markdown-body {{ box-sizing: border-box; max-width: 980px; margin: 24px auto; padding: 24px;
    border: 1px solid #d0d7de; border-radius: 6px; }}
  .hljs {{ background: transparent; padding: 0; }}
  .hljs-addition {{ background: #dafbe1; display: inline-block; width: 100%; }}
  .hljs-deletion {{ background: #ffebe9; display: inline-block; width: 100%; }}
  blockquote.alert {{ border-left: .25em solid #cf222e; color: inherit; }}
  .alert-title {{ color: #cf222e; font-weight: 600; margin-bottom: 4px; }}
  pre.mermaid {{ background: #fff; text-align: center; }}
</style>
<script src="{(hl / "highlight.min.js").as_uri()}"></script>
<script src="{(hl / "languages" / "yaml.min.js").as_uri()}"></script>
<script src="{(hl / "languages" / "diff.min.js").as_uri()}"></script>
<script src="{(node_modules / "mermaid" / "dist" / "mermaid.min.js").as_uri()}"></script>
</head><body><article class="markdown-body">
{body}
</article>
<script>
  hljs.highlightAll();
  for (const d of document.querySelectorAll("details")) d.open = true;  // show what folds
  mermaid.initialize({{ startOnLoad: true, securityLevel: "strict" }});
</script>
</body></html>
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--node-modules", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--height", type=int, default=3000)
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    markdown = sample_markdown()
    (args.out / "plan.md").write_text(markdown, encoding="utf-8")
    page = args.out / "plan.html"
    page.write_text(to_html(markdown, args.node_modules.resolve()), encoding="utf-8")
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print(f"wrote {page}; install chromium for the screenshot")
        return
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--allow-file-access-from-files",
                "--virtual-time-budget=10000",
                f"--screenshot={args.out / 'plan.png'}",
                f"--window-size=1200,{args.height}",
                page.resolve().as_uri(),
            ],
            check=True,
            timeout=300,
        )
    print(f"wrote {args.out / 'plan.png'} ({len(markdown):,} characters of markdown)")


if __name__ == "__main__":
    main()
