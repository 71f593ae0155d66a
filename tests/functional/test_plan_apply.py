"""`syncspec plan` / `syncspec apply` in-process (CliRunner) against the emulator over HTTP."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((REPO / "jobs").glob("*.yaml"))
N = len(EXAMPLES)


# One profile (so it is active) holding the `!var` values of the repository's example jobs; it
# has no api_url nor token_env, so TRUTO_API_URL / TRUTO_API_TOKEN (the emulator) decide.
EXAMPLE_VALUES = {"candidates_webhook_id": "wh_test"}
EXAMPLE_VARS = '[profiles.test.vars]\ncandidates_webhook_id = "wh_test"\n'


def live_examples() -> list[dict[str, Any]]:
    """The example jobs as a live environment holds them: their `!var` values resolved."""
    from syncspec.jobfile.vars import resolve_plain
    from syncspec.jobfile.yaml.loader import parse_text

    out = []
    for path in EXAMPLES:
        data = parse_text(path.read_text(), path.name).data
        assert isinstance(data, dict)
        live, missing = resolve_plain(data, EXAMPLE_VALUES)
        assert missing == [], f"{path.name}: a `!var` without a value in EXAMPLE_VALUES"
        out.append(live)
    return out


def make_project(root: Path, *, examples: bool = True, toml: str = "") -> Path:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "syncspec.toml").write_text(
        'jobs_dir = "jobs"\n' + toml + ("\n" + EXAMPLE_VARS if examples else "")
    )
    if examples:
        for path in EXAMPLES:
            shutil.copy(path, root / "jobs" / path.name)
    return root


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def writes(emulator: EmulatorHandle) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.control.requests() if r.method != "GET"]


def job(label: str, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        **extra,
    }


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path)


def test_plan_apply_plan_converges(project: Path, emulator_env: EmulatorHandle) -> None:
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert planned.stdout.endswith(f"Plan: {N} to create, 0 to update, 0 to delete; 0 unmanaged.\n")
    assert writes(emulator_env) == []

    applied = run("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert applied.stdout.endswith(f"Apply complete: {N} done, 0 failed, 0 not attempted.\n")
    assert writes(emulator_env) == [("POST", "/sync-job")] * N

    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout == f"No changes. {N} jobs are up to date; 0 unmanaged.\n"


def test_apply_without_a_terminal_refuses_and_changes_nothing(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    result = run("apply")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error: apply needs a confirmation, but stdin is not a terminal; nothing was changed. "
        "Review the plan and re-run with --auto-approve (or apply a saved plan file)\n"
    )
    assert f"Plan: {N} to create" in result.stdout
    assert writes(emulator_env) == []


def test_nothing_to_apply(project: Path, emulator_env: EmulatorHandle) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    result = run("apply")  # no changes: no confirmation needed
    assert result.exit_code == 0
    assert result.stdout.endswith("No changes to apply.\n")


def test_apply_json_result(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs" / "a.yaml").write_text(
        "label: a\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
    )
    (old,) = emulator_env.seed(job("b"))
    (tmp_path / "jobs" / "b.yaml").write_text(
        "label: b\nintegration_name: hubspot\ndefault_runtime_version: 2\n"
    )
    result = run("apply", "--auto-approve", "--format", "json")
    assert result.exit_code == 0, result.output
    created = next(j for j in emulator_env.control.jobs() if j["label"] == "a")
    assert json.loads(result.stdout) == {
        "format_version": 1,
        "ok": True,
        "exit_code": 0,
        "interrupted": None,
        "verification_error": None,
        "summary": {"done": 2, "failed": 0, "not_attempted": 0, "unknown": 0},
        "results": [
            {
                "kind": "update",
                "label": "b",
                "job_id": old["id"],
                "outcome": "done",
                "error": None,
                "attempts": 1,
                "stale": False,
                "note": None,
                "duplicate_deleted": None,
            },
            {
                "kind": "create",
                "label": "a",
                "job_id": created["id"],
                "outcome": "done",
                "error": None,
                "attempts": 1,
                "stale": False,
                "note": None,
                "duplicate_deleted": None,
            },
        ],
        "residual": [],
        "triggers": [],
        "trigger_residual": [],
    }
    assert "Plan: 1 to create, 1 to update" in result.stderr  # the plan goes to stderr


def test_failed_apply_lists_what_was_and_was_not_changed(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    seeded = emulator_env.seed(job("a"), job("b"), job("c"))
    for name in "abc":
        (tmp_path / "jobs" / f"{name}.yaml").write_text(
            f"label: {name}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        )
    emulator_env.control.fail_next(400, method="PATCH", path=f"/sync-job/{seeded[1]['id']}")
    result = run("apply", "--auto-approve", "--parallelism", "1")
    assert result.exit_code == 1
    lines = result.stdout.split("Plan: 0 to create, 3 to update, 0 to delete; 0 unmanaged.\n")[1]
    ids = [s["id"] for s in seeded]
    assert lines.splitlines() == [
        f"~ updated a ({ids[0]})",
        f"! failed to update b ({ids[1]}): PATCH /sync-job/{ids[1]} -> 400: injected failure "
        "(request rejected)",
        "  not attempted: c (1 action(s); an earlier action failed (--on-error stop))",
        "",
        "Apply FAILED: 1 done, 1 failed, 1 not attempted.",
        "Not changed (or unknown): b, c. Re-run plan/apply to converge.",
    ]
    assert [j["resources"] for j in emulator_env.control.jobs()] == [
        [],
        job("b")["resources"],
        job("c")["resources"],
    ]


def test_saved_plan_applies_exactly_and_token_never_shows(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    planned = run("plan", "--out", "plan.json", "--format", "json")
    assert planned.exit_code == 0, planned.output
    saved = (project / "plan.json").read_text()
    assert saved == planned.stdout
    assert json.loads(saved)["api_url"] == emulator_env.url
    applied = run("apply", "plan.json")  # a saved plan was reviewed: no confirmation
    assert applied.exit_code == 0, applied.output
    assert len(emulator_env.control.jobs()) == N
    for text in (saved, planned.output, applied.output):
        assert emulator_env.token not in text
    # applying the same plan again: every create's label now exists
    again = run("apply", "plan.json")
    assert again.exit_code == 4
    assert again.stderr.startswith(
        "error: the saved plan is not what the job files and the live jobs give now: action 1: "
        "the saved plan says create "
    )
    assert "but the files and live jobs now give noop " in again.stderr
    assert len(emulator_env.control.jobs()) == N


def test_stale_saved_plan_changes_nothing(project: Path, emulator_env: EmulatorHandle) -> None:
    assert run("apply", "--auto-approve").exit_code == 0
    (project / "jobs" / "zendesk-tickets.yaml").write_text(
        (project / "jobs" / "zendesk-tickets.yaml").read_text() + "mutex_key: one-at-a-time\n"
    )
    assert run("plan", "--out", "plan.json").exit_code == 0
    target = next(j for j in emulator_env.control.jobs() if j["label"] == "zendesk-tickets")
    emulator_env.client().update_sync_job(target["id"], {"state_key": "edited-in-dashboard"})
    before = emulator_env.control.jobs()
    emulator_env.control.clear_requests()

    result = run("apply", "plan.json")
    assert result.exit_code == 4
    assert result.stderr == (
        "error: the saved plan is not what the job files and the live jobs give now: action 1 "
        f"(update 'zendesk-tickets', id {target['id']}): fingerprint differs (the live job "
        "changed since the plan was made). Nothing was changed; re-run plan and review it again\n"
    )
    assert writes(emulator_env) == []
    assert emulator_env.control.jobs() == before


def test_saved_plan_refuses_planning_options(project: Path) -> None:
    assert run("plan", "--out", "plan.json").exit_code == 0
    result = run("apply", "plan.json", "--target", "x")
    assert result.exit_code == 3
    assert "--target and --exclude apply when planning, not to a saved plan" in result.stderr
    # --prune is allowed: it confirms a saved pruning plan (this one does not prune)
    assert run("apply", "plan.json", "--prune", "-y").exit_code == 0


def test_saved_plan_for_another_target_is_refused(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    assert run("plan", "--out", "plan.json").exit_code == 0
    other = {"TRUTO_API_URL": "http://127.0.0.1:9", "TRUTO_API_TOKEN": emulator_env.token}
    result = run("apply", "plan.json", env=other)
    assert result.exit_code == 3
    assert result.stderr == (
        f"error: the plan was made for profile 'test' at {emulator_env.url}, but this run targets "
        "profile 'test' at http://127.0.0.1:9; re-run plan against this target or choose the "
        "plan's profile\n"
    )


def test_job_file_problems_stop_the_plan(project: Path, emulator_env: EmulatorHandle) -> None:
    (project / "jobs" / "broken.yaml").write_text("label: broken\nresources: {}\n")
    for command in (["plan"], ["apply", "--auto-approve"]):
        result = run(*command)
        assert result.exit_code == 1
        assert "jobs/broken.yaml:" in result.stderr
        assert result.stdout == ""
    assert writes(emulator_env) == []


def test_targets_and_excludes(project: Path) -> None:
    result = run("plan", "--format", "json", "--target", "zendesk-*", "--target", "hub*")
    labels = [a["label"] for a in json.loads(result.stdout)["actions"]]
    assert labels == ["hubspot-contacts-by-owner", "zendesk-tickets"]
    result = run("plan", "--format", "json", "--exclude", "*-*-*")
    labels = [a["label"] for a in json.loads(result.stdout)["actions"]]
    assert labels == ["greenhouse-candidates", "zendesk-tickets"]


def test_identity_conflict_fails_plan_and_apply(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator_env.seed(job("zendesk-tickets"), job("zendesk-tickets"))
    planned = run("plan")
    assert planned.exit_code == 1
    assert 'live jobs are labelled "zendesk-tickets"' in planned.stdout
    applied = run("apply", "--auto-approve")
    assert applied.exit_code == 1
    assert applied.stderr.endswith(
        "error: 1 identity conflict(s) (see the plan for each and its fix); nothing was changed\n"
    )
    assert writes(emulator_env) == []


PRUNE = '[prune]\nlabels = ["legacy-*"]\n'


def test_prune_deletes_only_in_scope_and_respects_max_deletes(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, toml=PRUNE)
    emulator_env.seed(job("legacy-a"), job("legacy-b"), job("someone-elses"))

    # without --prune nothing is deleted, all three are unmanaged
    planned = run("plan", "--format", "json")
    kinds = {a["label"]: a["kind"] for a in json.loads(planned.stdout)["actions"]}
    assert "delete" not in kinds.values()

    # over budget: stops before ANY write (no creates either)
    result = run("apply", "--prune", "--auto-approve", "--max-deletes", "1")
    assert result.exit_code == 1
    assert result.stderr.endswith(
        "error: the plan deletes 2 job(s) (legacy-a, legacy-b) but --max-deletes allows 1; "
        "nothing was changed. Re-run with --max-deletes 2 if these deletes are intended\n"
    )
    assert writes(emulator_env) == []

    # CI defaults the budget to 0
    monkeypatch.setenv("CI", "true")
    result = run("apply", "--prune", "--auto-approve")
    assert result.exit_code == 1
    assert "but --max-deletes allows 0; nothing was changed" in result.stderr
    assert writes(emulator_env) == []

    result = run("apply", "--prune", "--auto-approve", "--max-deletes", "2")
    assert result.exit_code == 0, result.output
    labels = sorted(j["label"] for j in emulator_env.control.jobs())
    assert "someone-elses" in labels
    assert not any(label.startswith("legacy-") for label in labels)
    assert len(labels) == N + 1


def test_deletes_come_only_from_a_plan_that_showed_them(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False, toml=PRUNE)
    emulator_env.seed(job("legacy-a"))
    assert run("plan", "--out", "plan.json").exit_code == 0  # planned without --prune
    assert run("apply", "plan.json").exit_code == 0
    assert [j["label"] for j in emulator_env.control.jobs()] == ["legacy-a"]


def test_github_format_writes_the_step_summary(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = project / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run("plan", "--format", "github")
    assert result.exit_code == 0
    assert summary.read_text().strip() != ""
    assert "to create" in summary.read_text()


def test_markdown_and_text_formats(project: Path) -> None:
    text = run("plan")
    assert "\x1b[" not in text.stdout  # not a terminal: no colours
    markdown = run("plan", "--format", "markdown")
    assert markdown.exit_code == 0
    assert "zendesk-tickets" in markdown.stdout


def test_missing_token_is_a_config_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TRUTO_API_TOKEN")
    result = run("plan")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: no API token: set the environment variable ")


def _in_terminal(args: list[str], cwd: Path, env: dict[str, str], answer: bytes) -> tuple[int, str]:
    """Run ``syncspec`` with a pseudo-terminal as stdin/stdout/stderr; answer the prompt."""
    from tests.functional.terminal import answer_in_terminal

    proc, output = answer_in_terminal(args, cwd, env, b"Apply these changes? [y/N]: ", answer)
    return proc.wait(), output.decode(errors="replace")


@pytest.mark.slow
@pytest.mark.parametrize(("answer", "code"), [(b"y\n", 0), (b"n\n", 1)])
def test_apply_asks_on_a_terminal(
    project: Path, emulator_env: EmulatorHandle, answer: bytes, code: int
) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "NO_COLOR", "SYNCSPEC_PROFILE")}
    env.update(emulator_env.environ())
    status, output = _in_terminal(["apply"], project, env, answer)
    assert status == code, output
    assert "Apply these changes? [y/N]: " in output
    assert "\x1b[" in output  # colours on a terminal
    if code == 0:
        assert "applying" in output  # the progress bar (more than 5 actions)
        assert f"Apply complete: {N} done, 0 failed, 0 not attempted." in output
        assert len(emulator_env.control.jobs()) == N
    else:
        assert "error: apply cancelled. Nothing was changed." in output
        assert writes(emulator_env) == []


@pytest.mark.slow
def test_no_color_is_honoured_on_a_terminal(project: Path, emulator_env: EmulatorHandle) -> None:
    import os

    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SYNCSPEC_PROFILE")}
    env.update(emulator_env.environ(), NO_COLOR="1")
    status, output = _in_terminal(["plan"], project, env, b"")
    assert status == 0, output
    assert f"Plan: {N} to create" in output
    assert "\x1b[" not in output
