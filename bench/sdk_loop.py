"""The peer of bench/apply_vs_sdk.py: a 16-way loop over Truto's Python SDK.

    bench/.sdk-venv/bin/python bench/sdk_loop.py BODIES.json [--concurrency 16]

Runs in the side venv (``bench/sdk-requirements.txt``), never imports syncspec. BODIES.json is
a list of ``{"id": ..., "body": {...}}``, precomputed by the benchmark (the bodies syncspec's
plan sends), so the loop does the least possible work: no files, no listing, no diff, no
re-read. Each body is sent with ``await api.sync_jobs.update(id, body)`` (PATCH
/sync-job/{id}; the SDK opens an aiohttp session per request and raises on an HTTP error),
at most ``--concurrency`` at once (asyncio.Semaphore). Reads TRUTO_API_URL and TRUTO_API_TOKEN.
Prints ``updated N failed M`` and exits 1 if any update failed (no retry: the SDK has none).
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


async def patch_all(bodies: list[dict[str, Any]], concurrency: int) -> tuple[int, list[str]]:
    api = TrutoApi(token=os.environ["TRUTO_API_TOKEN"], base_url=os.environ["TRUTO_API_URL"])
    gate = asyncio.Semaphore(concurrency)

    async def one(item: dict[str, Any]) -> Any:
        async with gate:
            return await api.sync_jobs.update(item["id"], item["body"])

    results = await asyncio.gather(*(one(b) for b in bodies), return_exceptions=True)
    errors = [repr(r) for r in results if isinstance(r, BaseException)]
    return len(results) - len(errors), errors


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bodies", type=Path)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    bodies = json.loads(args.bodies.read_text(encoding="utf-8"))
    updated, errors = asyncio.run(patch_all(bodies, args.concurrency))
    print(f"updated {updated} failed {len(errors)}")
    for error in errors[:5]:
        print(error, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
