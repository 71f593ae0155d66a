"""`syncspec init`: the scaffolded files are checked with the real tools that consume them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec.cli import cli

EXPECTED = [
    "syncspec.toml",
    "jobs/zendesk-tickets.yaml",
    "tests/zendesk-tickets.yaml",
    "schemas/sync-job.schema.json",
    ".pre-commit-config.yaml",
    ".github/workflows/syncspec.yml",
]


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent))
    if found is None:
        pytest.skip(f"{name} is not installed in this environment (it comes with the test extra)")
    return found


def _init(target: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["init", str(target), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_init_writes_the_repository(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    written = sorted(
        p.relative_to(tmp_path / "repo").as_posix()
        for p in (tmp_path / "repo").rglob("*")
        if p.is_file()
    )
    assert written == sorted(EXPECTED)


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "syncspec.toml").write_text("# mine\n")
    result = CliRunner().invoke(cli, ["init", str(repo)], catch_exceptions=False)
    assert result.exit_code == 3
    assert "not overwriting existing file(s)" in result.output
    assert "syncspec.toml" in result.output
    assert "--force" in result.output
    assert (repo / "syncspec.toml").read_text() == "# mine\n"
    assert not (repo / "jobs").exists()


def test_init_force_overwrites(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "syncspec.toml").write_text("# mine\n")
    _init(repo, "--force")
    assert 'jobs_dir = "jobs"' in (repo / "syncspec.toml").read_text()


def test_init_rejects_a_jobs_dir_outside_the_repo(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["init", str(tmp_path / "r"), "--jobs-dir", "../elsewhere"], catch_exceptions=False
    )
    assert result.exit_code == 3
    assert "--jobs-dir must be a relative path inside the repository" in result.output


def test_workflow_is_valid_against_githubs_schema(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    workflow = tmp_path / "repo/.github/workflows/syncspec.yml"
    proc = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(workflow)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("hook_args", [[], ["--hook-repo", "https://example.org/syncspec.git"]])
def test_pre_commit_config_is_valid(tmp_path: Path, hook_args: list[str]) -> None:
    _init(tmp_path / "repo", *hook_args)
    proc = subprocess.run(
        [_bin("pre-commit"), "validate-config", ".pre-commit-config.yaml"],
        cwd=tmp_path / "repo",
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    text = (tmp_path / "repo/.pre-commit-config.yaml").read_text()
    assert "id: syncspec-validate" in text


def test_scaffolded_repo_validates_clean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "repo"
    _init(repo)
    monkeypatch.chdir(repo)
    result = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


def test_scaffolded_schema_matches_the_committed_one(tmp_path: Path) -> None:
    _init(tmp_path / "repo")
    committed = Path(__file__).resolve().parents[2] / "schemas/sync-job.schema.json"
    assert (tmp_path / "repo/schemas/sync-job.schema.json").read_text() == committed.read_text()
