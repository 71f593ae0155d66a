"""A saved plan is read only if it is a regular file, with a size cap before reading, bounded
nesting and number size (issue 22, class 4): every malformed plan is exit 3 with one message,
and nothing is written. Run as real processes, with a timeout (a FIFO used to hang forever)."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from syncspec.engine.plan import MAX_PLAN_BYTES
from tests.conftest import EmulatorHandle
from tests.functional.test_config_bounds import syncspec
from tests.functional.test_plan_apply import job, make_project, writes


def apply_plan_file(project: Path, plan: Path) -> subprocess.CompletedProcess[str]:
    return syncspec(project, "apply", str(plan), "--auto-approve")


def _nested(depth: int) -> str:
    return '{"format_version": 1, "actions": ' + "[" * depth + "]" * depth + "}"


def _big_number(digits: int) -> str:
    return '{"format_version": 1, "actions": [], "x": ' + "9" * digits + "}"


CASES: dict[str, Callable[[Path], object]] = {
    "nested 100k deep": lambda p: p.write_text(_nested(100_000)),
    "nested 200 deep": lambda p: p.write_text(_nested(200)),
    "5,000-digit number": lambda p: p.write_text(_big_number(5000)),
    "300-digit number": lambda p: p.write_text(_big_number(300)),
    "Infinity": lambda p: p.write_text('{"format_version": 1, "actions": [], "x": Infinity}'),
    "1e999": lambda p: p.write_text('{"format_version": 1, "actions": [], "x": 1e999}'),
    "symlink to /dev/zero": lambda p: p.symlink_to("/dev/zero"),
    "FIFO": os.mkfifo,
    "sparse file over the cap": lambda p: _sparse(p, MAX_PLAN_BYTES + 1),
    "not UTF-8": lambda p: p.write_bytes(b'{"a": "\xff"}'),
}


def _sparse(path: Path, size: int) -> None:
    with path.open("wb") as fh:
        fh.truncate(size)


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_malformed_plan_file_is_exit_3_with_one_message_and_no_writes(
    tmp_path: Path, emulator_env: EmulatorHandle, case: str
) -> None:
    if case == "symlink to /dev/zero" and not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero on this system")
    project = make_project(tmp_path / "p", examples=False)
    (project / "jobs" / "a.yaml").write_text("label: a\nintegration_name: zendesk\n")
    emulator_env.seed(job("a"))
    plan = tmp_path / "saved.plan"
    CASES[case](plan)
    emulator_env.control.clear_requests()
    done = apply_plan_file(project, plan)
    assert done.returncode == 3, (done.returncode, done.stdout, done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert str(plan) in lines[0]
    assert writes(emulator_env) == []
