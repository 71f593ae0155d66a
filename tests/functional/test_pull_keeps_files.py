"""issue 24: `pull` keeps the team's files. The dashboard appends, removes and reorders nodes;
the pull changes only those nodes' lines (the tests diff the file), keeps every comment of the
other nodes, their key order, their quoting and the file's line endings. `pull --dry-run` and the
uncommitted-changes guard, against the emulator over HTTP."""

from __future__ import annotations

import difflib
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from syncspec.jobfile.fmt import format_text
from syncspec.jobfile.yaml.loader import parse_text
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import make_project, run

TEAM_FILE = """\
# yaml-language-server: $schema=../schemas/sync-job.schema.json
# Owned by the data team: ask in #data before changing.
label: tickets-v4
integration_name: zendesk
default_runtime_version: 4
state_key: "{{args.integrated_account_id}}"   # before args_schema: the team's order
args_schema:
  integrated_account_id: {type: string, format: integrated_account_id, required: true}
  webhook_id: {type: string, format: webhook_id, required: true}
resources:
  # where the cursor lives
  - name: cursor
    type: get_state
    config: {key: last, default: "1970-01-01"}   # epoch on the first run
  # every ticket changed since the cursor
  - type: request          # type first: the team's order
    name: tickets
    depends_on: cursor
    resource: ticketing/tickets
    method: list
    integrated_account_id: "{{args.integrated_account_id}}"
    query:
      updated_at: {gt: "{{resources.cursor.value}}"}   # double quotes on purpose
  # the comments of each ticket
  - name: comments
    type: request
    depends_on: tickets
    resource: ticketing/comments
    method: list
    integrated_account_id: '{{args.integrated_account_id}}'
  # fires when the run completes
  - name: done
    type: event
    depends_on: comments
    config:
      name: complete
  # moves the cursor
  - name: save
    type: update_state
    depends_on: done
    config:
      key: last
      value: "{{sync_job_run.started_at}}"
"""

WEBHOOK = {
    "name": "deliver",
    "type": "destination",
    "depends_on": "tickets",
    "destination_type": "webhook",
    "config": {"id": "{{args.webhook_id}}"},
    "resources_to_persist": ["tickets"],
}


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@example.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@example.invalid",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


