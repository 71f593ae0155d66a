"""Reliability over HTTP: edit/drift/stale cycles, faults, a killed apply, two environments, and
the token never showing. Every test ends by checking the emulator's stored jobs directly."""

from __future__ import annotations

import collections
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import EXAMPLES, make_project, run, writes

N = len(EXAMPLES)


def _bulk_file(i: int, method: str = "list") -> str:
    return (
        f"label: bulk-{i:03d}\n"
        "integration_name: zendesk\n"
        "default_runtime_version: 2\n"
        "resources:\n"
        "  - resource: ticketing/tickets\n"
        f"    method: {method}\n"
    )


def _labels(emulator: EmulatorHandle, other: bool = False) -> list[str]:
    env = "production" if other else "staging"
    return sorted(j["label"] for j in emulator.control.jobs(env))


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def test_edit_plan_shows_exactly_that_field_then_converges(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    path = project / "jobs" / "zendesk-tickets.yaml"
    path.write_text(
        path.read_text().replace(
            "ticketing/users\n    method: list", "ticketing/users\n    method: get"
        )
    )

    planned = run("plan", "--format", "json", "--detailed-exitcode")
    assert planned.exit_code == 2
    (update,) = [a for a in json.loads(planned.stdout)["actions"] if a["kind"] != "noop"]
    assert update["label"] == "zendesk-tickets"
    assert update["changes"] == [
        {
            "pointer": "/resources/0/method",
            "kind": "changed",
            "old": "list",
            "new": "get",
            "from_pointer": None,
        }
    ]
    assert list(update["body"]) == ["resources"]  # PATCH sends only the changed field, whole

    emulator_env.control.clear_requests()
    assert run("apply", "--auto-approve").exit_code == 0
    assert writes(emulator_env) == [("PATCH", f"/sync-job/{update['job_id']}")]
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    stored = next(j for j in emulator_env.control.jobs() if j["label"] == "zendesk-tickets")
    assert stored["resources"][0]["method"] == "get"


def test_drift_is_detected(project: Path, emulator_env: EmulatorHandle) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    target = next(j for j in emulator_env.control.jobs() if j["label"] == "zendesk-tickets")
    emulator_env.client().update_sync_job(target["id"], {"mutex_key": "set-in-dashboard"})

    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 2
    assert f"  ~ update zendesk-tickets (id {target['id']})  [jobs/zendesk-tickets.yaml:3]" in (
        planned.stdout.splitlines()
    )
    assert "mutex_key" in planned.stdout
    assert planned.stdout.endswith("Plan: 0 to create, 1 to update, 0 to delete; 0 unmanaged.\n")


def test_stale_plan_leaves_the_live_job_untouched(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    path = project / "jobs" / "zendesk-tickets.yaml"
    path.write_text(path.read_text() + "state_key: from-the-file\n")
    assert run("plan", "--out", "plan.json").exit_code == 0
    target = next(j for j in emulator_env.control.jobs() if j["label"] == "zendesk-tickets")
    moved = emulator_env.client().update_sync_job(target["id"], {"mutex_key": "dashboard"})

    result = run("apply", "plan.json")
    assert result.exit_code == 4
    stored = next(j for j in emulator_env.control.jobs() if j["id"] == target["id"])
    assert stored == moved


@pytest.mark.slow
def test_faults_200_changes_converge_without_duplicates(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False, toml='rate_limit = "100/1s"\n')
    for i in range(200):
        (tmp_path / "jobs" / f"bulk-{i:03d}.yaml").write_text(_bulk_file(i, "get"))
    # 100 exist with another method (updates), 100 do not (creates)
    emulator_env.seed(
        *[
            {
                "label": f"bulk-{i:03d}",
                "integration_name": "zendesk",
                "default_runtime_version": 2,
                "resources": [{"resource": "ticketing/tickets", "method": "list"}],
            }
            for i in range(100)
        ]
    )
    emulator_env.control.set_faults(fail_rate=0.2, rate_limit=(100, 1.0), latency_ms=10)
    # the worst case for creates: applied, then answered with an error
    emulator_env.control.fail_next(502, method="POST", after_commit=True, times=5)

    codes = []
    for _ in range(5):
        result = run("apply", "--auto-approve", "--parallelism", "8")
        codes.append(result.exit_code)
        if result.exit_code == 0:
            break
    assert codes[-1] == 0, codes
    log = emulator_env.control.requests()
    # the faults really happened: random 5xx on every method, and creates that were applied
    # but answered 502 (each found again by re-listing, not POSTed twice)
    assert {r.method for r in log if r.status >= 500} >= {"GET", "PATCH", "POST"}
    assert sum(1 for r in log if r.method == "POST" and r.status == 502) >= 5
    emulator_env.control.set_faults(fail_rate=0.0)
    assert run("plan", "--detailed-exitcode").exit_code == 0

    jobs = emulator_env.control.jobs()
    counts = collections.Counter(j["label"] for j in jobs)
    assert sorted(counts) == [f"bulk-{i:03d}" for i in range(200)]
    assert set(counts.values()) == {1}  # no duplicate was created
    assert {j["resources"][0]["method"] for j in jobs} == {"get"}


@pytest.mark.slow
def test_killed_apply_then_second_apply_converges(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    total = 40
    for i in range(total):
        (tmp_path / "jobs" / f"bulk-{i:03d}.yaml").write_text(_bulk_file(i))
    # The 6th create and every later one is held before it takes effect: the apply is then
    # known to be mid-way (5 created, the rest not) when it is killed, on any machine. One
    # action at a time: with two, the 5th create could still be on its way when the 6th is
    # held, and the kill would land before or after it (4 or 5 created: seen on a loaded machine).
    gate = emulator_env.control.hold(method="POST", path="/sync-job", skip=5, times=total)
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SYNCSPEC_PROFILE")}
    env.update(emulator_env.environ())
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncspec", "apply", "--auto-approve", "--parallelism", "1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert gate.wait(), "the apply never reached its 6th create"
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    gate.release(drop=True)  # the held creates never take effect (their client is gone)
    created_before = len(emulator_env.control.jobs())
    assert created_before == 5  # killed part-way
    result = run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    assert f"Plan: {total - created_before} to create" in result.stdout
    assert _labels(emulator_env) == [f"bulk-{i:03d}" for i in range(total)]
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_same_jobs_converge_in_two_environments(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    other = emulator_env.environ(emulator_env.other_token)
    assert run("apply", "--auto-approve").exit_code == 0
    assert run("plan", "--detailed-exitcode", env=other).exit_code == 2
    assert run("apply", "--auto-approve", env=other).exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0
    assert run("plan", "--detailed-exitcode", env=other).exit_code == 0
    staging = emulator_env.control.jobs("staging")
    production = emulator_env.control.jobs("production")
    assert _labels(emulator_env) == _labels(emulator_env, other=True)
    assert len(staging) == N
    assert not {j["id"] for j in staging} & {j["id"] for j in production}
    assert {j["environment_id"] for j in production} == {emulator_env.other_environment_id}


def test_token_never_appears_in_output_plans_or_errors(
    project: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    texts: list[str] = []
    for fmt in ("text", "json", "markdown", "github"):
        texts.append(run("--debug", "plan", "--format", fmt, "--out", f"plan-{fmt}.json").output)
        texts.append((project / f"plan-{fmt}.json").read_text())
    texts.append(summary.read_text())
    texts.append(run("--debug", "apply", "--auto-approve", "--format", "json").output)
    emulator_env.control.fail_next(400, method="PATCH")
    path = project / "jobs" / "zendesk-tickets.yaml"
    path.write_text(path.read_text() + "mutex_key: m\n")
    failed = run("--debug", "apply", "--auto-approve")
    assert failed.exit_code == 1
    texts.append(failed.output)
    texts.append(run("--debug", "pull").output)
    bad = "not-a-valid-token-0123456789abcdef"
    unauthorized = run("--debug", "plan", env={"TRUTO_API_TOKEN": bad})
    assert unauthorized.exit_code == 1
    texts.append(unauthorized.output)
    assert "authentication failed" in unauthorized.output
    for text in texts:
        assert emulator_env.token not in text
        assert bad not in text
    assert "debug:" in texts[0]  # --debug logging was on
