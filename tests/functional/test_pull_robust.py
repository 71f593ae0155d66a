"""Issue 11: ``syncspec pull`` on real (and hostile) data: each job on its own, a summary of
every job's fate, exit 1 on any failure, nothing written through links or into read-only folders.

Jobs the emulator can store are seeded there; jobs it cannot serve as JSON (NaN, lone
surrogates) come from the hostile server of ``tests/hostile/server.py``, as raw JSON text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.hostile.server import HostileServer

TOKEN = "pull-robust-token-0123456789abcdef"


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def job(label: Any, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        **extra,
    }


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNCSPEC_PROFILE", raising=False)
    return tmp_path


@pytest.fixture
def hostile(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    server = HostileServer()
    monkeypatch.setenv("TRUTO_API_URL", server.url)
    monkeypatch.setenv("TRUTO_API_TOKEN", TOKEN)
    yield server
    server.stop()


def _nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth - 1):
        value = [value]
    return value


def test_odd_jobs_fail_one_by_one_and_the_others_are_written(
    project: Path, hostile: HostileServer
) -> None:
    live = [
        {"id": "1", **job("ok")},
        {
            "id": "2",
            **job(
                "nan",
                resources=[{"resource": "a/b", "method": "list", "query": {"x": float("nan")}}],
            ),
        },
        {"id": "3", **job("inf", args_schema={"x": float("-inf")})},
        {"id": "4", **job("surrogate", mutex_key="a\ud800b")},
        {"id": "5", **job(123)},
        {"id": "6", **job("deep", args_schema={"d": _nested(900)})},
        {"id": "7", **job("big", mutex_key="y" * 1_100_000)},
        {"id": "..", **job("dots")},
    ]
    hostile.set("json", raw=json.dumps({"result": live, "next_cursor": None}).encode())
    result = run("pull")
    assert result.exit_code == 1
    assert result.stdout == (
        "  created jobs/ok.yaml  <- 'ok'\n"
        "Pulled 8 job(s): 1 created, 0 updated, 0 unchanged, 7 failed.\n"
    )
    assert result.stderr.splitlines() == [
        "error: not pulled: job 2: /resources/0/query/x is NaN, which neither JSON nor a job "
        "file can hold",
        "error: not pulled: job 3: /args_schema/x is -Infinity, which neither JSON nor a job "
        "file can hold",
        "error: not pulled: job 4: /mutex_key has a lone surrogate (invalid Unicode), which a "
        "UTF-8 file cannot hold",
        "error: not pulled: job 5: its label is not a string (int)",
        "error: not pulled: job 6: /args_schema/d" + "/0" * 23 + "... nests deeper than 64 "
        "levels, which a job file cannot hold",
        "error: not pulled: job 7: /mutex_key is over 1,048,576 bytes, the size limit of a job "
        "file",
        "error: not pulled: job '..': its id is '..', which a URL reads as a relative path, so "
        "syncspec cannot address it",
    ]
    assert sorted(p.name for p in (project / "jobs").iterdir()) == ["ok.yaml"]


def test_carriage_returns_are_kept_exactly_and_plan_shows_no_changes(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    crlf = "(\r\n  $a := args.x;\r\n  $a ? null : {'message': 'x'}\r\n)"
    (seeded,) = emulator_env.seed(
        job(
            "crlf",
            args_validation=crlf,
            mutex_key="a\rb",
            resources=[
                {"resource": "ticketing/tickets", "method": "list", "query": {"q": "l1\nl2 \n"}}
            ],
        )
    )
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    text = (project / "jobs" / "crlf.yaml").read_bytes().decode()
    assert "\r" not in text  # escaped, never raw: editors and git would change a raw CR
    assert 'args_validation: "(\\r\\n  $a := args.x;\\r\\n' in text
    assert 'mutex_key: "a\\rb"' in text
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout == "No changes. 1 job is up to date; 0 unmanaged.\n"
    # and an existing file is updated the same way
    emulator_env.client().update_sync_job(seeded["id"], {"mutex_key": "c\r\nd"})
    again = run("pull")
    assert again.stdout == (
        "  updated jobs/crlf.yaml  <- 'crlf'\nPulled 1 job(s): 0 created, 1 updated, 0 unchanged.\n"
    )
    assert 'mutex_key: "c\\r\\nd"' in (project / "jobs" / "crlf.yaml").read_text()
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_a_symlink_leading_out_of_the_jobs_dir_is_never_written_through(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    outside = project / "elsewhere.yaml"
    original = (
        "label: a\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    outside.write_text(original)
    (project / "jobs" / "a.yaml").symlink_to(outside)
    emulator_env.seed(job("a", mutex_key="changed"), job("b"))
    result = run("pull")
    assert result.exit_code == 1
    assert outside.read_text() == original
    assert result.stderr.startswith(
        f"error: not pulled: job {emulator_env.control.jobs()[0]['id']}: jobs/a.yaml leads to "
        f"{outside.resolve()}, outside the jobs directory {(project / 'jobs').resolve()} "
        "(a symlink); refusing to write through it"
    )
    assert result.stdout.endswith("Pulled 2 job(s): 1 created, 0 updated, 0 unchanged, 1 failed.\n")
    assert (project / "jobs" / "b.yaml").is_file()


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_jobs_dir_is_a_clear_error(project: Path, emulator_env: EmulatorHandle) -> None:
    (live,) = emulator_env.seed(job("a"))
    jobs = project / "jobs"
    jobs.chmod(0o555)
    try:
        result = run("pull")
    finally:
        jobs.chmod(0o755)
    assert result.exit_code == 1
    assert result.stderr == (
        f"error: not pulled: job {live['id']}: cannot write jobs/a.yaml: Permission denied\n"
    )
    assert result.stdout == "Pulled 1 job(s): 0 created, 0 updated, 0 unchanged, 1 failed.\n"
    assert list(jobs.iterdir()) == []


def test_jobs_that_break_a_lint_rule_are_written_and_reported_at_once(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator_env.seed(job("fine"), job("lint", mutex_key="{{args.nope}}"))
    result = run("pull")
    assert result.exit_code == 1
    assert result.stdout.endswith("Pulled 2 job(s): 2 created, 0 updated, 0 unchanged.\n")
    assert result.stderr.splitlines() == [
        'jobs/lint.yaml:5:13: SS404 "{{args.nope}}" uses the argument "nope", which args_schema '
        "does not declare (add an args_schema that declares it: nope: {type: string, required: "
        "true})",
        "1 error, 0 warnings in 1 file (2 files checked)",
        "error: 1 pulled job file(s) break lint rules (SS404); they were written as the jobs are "
        "live, but plan and apply refuse them: fix the jobs (in Truto, or in the files and "
        "apply), then run `syncspec validate`",
    ]
    assert sorted(p.name for p in (project / "jobs").iterdir()) == ["fine.yaml", "lint.yaml"]


def test_plan_counts_the_files_with_errors_as_checked(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    (project / "jobs" / "good.yaml").write_text(
        "label: good\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    )
    (project / "jobs" / "bad.yaml").write_text(
        "label: bad\nintegration_name: zendesk\ndefault_runtime_version: 2\nbogus: 1\n"
    )
    result = run("plan")
    assert result.exit_code == 1
    assert "1 error, 0 warnings in 1 file (2 files checked)\n" in result.stderr
