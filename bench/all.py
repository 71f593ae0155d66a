"""Every benchmark of issue 26 in one command; prints the markdown that bench/BENCHMARKS.md holds.

    python bench/all.py [--runs 5] [--large] [--quick]

1. ``bench/validate.py``: the four corpora (docs-style legacy without and with the runtime
   field, V4 with JSONata, small files) at 1,000 files (and 10,000 with ``--large``) and one
   file each, against check-jsonschema and the CSafeLoader floor, wall and CPU, load average;
2. ``bench/plan_apply.py``: plan at 200 / 2,000 (/ 10,000 with ``--large``) jobs against the parse
   floor and round trips, with the process tree's peak memory; apply at the default parallelism
   under the rate limit (429s counted);
3. ``bench/apply_vs_sdk.py``: ``syncspec apply`` of 200 changed jobs among 2,000 (and 200 among
   200) against two 16-way loops over Truto's Python SDK (strict: precomputed bodies only;
   job-equivalent: loads, lists, diffs and writes), end to end, interleaved (the SDK in a side
   venv built on demand from ``bench/sdk-requirements.txt``; without network those rows say
   so).

``--quick``: 3 runs, no sustained apply (a first look; the recorded numbers use the default).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--large", action="store_true", help="also 10,000 files / jobs")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    runs = 3 if args.quick else args.runs
    validate = [sys.executable, str(BENCH / "validate.py"), "--runs", str(runs)]
    plan_apply = [sys.executable, str(BENCH / "plan_apply.py"), "--runs", str(runs)]
    plan_apply += ["--jobs", "200", "2000", *(["10000"] if args.large else [])]
    if args.large:
        validate.append("--large")
    if args.quick:
        plan_apply += ["--sustained", "0"]
    apply_vs_sdk = [sys.executable, str(BENCH / "apply_vs_sdk.py"), "--runs", str(runs)]
    for command in (validate, plan_apply, apply_vs_sdk):
        print(f"$ {' '.join(Path(c).name if c.endswith('.py') else c for c in command[1:])}")
        done = subprocess.run(command, check=False)
        if done.returncode != 0:
            return done.returncode
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
