"""The validate pipeline: find job files, load them, run every rule, locate every problem.

Per file: read (bounded) -> fast C parse -> structure (SS1xx) + semantic rules (SS2xx-SS5xx) on
plain data. Then project rules (SS6xx) across files. Only files with findings are re-parsed
with the round-trip loader to turn key paths into ``line:col``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncspec.spec import loader
from syncspec.spec.jobs import LocalJob
from syncspec.spec.problems import Finding, Problem, Severity

SUFFIXES = (".yaml", ".yml")


@dataclass
class ValidationReport:
    """Every problem of every file (sorted by file, line, col, rule) and how many were checked."""

    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == Severity.WARNING)

    @property
    def files_with_problems(self) -> int:
        return len({p.file for p in self.problems})

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


@dataclass
class _FileResult:
    path: Path
    parsed: loader.Parsed
    findings: list[Finding] = field(default_factory=list)

    @property
    def loaded(self) -> bool:
        return self.parsed.data is not None


def discover(paths: Iterable[Path]) -> list[Path]:
    """Job files under ``paths`` (files as given; directories searched for *.yaml / *.yml).

    Hidden directories are skipped; the result is de-duplicated and sorted.
    """
    found: set[Path] = set()
    for path in paths:
        if path.is_dir():
            for dirpath, dirnames, filenames in os.walk(path):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in filenames:
                    if name.endswith(SUFFIXES) and not name.startswith("."):
                        found.add(Path(dirpath, name))
        else:
            found.add(path)
    return sorted(found, key=str)


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is inside it, POSIX-style; else as given."""
    # abspath, not resolve(): a symlinked job file is shown under its own name
    absolute, base = Path(os.path.abspath(path)), Path(os.path.abspath(root))
    try:
        return absolute.relative_to(base).as_posix()
    except ValueError:
        return path.as_posix()


def _read(path: Path, display: str) -> loader.Parsed:
    try:
        with path.open("rb") as fh:
            raw = fh.read(loader.MAX_BYTES + 1)
    except OSError as exc:
        return loader.read_and_parse(None, display, exc.strerror or type(exc).__name__)
    if len(raw) > loader.MAX_BYTES:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(raw)
        return loader.too_large(display, max(size, len(raw)))
    return loader.read_and_parse(raw, display)


def _check_file(path: Path, root: Path) -> _FileResult:
    from syncspec.spec import semantics
    from syncspec.spec.structure import check_structure

    display = display_path(path, root)
    parsed = _read(path, display)
    result = _FileResult(path, parsed)
    if parsed.data is not None:
        semantic = semantics.check_job(parsed.data)
        result.findings = _without_superseded(check_structure(parsed.data), semantic)
        result.findings.extend(semantic)
    return result


# Structure findings that a semantic error at the same path says better (it names the node,
# e.g. SS305 'request node "b" has no method / integrated_account_id' over two SS103s).
_SUPERSEDABLE = frozenset({"SS103", "SS104"})


def _without_superseded(structure: list[Finding], semantic: list[Finding]) -> list[Finding]:
    taken = {f.path for f in semantic if f.severity == Severity.ERROR}
    if not taken:
        return structure
    return [f for f in structure if not (f.rule in _SUPERSEDABLE and f.path in taken)]


def _check_all(paths: Sequence[Path], root: Path) -> list[_FileResult]:
    from syncspec.spec.project import check_project

    results = [_check_file(path, root) for path in discover(paths)]
    documents = [(r.parsed.display, r.parsed.data) for r in results if r.parsed.data is not None]
    for display, findings in check_project(documents).items():
        for r in results:
            if r.parsed.display == display:
                r.findings.extend(findings)
    return results


def _problems(result: _FileResult) -> list[Problem]:
    from syncspec.spec.locate import to_problems

    parsed = result.parsed
    problems = list(parsed.problems)
    if result.findings and parsed.text is not None:
        problems.extend(to_problems(parsed.display, parsed.text, _unique(result.findings)))
    return problems


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


def validate_paths(paths: Sequence[Path], root: Path) -> ValidationReport:
    """Validate every job file under ``paths``; file names are shown relative to ``root``."""
    results = _check_all(paths, root)
    problems: list[Problem] = []
    for result in results:
        problems.extend(_problems(result))
    problems.sort(key=Problem.sort_key)
    return ValidationReport(problems=problems, files_checked=len(results))


def load_jobs(paths: Sequence[Path], root: Path) -> tuple[list[LocalJob], list[Problem]]:
    """The jobs of every file without errors, and every problem (errors and warnings).

    Files with an error (of any rule) do not become jobs; warnings do not stop a file.
    """
    results = _check_all(paths, root)
    jobs: list[LocalJob] = []
    problems: list[Problem] = []
    for result in results:
        file_problems = _problems(result)
        problems.extend(file_problems)
        data: dict[str, Any] | None = result.parsed.data
        if data is None or any(p.severity == Severity.ERROR for p in file_problems):
            continue
        jobs.append(
            LocalJob(
                path=result.path.resolve(),
                display=result.parsed.display,
                line=loader.label_line(result.parsed.text),
                data=data,
            )
        )
    problems.sort(key=Problem.sort_key)
    return jobs, problems
