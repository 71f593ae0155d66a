"""Every ``syncspec.toml`` value is parsed and range-checked before use (issue 22, class 5):
exit 3 with one message, never 70, never a silent wait; ``jobs_dir``/``tests_dir`` resolve inside
the repository. Real processes: a pull request can edit this file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, writes

CASES: dict[str, bytes] = {
    "non-UTF-8": b'jobs_dir = "jobs\xff"\n',
    "nested arrays 100k deep": b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "nested tables 40 deep": b"[" + b".".join(b"t%d" % i for i in range(40)) + b"]\n",
    "5,000-digit parallelism": b"parallelism = " + b"9" * 5000 + b"\n",
    "parallelism 1e6": b"parallelism = 1000000\n",
    "rate_limit 1/9999999s": b'rate_limit = "1/9999999s"\n',
    "rate_limit huge count": b'rate_limit = "' + b"9" * 40 + b'/1s"\n',
    "rate_limit a number": b"rate_limit = 500\n",
    "jobs_dir /": b'jobs_dir = "/"\n',
    "jobs_dir ../outside": b'jobs_dir = "../outside"\n',
    "tests_dir /proc": b'jobs_dir = "jobs"\ntests_dir = "/proc"\n',
    "jobs_dir through a symlink out": b'jobs_dir = "link"\n',
}


def syncspec(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncspec", *args],
        cwd=project,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("command", ["validate", "plan", "pull"])
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_value_is_exit_3_with_one_message(
    tmp_path: Path, emulator_env: EmulatorHandle, case: str, command: str
) -> None:
    project = tmp_path / "repo"
    (project / "jobs").mkdir(parents=True)
    (tmp_path / "outside").mkdir()
    (project / "link").symlink_to(tmp_path / "outside")
    (project / "syncspec.toml").write_bytes(CASES[case])
    emulator_env.seed(job("a"))
    emulator_env.control.clear_requests()
    done = syncspec(project, command)
    assert done.returncode == 3, (done.returncode, done.stdout[-500:], done.stderr[-2000:])
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, done.stderr
    assert "syncspec.toml" in lines[0]
    assert emulator_env.control.requests() == []  # checked before any request
    assert list((tmp_path / "outside").iterdir()) == []
    assert writes(emulator_env) == []


@pytest.mark.parametrize("text", ['jobs_dir = "."\n', 'jobs_dir = "./jobs"\n'])
def test_folders_inside_the_repository_are_fine(tmp_path: Path, text: str) -> None:
    (tmp_path / "jobs").mkdir()
    (tmp_path / "syncspec.toml").write_text(text)
    done = syncspec(tmp_path, "validate")
    assert done.returncode == 0, done.stderr
