"""Benchmark: `syncspec validate` vs `check-jsonschema` on 1,000 job files and on one file.

    python bench/validate.py [--files 1000] [--runs 5] [--single-runs 15]

Generates realistic job files (legacy and V4, variations of jobs/*.yaml) into a temp dir, then
times each command as a subprocess (start-up included: that is what pre-commit and CI pay),
wall clock and CPU (user+sys; steadier on a shared machine). Ratio = syncspec / check-jsonschema
(lower is better: 0.33x means syncspec is 3x faster). syncspec runs every rule (YAML, structure,
semantic, project); check-jsonschema only validates against schemas/sync-job.schema.json.
Prints medians and ratios as a markdown table.
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
SCHEMA = ROOT / "schemas" / "sync-job.schema.json"
TEMPLATES = sorted((ROOT / "jobs").glob("*.yaml"))
EXTRA_LEGACY = """\
  - resource: {api}/extra_{n}
    method: list
    query:
      page_size: {size}
      updated_after: "{{{{args.since?:1970-01-01}}}}"
"""


def _bin(name: str) -> str:
    candidate = Path(sys.executable).with_name(name)
    found = str(candidate) if candidate.exists() else shutil.which(name)
    if not found:
        sys.exit(f"{name} not found next to {sys.executable} or on PATH")
    return found


def generate(directory: Path, count: int) -> list[Path]:
    """``count`` job files: the example jobs with unique labels and varied sizes."""
    texts = [t.read_text(encoding="utf-8") for t in TEMPLATES]
    files = []
    for i in range(count):
        text = texts[i % len(texts)]
        label = text.split("\nlabel: ", 1)[1].split("\n", 1)[0]
        text = text.replace(f"\nlabel: {label}\n", f"\nlabel: {label}-{i:04d}\n", 1)
        if "default_runtime_version: 2\n" in text and "resource: ticketing" in text:
            # grow some legacy jobs so sizes vary (2-6 extra resources)
            text += "".join(
                EXTRA_LEGACY.format(api="ticketing", n=k, size=50 + k) for k in range(i % 5 + 2)
            )
            schema = "args_schema:\n  since: {type: string, required: false}\n"
            text = text.replace(
                "default_runtime_version: 2\n", f"default_runtime_version: 2\n{schema}", 1
            )
        sub = directory / f"team-{i % 10}"
        sub.mkdir(exist_ok=True)
        path = sub / f"job-{i:04d}.yaml"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


# What users get: bytecode caches on (pip writes them at install; this shell may disable them,
# which would recompile syncspec's editable sources on every run and skew the comparison).
BENCH_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], runs: int, expect: int = 0) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (user+sys of the child) seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False, env=BENCH_ENV)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
        if proc.returncode != expect:
            tail = (proc.stdout + proc.stderr)[-3000:]
            sys.exit(f"{cmd[0]} exited {proc.returncode}:\n{tail}")
    return walls, cpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--single-runs", type=int, default=15)
    args = parser.parse_args()
    syncspec, cjs = _bin("syncspec"), _bin("check-jsonschema")
    with tempfile.TemporaryDirectory(prefix="syncspec-bench-") as tmp:
        directory = Path(tmp)
        files = generate(directory, args.files)
        one = [str(files[2])]
        cases = [
            (f"{args.files} files", [syncspec, "validate", tmp],
             [cjs, "--schemafile", str(SCHEMA), *map(str, files)], args.runs),
            ("1 file", [syncspec, "validate", *one],
             [cjs, "--schemafile", str(SCHEMA), *one], args.single_runs),
        ]  # fmt: skip
        # warm-up (bytecode caches, page cache) — not measured
        for _, ours, theirs, _ in cases:
            timed(ours, 1)
            timed(theirs, 1)
        print(f"date: {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC")
        cpus = os.cpu_count()
        print(f"machine: {platform.machine()}, {cpus} CPUs, Python {platform.python_version()}")
        print()
        print(
            "| case | runs | syncspec wall | check-jsonschema wall | ratio | syncspec CPU |", end=""
        )
        print(" check-jsonschema CPU | CPU ratio |")
        print("|---|---|---|---|---|---|---|---|")
        for name, ours, theirs, runs in cases:
            ours_wall, ours_cpu = map(statistics.median, timed(ours, runs))
            theirs_wall, theirs_cpu = map(statistics.median, timed(theirs, runs))
            print(
                f"| {name} | {runs} | {ours_wall * 1000:.0f} ms | {theirs_wall * 1000:.0f} ms "
                f"| {ours_wall / theirs_wall:.2f}x | {ours_cpu * 1000:.0f} ms "
                f"| {theirs_cpu * 1000:.0f} ms | {ours_cpu / theirs_cpu:.2f}x |"
            )


if __name__ == "__main__":
    main()
