"""validate, plan and pull stay linear in a job's node graph (issue 22, class 8).

A 10,000-node ``depends_on`` chain (a 1 MB file, just under the loader's size bound) ran out of
memory (MemoryError, exit 70) when every node's ancestor set was built. These run the real
``syncspec`` process under an address-space limit, so a quadratic memory use fails them on any
machine speed; the seconds are measured in bench/, not asserted here.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

LIMIT = 1024 * 1024 * 1024  # 1 GiB of address space: the old code needed several


def chain_job(n: int) -> str:
    lines = ["label: chain", "integration_name: zendesk", "default_runtime_version: 4"]
    lines.append("resources:")
    lines.append("- {name: a0, type: request, resource: t, method: list, integrated_account_id: a}")
    lines.extend(
        f"- {{name: a{i}, type: request, depends_on: a{i - 1}, resource: t, method: list, "
        "integrated_account_id: a}"
        for i in range(1, n)
    )
    return "\n".join(lines) + "\n"


def legacy_chain_job(n: int) -> str:
    # pairs of items share a resource name: several parents each (the bitset path)
    lines = ["label: legacy-chain", "integration_name: zendesk", "default_runtime_version: 2"]
    lines.append("resources:")
    for i in range(n // 2):
        dep = f", depends_on: r{i - 1}" if i else ""
        lines.append(f"- {{resource: r{i}, method: list{dep}}}")
        lines.append(f"- {{resource: r{i}, method: get{dep}}}")
    return "\n".join(lines) + "\n"


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT, LIMIT))


def run_validate(project: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCSPEC_")}
    return subprocess.run(
        [sys.executable, "-m", "syncspec", "validate"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        preexec_fn=_limit,
        timeout=600,
        check=False,
    )


@pytest.mark.parametrize(("make", "n"), [(chain_job, 10_000), (legacy_chain_job, 12_000)])
def test_a_long_depends_on_chain_validates_within_bounded_memory(
    tmp_path: Path, make: object, n: int
) -> None:
    assert callable(make)
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (tmp_path / "jobs").mkdir()
    (tmp_path / "jobs" / "chain.yaml").write_text(make(n))
    done = run_validate(tmp_path)
    assert "internal error" not in done.stderr
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no problems" in done.stdout
