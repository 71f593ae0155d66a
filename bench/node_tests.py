"""Benchmark: `syncspec test` on 1,000 cases (target: under a second of CPU).

    python bench/node_tests.py [--cases 1000] [--files 10] [--runs 5]

Builds a config repo in a temp dir: Truto's incremental-sync job (tests/examples/node_tests) and
``--cases`` cases spread over ``--files`` case files, cycling through every node of the job with
varied inputs (add_context and update_state JSONata incl. $dtFromIso, run_if, request and
destination placeholders, get_state defaults). Runs `python -m syncspec test` as a subprocess
(start-up included, what CI pays; bytecode caches on, warmed by an uncounted first run) and
reports its CPU (user+sys, from getrusage of the child) and wall time, medians of ``--runs``.
Also reports the in-process CPU of loading and running the cases alone (no interpreter start-up).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "tests" / "examples" / "node_tests"

CASES = [
    """\
  - name: cursor {n}
    node: add-last-synced-at
    given: {{resources: {{get-last-synced-at: {{value: "2024-01-{d:02d}T00:00:00Z"}}}}}}
    expect: {{last_synced_at: "2024-01-{d:02d}T00:00:00Z"}}
""",
    """\
  - name: webhook gate {n}
    node: webhook
    given: {{args: {{integrated_account_id: a{n}}}}}
    expect_run: false
""",
    """\
  - name: events {n}
    node: list-events
    given: {{args: {{integrated_account_id: a{n}}}, last_synced_at: "2024-02-{d:02d}"}}
    expect: {{integrated_account_id: a{n}, query: {{updated_at: {{gt: "2024-02-{d:02d}"}}}}}}
""",
    """\
  - name: webhook target {n}
    node: webhook
    given: {{args: {{webhook_id: wh-{n}}}}}
    expect: {{id: wh-{n}}}
    expect_run: true
""",
    """\
  - name: cursor moves {n}
    node: update-last-synced-at
    given: {{sync_job_run: {{status: completed, started_at: "2024-03-{d:02d}T10:00:00.000Z"}}}}
    expect: "2024-03-{d:02d}T09:58:00.000Z"
""",
    """\
  - name: start date {n}
    node: get-last-synced-at
    given: {{args: {{start_date: "2024-04-{d:02d}"}}}}
    expect: "2024-04-{d:02d}"
""",
]


def generate(root: Path, cases: int, files: int) -> None:
    shutil.copytree(EXAMPLE / "jobs", root / "jobs")
    (root / "syncspec.toml").write_text('jobs_dir = "jobs"\ntests_dir = "cases"\n')
    (root / "cases").mkdir()
    per_file = -(-cases // files)
    n = 0
    for f in range(files):
        body = ["job: calendar-events-incremental\ncases:\n"]
        for _ in range(min(per_file, cases - n)):
            body.append(CASES[n % len(CASES)].format(n=n, d=n % 28 + 1))
            n += 1
        (root / "cases" / f"cases-{f:03d}.yaml").write_text("".join(body))


def run_once(root: Path) -> tuple[float, float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "syncspec", "test"],
        check=False,
        # bytecode caches on, as an installed syncspec has them (this workplace's shell sets
        # PYTHONDONTWRITEBYTECODE=1, which recompiles syncspec's editable sources every run)
        env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"},
        cwd=root,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr
    if proc.returncode != 0:
        sys.exit(f"syncspec test failed ({proc.returncode}): {last}\n{proc.stderr}")
    return cpu, wall, last


def in_process(root: Path) -> float:
    """CPU of loading the cases and running them, in this process (after a warm-up run)."""
    os.chdir(root)
    from syncspec.config import load_settings
    from syncspec.engine.project import scan_job_files
    from syncspec.nodetest.runner import load_suite, run_cases

    def once() -> None:
        settings = load_settings(cwd=root)
        assert settings.tests_dir is not None
        suite = load_suite([settings.tests_dir], root)
        jobs, unreadable = scan_job_files(settings)
        report = run_cases(suite.case_files, jobs, unreadable)
        assert report.failed == 0

    once()  # warm-up: imports, compiled expressions
    start = time.process_time()
    once()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--files", type=int, default=10)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.cases, args.files)
        run_once(root)  # warm-up (bytecode caches)
        runs = [run_once(root) for _ in range(args.runs)]
        cpu = statistics.median(r[0] for r in runs)
        wall = statistics.median(r[1] for r in runs)
        inner = in_process(root)
        when = f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC"
        print(f"# {when}, Python {platform.python_version()}, {os.cpu_count()} CPUs")
        print(f"output: {runs[0][2]}")
        print("| measure | result | target |")
        print("|---|---|---|")
        print(f"| CPU (user+sys), `syncspec test` subprocess, {args.cases} cases | "
              f"**{cpu:.2f} s** | < 1 s |")  # fmt: skip
        print(f"| wall, same | {wall:.2f} s | |")
        print(f"| CPU in-process, cases only (load + run, warm) | {inner:.2f} s | |")


if __name__ == "__main__":
    main()
