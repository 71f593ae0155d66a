"""The README quick start: `syncspec demo` against the embedded emulator, and the test command."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from syncspec.cli import cli

ROOT = Path(__file__).resolve().parents[2]


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:sh|bash|console)?\n(.*?)```", section, flags=re.S)


def test_readme_quick_start_is_two_commands_matching_ci() -> None:
    blocks = _quick_start_commands()
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2, commands
    assert commands[0].endswith("syncspec demo")
    assert commands[1].endswith("pytest")
    # CI runs exactly the README's test command (after creating its venv).
    test_command = commands[1].split("&&")[-2:]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert " && ".join(part.strip() for part in test_command) in ci


def test_demo_entry_point_in_a_subprocess(tmp_path: Path) -> None:
    """The first quick-start command's entry point, run as a user would (a real process)."""
    work = tmp_path / "repo"
    shutil.copytree(ROOT / "jobs", work / "jobs")
    shutil.copy(ROOT / "syncspec.toml", work / "syncspec.toml")
    before = {p.name: p.read_bytes() for p in (work / "jobs").iterdir()}
    proc = subprocess.run(
        [sys.executable, "-m", "syncspec", "demo"],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = proc.stdout
    assert (
        "Plan: 1 to create, 1 to update, 0 to delete; 1 unmanaged. "
        "Triggers: 2 to create, 0 to update, 0 to delete." in out
    )
    assert "Apply complete: 2 done, 0 failed, 0 not attempted." in out
    assert "Triggers: 2 created, 0 updated, 0 deleted; 0 failed" in out
    # the schedule covers the two production accounts, not the sandbox
    assert 'zendesk-tickets / hourly "H * * * *": 2 account(s) · 2 up to date' in out
    assert out.count("No changes. 6 jobs are up to date; 1 unmanaged.") == 2  # both environments
    # promoted with the values of each profile of the repository's syncspec.toml
    assert "$ syncspec --profile production apply --auto-approve\n" in out
    landed = '!var candidates_webhook_id → "wh_production_candidates" at /resources/4/config/id'
    assert f"        {landed}\n" in out
    assert "Apply complete: 6 done, 0 failed, 0 not attempted." in out
    # and diff reports only that value, explained
    diff = out.split("$ syncspec diff --profile staging --profile production\n", 1)[1]
    assert diff.split("\n\n")[1] == (
        "~ greenhouse-candidates: differs by profile values\n"
        '    /resources/4/config/id: staging: "wh_staging_candidates" | production: '
        '"wh_production_candidates"  (explained: !var candidates_webhook_id)'
    )
    assert "staging vs production: same (every difference is explained by the profiles)" in diff
    # the demo never writes to the user's files
    assert {p.name: p.read_bytes() for p in (work / "jobs").iterdir()} == before


def test_demo_without_jobs_dir_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 3
    assert "no jobs directory here" in result.output
    assert "syncspec init" in result.output


def test_demo_refuses_invalid_job_files(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs/bad.yaml").write_text("label: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["demo"], catch_exceptions=False)
    assert result.exit_code == 1
    assert "jobs/bad.yaml:1:" in result.output
    assert "run `syncspec validate` and fix them" in result.output
