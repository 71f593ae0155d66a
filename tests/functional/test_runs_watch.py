"""Watching runs: the snapshot generator on the emulator's clock, and the CLI in a subprocess
(a run stopped while it is watched, Ctrl-C with and without --stop-on-interrupt)."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Any

import pytest

from syncspec.engine.runs import RunSnapshot, watch_run
from syncspec.render.runs import watch_display
from tests.conftest import EmulatorHandle

JOB = {
    "label": "tickets",
    "integration_name": "zendesk",
    "default_runtime_version": 2,
    "resources": [{"resource": "ticketing/tickets", "method": "list"}],
}


def _start(emulator: EmulatorHandle) -> dict[str, Any]:
    (seeded,) = emulator.seed(JOB)
    return emulator.client().create_sync_job_run(
        {"sync_job_id": seeded["id"], "integrated_account_id": "a", "status": "created"}
    )


def test_watch_run_yields_created_running_completed_and_backs_off_when_idle(
    emulator: EmulatorHandle,
) -> None:
    # The emulator's clock moves only when the watcher sleeps, so the snapshots are the same on
    # any machine: created at 0 and 0.1 s (idle: the delay doubles), running from 0.2 s, ...
    emulator.control.freeze_time()
    run = _start(emulator)
    delays: list[float] = []

    def sleep(seconds: float) -> None:  # the emulator's clock moves instead of ours
        delays.append(seconds)
        emulator.control.advance_time(seconds)

    snaps = list(
        watch_run(emulator.client(), run["id"], interval=0.1, max_interval=0.4, sleep=sleep)
    )
    statuses = [s.status for s in snaps]
    assert statuses[0] == "created"
    assert statuses[-1] == "completed"
    assert "running" in statuses
    # created..., then running..., then completed once: the order of a run's life.
    first_running = statuses.index("running")
    assert set(statuses[:first_running]) == {"created"}
    assert set(statuses[first_running:-1]) == {"running"}
    assert [s.polls for s in snaps] == list(range(1, len(snaps) + 1))
    assert snaps[-1].rows[0].resource == "ticketing/tickets"
    assert snaps[-1].rows[0].counters["fetched"] == snaps[-1].rows[0].counters["persisted"] > 0
    # One sleep between polls; interval after a change, doubling (capped) while idle.
    assert len(delays) == len(snaps) - 1
    for i, delay in enumerate(delays):
        if snaps[i].changed:
            assert delay == 0.1
        else:
            assert delay == min(0.4, delays[i - 1] * 2)
    assert snaps[0].changed
    assert not all(s.changed for s in snaps)  # created is seen unchanged at least once
    # the exact sequence, which a frozen clock makes reproducible (duration 1 s, created 0.2 s)
    assert statuses[:2] == ["created", "created"]
    assert delays[:2] == [0.1, 0.2]
    gets = emulator.control.requests("GET", f"/sync-job-run/{run['id']}")
    assert len(gets) == len(snaps)


def test_rate_limited_is_shown_and_not_a_failure(emulator: EmulatorHandle) -> None:
    run = _start(emulator)
    client = emulator.client()
    client.update_sync_job_run(run["id"], {"status": "rate_limited"})
    seen: list[str] = []

    def sleep(seconds: float) -> None:
        if seen == ["rate_limited"]:
            client.update_sync_job_run(run["id"], {"status": "completed"})

    out = StringIO()
    display = watch_display(out)
    for snap in watch_run(client, run["id"], interval=0.01, sleep=sleep):
        seen.append(snap.status)
        display.update(snap)
    display.close()
    assert seen == ["rate_limited", "completed"]
    lines = out.getvalue().splitlines()
    assert [line.split(": ", 1)[1].split(" |")[0] for line in lines] == [
        "rate_limited",
        "completed",
    ]


def test_live_display_on_a_terminal_shows_status_and_a_row_per_resource(
    emulator: EmulatorHandle,
) -> None:
    run = _start(emulator)
    emulator.control.advance_time(5)
    out = StringIO()
    display = watch_display(out, force_terminal=True)
    snaps = list(watch_run(emulator.client(), run["id"], sleep=lambda s: None))
    for snap in snaps:
        display.update(snap)
    display.close()
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", out.getvalue())
    assert f"run {run['id']}  completed" in text
    fetched = snaps[-1].rows[0].counters["fetched"]
    assert re.search(rf"ticketing/tickets\s+list\s+{fetched}\s+{fetched}", text), text


# --- the CLI in a subprocess --------------------------------------------------------------------


@pytest.fixture
def long_run(emulator: EmulatorHandle) -> dict[str, Any]:
    emulator.control.set_faults(run_duration_s=600)
    return _start(emulator)


@pytest.fixture
def cli_env(emulator: EmulatorHandle, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SYNCSPEC_PROFILE"}
    env.update(emulator.environ())
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def _watch(
    run_id: str, env: dict[str, str], cwd: Path, *extra: str
) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncspec", "runs", "watch", run_id, "--interval", "0.05",
         "--max-interval", "0.1", *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )  # fmt: skip
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def _first_line(proc: subprocess.Popen[str], run_id: str) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line.startswith("[") and f"run {run_id}: " in line, line
    return line


def test_watch_of_a_run_stopped_midway_exits_1(
    emulator: EmulatorHandle, long_run: dict[str, Any], cli_env: dict[str, str], tmp_path: Path
) -> None:
    with _watch(long_run["id"], cli_env, tmp_path) as proc:
        _first_line(proc, long_run["id"])
        emulator.client().delete_sync_job_run(long_run["id"])  # someone stops it
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 1, err
        assert out.splitlines()[-1].startswith(f"run {long_run['id']} stopped after ")
        assert emulator.token not in out + err


@pytest.mark.parametrize("stop", [False, True])
def test_ctrl_c_stops_watching_and_stops_the_run_only_when_asked(
    emulator: EmulatorHandle,
    long_run: dict[str, Any],
    cli_env: dict[str, str],
    tmp_path: Path,
    stop: bool,
) -> None:
    extra = ["--stop-on-interrupt"] if stop else []
    with _watch(long_run["id"], cli_env, tmp_path, *extra) as proc:
        _first_line(proc, long_run["id"])
        proc.send_signal(signal.SIGINT)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 130, err
        status = emulator.client().get_sync_job_run(long_run["id"])["status"]
        if stop:
            assert err == f"interrupted: stopped run {long_run['id']}\n"
            assert status == "stopped"
            assert emulator.control.requests("DELETE") != []
        else:
            assert err == (
                f"interrupted: stopped watching; run {long_run['id']} keeps going "
                f"(`syncspec runs watch {long_run['id']}` to resume, "
                f"`syncspec runs stop {long_run['id']}` to stop it)\n"
            )
            assert status in ("created", "running")
            assert emulator.control.requests("DELETE") == []


def test_snapshot_is_plain_data() -> None:
    snap = RunSnapshot(run={"id": "r", "status": "stopped"}, elapsed=1.0, changed=True, polls=1)
    assert (snap.run_id, snap.status, snap.terminal, snap.rows) == ("r", "stopped", True, [])
