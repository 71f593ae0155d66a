"""SS107 (default_runtime_version not set) is one notice for all the files that lack it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from syncspec.jobfile.validate import load_jobs

LEGACY = "label: {name}\nresources:\n  - resource: ticketing/tickets\n    method: list\n"
V4 = "label: {name}\nresources:\n  - name: start\n    type: event\n    config:\n      name: start\n"
HINT = "set default_runtime_version: 4 for V4 nodes, or 1-3 for legacy"


@pytest.fixture
def jobs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "jobs").mkdir()
    for name in ("a", "b", "c"):
        (tmp_path / "jobs" / f"{name}.yaml").write_text("# a job\n" + LEGACY.format(name=name))
    (tmp_path / "jobs" / "set.yaml").write_text(
        LEGACY.format(name="set") + "default_runtime_version: 2\n"
    )
    monkeypatch.chdir(tmp_path)
    return tmp_path / "jobs"


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)
    return result.exit_code, result.stdout


NOTICE = (
    "this file and 2 other files do not set default_runtime_version: they will not be "
    "managed, and their resources are read as legacy resources (--format json lists every file)"
)


def test_text_shows_one_notice_at_the_first_file(jobs: Path) -> None:
    summary = "0 errors, 1 warning in 3 files (4 files checked)\n"
    line = f"jobs/a.yaml:2:1: SS107 warning: {NOTICE} ({HINT})\n"
    assert run("jobs") == (0, line + summary)
    assert run("--strict", "jobs") == (1, line + summary)


def test_json_lists_every_file(jobs: Path) -> None:
    code, out = run("--format", "json", "jobs")
    assert code == 0
    assert json.loads(out)["problems"] == [
        {
            "rule": "SS107",
            "severity": "warning",
            "message": NOTICE,
            "file": "jobs/a.yaml",
            "line": 2,
            "col": 1,
            "hint": HINT,
            "files": ["jobs/a.yaml", "jobs/b.yaml", "jobs/c.yaml"],
        }
    ]


def test_github_is_one_annotation(jobs: Path) -> None:
    code, out = run("--format", "github", "jobs")
    assert code == 0
    assert out.splitlines()[:-1] == [
        f"::warning file=jobs/a.yaml,line=2,col=1,title=SS107::{NOTICE} ({HINT})"
    ]


def test_mixed_shapes_are_counted(jobs: Path) -> None:
    (jobs / "v4.yaml").write_text(V4.format(name="v4"))
    code, out = run("--format", "json", "jobs")
    assert code == 1  # SS301: V4 nodes need default_runtime_version: 4
    notice = next(p for p in json.loads(out)["problems"] if p["rule"] == "SS107")
    assert notice["message"] == (
        "this file and 3 other files do not set default_runtime_version: they will not be "
        "managed, and their resources are read as legacy resources (3 files) or V4 nodes "
        "(1 file) (--format json lists every file)"
    )
    assert notice["files"] == ["jobs/a.yaml", "jobs/b.yaml", "jobs/c.yaml", "jobs/v4.yaml"]


def test_one_file_is_reported_as_before(jobs: Path) -> None:
    line = (
        "jobs/b.yaml:2:1: SS107 warning: default_runtime_version is not set: it will not be "
        f"managed, and the resources are read as legacy resources ({HINT})\n"
    )
    assert run("jobs/b.yaml", "jobs/set.yaml") == (
        0,
        line + "0 errors, 1 warning in 1 file (2 files checked)\n",
    )


def test_load_jobs_collapses_too_and_keeps_every_job(jobs: Path) -> None:
    local, problems = load_jobs([jobs], jobs.parent)
    assert [j.label for j in local] == ["a", "b", "c", "set"]
    assert [(p.rule, p.file, p.files) for p in problems] == [
        ("SS107", "jobs/a.yaml", ("jobs/a.yaml", "jobs/b.yaml", "jobs/c.yaml"))
    ]
