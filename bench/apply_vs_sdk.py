"""Benchmark (issue 26): `syncspec apply` with default options against two 16-way loops over
Truto's Python SDK, end to end, the peers in the same run.

    python bench/apply_vs_sdk.py [--runs 5] [--cases 200/2000 200/200] [--no-profile]

Starts the emulator in this process (50 ms latency on every request, 500 requests / 10 s per
token, as ``bench/plan_apply.py``), seeds TOTAL live jobs from the docs-style corpus with the
runtime field (``bench/corpora.py``), writes the same TOTAL job files and changes CHANGED of
them (a page size each, spread over the corpus). Then, interleaved run by run (the order
alternates), each run on a freshly reset emulator holding the same live jobs (same ids and
``updated_at``), a new rate-limit window for each:

(a) ``python -m syncspec apply --auto-approve`` as a subprocess in the project (default options
    otherwise: parallelism from the rate limit), start-up, parsing, listing and planning
    included;
(b) strict peer: ``bench/sdk_loop.py`` in a side venv with ``truto-python-sdk`` and PyYAML
    (``bench/.sdk-venv``, built on demand from the hash-pinned ``bench/sdk-requirements.txt``):
    the CHANGED bodies syncspec's plan sends, precomputed into a JSON file, PATCHed 16 at a
    time through ``api.sync_jobs.update``: the least work a peer can do (no files, no list, no
    re-read);
(c) job-equivalent peer: ``bench/sdk_loop.py --jobs-dir jobs``, what a team would write with
    the SDK to do apply's job: load the TOTAL files with PyYAML's CSafeLoader, list the live
    jobs with the SDK's paginator (page size 1,000), match them by label, PATCH the file's
    fields where any differs, 16 at a time; no validation, no re-read, no verification, no plan
    output.

Wall and CPU (the child's user + system time; the emulator runs in this process and is not
counted), 429s and requests in the emulator's log, and a read-back of the stored jobs: the
CHANGED jobs hold the planned bodies and no other job was written. For syncspec, the gap
between each job's freshness re-read and its write arriving at the emulator (issue 22: one
round trip, i.e. about the 50 ms latency). Prints markdown rows of medians of ``--runs``, the
ratio peer / syncspec for each peer (> 1: syncspec is faster) and the load average, then a
timeline of each (first request, first and last ``/sync-job/{id}`` request, exit).

Then, unless ``--no-profile``, one in-process pass splitting syncspec's time: start-up
(``python -m syncspec --version``), load and validate the files, list the live jobs, plan,
execute (the CLI overlaps load with list).

If the side venv cannot be built (no network), the SDK rows say so and syncspec is still measured.
``--no-sdk`` measures syncspec alone.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(ROOT))

from bench.plan_apply import (  # noqa: E402 - the emulator and corpus set-up, shared
    LATENCY_MS,
    RATE,
    _children_cpu,
    _emulator,
    _freshness_gaps,
    _project,
)

SDK_VENV = BENCH / ".sdk-venv"
SDK_REQUIREMENTS = BENCH / "sdk-requirements.txt"
SDK_CONCURRENCY = 16
TIMEOUT_S = 600


def sdk_python() -> tuple[Path | None, str]:
    """The side venv's interpreter, built (or rebuilt when the requirements changed) on demand;
    ``(None, why)`` when it cannot be built."""
    python = SDK_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    stamp = SDK_VENV / "requirements.sha256"
    want = hashlib.sha256(SDK_REQUIREMENTS.read_bytes()).hexdigest()
    if python.exists() and stamp.exists() and stamp.read_text() == want:
        return python, ""
    shutil.rmtree(SDK_VENV, ignore_errors=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    requirements = str(SDK_REQUIREMENTS)
    steps = [
        [sys.executable, "-m", "venv", str(SDK_VENV)],
        [*pip, "--require-hashes", "--no-deps", "--ignore-requires-python", "-r", requirements],
        [str(python), "-c", "import aiohttp, truto_python_sdk, yaml; yaml.CSafeLoader"],
    ]
    print(f"building {SDK_VENV} from {SDK_REQUIREMENTS.name} ...", file=sys.stderr)
    for step in steps:
        try:
            done = subprocess.run(
                step, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            shutil.rmtree(SDK_VENV, ignore_errors=True)
            return None, f"side venv not built: {exc}"
        if done.returncode != 0:
            shutil.rmtree(SDK_VENV, ignore_errors=True)
            lines = [
                line
                for line in (done.stderr + done.stdout).splitlines()
                if line.strip() and not line.startswith("WARNING")
            ]
            return None, f"side venv not built: {lines[-1] if lines else done.returncode}"
    stamp.write_text(want)
    return python, ""


def _change_files(root: Path, changed: int) -> None:
    """Change the first page size of ``changed`` job files, spread over the corpus."""
    files = sorted((root / "jobs").rglob("*.yaml"), key=lambda p: p.name)
    step = max(1, len(files) // changed)
    for path in files[::step][:changed]:
        text = path.read_text(encoding="utf-8")
        new = re.sub(r"page_size: (\d+)", lambda m: f"page_size: {int(m[1]) + 1000}", text, count=1)
        assert new != text, path
        path.write_text(new, encoding="utf-8")


def _planned_bodies(root: Path) -> list[dict[str, Any]]:
    """What syncspec's plan would PATCH: ``[{"id", "body"}]`` of every update."""
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.config import load_settings
    from syncspec.engine.model import PlanOptions
    from syncspec.engine.project import load_local, plan_project

    settings = load_settings(cwd=root)
    local, _problems = load_local(settings)
    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        plan = plan_project(settings, local, client.list_sync_jobs(), PlanOptions(), client=client)
    kinds = {a.kind.value for a in plan.actions if a.kind.value != "noop"}
    assert kinds == {"update"}, kinds
    return [{"id": a.job_id, "body": a.body} for a in plan.actions if a.kind.value == "update"]


