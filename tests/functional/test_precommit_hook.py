"""The real pre-commit hook: `pre-commit try-repo <this repo> syncspec-validate`.

try-repo clones this repository (uncommitted changes included) and installs it into a fresh
virtualenv from PyPI, so this is slow and needs the network to PyPI; it is the one test that
proves the hook definition works as published.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# `syncspec init` reads the hashes it pins offline (tests/wheelhouse.py)
pytestmark = pytest.mark.usefixtures("wheelhouse")

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


# --- the local hook `syncspec init` writes, run by pre-commit on staged files ------------------

GIT_ENV = {
    "GIT_AUTHOR_NAME": "test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "NO_COLOR": "1",
}
SUMMARY = re.compile(r"^\d+ errors?, \d+ warnings? in \d+ files? \(\d+ files? checked\)$", re.M)


@pytest.fixture(scope="module")
def hook_sources(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """A wheel of this checkout for the hook's `additional_dependencies` pin, and one
    pre-commit home for the module (the hook environment is built once, ~15 s)."""
    pytest.importorskip("pre_commit", reason="pre-commit is not installed")
    wheels = tmp_path_factory.mktemp("wheels")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(wheels), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=600,
    )
    links = " ".join([str(wheels), os.environ.get("PIP_FIND_LINKS", "")]).strip()
    return {"PIP_FIND_LINKS": links, "PRE_COMMIT_HOME": str(tmp_path_factory.mktemp("home"))}


def _scaffolded_repo(tmp_path: Path, sources: dict[str, str]) -> tuple[Path, dict[str, str]]:
    """A git repository made by `syncspec init`, its files committed (no hook installed)."""
    from click.testing import CliRunner

    from syncspec.cli import cli

    repo = tmp_path / "config-repo"
    result = CliRunner().invoke(cli, ["init", str(repo)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    git = shutil.which("git")
    assert git is not None
    env = {
        **os.environ,
        **GIT_ENV,
        **sources,
        # Nothing on PATH but git: `language: python` installs the pinned truto-syncspec
        # itself (issue 24: a teammate who only ran `pre-commit install`).
        "PATH": str(Path(git).parent),
    }
    assert shutil.which("syncspec", path=env["PATH"]) is None
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "init"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)
    return repo, env


def _pre_commit_run(repo: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--color", "never"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_hook_catches_a_copied_job_when_only_the_copy_is_staged(
    tmp_path: Path, hook_sources: dict[str, str]
) -> None:
    """`cp jobs/a.yaml jobs/b.yaml && git add jobs/b.yaml && git commit` must be refused."""
    repo, env = _scaffolded_repo(tmp_path, hook_sources)
    shutil.copy(repo / "jobs/zendesk-tickets.yaml", repo / "jobs/copy.yaml")
    subprocess.run(["git", "add", "jobs/copy.yaml"], cwd=repo, env=env, check=True)
    proc = _pre_commit_run(repo, env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert (
        'jobs/copy.yaml:3:8: SS601 label "zendesk-tickets" is also used by '
        "jobs/zendesk-tickets.yaml"
    ) in output


def test_hook_sees_all_staged_files_in_one_process(
    tmp_path: Path, hook_sources: dict[str, str]
) -> None:
    """require_serial: pre-commit would otherwise split the files over one process per CPU,
    each seeing only its share, and miss duplicates across shares (on machines with >1 CPU)."""
    repo, env = _scaffolded_repo(tmp_path, hook_sources)
    job = (repo / "jobs/zendesk-tickets.yaml").read_text()
    names = [f"jobs/dup-{i:02}.yaml" for i in range(20)]
    for i, name in enumerate(names):
        (repo / name).write_text(job.replace("label: zendesk-tickets", f"label: dup-{i // 2}"))
    subprocess.run(["git", "add", *names], cwd=repo, env=env, check=True)
    proc = _pre_commit_run(repo, env)
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    for i, name in enumerate(names):
        partner = names[i ^ 1]
        assert f'{name}:3:8: SS601 label "dup-{i // 2}" is also used by {partner}' in output
    assert len(SUMMARY.findall(output)) == 1, output  # one process saw all 20 files
