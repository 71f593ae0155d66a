"""runs watch tells failure kinds apart (issue 22, class 7): exit 1 only when the run failed or
was stopped; an outage shorter than the bound is ridden out; "could not read the run" is exit 5;
``--timeout`` bounds the watch (exit 124); stopping a run that already ended says so, exit 1.

Time is the emulator's: the watcher's sleep advances the emulator clock and a fake monotonic
clock, so no test waits for real seconds (the client's own retries wait 0.01 s in tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from syncspec.engine.runs import RunUnreadable, WatchTimedOut, watch_run
from syncspec.errors import ExitCode
from tests.conftest import EmulatorHandle

JOB = {
    "label": "tickets",
    "integration_name": "zendesk",
    "default_runtime_version": 2,
    "resources": [{"resource": "ticketing/tickets", "method": "list"}],
}


class Clock:
    """The watcher's clock: moves only when it sleeps, and moves the emulator's with it."""

    def __init__(self, emulator: EmulatorHandle) -> None:
        emulator.control.freeze_time()
        self.emulator, self.now, self.slept = emulator, 0.0, 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds
        self.slept += seconds
        self.emulator.control.advance_time(seconds)

    def __call__(self) -> float:
        return self.now

    def watch(self, run_id: str, **bounds: float) -> Iterator[Any]:
        """``watch_run`` of ``run_id`` polling each second, on this clock."""
        return watch_run(
            self.emulator.client(), run_id, interval=1.0, sleep=self.sleep, clock=self, **bounds
        )


def _start(emulator: EmulatorHandle) -> dict[str, Any]:
    (seeded,) = emulator.seed(JOB)
    return emulator.client().create_sync_job_run(
        {"sync_job_id": seeded["id"], "integrated_account_id": "a", "status": "created"}
    )


def test_an_outage_shorter_than_the_bound_is_ridden_out(emulator: EmulatorHandle) -> None:
    clock = Clock(emulator)
    run = _start(emulator)
    # 12 answers of 503: three polls in a row fail after the client's 4 attempts each.
    emulator.control.fail_next(503, times=12, method="GET", path=f"/sync-job-run/{run['id']}")
    snaps = list(clock.watch(run["id"], max_interval=4.0, outage=60.0))
    assert snaps[-1].status == "completed"
    failed = [r for r in emulator.control.requests(method="GET") if r.status == 503]
    assert len(failed) == 12


def test_an_outage_longer_than_the_bound_is_could_not_read(emulator: EmulatorHandle) -> None:
    clock = Clock(emulator)
    run = _start(emulator)
    emulator.control.fail_next(503, times=10_000, method="GET", path="/sync-job-run/")
    with pytest.raises(RunUnreadable) as caught:
        list(clock.watch(run["id"], max_interval=4.0, outage=30.0))
    assert caught.value.exit_code == ExitCode.RUN_UNREADABLE
    assert int(ExitCode.RUN_UNREADABLE) == 5
    assert "could not read run" in str(caught.value)
    assert "outcome is unknown" in str(caught.value)
    assert 30.0 <= clock.now < 30.0 + 4.0 + 1e-9  # gave up at the bound, not before


def test_timeout_bounds_the_whole_watch(emulator: EmulatorHandle) -> None:
    clock = Clock(emulator)
    emulator.control.set_faults(run_duration_s=10_000.0)  # a run that never ends
    run = _start(emulator)
    seen: list[str] = []
    with pytest.raises(WatchTimedOut) as caught:
        for snap in clock.watch(run["id"], max_interval=30.0, timeout=100.0):
            seen.append(snap.status)
    assert caught.value.exit_code == 124
    assert clock.now == pytest.approx(100.0)  # no wait past the timeout
    assert seen[-1] in ("created", "running")  # still going when the watch ended
    assert "the run keeps going" in str(caught.value)


# --- the CLI's exit codes ---------------------------------------------------------------------


def cli_run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def test_watch_timeout_option_exits_124_and_leaves_the_run_going(env: EmulatorHandle) -> None:
    env.control.freeze_time()  # the run stays "created": only --timeout can end the watch
    run = _start(env)
    result = cli_run("runs", "watch", run["id"], "--interval", "0.05", "--timeout", "0.2")
    assert result.exit_code == 124, result.output
    assert "after --timeout 0.2 s" in result.stderr
    assert env.client().get_sync_job_run(run["id"])["status"] == "created"


def test_a_run_that_cannot_be_read_is_not_exit_1(env: EmulatorHandle) -> None:
    run = _start(env)
    env.control.fail_next(403, times=100, method="GET", path="/sync-job-run/")
    result = cli_run("runs", "watch", run["id"], "--interval", "0.05")
    assert result.exit_code == 5, result.output
    assert result.stderr.startswith(f"error: could not read run {run['id']}")


@pytest.mark.parametrize("status", ["completed", "failed", "stopped"])
def test_stopping_a_run_that_ended_says_so_and_exits_1(env: EmulatorHandle, status: str) -> None:
    run = _start(env)
    env.client().update_sync_job_run(run["id"], {"status": status})
    env.control.clear_requests()
    result = cli_run("runs", "stop", run["id"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert f"run {run['id']} had already ended ({status}" in result.stderr
    assert "nothing was stopped" in result.stderr
    assert [r.method for r in env.control.requests()] == ["GET"]  # no DELETE sent
    assert env.client().get_sync_job_run(run["id"])["status"] == status