def _read_back(
    jobs: list[dict[str, Any]], before: dict[str, str], expected: dict[str, dict[str, Any]]
) -> tuple[int, int]:
    """(changed jobs that hold their planned body, jobs written at all)."""
    by_id = {j["id"]: j for j in jobs}
    right = sum(
        1
        for job_id, body in expected.items()
        if all(by_id[job_id].get(k) == v for k, v in body.items())
    )
    written = sum(1 for j in jobs if j.get("updated_at") != before.get(j["id"]))
    return right, written


def bench_case(
    changed: int, total: int, runs: int, python: Path | None, profile: bool
) -> dict[str, Any]:
    emu = _emulator(RATE)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            stored = json.dumps(emu.control.seed_jobs(_project(root, total, "legacy-runtime")))
            before = {j["id"]: j["updated_at"] for j in json.loads(stored)}
            _change_files(root, changed)
            env = {k: v for k, v in os.environ.items() if not k.startswith("SYNCSPEC_")}
            env.update({"TRUTO_API_URL": emu.url, "TRUTO_API_TOKEN": emu.token})
            env.pop("PYTHONDONTWRITEBYTECODE", None)  # what users get: bytecode caches on
            os.environ.update({"TRUTO_API_URL": emu.url, "TRUTO_API_TOKEN": emu.token})
            bodies = _planned_bodies(root)
            assert len(bodies) == changed, len(bodies)
            expected = {b["id"]: b["body"] for b in bodies}
            bodies_file = root / "bodies.json"  # outside jobs_dir: syncspec never reads it
            bodies_file.write_text(json.dumps(bodies), encoding="utf-8")

            def reset() -> None:
                emu.control.reset()  # data, log and rate-limit windows
                emu.control.seed_jobs(json.loads(stored))

            commands: dict[str, list[str]] = {
                "syncspec": [sys.executable, "-m", "syncspec", "apply", "--auto-approve"]
            }
            if python is not None:
                loop = [str(python), str(BENCH / "sdk_loop.py")]
                concurrency = ["--concurrency", str(SDK_CONCURRENCY)]
                commands["sdk"] = [*loop, str(bodies_file), *concurrency]
                commands["sdk-jobs"] = [*loop, "--jobs-dir", str(root / "jobs"), *concurrency]
            samples: dict[str, list[dict[str, Any]]] = {name: [] for name in commands}

            def measure(name: str) -> dict[str, Any]:
                reset()
                started, cpu, t0 = time.perf_counter(), _children_cpu(), time.monotonic()
                done = subprocess.run(
                    commands[name],
                    cwd=root,
                    env=env,
                    capture_output=True,
                    text=True,
                    check=False,
                    timeout=TIMEOUT_S,
                )
                wall, cpu = time.perf_counter() - started, _children_cpu() - cpu
                log = emu.control.requests()
                jobs_at = [r.at - t0 for r in log if r.path.startswith("/sync-job/")]
                right, written = _read_back(emu.control.jobs(), before, expected)
                return {
                    "wall": wall,
                    "cpu": cpu,
                    "exit": done.returncode,
                    "tail": (done.stdout + done.stderr).strip()[-300:],
                    "requests": len(log),
                    "429": sum(1 for r in log if r.status == 429),
                    "right": right,
                    "written": written,
                    "gaps": _freshness_gaps(log),
                    # arrivals at the emulator, seconds after the command started
                    "first": min((r.at - t0 for r in log), default=wall),
                    "first_job": min(jobs_at, default=wall),
                    "last_job": max(jobs_at, default=wall),
                }

            for name in commands:  # warm-up, not counted: bytecode caches, page cache
                measure(name)
            for run in range(runs):  # interleaved; the order alternates
                order = list(commands) if run % 2 == 0 else list(reversed(commands))
                for name in order:
                    samples[name].append(measure(name))
            phases = _profile(root, reset, env) if profile else None
    finally:
        emu.stop()
    return {"samples": samples, "phases": phases, "load": os.getloadavg()[0]}


