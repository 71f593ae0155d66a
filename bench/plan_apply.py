"""Benchmark: `syncspec plan` over 2,000 live jobs, and `apply` throughput under the rate limit.

    python bench/plan_apply.py [--jobs 2000] [--updates 300] [--sustained 1200] [--runs 3]
                               [--plan-only]

Starts the emulator in this process (50 ms latency on every request) and runs:

(a) plan: 2,000 job files against 2,000 live jobs (all up to date, so every job is diffed),
    docs-style legacy files without ``default_runtime_version`` and with it
    (``bench/corpora.py``), and one job; as a subprocess ``python -m syncspec plan`` (wall clock,
    start-up included; peak RSS of the child). HTTP requests are counted in the emulator's log
    and compared with the floor ceil(jobs / 1000) (page size 1000, the API's maximum). The
    target (issue 12) is 2x of (parse floor + round trips): the parse floor is
    ``bench/parse_floor.py`` (PyYAML CSafeLoader, a subprocess, start-up included) on the same
    files, run interleaved with the plan; round trips = floor requests x latency. Also an
    in-process breakdown: load+validate the files, list the live jobs, compute the plan.
(b) apply: ``--updates`` updates with the emulator enforcing 500 requests / 10 s per token
    and the client its own limiter at the same rate; the executor is timed in-process
    (``execute_plan``, parallelism 16) and its requests/s compared with the limit.
(c) the same with ``--sustained`` updates, more than one 500-request window, so the client's
    limiter (not latency x parallelism) decides the rate; 0 skips it.

Prints medians of ``--runs`` runs as markdown rows. The machine may be shared: say so.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.corpora import write_corpus  # noqa: E402 - realistic job files, shared with validate

LATENCY_MS = 50
RATE = (500, 10.0)
PAGE = 1000
PARALLELISM = 16


def _emulator(rate_limit: tuple[int, float] | None) -> Any:
    from syncspec.emulator.server import EmulatorConfig, start_emulator

    token = "bench-" + os.urandom(12).hex()
    return start_emulator(
        EmulatorConfig(tokens={token: "bench"}, latency_ms=LATENCY_MS, rate_limit=rate_limit)
    )


def _project(directory: Path, count: int, kind: str) -> list[dict[str, Any]]:
    """``count`` job files of corpus ``kind`` in ``directory/jobs``; returns their data (to seed
    as live jobs)."""
    from syncspec.engine.normalize import canonical_job
    from syncspec.jobfile.yaml.loader import parse_text

    (directory / "syncspec.toml").write_text('jobs_dir = "jobs"\n')
    (directory / "jobs").mkdir()
    files = write_corpus(directory / "jobs", kind, count)
    data = []
    for path in files:
        parsed = parse_text(path.read_text(encoding="utf-8"), path.name).data
        assert parsed is not None
        data.append(canonical_job(parsed))
    return data


def bench_plan(count: int, runs: int, kind: str) -> dict[str, Any]:
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.config import load_settings
    from syncspec.engine.model import PlanOptions
    from syncspec.engine.project import load_local, plan_project

    emu = _emulator(None)
    walls, requests, phases, parse_floors = [], [], [], []
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            live = _project(root, count, kind)
            emu.control.seed_jobs(live)
            env = {**os.environ, "TRUTO_API_URL": emu.url, "TRUTO_API_TOKEN": emu.token}
            env.pop("SYNCSPEC_PROFILE", None)
            # What users get: bytecode caches on, warmed by one uncounted run.
            env.pop("PYTHONDONTWRITEBYTECODE", None)
            plan_cmd = [sys.executable, "-m", "syncspec", "plan", "--detailed-exitcode"]
            subprocess.run(plan_cmd, cwd=root, env=env, capture_output=True, check=False)
            floor_cmd = [sys.executable, str(ROOT / "bench" / "parse_floor.py"), "jobs"]
            for _ in range(runs):  # interleaved with the parse floor: same load for both
                emu.control.clear_requests()
                started = time.perf_counter()
                done = subprocess.run(
                    plan_cmd,
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                )
                walls.append(time.perf_counter() - started)
                if done.returncode != 0:
                    sys.exit(f"plan failed ({done.returncode}): {done.stdout[-500:]}{done.stderr}")
                requests.append(len(emu.control.requests()))
                started = time.perf_counter()
                subprocess.run(floor_cmd, cwd=root, env=env, capture_output=True, check=True)
                parse_floors.append(time.perf_counter() - started)
            peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024

            os.environ.update({"TRUTO_API_URL": emu.url, "TRUTO_API_TOKEN": emu.token})
            settings = load_settings(cwd=root)
            for _ in range(runs):
                t0 = time.perf_counter()
                local, _problems = load_local(settings)
                t1 = time.perf_counter()
                with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
                    jobs = client.list_sync_jobs()
                t2 = time.perf_counter()
                plan = plan_project(settings, local, jobs, PlanOptions())
                t3 = time.perf_counter()
                assert not plan.has_changes
                phases.append((t1 - t0, t2 - t1, t3 - t2))
    finally:
        emu.stop()
    floor_requests = math.ceil(count / PAGE)
    return {
        "wall": statistics.median(walls),
        "parse_floor_s": statistics.median(parse_floors),
        "requests": statistics.median(requests),
        "floor_requests": floor_requests,
        "floor_s": floor_requests * LATENCY_MS / 1000,
        "peak_mb": peak_mb,
        "load_s": statistics.median(p[0] for p in phases),
        "list_s": statistics.median(p[1] for p in phases),
        "plan_s": statistics.median(p[2] for p in phases),
    }


def bench_apply(updates: int, runs: int) -> dict[str, Any]:
    from syncspec.api.client import TrutoClient
    from syncspec.config import PruneScope, Secret
    from syncspec.engine.apply import ApplyOptions, execute_plan
    from syncspec.engine.model import PlanOptions
    from syncspec.engine.plan import plan_changes
    from syncspec.jobfile.jobs import LocalJob

    rates, walls, status_429, failed = [], [], [], []
    for _ in range(runs):
        emu = _emulator(RATE)
        try:
            base = {"integration_name": "zendesk", "default_runtime_version": 2}
            live = emu.control.seed_jobs(
                [
                    {
                        **base,
                        "label": f"job-{i:04d}",
                        "resources": [{"resource": "a/b", "method": "list"}],
                    }
                    for i in range(updates)
                ]
            )
            local = [
                LocalJob(
                    Path(f"/jobs/{j['label']}.yaml"),
                    f"jobs/{j['label']}.yaml",
                    1,
                    {
                        **base,
                        "label": j["label"],
                        "resources": [{"resource": "a/b", "method": "get"}],
                    },
                )
                for j in live
            ]
            plan = plan_changes(
                local,
                live,
                options=PlanOptions(),
                prune_scope=PruneScope(),
                api_url=emu.url,
                profile="bench",
            )
            client = TrutoClient(emu.url, Secret(emu.token), rate_limit=RATE, page_size=PAGE)
            emu.control.clear_requests()
            started = time.perf_counter()
            result = execute_plan(plan, client, ApplyOptions(parallelism=PARALLELISM))
            wall = time.perf_counter() - started
            sent = client.stats.requests
            client.close()
            log = emu.control.requests()
            walls.append(wall)
            rates.append(sent / wall)
            status_429.append(sum(1 for r in log if r.status == 429))
            failed.append(sum(1 for r in result.results if r.outcome != "done"))
        finally:
            emu.stop()
    limit = RATE[0] / RATE[1]
    return {
        "updates": updates,
        "wall": statistics.median(walls),
        "rate": statistics.median(rates),
        "limit": limit,
        "pct": 100 * statistics.median(rates) / limit,
        "429": max(status_429),
        "failed": max(failed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=300)
    parser.add_argument("--sustained", type=int, default=1200)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--plan-only", action="store_true", help="skip the apply benchmarks")
    args = parser.parse_args()

    print(
        f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"latency {LATENCY_MS} ms; medians of {args.runs} runs\n"
    )
    print(
        "| plan over | job files | HTTP requests (floor) | wall, `syncspec plan` | parse floor "
        "(CSafeLoader) + round trips | ratio (target <= 2x) | in-process load / list / plan "
        "| peak RSS |"
    )
    print("|---|---|---|---|---|---|---|---|")
    cases = [(args.jobs, kind) for kind in ("legacy", "legacy-runtime")]
    cases.append((1, "legacy-runtime"))
    for count, kind in cases:
        p = bench_plan(count, args.runs, kind)
        floor = p["parse_floor_s"] + p["floor_s"]
        print(
            f"| {kind} | {count:,} | {p['requests']:.0f} ({p['floor_requests']}) "
            f"| {p['wall']:.2f} s | {p['parse_floor_s']:.2f} s + {p['floor_s']:.2f} s = "
            f"{floor:.2f} s | **{p['wall'] / floor:.2f}x** | {p['load_s']:.2f} s / "
            f"{p['list_s']:.2f} s / {p['plan_s']:.2f} s | {p['peak_mb']:.0f} MB |",
            flush=True,
        )
    print()

    print("| apply | updates | wall | requests/s | limit | % of limit | 429s | failed |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (args.updates, args.sustained):
        if n <= 0 or args.plan_only:
            continue
        a = bench_apply(n, args.runs)
        print(
            f"| parallelism {PARALLELISM} | {a['updates']} | {a['wall']:.2f} s | "
            f"{a['rate']:.1f} | {a['limit']:.0f}/s (500/10 s) | {a['pct']:.0f}% | "
            f"{a['429']} | {a['failed']} |"
        )


if __name__ == "__main__":
    main()
