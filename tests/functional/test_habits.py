"""issue 24: the Terraform habits, each as a user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from syncspec.render.color import use_color
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, make_project, run


@pytest.fixture
def one_job(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    make_project(tmp_path, examples=False, toml='[prune]\nlabels = ["old-*"]\n')
    (tmp_path / "jobs/zendesk-tickets.yaml").write_text(
        "label: zendesk-tickets\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["plna"], "error: No such command 'plna'. Did you mean 'plan'?\n"),
        (["run", "start", "x"], "error: No such command 'run'. Did you mean 'runs'?\n"),
        (["runs", "strat"], "error: No such command 'strat'. Did you mean 'start'?\n"),
        (["plan", "--profile"], "error: Option '--profile' requires a value.\n"),
        (["--profile"], "error: Option '--profile' requires a value.\n"),
        (["plan", "--profile", "--debug"], "error: Option '--profile' requires a value.\n"),
    ],
)
def test_usage_mistakes_say_what_was_meant(argv: list[str], message: str) -> None:
    result = run(*argv)
    assert result.exit_code == 3
    assert result.stderr.startswith(message)


def test_term_dumb_gets_no_colour() -> None:
    class Tty:
        def isatty(self) -> bool:
            return True

    assert use_color(Tty(), environ={"TERM": "xterm-256color"})
    assert not use_color(Tty(), environ={"TERM": "dumb"})
    assert use_color(Tty(), environ={"TERM": "dumb", "FORCE_COLOR": "1"})


def test_target_matching_nothing_is_an_error(one_job: Path, emulator_env: EmulatorHandle) -> None:
    result = run("plan", "--target", "zendesk-tikets")
    assert result.exit_code == 3
    assert result.stderr == (
        "error: --target 'zendesk-tikets' matches no job file and no live job (did you mean "
        '"zendesk-tickets"?); labels are matched case-sensitively, as globs; nothing was planned\n'
    )
    assert run("plan", "--target", "nomatch*").exit_code == 3
    assert run("apply", "--target", "nomatch*", "--auto-approve").exit_code == 3
    assert run("plan", "--target", "zendesk-*").exit_code == 0


def test_runs_start_suggests_a_label(one_job: Path, emulator_env: EmulatorHandle) -> None:
    emulator_env.seed(job("zendesk-tickets"))
    result = run("runs", "start", "zendesk-tikets", "--account", "acct-1")
    assert result.exit_code == 1
    assert result.stderr == (
        "error: no live job is labelled 'zendesk-tikets' (nor has that id) in this environment "
        '(did you mean "zendesk-tickets"?)\n'
    )


def test_graph_suggests_a_label(one_job: Path) -> None:
    result = run("graph", "zendesk-tikets")
    assert result.exit_code == 3
    assert '(did you mean "zendesk-tickets"?)' in result.stderr


def test_apply_refuses_a_plan_file_with_paths(one_job: Path, emulator_env: EmulatorHandle) -> None:
    assert run("plan", "--out", "p.json").exit_code == 0
    result = run("apply", "p.json", "jobs")
    assert result.exit_code == 3
    assert result.stderr.startswith(
        "error: p.json is not a job file or folder: apply takes ONE saved plan file "
        "(`syncspec apply plan.json`) or job files and folders to plan and apply, not both\n"
    )
    assert "SS0" not in result.output  # the plan is not linted as a job file


@pytest.mark.parametrize(
    ("ci", "flags"), [(None, "--prune"), ("true", "--prune --max-deletes 1")], ids=["local", "ci"]
)
def test_the_saved_plan_hint_works_as_printed(
    one_job: Path,
    emulator_env: EmulatorHandle,
    monkeypatch: pytest.MonkeyPatch,
    ci: str | None,
    flags: str,
) -> None:
    # in CI, deletes need a --max-deletes budget (default 0): the hint gives it
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    emulator_env.seed(job("old-a"))
    planned = run("plan", "--prune", "--out", "p.json")
    assert planned.exit_code == 0, planned.output
    hint = planned.stdout.splitlines()[-1]
    assert hint == f"Saved the plan to p.json; apply it with: syncspec apply {flags} p.json"
    applied = run(*hint.split("syncspec ", 2)[-1].split(), "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert sorted(j["label"] for j in emulator_env.control.jobs()) == ["zendesk-tickets"]


def test_plan_text_and_pr_marker_name_the_same_profile(
    one_job: Path, emulator_env: EmulatorHandle
) -> None:
    text = run("plan").stdout
    markdown = run("plan", "--format", "markdown").stdout
    assert "(profile default):" in text
    assert markdown.startswith("<!-- syncspec-plan profile=default -->\n")
    assert "### syncspec plan · `default` · " in markdown
