"""Running case files against the jobs of a config repo: collect, run, and compare.

Cases run in file order, each on its own; a failure is data (``CaseResult.failure``), never an
exception, so one broken expression fails its cases and the run goes on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncspec.jobfile.discovery import display_path
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.problems import Problem
from syncspec.jobfile.rules.kit import did_you_mean
from syncspec.jobfile.yaml.locate import compose, locate, positions
from syncspec.jobfile.yaml.scalarpos import position_in_scalar
from syncspec.nodetest.casefile import ABSENT, Case, CaseFile, discover_case_files, load_case_file
from syncspec.nodetest.js.values import UNDEFINED
from syncspec.nodetest.nodes import NodeFailed, find_node, produces, runs


@dataclass(frozen=True)
class Failure:
    message: str  # one line: what went wrong
    expected: Any = ABSENT  # for a diff (ABSENT when there is nothing to compare)
    actual: Any = ABSENT
    where: str | None = None  # file:line:col in the job file, for expression errors


@dataclass(frozen=True)
class CaseResult:
    file: CaseFile
    case: Case
    node_type: str | None
    failures: tuple[Failure, ...] = ()

    @property
    def passed(self) -> bool:
        return not self.failures

    @property
    def id(self) -> str:
        return f"{self.file.display}::{self.case.name}"


@dataclass
class TestReport:
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed


def same(expected: Any, actual: Any) -> bool:
    """JSON equality: 1 == 1.0, but true is not 1; ``null`` also matches "nothing"."""
    if expected is None:
        return actual is None or actual is UNDEFINED
    if isinstance(expected, bool) or isinstance(actual, bool):
        return type(expected) is type(actual) and expected == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        both_nan = isinstance(expected, float) and isinstance(actual, float)
        return (both_nan and math.isnan(expected) and math.isnan(actual)) or expected == actual
    if isinstance(expected, dict):
        return (
            isinstance(actual, dict)
            and expected.keys() == actual.keys()
            and all(same(v, actual[k]) for k, v in expected.items())
        )
    if isinstance(expected, list):
        return (
            isinstance(actual, list)
            and len(expected) == len(actual)
            and all(same(e, a) for e, a in zip(expected, actual, strict=True))
        )
    return type(expected) is type(actual) and expected == actual


class _Jobs:
    """The repo's jobs by label (parsed once; no lint rules run)."""

    def __init__(self, jobs: Sequence[LocalJob], unreadable: Sequence[Problem]) -> None:
        self.by_label: dict[str, list[LocalJob]] = {}
        for job in jobs:
            self.by_label.setdefault(job.label, []).append(job)
        self.unreadable = list(unreadable)
        self._positions: dict[Path, Any] = {}

    def find(self, label: str) -> LocalJob | str:
        found = self.by_label.get(label, [])
        if len(found) == 1:
            return found[0]
        if found:
            files = ", ".join(j.display for j in found)
            return f"several job files have the label {label!r} ({files})"

        hint = did_you_mean(label, self.by_label)
        message = f"no job labelled {label!r} in the jobs directory"
        if hint:
            message += f" ({hint})"
        if self.unreadable:
            files = ", ".join(sorted({p.file for p in self.unreadable}))
            message += f"; these job files could not be read: {files}"
        return message

    def where(self, job: LocalJob, path: tuple[str | int, ...], offset: int | None) -> str:
        """``file:line:col`` of a value inside a job (a character of it, given ``offset``)."""

        if job.path not in self._positions:
            try:
                text = job.path.read_text("utf-8")
            except (OSError, UnicodeDecodeError):
                return job.display
            self._positions[job.path] = (text, compose(text))
        text, doc = self._positions[job.path]
        if doc is None:
            return job.display
        line, col = locate(doc, path, on_key=False, where=positions(text))
        if offset is not None:
            line, col = position_in_scalar(text, line, col, offset)
        return f"{job.display}:{line}:{col}"


def run_case(jobs: _Jobs, case_file: CaseFile, case: Case) -> CaseResult:

    job = jobs.find(case_file.job)
    if isinstance(job, str):
        return CaseResult(case_file, case, None, (Failure(job),))
    node = find_node(job.data, case.node)
    if isinstance(node, str):
        return CaseResult(case_file, case, None, (Failure(f"{job.display}: {node}"),))
    failures: list[Failure] = []
    checks: list[tuple[str, Any]] = []
    if case.expect is not ABSENT:
        checks.append(("expect", case.expect))
    if case.expect_run is not None:
        checks.append(("expect_run", case.expect_run))
    for kind, expected in checks:
        try:
            actual: Any = produces(node, case.given) if kind == "expect" else runs(node, case.given)
        except NodeFailed as exc:
            where = None
            if exc.field:
                where = jobs.where(job, ("resources", node.index, *exc.field), exc.offset)
            message = exc.message
            if exc.budget:
                message = (
                    f"case {case.name!r} (job {case_file.job!r}, node {case.node!r}) "
                    f"went over its budget: {message}"
                )
            failures.append(Failure(f"{kind}: {message}", where=where))
            continue
        if not same(expected, actual):
            what = "what the node produces" if kind == "expect" else "whether the node runs"
            failures.append(Failure(f"{kind}: {what} differs", expected, actual))
    return CaseResult(case_file, case, node.type, tuple(failures))


def run_cases(
    case_files: Sequence[CaseFile], jobs: Sequence[LocalJob], unreadable: Sequence[Problem] = ()
) -> TestReport:
    index = _Jobs(jobs, unreadable)
    report = TestReport()
    for case_file in case_files:
        for case in case_file.cases:
            report.results.append(run_case(index, case_file, case))
    return report


def pretty(value: Any) -> str:
    """A value as the diff shows it (JSON, keys sorted; ``undefined`` for nothing)."""
    if value is UNDEFINED:
        return "undefined"
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


@dataclass
class Suite:
    case_files: list[CaseFile] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # malformed case files
    searched: list[Path] = field(default_factory=list)
    files: int = 0  # case files found (loaded or not)


def load_suite(paths: Sequence[Path], root: Path) -> Suite:
    """Every case file under ``paths``, loaded (or its problems)."""

    suite = Suite(searched=list(paths))
    for path in discover_case_files([p for p in paths if p.exists()]):
        suite.files += 1
        case_file, problems = load_case_file(path, display_path(path, root))
        if case_file is not None:
            suite.case_files.append(case_file)
        suite.problems.extend(problems)
    suite.problems.sort(key=Problem.sort_key)
    return suite
