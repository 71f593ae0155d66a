"""The README's troubleshooting table shows the messages syncspec really prints (issue 14).

Each row of the table carries a marker, ``<!-- troubleshooting: ID -->``; the first backticked
text of the row is the message, where ``…`` stands for any text. For every ID a scenario below
makes syncspec print that message (in-process, against the emulator over HTTP), and the test
compares. A row without a scenario, or a scenario without a row, fails too.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, make_project

REPO = Path(__file__).resolve().parents[2]
MARKER = re.compile(r"<!-- troubleshooting: ([a-z0-9-]+) -->")


def documented() -> dict[str, tuple[str, int | None]]:
    """ID -> (message, exit code if the row names one), from the README's Troubleshooting."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("\n## Troubleshooting\n", 1)[1].split("\n## ", 1)[0]
    rows: dict[str, tuple[str, int | None]] = {}
    for line in section.splitlines():
        if (marker := MARKER.search(line)) is not None:
            # a code span: `text`, or `` text with a ` in it ``
            message = re.search(r"(`+)(.+?)\1", line)
            assert message is not None, line
            code = re.search(r"\(exit (\d+)\)", line)
            rows[marker.group(1)] = (message.group(2).strip(), code and int(code.group(1)))
    return rows


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), env=env)


Scenario = Callable[[EmulatorHandle, Path, pytest.MonkeyPatch], Result]
SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str) -> Callable[[Scenario], Scenario]:
    def register(func: Scenario) -> Scenario:
        SCENARIOS[name] = func
        return func

    return register


@scenario("no-token")
def _no_token(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    mp.delenv("TRUTO_API_TOKEN")
    return run("plan")


@scenario("bad-token")
def _bad_token(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    mp.setenv("TRUTO_API_TOKEN", "not-a-valid-token")
    return run("plan")


@scenario("not-found")
def _not_found(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    (other,) = emu.seed(job("elsewhere"), other=True)
    elsewhere = emu.client(emu.other_token).create_sync_job_run(
        {"sync_job_id": other["id"], "integrated_account_id": "acc-1", "status": "created"}
    )
    return run("runs", "get", elsewhere["id"])


@scenario("unquoted-placeholder")
def _unquoted(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    (root / "jobs" / "t.yaml").write_text(
        "label: t\ndefault_runtime_version: 2\nresources:\n"
        "  - resource: ticketing/tickets\n    method: get\n    id: {{args.ticket_id}}\n"
    )
    return run("validate", "jobs/t.yaml")


@scenario("identity-conflict")
def _conflict(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    emu.seed(job("zendesk-tickets"), job("zendesk-tickets"))
    return run("apply", "--auto-approve")


@scenario("stale-plan")
def _stale(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    (live,) = emu.seed(job("zendesk-tickets"))
    assert run("plan", "--out", "plan.json").exit_code == 0
    emu.client().update_sync_job(live["id"], {"state_key": "edited-in-dashboard"})
    return run("apply", "plan.json")


@scenario("max-deletes")
def _max_deletes(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    make_project(root, toml='[prune]\nlabels = ["legacy-*"]\n')
    emu.seed(job("legacy-a"), job("legacy-b"))
    mp.setenv("CI", "true")
    return run("apply", "--prune", "--auto-approve")


@scenario("needs-auto-approve")
def _needs_approval(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    return run("apply")


@scenario("rate-limited")
def _rate_limited(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    emu.control.fail_next(429, times=1, retry_after=3600)
    return run("plan")


@scenario("missing-state-key")
def _missing_state(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    return run("run-state", "get", "last_updated_at", "--state-key", "acc-1")


@scenario("undeclared-arg")
def _undeclared(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    emu.seed(job("tickets", args_schema={"since": {"type": "string"}}))
    return run("runs", "start", "tickets", "--account", "acc-1", "--arg", "snce=2024-01-01")


@scenario("no-such-option")
def _no_such_option(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    return run("plan", "--auto-approve")


@scenario("internal-error")
def _bug(emu: EmulatorHandle, root: Path, mp: pytest.MonkeyPatch) -> Result:
    import syncspec.engine.project

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    # a stand-in for a bug: the one thing this scenario cannot make happen for real
    mp.setattr(syncspec.engine.project, "plan_project", broken)
    return run("plan")


def _pattern(message: str) -> re.Pattern[str]:
    return re.compile(".*?".join(re.escape(part) for part in message.split("…")), re.DOTALL)


def test_every_row_has_a_scenario_and_back() -> None:
    assert sorted(documented()) == sorted(SCENARIOS)


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_the_documented_message_is_the_real_one(
    name: str, emulator_env: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs" / "zendesk-tickets.yaml").write_text(
        (REPO / "jobs" / "zendesk-tickets.yaml").read_text(encoding="utf-8")
    )
    result = SCENARIOS[name](emulator_env, tmp_path, monkeypatch)
    output = result.stderr + result.stdout
    assert emulator_env.token not in output
    rows = documented()
    assert name in rows, f"README has no row for {name!r}; syncspec printed:\n{output}"
    message, exit_code = rows[name]
    if exit_code is not None:
        assert result.exit_code == exit_code, output
    assert _pattern(message).search(output), f"README says {message!r}; syncspec printed:\n{output}"
