"""How an emulated run progresses: computed lazily from its age, so no background task is needed.

A run lives ``duration`` seconds (``run_duration_s`` when it was created): ``created`` for the
first fifth, then ``running`` (``started_at`` set, ``resource_stats`` growing), then ``completed``
(``finished_at`` set). ``resource_stats`` maps each resource (legacy: its ``resource``; V4: the
``name`` of each ``request`` node) to ``{method: {"fetched": n, "persisted": m}}``; the totals are
derived from a hash of the run id and the name, so they are stable across reads.

``PATCH`` and ``DELETE`` (stop) freeze a run: its view is computed one last time, stored, and from
then on returned as stored.
"""

from __future__ import annotations

import hashlib
import math
from datetime import UTC, datetime
from typing import Any

TERMINAL = frozenset({"completed", "failed", "stopped"})
STATUSES = frozenset({"created", "running", "rate_limited", "completed", "failed", "stopped"})
_CREATED_SHARE = 0.2


def iso(ts: float) -> str:
    """``2023-02-01T10:00:00.000Z`` (the format of Truto's examples)."""
    moment = datetime.fromtimestamp(ts, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _streams(resources: Any) -> list[tuple[str, str]]:
    """(name, method) of each node that fetches data."""
    found: list[tuple[str, str]] = []
    if not isinstance(resources, list):
        return found
    for node in resources:
        if not isinstance(node, dict):
            continue
        if "type" in node and "name" in node:  # V4 node graph
            if node.get("type") == "request":
                found.append((str(node["name"]), str(node.get("method") or "list")))
        elif "resource" in node:
            found.append((str(node["resource"]), str(node.get("method") or "list")))
    return found


def _total(run_id: str, name: str) -> int:
    digest = hashlib.sha256(f"{run_id}:{name}".encode()).digest()
    return 10 + int.from_bytes(digest[:4], "big") % 491


def resource_stats(run_id: str, resources: Any, progress: float) -> dict[str, Any]:
    stats: dict[str, dict[str, dict[str, int]]] = {}
    for name, method in _streams(resources):
        total = _total(run_id, name)
        fetched = math.floor(total * progress)
        persisted = fetched if progress >= 1 else math.floor(fetched * 0.9)
        stats.setdefault(name, {})[method] = {"fetched": fetched, "persisted": persisted}
    return stats


def run_view(body: dict[str, Any], meta: dict[str, Any], now: float) -> dict[str, Any]:
    """The run as a GET returns it at time ``now``."""
    if meta.get("frozen"):
        return body
    view = dict(body)
    created = float(meta["created_ts"])
    duration = float(meta["duration_s"])
    start = created + duration * _CREATED_SHARE
    end = created + duration
    resources = body.get("resources") or meta.get("job_resources")
    if now < start and duration > 0:
        view["status"] = "created"
        view["resource_stats"] = {}
        return view
    running_for = max(end - start, 1e-9)
    progress = min(1.0, max(0.0, (now - start) / running_for)) if duration > 0 else 1.0
    view["started_at"] = iso(start)
    view["resource_stats"] = resource_stats(str(body["id"]), resources, progress)
    if now < end:
        view["status"] = "running"
        view["updated_at"] = iso(start)
    else:
        view["status"] = "completed"
        view["finished_at"] = iso(end)
        view["updated_at"] = iso(end)
    return view
