"""The review surface end to end: `plan --compact`, the PR comment's marker / head / run link
from GitHub's environment, and the conflict wording, through the CLI against the emulator."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import EXAMPLES, job, make_project, run

HEAD = "c0ffee" + "0" * 34


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("CI", "GITHUB_STEP_SUMMARY", "GITHUB_SHA", "GITHUB_EVENT_PATH", "GITHUB_RUN_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def test_compact_text_plan(project: Path) -> None:
    result = run("plan", "--compact")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    creates = [line for line in lines if line.startswith("  + create ")]
    assert len(creates) == len(EXAMPLES)
    assert "  + create zendesk-tickets  [jobs/zendesk-tickets.yaml:3]  (3 resources)" in creates
    assert not any(line.startswith("      ") for line in lines)  # no details
    assert lines[-1] == f"Plan: {len(EXAMPLES)} to create, 0 to update, 0 to delete; 0 unmanaged."


def test_markdown_marker_head_and_run_link_from_github(
    project: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    event = project / "event.json"
    event.write_text(json.dumps({"pull_request": {"head": {"sha": HEAD}}}))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(event))
    monkeypatch.setenv("GITHUB_SHA", "f" * 40)  # the merge commit: not what is shown
    monkeypatch.setenv("GITHUB_SERVER_URL", "https://github.com")
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/jobs")
    monkeypatch.setenv("GITHUB_RUN_ID", "42")
    result = run("plan", "--format", "markdown")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "<!-- syncspec-plan profile=test -->",
        f"### syncspec plan · `test` · {emulator_env.url}",  # as the marker says
    ]
    assert re.fullmatch(
        r"Planned at head `c0ffee000000` · \[workflow run\]"
        r"\(https://github\.com/acme/jobs/actions/runs/42\) · \d{4}-\d\d-\d\d \d\d:\d\d UTC",
        lines[2],
    ), lines[2]
    assert "```mermaid\nflowchart TD\n" in result.stdout
    assert "<details><summary>Job file as created (" in result.stdout


def test_conflict_plan_does_not_say_no_changes(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs" / "a.yaml").write_text(
        "label: a\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    (tmp_path / "jobs" / "b.yaml").write_text(
        "label: b\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    # two live "b" that differ (not copies left by an interrupted apply, which would heal)
    emulator_env.seed(job("a"), job("b"), job("b", mutex_key="edited-in-the-dashboard"))
    result = run("plan")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[-1] == (
        "Error: 1 conflict (its file is not planned). Plan for the rest: 0 to create, 0 to "
        "update, 0 to delete; 0 unmanaged."
    )
    assert "No changes" not in result.stdout
