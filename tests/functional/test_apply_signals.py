"""Issue 10, class 6: whatever ends an apply, its account is printed (subprocesses, signals).

Each signal is sent at a deterministic point: the emulator holds one request
(``control.hold_next``) and the test signals once the request has arrived; a second signal is
sent only after the process said it got the first. No sleeps.
"""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle

WAIT_S = 60.0


def job_file(label: str, method: str) -> str:
    return (
        f"label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        f"resources:\n  - resource: ticketing/tickets\n    method: {method}\n"
    )


def seed_job(label: str, method: str) -> dict[str, object]:
    return {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": method}],
    }


class Apply:
    """``syncspec apply`` in a subprocess; stderr lines are collected as they come."""

    def __init__(self, cwd: Path, emulator: EmulatorHandle, *args: str) -> None:
        env = {k: v for k, v in os.environ.items() if k not in ("CI", "SYNCSPEC_PROFILE")}
        env.update(emulator.environ())
        env["NO_COLOR"] = "1"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "syncspec", "apply", "-y", "--parallelism", "1", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line)
            self.lines.put(line)
        self.lines.put(None)

    def wait_for_line(self, start: str) -> str:
        while True:
            line = self.lines.get(timeout=WAIT_S)
            assert line is not None, f"stderr ended without {start!r}: {''.join(self.stderr)}"
            if line.startswith(start):
                return line

    def finish(self) -> tuple[int, str]:
        assert self.proc.stdout is not None
        out = self.proc.stdout.read()
        code = self.proc.wait(WAIT_S)
        self._reader.join(WAIT_S)
        return code, out

    def kill(self) -> None:
        """Always called (finally): the process is gone and its pipes closed."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(WAIT_S)
        self._reader.join(WAIT_S)
        for stream in (self.proc.stdout, self.proc.stderr):
            if stream is not None:
                stream.close()


@pytest.fixture
def project(tmp_path: Path, emulator: EmulatorHandle) -> tuple[Path, list[dict[str, object]]]:
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    for i in range(5):
        (tmp_path / "jobs" / f"j{i}.yaml").write_text(job_file(f"j{i}", "list"))
    seeded = emulator.seed(*[seed_job(f"j{i}", "get") for i in range(5)])
    return tmp_path, seeded


def methods(emulator: EmulatorHandle) -> dict[str, str]:
    return {str(j["label"]): j["resources"][0]["method"] for j in emulator.control.jobs()}


@pytest.mark.parametrize(
    ("sig", "code", "name"), [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")]
)
def test_one_signal_lets_in_flight_actions_finish_and_prints_the_account(
    project: tuple[Path, list[dict[str, object]]],
    emulator: EmulatorHandle,
    sig: signal.Signals,
    code: int,
    name: str,
) -> None:
    cwd, seeded = project
    gate = emulator.control.hold_next("PATCH", f"/sync-job/{seeded[1]['id']}")
    apply = Apply(cwd, emulator)
    try:
        assert gate.wait_reached(WAIT_S)
        apply.proc.send_signal(sig)
        line = apply.wait_for_line("Interrupted:")
        assert "waiting for 1 in-flight action(s) to finish" in line
        gate.release()
        exit_code, out = apply.finish()
    finally:
        gate.release()
        apply.kill()
        if gate.reached.is_set():  # let the held request end before the next test starts
            gate.wait_finished(WAIT_S)
    assert exit_code == code
    tail = out.split("Plan: 0 to create, 5 to update, 0 to delete; 0 unmanaged.\n")[1]
    assert tail.splitlines() == [
        f"~ updated j0 ({seeded[0]['id']})",
        f"~ updated j1 ({seeded[1]['id']})",
        "  not attempted: j2, j3, j4 (3 action(s); interrupted)",
        "",
        f"Apply interrupted ({name}): 2 done, 0 failed, 3 not attempted.",
        "Not changed (or unknown): j2, j3, j4. Re-run plan/apply to converge.",
    ]
    assert methods(emulator) == {"j0": "list", "j1": "list", "j2": "get", "j3": "get", "j4": "get"}


def test_a_second_ctrl_c_stops_waiting_and_reports_the_in_flight_action_as_unknown(
    project: tuple[Path, list[dict[str, object]]], emulator: EmulatorHandle
) -> None:
    cwd, seeded = project
    gate = emulator.control.hold_next("PATCH", f"/sync-job/{seeded[1]['id']}")
    apply = Apply(cwd, emulator, "--format", "json")
    try:
        assert gate.wait_reached(WAIT_S)
        apply.proc.send_signal(signal.SIGINT)
        apply.wait_for_line("Interrupted:")
        apply.proc.send_signal(signal.SIGINT)  # the held request is still held
        exit_code, out = apply.finish()
    finally:
        gate.release()
        apply.kill()
        if gate.reached.is_set():  # let the held request end before the next test starts
            gate.wait_finished(WAIT_S)
    assert exit_code == 130
    data = json.loads(out)
    assert data["interrupted"] == "SIGINT"
    assert data["summary"] == {"done": 1, "failed": 0, "not_attempted": 3, "unknown": 1}
    assert [(r["label"], r["outcome"]) for r in data["results"]] == [
        ("j0", "done"),
        ("j1", "unknown"),
        ("j2", "not_attempted"),
        ("j3", "not_attempted"),
        ("j4", "not_attempted"),
    ]
    stored = methods(emulator)
    assert (stored["j0"], stored["j2"], stored["j3"], stored["j4"]) == ("list", "get", "get", "get")


def test_ctrl_c_during_the_re_list_after_the_writes_still_prints_the_account(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    for label in ("a", "b"):
        (tmp_path / "jobs" / f"{label}.yaml").write_text(job_file(label, "list"))
    gate = emulator.control.hold_next("GET", "/sync-job", skip=1)  # after the plan's list
    apply = Apply(tmp_path, emulator)
    try:
        assert gate.wait_reached(WAIT_S)
        apply.proc.send_signal(signal.SIGINT)
        exit_code, out = apply.finish()
    finally:
        gate.release()
        apply.kill()
        if gate.reached.is_set():  # let the held request end before the next test starts
            gate.wait_finished(WAIT_S)
    assert exit_code == 130
    stored = {str(j["label"]): j["id"] for j in emulator.control.jobs()}
    tail = out.split("Plan: 2 to create, 0 to update, 0 to delete; 0 unmanaged.\n")[1]
    assert tail.splitlines() == [
        f"+ created a ({stored['a']})",
        f"+ created b ({stored['b']})",
        "",
        "Apply interrupted (SIGINT): 2 done, 0 failed, 0 not attempted.",
    ]


def test_on_a_terminal_the_progress_bar_ends_before_the_interrupted_account(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    import pty

    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    for i in range(8):
        (tmp_path / "jobs" / f"j{i}.yaml").write_text(job_file(f"j{i}", "list"))
    seeded = emulator.seed(*[seed_job(f"j{i}", "get") for i in range(8)])
    gate = emulator.control.hold_next("PATCH", f"/sync-job/{seeded[2]['id']}")
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "SYNCSPEC_PROFILE")}
    env.update(emulator.environ(), NO_COLOR="1")
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "syncspec", "apply", "-y", "--parallelism", "1"],
        cwd=tmp_path,
        env=env,
        stdin=secondary,
        stdout=secondary,
        stderr=secondary,
        close_fds=True,
    )
    os.close(secondary)
    output = bytearray()
    said = threading.Event()

    def read() -> None:
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            output.extend(chunk)
            if b"Interrupted:" in output:
                said.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        assert gate.wait_reached(WAIT_S)
        proc.send_signal(signal.SIGINT)
        assert said.wait(WAIT_S), bytes(output)
        gate.release()
        assert proc.wait(WAIT_S) == 130
        reader.join(WAIT_S)
    finally:
        gate.release()
        if proc.poll() is None:
            proc.kill()
            proc.wait(WAIT_S)
        os.close(main)
        if gate.reached.is_set():
            gate.wait_finished(WAIT_S)
    text = bytes(output).decode(errors="replace")
    assert "applying" in text  # the progress bar was shown
    lines = text.replace("\r\n", "\n").split("\n")
    summary = [ln for ln in lines if "Apply interrupted (SIGINT)" in ln]
    assert summary == ["Apply interrupted (SIGINT): 3 done, 0 failed, 5 not attempted."]
    skipped = [ln for ln in lines if ln.startswith("  not attempted:")]
    assert skipped == ["  not attempted: j3, j4, j5, j6, j7 (5 action(s); interrupted)"]
