"""The real pre-commit hook: `pre-commit try-repo <this repo> syncspec-validate`.

try-repo clones this repository (uncommitted changes included) and installs it into a fresh
virtualenv from PyPI, so this is slow and needs the network to PyPI; it is the one test that
proves the hook definition works as published.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

GOOD = """\
label: good
integration_name: zendesk
default_runtime_version: 2
resources:
  - resource: ticketing/tickets
    method: list
"""
BAD = """\
label: bad
default_runtime_version: 2
resources:
  - resource: ticketing/tickets
    method: list
    depend_on: ticketing/users
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.slow
def test_try_repo_runs_the_hook_on_job_files(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    repo = tmp_path / "config-repo"
    (repo / "jobs").mkdir(parents=True)
    (repo / "jobs" / "good.yaml").write_text(GOOD)
    (repo / "jobs" / "bad.yaml").write_text(BAD)
    (repo / "README.md").write_text("not a job\n")
    _git(repo, "init", "-q")
    _git(repo, "add", ".")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.invalid",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.invalid",
        "NO_COLOR": "1",
    }
    proc = subprocess.run(
        [
            sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "syncspec-validate",
            "--color", "never", "--files", "jobs/good.yaml", "jobs/bad.yaml", "README.md",
        ],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )  # fmt: skip
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert "syncspec validate" in output
    assert "Failed" in output
    assert (
        "jobs/bad.yaml:6:5: SS101 unknown key in resources[0]: `depend_on` "
        '(did you mean "depends_on"?)'
    ) in output
    assert "1 error, 0 warnings in 1 file (2 files checked)" in output  # README.md not passed