def _profile(root: Path, reset: Callable[[], None], env: dict[str, str]) -> dict[str, float]:
    """One in-process pass of what `syncspec apply` does, phase by phase (seconds)."""
    from syncspec.api.client import LIST_PAGE_SIZE, TrutoClient
    from syncspec.config import load_settings
    from syncspec.engine.apply import ApplyOptions, apply_plan
    from syncspec.engine.model import PlanOptions
    from syncspec.engine.project import load_local, plan_project

    startup = []
    for _ in range(3):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "syncspec", "--version"],
            env=env,
            capture_output=True,
            check=True,
        )
        startup.append(time.perf_counter() - started)
    reset()
    t0 = time.perf_counter()
    settings = load_settings(cwd=root)
    local, _problems = load_local(settings)
    t1 = time.perf_counter()
    with TrutoClient.from_settings(settings, page_size=LIST_PAGE_SIZE) as client:
        live = client.list_sync_jobs()
        t2 = time.perf_counter()
        plan = plan_project(settings, local, live, PlanOptions(), client=client)
        t3 = time.perf_counter()
        result = apply_plan(plan, client, ApplyOptions(parallelism=settings.parallelism))
        t4 = time.perf_counter()
    assert result.exit_code == 0, result
    return {
        "startup": statistics.median(startup),
        "load": t1 - t0,
        "list": t2 - t1,
        "plan": t3 - t2,
        "execute": t4 - t3,
        "parallelism": settings.parallelism,
    }


def _median(samples: list[dict[str, Any]], key: str) -> float:
    return statistics.median(s[key] for s in samples)


