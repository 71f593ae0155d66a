"""jobfile.discovery (issue 10): what is a job file, symlinks, hidden folders, loops; strict
syncspec.toml keys; `validate FILES` checks project rules against every job file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from syncspec.config import load_settings
from syncspec.errors import ConfigError
from syncspec.jobfile.discovery import discover_job_files

JOB = "label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\nresources: []\n"


def _names(paths: list[Path], root: Path) -> list[str]:
    return [p.relative_to(root).as_posix() for p in paths]


def test_any_letter_case_hidden_folders_and_symlinks_inside_the_repo(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    (jobs / ".drafts").mkdir(parents=True)
    (jobs / "a.YAML").write_text(JOB.format(label="a"))
    (jobs / "b.Yml").write_text(JOB.format(label="b"))
    (jobs / ".drafts" / "c.yaml").write_text(JOB.format(label="c"))
    (jobs / "notes.txt").write_text("x")
    (jobs / ".git").mkdir()
    (jobs / ".git" / "config.yaml").write_text("x")
    shared = tmp_path / "shared"
    shared.mkdir()
    (shared / "d.yaml").write_text(JOB.format(label="d"))
    (jobs / "linked").symlink_to(shared, target_is_directory=True)
    found = discover_job_files([jobs], tmp_path)
    assert _names(found.files, tmp_path) == [
        "jobs/.drafts/c.yaml",
        "jobs/a.YAML",
        "jobs/b.Yml",
        "jobs/linked/d.yaml",
    ]
    assert found.skipped == []
    assert found.complete


def test_symlinks_out_of_the_repo_are_refused_and_named(tmp_path: Path) -> None:
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    (repo / "jobs").mkdir(parents=True)
    outside.mkdir()
    (outside / "x.yaml").write_text(JOB.format(label="x"))
    (repo / "jobs" / "ext").symlink_to(outside, target_is_directory=True)
    (repo / "jobs" / "one.yaml").symlink_to(outside / "x.yaml")
    found = discover_job_files([repo / "jobs"], repo)
    assert found.files == []
    assert [s.describe(repo) for s in found.skipped] == [
        f"jobs/ext: symlinked folder resolves outside the repository ({outside}); not followed",
        f"jobs/one.yaml: symlinked file resolves outside the repository ({outside / 'x.yaml'}); "
        "not read",
    ]
    assert not found.complete


def test_a_dangling_symlink_is_named_so_nothing_is_pruned(tmp_path: Path) -> None:
    # e.g. a submodule that is not checked out: its job files are missing, not gone
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "a.yaml").write_text(JOB.format(label="a"))
    (jobs / "team-b").symlink_to(tmp_path / "missing-checkout", target_is_directory=True)
    found = discover_job_files([jobs], tmp_path)
    assert found.files == [jobs / "a.yaml"]
    assert [s.describe(tmp_path) for s in found.skipped] == [
        "jobs/team-b: dangling symlink (its target does not exist); not followed"
    ]
    assert not found.complete


def test_symlink_loops_end(tmp_path: Path) -> None:
    jobs = tmp_path / "jobs"
    (jobs / "a").mkdir(parents=True)
    (jobs / "a" / "j.yaml").write_text(JOB.format(label="j"))
    (jobs / "a" / "loop").symlink_to(jobs, target_is_directory=True)
    (jobs / "again").symlink_to(jobs / "a", target_is_directory=True)
    found = discover_job_files([jobs], tmp_path)
    assert len(found.files) == 1
    assert found.skipped == []


def test_unknown_keys_anywhere_in_syncspec_toml_are_errors_with_a_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("SYNCSPEC_PROFILE", raising=False)
    cases = [
        ('[prune]\nlabel = ["a-*"]\n', "unknown key 'prune.label' (did you mean \"labels\"?)"),
        ('job_dir = "jobs"\n', "unknown key 'job_dir' (did you mean \"jobs_dir\"?)"),
        (
            '[profiles.s]\napi_url = "http://127.0.0.1:1"\ntoken_envv = "X"\n',
            "unknown key 'profiles.s.token_envv' (did you mean \"token_env\"?)",
        ),
    ]
    for text, message in cases:
        (tmp_path / "syncspec.toml").write_text(text)
        with pytest.raises(ConfigError) as info:
            load_settings(cwd=tmp_path, environ={})
        assert message in str(info.value)
        assert info.value.exit_code == 3
    (tmp_path / "syncspec.toml").write_text('[prune]\nlabel = ["a-*"]\n')
    result = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert result.exit_code == 3
    assert "error: " in result.stderr and 'did you mean "labels"?' in result.stderr


def test_validate_files_checks_labels_against_every_job_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A pre-commit hook passes only the changed file; the duplicate is with an unchanged one.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs" / "team").mkdir(parents=True)
    (tmp_path / "jobs" / "old.yaml").write_text(JOB.format(label="tickets"))
    (tmp_path / "jobs" / "team" / "new.yaml").write_text(JOB.format(label="tickets"))
    (tmp_path / "jobs" / "other.yaml").write_text(JOB.format(label="other"))
    (tmp_path / "jobs" / "broken.yaml").write_text("label: [unclosed\n")
    result = CliRunner().invoke(cli, ["validate", "jobs/team/new.yaml"], catch_exceptions=False)
    assert result.exit_code == 1
    assert result.stdout == (
        'jobs/team/new.yaml:1:8: SS601 label "tickets" is also used by jobs/old.yaml '
        "(labels identify jobs: make each unique)\n"
        "1 error, 0 warnings in 1 file (1 file checked)\n"
    )
    clean = CliRunner().invoke(cli, ["validate", "jobs/other.yaml"], catch_exceptions=False)
    assert (clean.exit_code, clean.stderr) == (0, "")


def test_validate_names_what_it_skipped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "a.yaml").write_text(JOB.format(label="a"))
    outside = tmp_path.parent / f"{tmp_path.name}-outside"
    outside.mkdir()
    (tmp_path / "jobs" / "ext").symlink_to(outside, target_is_directory=True)
    result = CliRunner().invoke(cli, ["validate"], catch_exceptions=False)
    assert result.exit_code == 0
    assert result.stderr == (
        "note: skipped jobs/ext: symlinked folder resolves outside the repository "
        f"({os.path.realpath(outside)}); not followed\n"
    )


@pytest.mark.parametrize(
    "written",
    ["tickets", "'tickets'", '"tickets"', '"tick\\x65ts"', "|-\n  tickets", "&x tickets"],
)
def test_the_project_rules_see_a_label_in_any_yaml_spelling(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written: str
) -> None:
    # Files of the jobs dir that are not passed are only parsed when their text could hold
    # one of the passed files' labels; every YAML spelling of the label must still be seen.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "old.yaml").write_text(
        f"label: {written}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    )
    (tmp_path / "jobs" / "unrelated.yaml").write_text(JOB.format(label="other"))
    (tmp_path / "jobs" / "new.yaml").write_text(JOB.format(label="tickets"))
    result = CliRunner().invoke(cli, ["validate", "jobs/new.yaml"], catch_exceptions=False)
    assert result.exit_code == 1
    assert 'SS601 label "tickets" is also used by jobs/old.yaml' in result.stdout


def test_editor_lock_files_are_noted_and_do_not_make_discovery_incomplete(tmp_path: Path) -> None:
    """issue 24: an Emacs lock file (`.#x.yaml`, a dangling symlink) blocked validate and plan."""
    jobs = tmp_path / "jobs"
    jobs.mkdir()
    (jobs / "x.yaml").write_text("label: x\n")
    (jobs / ".#x.yaml").symlink_to("user@host.4242")
    (jobs / "~$x.yaml").write_text("lock")
    (jobs / ".~lock.x.yaml#").write_text("lock")  # not named like a job file: not listed
    found = discover_job_files([jobs], tmp_path)
    assert found.files == [jobs / "x.yaml"]
    assert [s.describe(tmp_path) for s in found.skipped] == [
        "jobs/.#x.yaml: an editor's lock file, not a job file (the file being edited is read)",
        "jobs/~$x.yaml: an editor's lock file, not a job file (the file being edited is read)",
    ]
    assert found.complete
