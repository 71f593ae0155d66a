"""The peers of bench/apply_vs_sdk.py: 16-way loops over Truto's Python SDK.

    bench/.sdk-venv/bin/python bench/sdk_loop.py BODIES.json [--concurrency 16]
    bench/.sdk-venv/bin/python bench/sdk_loop.py --jobs-dir DIR [--concurrency 16]

Runs in the side venv (``bench/sdk-requirements.txt``), never imports syncspec. Reads
TRUTO_API_URL and TRUTO_API_TOKEN. Every write is ``await api.sync_jobs.update(id, body)``
(PATCH /sync-job/{id}; the SDK opens an aiohttp session per request and raises on an HTTP
error), at most ``--concurrency`` at once (asyncio.Semaphore).

- Strict (BODIES.json): a list of ``{"id": ..., "body": {...}}`` precomputed by the benchmark
  (the bodies syncspec's plan sends), so the loop does the least possible work: no files, no
  listing, no diff, no re-read.
- Job-equivalent (``--jobs-dir DIR``): what a team would write with the SDK to do apply's job,
  and no more. Loads every ``*.yaml``/``*.yml`` under DIR with PyYAML's CSafeLoader (libyaml,
  the fastest Python YAML loader), lists the live jobs with the SDK's paginator
  (``api.sync_jobs.list(limit=1000)``: 1,000 is the API's largest page, so 2 requests for 2,000
  jobs, as syncspec), matches files to live jobs by ``label``, and PATCHes the file's fields,
  all of them, for each job where any of them differs from the live value. Then stops: no
  validation, no freshness re-read, no verification, no plan output, no creates or deletes (a
  file whose label is not live is counted as failed).

Prints ``updated N failed M`` (job-equivalent: also ``files F live L unchanged U``) and exits 1
if anything failed (no retry: the SDK has none).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from pathlib import Path
from typing import Any

from truto_python_sdk import TrutoApi

PAGE = 1000  # the API's maximum `limit`


def _api() -> TrutoApi:
    return TrutoApi(token=os.environ["TRUTO_API_TOKEN"], base_url=os.environ["TRUTO_API_URL"])


async def patch_all(
    api: TrutoApi, bodies: list[dict[str, Any]], concurrency: int
) -> tuple[int, list[str]]:
    gate = asyncio.Semaphore(concurrency)

    async def one(item: dict[str, Any]) -> Any:
        async with gate:
            return await api.sync_jobs.update(item["id"], item["body"])

    results = await asyncio.gather(*(one(b) for b in bodies), return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return len(results) - len(errors), errors


def load_files(jobs_dir: Path) -> list[dict[str, Any]]:
    import yaml

    paths = sorted(p for p in jobs_dir.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
    return [yaml.load(p.read_bytes(), Loader=yaml.CSafeLoader) for p in paths]


async def apply_jobs(jobs_dir: Path, concurrency: int) -> tuple[int, list[str]]:
    files = load_files(jobs_dir)
    api = _api()
    live = {job["label"]: job async for job in api.sync_jobs.list(limit=PAGE)}
    bodies, errors = [], []
    for job in files:
        current = live.get(job.get("label"))
        if current is None:
            errors.append(f"no live job labelled {job.get('label')!r}")
        elif not all(current.get(k) == v for k, v in job.items()):
            bodies.append({"id": current["id"], "body": {k: v for k, v in job.items()}})
    print(f"files {len(files)} live {len(live)} unchanged {len(files) - len(bodies) - len(errors)}")
    updated, failed = await patch_all(api, bodies, concurrency)
    return updated, errors + failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bodies", type=Path, nargs="?", help="strict: precomputed bodies")
    parser.add_argument("--jobs-dir", type=Path, help="job-equivalent: the job files")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if (args.bodies is None) == (args.jobs_dir is None):
        parser.error("give BODIES.json or --jobs-dir DIR, not both")
    if args.jobs_dir is not None:
        updated, errors = asyncio.run(apply_jobs(args.jobs_dir, args.concurrency))
    else:
        bodies = json.loads(args.bodies.read_text(encoding="utf-8"))
        updated, errors = asyncio.run(patch_all(_api(), bodies, args.concurrency))
    print(f"updated {updated} failed {len(errors)}")
    for error in errors[:5]:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
