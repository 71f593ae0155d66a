"""``syncspec diff --profile A --profile B``: what two environments hold live, side by side.

Pure: the live jobs of both environments are passed in. Jobs are paired by label and compared
after normalization (``canonical_job``, the same form plan compares). Each difference is marked
as *explained* when the profiles' values account for it: the job file of that label has a
``!var NAME`` at or above the difference, and each environment holds exactly its own profile's
value of NAME there. A job that exists in one environment only is explained when the other
profile does not select its label (``jobs``/``exclude``). Everything else is unexplained.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from syncspec.engine.diff import pointer

Status = Literal["same", "explained", "different", "only_left", "only_right", "ambiguous"]
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Side:
    """One environment: its profile name, URL, values and label selection."""

    profile: str
    api_url: str
    values: Mapping[str, Any]
    selects: Any  # callable label -> bool (``LabelSelection.selects``)


@dataclass(frozen=True)
class Difference:
    pointer: str
    kind: str  # changed / added / removed / moved
    left: Any = None
    right: Any = None
    explained_by: str | None = None  # the `!var` NAME that accounts for it


@dataclass
class JobComparison:
    label: str
    status: Status
    differences: list[Difference] = field(default_factory=list)
    note: str | None = None  # why a one-sided job is explained, or why it is ambiguous

    @property
    def explained(self) -> bool:
        if self.status in ("only_left", "only_right"):
            return self.note is not None  # the other profile does not select it
        return self.status in ("same", "explained")


@dataclass
class EnvironmentDiff:
    left: Side
    right: Side
    jobs: list[JobComparison] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """No difference that the profiles' values or selections do not explain."""
        return all(j.explained for j in self.jobs)

    def count(self, status: Status) -> int:
        return sum(1 for j in self.jobs if j.status == status)

    def as_json(self) -> dict[str, Any]:
        def side(s: Side) -> dict[str, Any]:
            return {"profile": s.profile, "api_url": s.api_url}

        return {
            "format_version": FORMAT_VERSION,
            "left": side(self.left),
            "right": side(self.right),
            "same": self.same,
            "jobs": [
                {
                    "label": j.label,
                    "status": j.status,
                    "note": j.note,
                    "differences": [
                        {
                            "pointer": d.pointer,
                            "kind": d.kind,
                            "left": d.left,
                            "right": d.right,
                            "explained_by": d.explained_by,
                        }
                        for d in j.differences
                    ],
                }
                for j in self.jobs
            ],
        }


def _at(document: Any, tokens: Sequence[str]) -> tuple[bool, Any]:
    current = document
    for token in tokens:
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif isinstance(current, list) and token.isdigit() and int(token) < len(current):
            current = current[int(token)]
        else:
            return False, None
    return True, current


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def _under(ptr: str, prefix: str) -> bool:
    return ptr == prefix or ptr.startswith(prefix + "/")


def _explaining_vars(
    uses: Sequence[tuple[tuple[str | int, ...], str]],
    left_job: Mapping[str, Any],
    right_job: Mapping[str, Any],
    left: Side,
    right: Side,
) -> dict[str, str]:
    """pointer -> NAME, for each ``!var`` whose place holds each profile's own value."""
    out: dict[str, str] = {}
    for path, name in uses:
        if name not in left.values or name not in right.values:
            continue
        tokens = [str(t) for t in path]
        found_left, value_left = _at(left_job, tokens)
        found_right, value_right = _at(right_job, tokens)
        if (
            found_left
            and found_right
            and _same(value_left, left.values[name])
            and _same(value_right, right.values[name])
        ):
            out[pointer(*path)] = name
    return out


def compare_environments(
    left: Side,
    left_live: Sequence[Mapping[str, Any]],
    right: Side,
    right_live: Sequence[Mapping[str, Any]],
    var_paths: Mapping[str, Sequence[tuple[tuple[str | int, ...], str]]],
) -> EnvironmentDiff:
    """Compare two environments' live jobs by label; ``var_paths``: label -> the key paths and
    names of the ``!var`` markers in that label's job file."""
    from syncspec.engine.diff import diff_jobs
    from syncspec.engine.normalize import canonical_job

    def by_label(live: Sequence[Mapping[str, Any]]) -> dict[str, list[Mapping[str, Any]]]:
        out: dict[str, list[Mapping[str, Any]]] = {}
        for job in live:
            out.setdefault(str(job.get("label") or ""), []).append(job)
        return out

    lefts, rights = by_label(left_live), by_label(right_live)
    result = EnvironmentDiff(left, right)
    for label in sorted(set(lefts) | set(rights)):
        here, there = lefts.get(label, []), rights.get(label, [])
        if len(here) > 1 or len(there) > 1:
            counts = f"{len(here)} in {left.profile}, {len(there)} in {right.profile}"
            result.jobs.append(
                JobComparison(label, "ambiguous", note=f"several live jobs carry it ({counts})")
            )
            continue
        if not there or not here:
            status: Status = "only_left" if here else "only_right"
            absent = right if here else left
            note = None
            if not absent.selects(label):
                note = f"profile {absent.profile!r} does not select this label (jobs/exclude)"
            comparison = JobComparison(label, status, note=note)
            result.jobs.append(comparison)
            continue
        a, b = canonical_job(here[0]), canonical_job(there[0])
        changes = diff_jobs(a, b)
        if not changes:
            result.jobs.append(JobComparison(label, "same"))
            continue
        explaining = _explaining_vars(var_paths.get(label, ()), a, b, left, right)
        differences = []
        for change in changes:
            name = next((n for p, n in explaining.items() if _under(change.pointer, p)), None)
            if change.kind == "moved":
                name = None
            differences.append(
                Difference(change.pointer, change.kind, change.old, change.new, name)
            )
        explained = all(d.explained_by for d in differences)
        result.jobs.append(
            JobComparison(label, "explained" if explained else "different", differences)
        )
    return result