WHO = {
    "syncspec": "`syncspec apply --auto-approve`",
    "sdk": f"SDK loop, strict ({SDK_CONCURRENCY}-way)",
    "sdk-jobs": f"SDK loop, job-equivalent ({SDK_CONCURRENCY}-way)",
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument(
        "--cases", nargs="+", default=["200/2000", "200/200"], help="CHANGED/TOTAL jobs"
    )
    parser.add_argument("--no-sdk", action="store_true", help="measure syncspec alone")
    parser.add_argument("--no-profile", action="store_true", help="skip the phase breakdown")
    args = parser.parse_args()

    python, why = (None, "not asked (--no-sdk)") if args.no_sdk else sdk_python()
    print(
        f"# {platform.python_version()} on {platform.machine()}, {os.cpu_count()} cores; "
        f"latency {LATENCY_MS} ms; rate limit {RATE[0]}/{RATE[1]:.0f} s per token (emulator "
        f"and syncspec's limiter); medians of {args.runs} runs, interleaved\n"
    )
    print(
        "| apply (changed / live jobs) | who | wall | CPU | requests | 429s | jobs right "
        "/ written | ratio peer / syncspec, wall (CPU) | re-read -> write gap, p50 / max "
        "| load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    profiles, timelines = [], []
    for case in args.cases:
        changed, total = (int(n) for n in case.split("/"))
        r = bench_case(changed, total, args.runs, python, not args.no_profile)
        ours = r["samples"]["syncspec"]
        for name, samples in r["samples"].items():
            bad = [
                s
                for s in samples
                if s["exit"] != 0 or s["right"] != changed or s["written"] != changed
            ]
            if bad:
                print(f"<!-- {name} failed: exit {bad[0]['exit']}: {bad[0]['tail']} -->")
            gaps = [g for s in samples for g in s["gaps"]]
            ratio = (
                ""
                if name == "syncspec"
                else (
                    f"**{_median(samples, 'wall') / _median(ours, 'wall'):.2f}x** "
                    f"({_median(samples, 'cpu') / _median(ours, 'cpu'):.2f}x)"
                )
            )
            gap = (
                f"{statistics.median(gaps) * 1000:.0f} ms / {max(gaps) * 1000:.0f} ms"
                if gaps
                else "no re-read"
            )
            who = WHO[name]
            print(
                f"| {changed:,} / {total:,} | {who} | {_median(samples, 'wall'):.2f} s "
                f"| {_median(samples, 'cpu'):.2f} s | {_median(samples, 'requests'):.0f} "
                f"| {max(s['429'] for s in samples)} "
                f"| {min(s['right'] for s in samples)} / {max(s['written'] for s in samples)} "
                f"| {ratio} | {gap} | {r['load']:.1f} |",
                flush=True,
            )
            timelines.append((changed, total, who, samples))
        if python is None:
            for name in ("sdk", "sdk-jobs"):
                print(
                    f"| {changed:,} / {total:,} | {WHO[name]} | {why} | | | | | | | |", flush=True
                )
        if r["phases"]:
            profiles.append((changed, total, r["phases"], _median(ours, "wall")))
    print(
        "\n| timeline of the measured runs (medians; arrivals at the emulator) | who "
        "| first request | first `/sync-job/{id}` request | last one | exit |"
    )
    print("|---|---|---|---|---|---|")
    for changed, total, who, samples in timelines:
        print(
            f"| {changed:,} / {total:,} | {who} | {_median(samples, 'first'):.2f} s "
            f"| {_median(samples, 'first_job'):.2f} s | {_median(samples, 'last_job'):.2f} s "
            f"| {_median(samples, 'wall'):.2f} s |"
        )
    if profiles:
        print(
            "\n| syncspec apply, one in-process pass | start-up (`--version`) | load + validate "
            "| list | plan | execute (parallelism) | CLI wall (median) |"
        )
        print("|---|---|---|---|---|---|---|")
        for changed, total, p, wall in profiles:
            print(
                f"| {changed:,} / {total:,} | {p['startup']:.2f} s | {p['load']:.2f} s "
                f"| {p['list']:.2f} s | {p['plan']:.2f} s | {p['execute']:.2f} s "
                f"({p['parallelism']}) | {wall:.2f} s |"
            )


if __name__ == "__main__":
    main()
