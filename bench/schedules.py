"""Benchmark: `syncspec plan` of 50 jobs x 200 accounts of cron triggers (issue 21).

    python bench/schedules.py [--jobs 50] [--accounts 200] [--runs 3]

Starts the emulator in this process with 50 ms latency on every request, writes ``--jobs`` job
files each with one schedule (``H * * * *``) and seeds ``--accounts`` zendesk accounts, then
runs ``python -m syncspec plan`` as a subprocess (wall clock, start-up included), counting the
HTTP requests in the emulator's log:

(a) first plan: no trigger yet (jobs x accounts creates);
(b) steady plan: every trigger live and up to date ("No changes");
(peer) the same job files without ``schedules`` (jobs only), measured in the same run.
Requests are compared with the floor: one page per 1,000 jobs, accounts and triggers (the
listings are not per job or per account, so they grow with pages, not with jobs x accounts).

Prints medians of ``--runs`` runs as markdown rows. The machine may be shared: say so.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LATENCY_MS = 50
PAGE = 1000
JOB = """\
label: job-{i:03d}
integration_name: zendesk
default_runtime_version: 2
mutex_key: "{{{{args.integrated_account_id}}}}"
args_schema:
  type: object
  properties:
    integrated_account_id: {{type: string, format: integrated_account_id, required: true}}
resources:
  - resource: ticketing/tickets
    method: list
"""
SCHEDULE = 'schedules:\n  - name: hourly\n    cron: "H * * * *"\n'


def _write(root: Path, jobs: int, schedules: bool) -> None:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    for i in range(jobs):
        (root / "jobs" / f"job-{i:03d}.yaml").write_text(
            JOB.format(i=i) + (SCHEDULE if schedules else "")
        )


def _plan(root: Path, env: dict[str, str], emu: Any) -> tuple[float, int, str]:
    cmd = [sys.executable, "-m", "syncspec", "plan", "--detailed-exitcode"]
    emu.control.clear_requests()
    started = time.perf_counter()
    done = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 2):
        sys.exit(f"plan failed ({done.returncode}): {done.stdout[-800:]}{done.stderr[-800:]}")
    return wall, len(emu.control.requests()), done.stdout.strip().splitlines()[-1]


def bench(jobs: int, accounts: int, runs: int) -> dict[str, Any]:
    from syncspec.emulator.server import EmulatorConfig, start_emulator
    from syncspec.engine.schedules import desired_body
    from syncspec.jobfile.jobs import LocalJob
    from syncspec.jobfile.yaml.loader import parse_text

    token = "bench-" + os.urandom(12).hex()
    emu = start_emulator(EmulatorConfig(tokens={token: "bench"}, latency_ms=LATENCY_MS))
    out: dict[str, Any] = {}
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            env = {**os.environ, "TRUTO_API_URL": emu.url, "TRUTO_API_TOKEN": emu.token}
            env.pop("SYNCSPEC_PROFILE", None)
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            _write(root, jobs, schedules=False)
            live = emu.control.seed_jobs(
                [parse_text(p.read_text(), p.name).data or {} for p in sorted(root.glob("jobs/*"))]
            )
            seeded = emu.control.seed_accounts(
                [{"tenant_id": f"t-{i}", "integration_name": "zendesk"} for i in range(accounts)]
            )
            _plan(root, env, emu)  # warm the bytecode caches, uncounted
            peer = [_plan(root, env, emu) for _ in range(runs)]
            _write(root, jobs, schedules=True)
            first = [_plan(root, env, emu) for _ in range(runs)]
            triggers = []
            for job in live:
                path = root / "jobs" / f"{job['label']}.yaml"
                local = LocalJob(
                    path, path.name, 1, parse_text(path.read_text(), path.name).data or {}
                )
                schedule = local.data["schedules"][0]
                triggers += [desired_body(local, job["id"], schedule, a["id"]) for a in seeded]
            emu.control.seed_triggers(triggers)
            steady = [_plan(root, env, emu) for _ in range(runs)]
    finally:
        emu.stop()

    def row(samples: list[tuple[float, int, str]]) -> dict[str, Any]:
        return {
            "wall": statistics.median(s[0] for s in samples),
            "requests": statistics.median(s[1] for s in samples),
            "last": samples[-1][2],
        }

    out["peer"], out["first"], out["steady"] = map(row, (peer, first, steady))
    out["triggers"] = len(triggers)
    out["floor"] = (
        math.ceil(jobs / PAGE) + math.ceil(accounts / PAGE) + math.ceil(len(triggers) / PAGE)
    )
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=50)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    r = bench(args.jobs, args.accounts, args.runs)
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cores, latency {LATENCY_MS} ms, "
        f"{args.jobs} jobs x {args.accounts} accounts = {r['triggers']} triggers, "
        f"medians of {args.runs}"
    )
    print("| case | wall (s) | requests | last line |")
    print("|---|---|---|---|")
    names = {
        "peer": f"peer: {args.jobs} jobs, no schedules",
        "first": "first plan (no trigger yet)",
        "steady": "steady plan (all up to date)",
    }
    for key, name in names.items():
        x = r[key]
        print(f"| {name} | {x['wall']:.2f} | {x['requests']:.0f} | {x['last']} |")
    print(f"floor (pages of jobs + accounts + triggers at {PAGE}/page): {r['floor']} requests")


if __name__ == "__main__":
    main()
