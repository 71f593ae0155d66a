"""Benchmark (issue 22): the gap between each job's freshness re-read and its write.

    python bench/freshness_gap.py [--jobs 600] [--parallelism 64] [--latency-ms 20]

Starts the emulator in this process (no server-side rate limit, ``--latency-ms`` on every
request), seeds ``--jobs`` jobs, writes files that change every one of them, and runs
``python -m syncspec apply --auto-approve --parallelism N`` as a subprocess with the default
client rate limit (500 requests / 10 s), so the client's limiter is what paces the run. The gap
of a job is the emulator-side arrival time of its PATCH minus that of its last
``GET /sync-job/{id}`` before it: the window in which a dashboard edit would be overwritten.
Prints the exit code, the wall time and the gap's median / p95 / max (seconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=600)
    parser.add_argument("--parallelism", type=int, default=64)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()

    from syncspec.emulator.server import EmulatorConfig, start_emulator

    token = "bench-" + os.urandom(12).hex()
    emulator = start_emulator(
        EmulatorConfig(tokens={token: "bench"}, latency_ms=args.latency_ms, rate_limit=None)
    )
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
            (root / "jobs").mkdir()
            jobs = []
            for i in range(args.jobs):
                label = f"job-{i:05d}"
                jobs.append(
                    {
                        "label": label,
                        "integration_name": "zendesk",
                        "default_runtime_version": 2,
                        "args_validation": "live",
                        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
                    }
                )
                (root / "jobs" / f"{label}.yaml").write_text(
                    f"label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
                    'args_validation: "file"\n'
                    "resources:\n  - resource: ticketing/tickets\n    method: list\n"
                )
            emulator.control.seed_jobs(jobs)
            emulator.control.clear_requests()
            env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCSPEC_")}
            env.update({"TRUTO_API_URL": emulator.url, "TRUTO_API_TOKEN": token})
            started = time.monotonic()
            done = subprocess.run(
                [
                    sys.executable,
                    *("-m", "syncspec", "apply", "--auto-approve"),
                    *("--parallelism", str(args.parallelism)),
                ],
                cwd=root,
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.monotonic() - started
        last_get: dict[str, float] = {}
        gaps: list[float] = []
        for request in emulator.control.requests():
            path = request.path
            if not path.startswith("/sync-job/"):
                continue
            if request.method == "GET":
                last_get[path] = request.at
            elif request.method == "PATCH" and path in last_get:
                gaps.append(request.at - last_get[path])
        gaps.sort()
        p95 = gaps[int(0.95 * (len(gaps) - 1))] if gaps else float("nan")
        print(
            f"exit {done.returncode}; {wall:.1f} s; {len(gaps)} writes; gap median "
            f"{statistics.median(gaps):.3f} s, p95 {p95:.3f} s, max {gaps[-1]:.3f} s"
        )
        print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-500:])
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