@pytest.fixture
def team(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    return tmp_path


def _seed(emulator: EmulatorHandle, text: str) -> dict[str, Any]:
    data = parse_text(text.replace("\r\n", "\n"), "team").data
    assert data is not None
    (live,) = emulator.seed(data)
    return live


def _dashboard_edit(emulator: EmulatorHandle, live: dict[str, Any], resources: Any) -> None:
    emulator.client().update_sync_job(live["id"], {"resources": resources})


def _pull() -> None:
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output


def _changed_lines(before: str, after: str) -> list[str]:
    diff = difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
    return [line for line in diff if line[:1] in "+-" and line[:3] not in ("+++", "---")]


def _nodes(text: str) -> list[dict[str, Any]]:
    data = parse_text(text.replace("\r\n", "\n"), "team").data
    assert data is not None
    resources: list[dict[str, Any]] = data["resources"]
    return resources


@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_append_remove_reorder_change_only_those_nodes(
    team: Path, emulator_env: EmulatorHandle, newline: str
) -> None:
    path = team / "jobs" / "tickets.yaml"
    original = TEAM_FILE.replace("\n", newline)
    path.write_bytes(original.encode())
    live = _seed(emulator_env, TEAM_FILE)
    nodes = _nodes(TEAM_FILE)
    cursor, tickets, _comments, done, save = nodes

    # 1. the dashboard appends a node
    _dashboard_edit(emulator_env, live, [*nodes, WEBHOOK])
    _pull()
    appended = path.read_bytes().decode()
    assert appended.startswith(original)  # not one byte of the team's lines changed
    assert _changed_lines(original, appended) == [
        "+  - name: deliver",
        "+    type: destination",
        "+    depends_on: tickets",
        "+    destination_type: webhook",
        "+    config:",
        '+      id: "{{args.webhook_id}}"',
        "+    resources_to_persist:",
        "+      - tickets",
    ]
    assert appended.count("\r\n") == (appended.count("\n") if newline == "\r\n" else 0)

    # 2. the dashboard removes a node (comments; "done" now depends on tickets): only the
    # removed node's lines go, and the one changed line of "done"
    done = {**done, "depends_on": "tickets"}
    _dashboard_edit(emulator_env, live, [cursor, tickets, done, save, WEBHOOK])
    _pull()
    removed = path.read_bytes().decode()
    assert _changed_lines(appended, removed) == [
        "-  # the comments of each ticket",  # the comment above a node goes with it
        "-  - name: comments",
        "-    type: request",
        "-    depends_on: tickets",
        "-    resource: ticketing/comments",
        "-    method: list",
        "-    integrated_account_id: '{{args.integrated_account_id}}'",
        "-    depends_on: comments",
        "+    depends_on: tickets",
    ]

    # 3. the dashboard moves "save" last: its lines move, with the comment above it
    _dashboard_edit(emulator_env, live, [cursor, tickets, done, WEBHOOK, save])
    _pull()
    moved = path.read_bytes().decode()
    assert sorted(_changed_lines(removed, moved)) == sorted(
        [
            "-  # moves the cursor",
            "-  - name: save",
            "-    type: update_state",
            "-    depends_on: done",
            "-    config:",
            "-      key: last",
            '-      value: "{{sync_job_run.started_at}}"',
            "+  # moves the cursor",
            "+  - name: save",
            "+    type: update_state",
            "+    depends_on: done",
            "+    config:",
            "+      key: last",
            '+      value: "{{sync_job_run.started_at}}"',
        ]
    )
    assert "# the comments of each ticket" not in moved
    for comment in [
        "# Owned by the data team: ask in #data before changing.",
        "  # where the cursor lives",
        "# epoch on the first run",
        "  # every ticket changed since the cursor",
        "# type first: the team's order",
        "# before args_schema: the team's order",
        "  # fires when the run completes",
        "# double quotes on purpose",
        "  # moves the cursor",
    ]:
        assert comment in moved, comment
    lines = moved.split(newline)
    assert lines[lines.index("  # moves the cursor") + 1] == "  - name: save"
    assert moved.count("\r\n") == (moved.count("\n") if newline == "\r\n" else 0)
    planned = run("plan")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("No changes.")


def test_pull_output_is_fmt_clean(team: Path, emulator_env: EmulatorHandle) -> None:
    emulator_env.seed(parse_text(TEAM_FILE, "t").data or {})
    _pull()
    (path,) = (team / "jobs").glob("*.yaml")
    text = path.read_text()
    assert format_text(text, path.name) == text
    assert run("fmt", "--check").exit_code == 0


def test_dry_run_shows_the_diff_and_writes_nothing(
    team: Path, emulator_env: EmulatorHandle
) -> None:
    path = team / "jobs" / "tickets.yaml"
    path.write_text(TEAM_FILE)
    live = _seed(emulator_env, TEAM_FILE)
    quiet = run("pull", "--dry-run")
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == ""
    _dashboard_edit(emulator_env, live, [*_nodes(TEAM_FILE), WEBHOOK])
    dry = run("pull", "--dry-run")
    assert dry.exit_code == 2, dry.output
    assert dry.stdout.startswith("--- a/jobs/tickets.yaml\n+++ b/jobs/tickets.yaml\n")
    assert "\n+  - name: deliver\n" in dry.stdout
    assert path.read_text() == TEAM_FILE
    assert dry.stderr.endswith(
        "Dry run: 0 file(s) would be created, 1 updated, 0 unchanged; nothing was written.\n"
    )


def test_uncommitted_changes_are_not_overwritten_without_force(
    team: Path, emulator_env: EmulatorHandle
) -> None:
    path = team / "jobs" / "tickets.yaml"
    path.write_text(TEAM_FILE)
    _git(team, "init", "-q")
    _git(team, "add", ".")
    _git(team, "commit", "-q", "-m", "jobs")
    live = _seed(emulator_env, TEAM_FILE)
    edited = TEAM_FILE.replace("# Owned by", "# (draft, not committed)\n# Owned by")
    path.write_text(edited)
    _dashboard_edit(emulator_env, live, [*_nodes(TEAM_FILE), WEBHOOK])
    refused = run("pull")
    assert refused.exit_code == 1, refused.output
    assert path.read_text() == edited
    assert (
        f"warning: not pulled: job {live['id']}: jobs/tickets.yaml has uncommitted changes; "
        "commit or stash them first, or pass --force to overwrite them\n"
    ) in refused.stderr
    forced = run("pull", "--force")
    assert forced.exit_code == 0, forced.output
    text = path.read_text()
    assert text.startswith(edited)  # --force merges: the draft comment is still there
    assert "\n  - name: deliver\n" in text
