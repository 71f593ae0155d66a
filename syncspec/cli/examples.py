"""Examples for every command's ``--help``, by command path (appended when commands load).

Kept in one place so command modules stay about options; ``syncspec.cli.LazyGroup`` adds the
block to a command's epilog. tests/unit/test_cli_habits.py checks that every command has one.
"""

from __future__ import annotations

from typing import Final

EXAMPLES: Final[dict[str, list[str]]] = {
    "validate": [
        "syncspec validate",
        "syncspec validate jobs/zendesk-tickets.yaml --strict",
        "syncspec validate --format github   # annotations in GitHub Actions",
    ],
    "schema": [
        "syncspec schema",
        "syncspec schema --check   # in CI: exit 1 when the committed schema is stale",
    ],
    "plan": [
        "syncspec plan",
        "syncspec plan jobs/zendesk-tickets.yaml --debug",
        "syncspec plan --format markdown --out plan.json   # a PR comment and the plan to apply",
        "syncspec plan --detailed-exitcode --profile production   # drift check: exit 2 on changes",
    ],
    "apply": [
        "syncspec apply",
        "syncspec apply plan.json --auto-approve   # exactly the reviewed plan, or nothing",
        "syncspec apply --target 'zendesk-*' --prune --max-deletes 2",
    ],
    "pull": [
        "syncspec pull",
        "syncspec pull 'zendesk-*' --profile staging",
    ],
    "runs": [
        "syncspec runs start zendesk-tickets --account ACCOUNT_ID --watch",
        "syncspec runs list --job zendesk-tickets --status failed",
    ],
    "runs start": [
        "syncspec runs start zendesk-tickets --account ACCOUNT_ID --watch",
        "syncspec runs start zendesk-tickets --account ACCOUNT_ID --arg user_ids='[\"42\"]'",
        "syncspec runs start jira-issues-to-datastore --account ACCOUNT_ID "
        "--arg datastore_id=DATASTORE_ID",
        "syncspec runs start JOB_ID --account ACCOUNT_ID --args-file args.json --format json",
    ],
    "runs watch": ["syncspec runs watch RUN_ID --format json"],
    "runs list": [
        "syncspec runs list --job zendesk-tickets --limit 5",
        "syncspec runs list --account ACCOUNT_ID --status running",
    ],
    "runs get": ["syncspec runs get RUN_ID", "syncspec runs get RUN_ID --format json"],
    "runs stop": ["syncspec runs stop RUN_ID"],
    "schedules": [
        "syncspec schedules",
        "syncspec schedules zendesk-tickets --format json",
    ],
    "run-state": [
        "syncspec run-state list --state-key ACCOUNT_ID --decode",
        "syncspec run-state delete --state-key ACCOUNT_ID last_updated_at   # full sync next",
    ],
    "run-state list": ["syncspec run-state list --state-key ACCOUNT_ID --decode"],
    "run-state get": ["syncspec run-state get --state-key ACCOUNT_ID last_updated_at --decode"],
    "run-state set": [
        "syncspec run-state set --state-key ACCOUNT_ID last_updated_at "
        "--value 2024-01-01T00:00:00Z",
        "syncspec run-state set --state-key ACCOUNT_ID cursor --json '{\"page\": 3}' --base64",
    ],
    "run-state delete": ["syncspec run-state delete --state-key ACCOUNT_ID last_updated_at -y"],
    "emulator": [
        "syncspec emulator --port 8787 --token dev-token",
        "syncspec emulator --db emulator.sqlite --seed jobs.json --latency-ms 50",
    ],
    "init": [
        "syncspec init my-truto-jobs && cd my-truto-jobs && syncspec validate",
        "syncspec init my-truto-jobs --profiles staging,production   # a promotion workflow",
        "syncspec init --adopt",
    ],
    "fmt": [
        "syncspec fmt",
        "syncspec fmt --check",
        "syncspec fmt --diff jobs/zendesk-tickets.yaml",
    ],
    "show": ["syncspec show plan.json", "syncspec show plan.json --format markdown > plan.md"],
    "demo": ["syncspec demo", "syncspec demo --jobs-dir jobs"],
    "test": [
        "syncspec test",
        "syncspec test tests/zendesk-tickets.yaml --format junit > junit.xml",
    ],
    "diff": [
        "syncspec diff --profile staging --profile production",
        "syncspec diff --profile staging --profile production --format markdown   # a PR comment",
    ],
    "graph": [
        "syncspec graph salesforce-accounts-incremental",
        "syncspec graph jobs/jira-issues-datastore.yaml --format dot | dot -Tsvg > g.svg",
        "syncspec graph salesforce-accounts-incremental --format mermaid",
    ],
}


def examples_epilog(command_path: str, help_text: str = "") -> str | None:
    """The ``Examples:`` block of a command (``"runs start"``), kept unwrapped by click.

    Examples its own help already shows (``help_text``) are not repeated.
    """
    lines = [line for line in EXAMPLES.get(command_path, []) if line not in help_text]
    if not lines:
        return None
    # "\b" tells click not to rewrap the paragraph that follows
    return "\b\nExamples:\n" + "\n".join(f"  {line}" for line in lines)
