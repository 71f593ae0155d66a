"""`runs start --account A`: fills args.integrated_account_id; undeclared args warn (issue 14)."""

from __future__ import annotations

from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.functional.test_runs import job

V4_ARGS = {
    "integrated_account_id": {
        "type": "string",
        "format": "integrated_account_id",
        "required": True,
    },
    "since": {"type": "string"},
}


def run(emulator: EmulatorHandle, *args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert emulator.token not in result.output
    return result


def test_account_fills_the_declared_argument(env: EmulatorHandle) -> None:
    (seeded,) = env.seed(job("v4", V4_ARGS))
    result = run(env, "runs", "start", "v4", "--account", "acc-1")
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert created["integrated_account_id"] == "acc-1"
    assert created["args"] == {"integrated_account_id": "acc-1"}
    assert result.stderr == (
        f"started run {created['id']} of job 'v4' ({seeded['id']}) for account acc-1\n"
    )


def test_an_explicit_argument_wins_and_a_mismatch_warns(env: EmulatorHandle) -> None:
    env.seed(job("v4", V4_ARGS))
    result = run(
        env, "runs", "start", "v4", "--account", "acc-1",
        "--arg", "integrated_account_id=acc-2", "--arg", "sincee=2024-01-01",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert created["args"] == {"integrated_account_id": "acc-2", "sincee": "2024-01-01"}
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == [
        "warning: argument 'sincee' is not declared in the job's args_schema (sent anyway)",
        "warning: argument 'integrated_account_id' is 'acc-2' but --account is 'acc-1'; "
        "the job's nodes will use the argument",
    ]


def test_an_undeclared_account_argument_is_not_invented(env: EmulatorHandle) -> None:
    env.seed(job("legacy", {"user_ids": {"type": "array", "required": False}}))
    result = run(env, "runs", "start", "legacy", "--account", "acc-1", "--arg", "user_ids=[]")
    assert result.exit_code == 0, result.output
    (created,) = env.control.runs()
    assert created["args"] == {"user_ids": []}
    assert "warning" not in result.stderr
