"""Benchmark: `syncspec validate` against check-jsonschema and a bare PyYAML CSafeLoader parse.

    python bench/validate.py [--runs 5] [--single-runs 11] [--large] [--sizes N...]
                             [--corpus legacy|legacy-runtime|v4|small] [--no-single]

For each corpus of ``bench/corpora.py`` (docs-style legacy files without the runtime field, the
same with it, V4 files of 30 nodes with JSONata) at 1,000 files (and 10,000 with ``--large``),
and for one file of each, it times as subprocesses (start-up included: what pre-commit and CI
pay), interleaved run by run so that load on a shared machine hits all three alike:

- ``syncspec validate DIR|FILE`` (every rule: YAML, structure, semantic, project);
- ``check-jsonschema --schemafile schemas/sync-job.schema.json FILES`` (schema only);
- ``python bench/parse_floor.py DIR|FILE`` (PyYAML ``CSafeLoader``, nothing else: the floor).

Medians of wall clock and CPU (user+sys of the child and its workers), and the 1-minute load
average after each row. "x faster" = check-jsonschema / syncspec; "x floor" = syncspec /
CSafeLoader (lower is better), by wall and by CPU (the steadier measure on a shared machine).
Targets (issue 26): >= 3x faster than check-jsonschema on every corpus, <= 1.5x the floor on
the legacy corpora, <= 2x on 1,000 small files, one file <= 0.6x of check-jsonschema's time.
Prints a markdown table.
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
sys.path.insert(0, str(ROOT))

from bench.corpora import CORPORA, write_corpus  # noqa: E402

SCHEMA = ROOT / "schemas" / "sync-job.schema.json"
FLOOR = ROOT / "bench" / "parse_floor.py"


def _bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found next to {sys.executable} or on PATH")
    return found


# What users get: bytecode caches on (pip writes them at install; this shell may disable them,
# which would recompile syncspec's editable sources on every run and skew the comparison).
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed_once(cmd: list[str], expect: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall-clock and CPU (user+sys of the child and its children) seconds of one run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=BENCH_ENV)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in expect:
        tail = (proc.stdout + proc.stderr)[-3000:]
        sys.exit(f"{' '.join(cmd[:3])} exited {proc.returncode}:\n{tail}")
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def measure(commands: dict[str, list[str]], runs: int) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) of each command, run interleaved after one uncounted warm-up each."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for cmd in commands.values():
        timed_once(cmd)  # warm-up: bytecode caches, page cache
    for _ in range(runs):
        for name, cmd in commands.items():
            samples[name].append(timed_once(cmd))
    return {
        name: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s))
        for name, s in samples.items()
    }


def _load() -> str:
    """The 1-minute load average now (other work on a shared machine)."""
    return f"{os.getloadavg()[0]:.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--single-runs", type=int, default=11)
    parser.add_argument("--large", action="store_true", help="also 10,000 files per corpus")
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=None, help="corpus sizes (default 1000 [10000])"
    )
    parser.add_argument("--no-single", action="store_true", help="skip the one-file cases")
    parser.add_argument("--corpus", action="append", choices=sorted(CORPORA), default=None)
    args = parser.parse_args()
    syncspec, cjs = _bin("syncspec"), _bin("check-jsonschema")
    sizes = args.sizes or ([1000, 10_000] if args.large else [1000])
    kinds = args.corpus or list(CORPORA)

    print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python "
        f"{platform.python_version()}; medians of {args.runs} runs "
        f"({args.single_runs} for one file)"
    )
    print()
    print(
        "| corpus | files | syncspec wall | check-jsonschema wall | x faster | CSafeLoader wall "
        "| x floor | syncspec CPU | check-jsonschema CPU | CSafeLoader CPU | x faster (CPU) "
        "| x floor (CPU) | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="syncspec-bench-") as tmp:
        for kind in kinds:
            for count in sizes if args.no_single else [*sizes, 1]:
                directory = Path(tmp) / f"{kind}-{count}"
                files = write_corpus(directory, kind, count)
                target = str(directory) if count > 1 else str(files[0])
                commands = {
                    "syncspec": [syncspec, "validate", target],
                    "cjs": [cjs, "--schemafile", str(SCHEMA), *map(str, files)],
                    "floor": [sys.executable, str(FLOOR), target],
                }
                m = measure(commands, args.runs if count > 1 else args.single_runs)
                (ours, ours_cpu), (theirs, theirs_cpu), (floor, floor_cpu) = (
                    m["syncspec"],
                    m["cjs"],
                    m["floor"],
                )
                print(
                    f"| {kind} | {count:,} | {ours * 1000:.0f} ms | {theirs * 1000:.0f} ms "
                    f"| **{theirs / ours:.2f}x** ({ours / theirs:.2f}x of its time) "
                    f"| {floor * 1000:.0f} ms | **{ours / floor:.2f}x** "
                    f"| {ours_cpu * 1000:.0f} ms | {theirs_cpu * 1000:.0f} ms "
                    f"| {floor_cpu * 1000:.0f} ms | **{theirs_cpu / ours_cpu:.2f}x** "
                    f"| **{ours_cpu / floor_cpu:.2f}x** | {_load()} |",
                    flush=True,
                )
                shutil.rmtree(directory)


if __name__ == "__main__":
    main()
