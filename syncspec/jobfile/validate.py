"""The validate pipeline: find job files, load them, run every rule, locate every problem.

Per file: read (bounded) -> fast C parse -> structure (SS1xx) + semantic rules (SS2xx-SS5xx) on
plain data -> each finding's key path turned into ``line:col`` with the parser's own nodes
(``locate``), right there. Then project rules (SS6xx) across files, located with a summary of each
file's top-level keys. No file is parsed twice.

The per-file step is CPU-bound and independent per file: from ``PARALLEL_MIN_FILES`` files on
(a repo-wide ``plan`` or ``validate``), when CPUs are free, it runs in forked worker processes,
one per free CPU, in contiguous chunks whose results are put back in file order, so the outcome
is the same as one process's. Otherwise (pre-commit passes a few files; a busy machine) workers
would cost more than they save.

Most files take the position-less fast path (``loader.plain_data``): their data comes from a
compiled parser, and only a file with a finding below the top of the document is parsed again
into a node graph to locate it.
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncspec.jobfile.discovery import Discovery, discover_job_files, display_path
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.problems import Finding, Problem, Severity
from syncspec.jobfile.rules import jsonata as rules_jsonata
from syncspec.jobfile.rules import registry  # noqa: F401
from syncspec.jobfile.rules import registry as semantics
from syncspec.jobfile.rules.modeline import modeline_problems
from syncspec.jobfile.rules.project import check_project, identity_probes, may_hold_identity
from syncspec.jobfile.shape import corevalidate
from syncspec.jobfile.shape.structure import check_structure, choose_shape
from syncspec.jobfile.vars import NO_VARS, VarSetup, VarUse, attribute, may_have_vars, resolve_file
from syncspec.jobfile.yaml import limits, loader

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from syncspec.jobfile.yaml.locate import TopPositions

# From this many files on, and with free CPUs, files are checked in worker processes (see
# ``_worker_count``); each worker gets at least ``_FILES_PER_WORKER`` files.
PARALLEL_MIN_FILES = 2_000
_FILES_PER_WORKER = 1_000
# Loading jobs for plan/apply keeps every file's data in the parent, and each worker adds ~50 MB
# at 10,000 files (forked pages counted in each process): past this many files one process,
# so the process tree stays under 200 MB (bench/BENCHMARKS.md, issue 26).
PLAN_PARALLEL_MAX_FILES = 5_000
# chunks per worker: small enough to even out files of different sizes, few enough to be cheap
_CHUNKS_PER_WORKER = 4


@dataclass
class ValidationReport:
    """Every problem of every file (sorted by file, line, col, rule) and how many were checked."""

    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    # what discovery left out, each "path: reason" (shown by the CLI; see jobfile.discovery)
    skipped: list[str] = field(default_factory=list)

    @property
    def errors(self) -> int:
        return sum(1 for p in self.problems if p.severity == Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for p in self.problems if p.severity == Severity.WARNING)

    @property
    def files_with_problems(self) -> int:
        return len({f for p in self.problems for f in (p.file, *p.files)})

    def failed(self, strict: bool = False) -> bool:
        return self.errors > 0 or (strict and self.warnings > 0)


@dataclass
class _FileResult:
    path: Path
    parsed: loader.Parsed  # without its node graph (``root``): located where it was checked
    # the file's own problems, located (loading, structure, semantic)
    problems: list[Problem] = field(default_factory=list)
    # where the top-level keys are, for the project rules' findings (SS6xx)
    top: TopPositions | None = None
    project_findings: list[Finding] = field(default_factory=list)
    # the absolute real path a job is known by (files that load), taken where the file was
    # checked (a string: a Path per file costs more than the rest of the bookkeeping)
    resolved: str | None = None
    # where `!var` values landed (the first resolved document's; plan: the active profile's)
    uses: list[VarUse] = field(default_factory=list)
    # planning: the active profile does not select this job (not a job here; claims its label)
    unselected: bool = False


def discover(paths: Iterable[Path], root: Path | None = None) -> Discovery:
    """Job files under ``paths`` (see ``syncspec.jobfile.discovery``); ``root`` bounds symlinks
    (default: the current directory)."""
    return discover_job_files(paths, Path.cwd() if root is None else root)


def _read(path: Path, display: str) -> loader.Parsed:
    return loader.read_path(path, display)


def _resolved(path: Path, parents: dict[str, str]) -> str:
    """``os.path.realpath(path)``, with each directory resolved once (one ``lstat`` per file)."""
    if os.path.islink(path):
        return os.path.realpath(path)
    folder, name = os.path.split(os.fspath(path))
    real = parents.get(folder)
    if real is None:
        real = parents[folder] = os.path.realpath(folder or ".")
    return os.path.join(real, name)


def _check_file(
    path: Path, root: Path, parents: dict[str, str] | None = None, setup: VarSetup = NO_VARS
) -> _FileResult:
    display = display_path(path, root)
    parsed = loader.read_path(path, display, plain=True)
    result = _FileResult(path, parsed, problems=list(parsed.problems))
    if parsed.data is not None:
        text = parsed.text
        assert text is not None  # set for every file that loads
        label = parsed.data.get("label")
        if setup.planning and setup.profiles and not setup.profiles[0].selects(str(label)):
            result.unselected = True  # not this profile's job: not checked, not planned
            findings: list[Finding] = []
        elif may_have_vars(text):
            if parsed.root is None:  # markers are located through the node graph
                parsed = result.parsed = loader.parse_text(text, display)
                assert parsed.data is not None  # it loaded above
            findings = _unique(_resolved_findings(result, setup))
            parsed = result.parsed
        else:
            assert parsed.data is not None
            findings = _findings(parsed.data)
        if parsed.root is None:
            # the compiled parser's data, without positions: enough for a clean file, and for
            # findings on the whole document (SS107); any other finding needs the node graph
            if any(f.path or f.offset is not None for f in findings):
                parsed = result.parsed = loader.parse_text(text, display)
                assert parsed.data is not None and parsed.root is not None  # it loaded above
                findings = _findings(parsed.data)
            else:
                line, col = loader.root_position(text)
                result.problems.extend(
                    Problem(f.rule, f.severity, f.message, display, line, col, f.hint)
                    for f in findings
                )
                findings = []
        if parsed.root is not None:
            # locating loads with the first file that has a finding below its top (start-up)
            from syncspec.jobfile.yaml.locate import TopPositions, to_problems

            result.problems.extend(to_problems(display, text, findings, parsed.root))
            result.top = TopPositions.of(parsed.root, text)
        # (without ``top``, a project finding re-composes its file: see ``top_to_problems``)
        result.problems.extend(modeline_problems(text, path, display, root))
        result.resolved = _resolved(path, {} if parents is None else parents)
    parsed.root = None  # located: the node graph is not needed (nor sent back from a worker)
    return result


def _findings(data: dict[str, Any]) -> list[Finding]:
    """The structure and semantic findings of one file's data, each once."""

    chosen = choose_shape(data)  # once, for both
    semantic = semantics.check_job(data, chosen)
    findings = _without_superseded(check_structure(data, chosen), semantic)
    findings.extend(semantic)
    return _unique(findings)


def _resolved_findings(result: _FileResult, setup: VarSetup) -> list[Finding]:
    """The findings of a file with ``!var`` markers: each distinct resolved document is
    checked; a finding of some profiles only names them (see ``vars.attribute``)."""
    parsed = result.parsed
    assert parsed.data is not None
    resolution = resolve_file(parsed.display, parsed.data, setup)
    result.problems.extend(resolution.problems)
    result.unselected = resolution.unselected
    if not resolution.documents:
        return []  # nothing resolved: the problems say why; the data keeps its markers
    parsed.data, _, result.uses = resolution.documents[0]
    checked = [(_findings(doc), names, uses) for doc, names, uses in resolution.documents]
    common = set(checked[0][0]).intersection(*(set(f) for f, _, _ in checked[1:]))
    everyone = tuple(name for _, names, _ in checked for name in names)
    total = max(resolution.selecting, len(everyone))
    findings: list[Finding] = []
    for found, names, uses in checked:
        for finding in found:
            shared = finding in common
            findings.extend(attribute([finding], uses, everyone if shared else names, total))
    return findings


# Structure findings that a semantic error at the same path says better (it names the node,
# e.g. SS305 'request node "b" has no method / integrated_account_id' over two SS103s).
_SUPERSEDABLE = frozenset({"SS103", "SS104"})


def _without_superseded(structure: list[Finding], semantic: list[Finding]) -> list[Finding]:
    taken = {f.path for f in semantic if f.severity == Severity.ERROR}
    if not taken:
        return structure
    return [f for f in structure if not (f.rule in _SUPERSEDABLE and f.path in taken)]


def _check_chunk(paths: Sequence[Path], root: Path, setup: VarSetup = NO_VARS) -> list[_FileResult]:
    parents: dict[str, str] = {}
    return [_check_file(path, root, parents, setup) for path in paths]


def _worker_count(files: int, free: float | None = None) -> int:
    """How many worker processes to check ``files`` files with (0: check them in this one).

    ``free``: the CPUs not busy with other work (default: measured, the CPUs this process may
    use less the 1-minute load average). Workers pay for forking and for sending each file's
    data back (bench/BENCHMARKS.md, issue 26): with the position-less fast path a file costs
    ~0.1-0.3 ms, so they win only on a few thousand files and only with a second core that is
    really free. A busy machine (a CI runner, a laptop running an editor) checks in one process.
    """
    # fork: workers start in milliseconds with every module already imported. Other platforms'
    # start methods re-import syncspec in each worker, and macOS forks are unsafe once system
    # frameworks are loaded, so there the files are checked in this process.
    if files < PARALLEL_MIN_FILES or sys.platform != "linux":
        return 0
    if free is None:
        free = len(os.sched_getaffinity(0)) - os.getloadavg()[0]
    workers = min(round(free), files // _FILES_PER_WORKER)
    return workers if workers > 1 else 0


def _ignore_sigint() -> None:
    # Ctrl-C reaches the whole process group: the parent alone handles it (exit 130) and stops
    # the workers; otherwise each idle worker would print its own KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _warm_up() -> None:
    """Import and build what every file check needs once, here, rather than once per worker."""

    loader.warm_up()
    corevalidate.warm_up()
    rules_jsonata.warm_up()  # import jsonata once before forking, not in every worker


class _Checking:
    """The per-file checks of ``files``, started (in worker processes when there are many)."""

    def __init__(
        self,
        files: list[Path],
        root: Path,
        max_parallel_files: int | None = None,
        setup: VarSetup = NO_VARS,
    ) -> None:
        self._files, self._root, self._setup = files, root, setup
        if max_parallel_files is None:
            max_parallel_files = len(files)
        self._executor: ProcessPoolExecutor | None = None
        self._chunks: list[Future[list[_FileResult]]] = []
        workers = _worker_count(len(files)) if len(files) <= max_parallel_files else 0
        if not workers:
            return
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _warm_up()
        self._executor = ProcessPoolExecutor(
            workers, mp_context=multiprocessing.get_context("fork"), initializer=_ignore_sigint
        )
        size = -(-len(files) // (workers * _CHUNKS_PER_WORKER))
        # The workers are forked by the first submit, before this returns: callers that start
        # threads afterwards (plan lists the live jobs meanwhile) never fork a threaded process.
        self._chunks = [
            self._executor.submit(_check_chunk, files[i : i + size], root, setup)
            for i in range(0, len(files), size)
        ]

    def results(self) -> list[_FileResult]:
        """Every file's result, in file order (waits for the workers)."""
        if self._executor is None:
            return _check_chunk(self._files, self._root, self._setup)
        try:
            return [result for chunk in self._chunks for result in chunk.result()]
        finally:
            self.close()

    def close(self) -> None:
        if self._executor is not None:
            self._executor.shutdown(wait=True, cancel_futures=True)


def _with_project_findings(
    results: list[_FileResult], context: Sequence[tuple[str, Any]] = ()
) -> list[_FileResult]:
    """Add the project findings (SS6xx) of ``results``, checked against ``results`` plus the
    ``context`` documents (other job files of the project, which get no findings here)."""

    documents = [(r.parsed.display, r.parsed.data) for r in results if r.parsed.data is not None]
    by_display = {r.parsed.display: r for r in results}
    for display, findings in check_project([*documents, *context]).items():
        if display in by_display:
            by_display[display].project_findings.extend(findings)
    return results


def _context_documents(
    context: Sequence[Path], checked: Sequence[_FileResult], root: Path, repo_root: Path
) -> list[tuple[str, Any]]:
    """(display, data) of the job files under ``context`` not among ``checked`` that may share
    a label or pinned id with one of them: parsed only (no rules run), for the project rules (a
    hook passing some files still sees every label). Files whose text cannot contain any of
    those values are not parsed (see ``project.identity_probes``)."""

    if not context:
        return []
    probes = identity_probes([r.parsed.data for r in checked if r.parsed.data is not None])
    if not probes:
        return []
    seen = {r.resolved or os.path.realpath(r.path) for r in checked}
    documents: list[tuple[str, Any]] = []
    for path in discover(context, repo_root).files:
        if os.path.realpath(path) in seen:
            continue
        try:
            with path.open("rb") as fh:
                head = limits.read_bounded(fh)
        except OSError:
            continue  # unreadable: no label to compare (plan and apply refuse to prune on it)
        if not may_hold_identity(head, probes):
            continue
        parsed = _read(path, display_path(path, root))
        if isinstance(parsed.data, dict):
            documents.append((parsed.display, parsed.data))
    return documents


def _searched(context: Sequence[Path], paths: Sequence[Path]) -> bool:
    """True when the ``context`` folders are the searched ``paths`` themselves (the same folders
    by real path, in the same order): discovery with the same root then finds the same files,
    so there is no other job file to read for the project rules. Only then: a searched folder
    that merely contains the context one may reach it deeper, or after the folder budget is
    spent, and leave files out that the context's own walk reads."""
    if not context or not all(c.is_dir() for c in context):
        return False
    return [os.path.realpath(p) for p in paths] == [os.path.realpath(c) for c in context]


def _problems(result: _FileResult) -> list[Problem]:
    parsed = result.parsed
    problems = list(result.problems)
    if result.project_findings and parsed.text is not None:
        found = _unique(result.project_findings)
        from syncspec.jobfile.yaml.locate import top_to_problems

        problems.extend(top_to_problems(parsed.display, parsed.text, found, result.top))
    return problems


def _unique(findings: Iterable[Finding]) -> list[Finding]:
    seen: set[Finding] = set()
    out: list[Finding] = []
    for f in findings:
        if f not in seen:
            seen.add(f)
            out.append(f)
    return out


# Problems that say the same about every file they occur in: several become one notice.
_COLLAPSED = "SS107"


def _collapse(problems: list[Problem]) -> list[Problem]:
    """``problems`` (sorted) with the SS107 warnings of several files as one notice.

    Truto's own docs write jobs without ``default_runtime_version``: a repository of such files
    would otherwise print one identical warning per file. The notice sits at the first file's
    position (text, GitHub annotation) and lists every file in ``Problem.files`` (JSON).
    """
    same = [p for p in problems if p.rule == _COLLAPSED]
    if len(same) < 2:
        return problems
    first = same[0]
    files = tuple(dict.fromkeys(p.file for p in same))
    v4 = sum(1 for p in same if "V4 nodes" in p.message)
    if v4 == 0:
        read_as = "legacy resources"
    elif v4 == len(same):
        read_as = "V4 nodes"
    else:
        read_as = f"legacy resources ({_files(len(same) - v4)}) or V4 nodes ({_files(v4)})"
    others = len(files) - 1
    noun = "file" if others == 1 else "files"
    notice = Problem(
        first.rule,
        first.severity,
        f"this file and {others:,} other {noun} do not set "
        f"default_runtime_version: they will not be managed, and their resources are read as "
        f"{read_as} (--format json lists every file)",
        first.file,
        first.line,
        first.col,
        first.hint,
        files,
    )
    return [notice if p is first else p for p in problems if p.rule != _COLLAPSED or p is first]


def _files(n: int) -> str:
    return f"{n:,} file{'' if n == 1 else 's'}"


def validate_paths(
    paths: Sequence[Path],
    root: Path,
    *,
    context: Sequence[Path] = (),
    repo_root: Path | None = None,
    setup: VarSetup = NO_VARS,
) -> ValidationReport:
    """Validate every job file under ``paths``; file names are shown relative to ``root``.

    ``context`` (the project's jobs dir) adds the other job files to the project rules only:
    labels and pinned ids of ``paths`` must be unique against them too, but their own problems
    are not reported. ``repo_root`` bounds symlinks (default ``root``). ``setup``: the profiles
    whose values ``!var`` markers take (every profile is checked).
    """
    bound = root if repo_root is None else repo_root
    discovery = discover(paths, bound)
    results = _Checking(discovery.files, root, setup=setup).results()
    if _searched(context, paths):
        context = ()  # `validate jobs`: the context's files are the checked ones
    _with_project_findings(results, _context_documents(context, results, root, bound))
    problems: list[Problem] = []
    for result in results:
        problems.extend(_problems(result))
    problems.sort(key=Problem.sort_key)
    return ValidationReport(
        problems=_collapse(problems),
        files_checked=len(results),
        skipped=[s.describe(root) for s in discovery.skipped],
    )


def load_jobs(
    paths: Sequence[Path], root: Path, setup: VarSetup = NO_VARS
) -> tuple[list[LocalJob], list[Problem]]:
    """The jobs of every file without errors, and every problem (errors and warnings).

    Files with an error (of any rule) do not become jobs; warnings do not stop a file.
    """
    return start_load_jobs(paths, root, setup).result()


@dataclass
class LoadedFile:
    """One job file after every check: its data (None when it cannot be read or parsed), its
    problems, and its job (None when it has an error)."""

    path: Path
    display: str
    data: dict[str, Any] | None
    problems: list[Problem]
    job: LocalJob | None
    unselected: bool = False  # the active profile does not manage this job


class LoadingJobs:
    """``load_jobs`` under way (see ``start_load_jobs``); a context manager that stops the
    checks on exit if ``result`` was not called."""

    def __init__(self, paths: Sequence[Path], root: Path, setup: VarSetup = NO_VARS) -> None:
        self.discovery = discover(paths, root)
        self._checking = _Checking(self.discovery.files, root, PLAN_PARALLEL_MAX_FILES, setup)

    def files(self) -> list[LoadedFile]:
        """Every discovered file, checked (waits for the checks to finish)."""
        return [_loaded(r) for r in _with_project_findings(self._checking.results())]

    def result(self) -> tuple[list[LocalJob], list[Problem]]:
        """What ``load_jobs`` returns (waits for the checks to finish)."""
        files = self.files()
        jobs = [f.job for f in files if f.job is not None]
        problems = sorted((p for f in files for p in f.problems), key=Problem.sort_key)
        return jobs, _collapse(problems)

    def close(self) -> None:
        self._checking.close()

    def __enter__(self) -> LoadingJobs:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def start_load_jobs(paths: Sequence[Path], root: Path, setup: VarSetup = NO_VARS) -> LoadingJobs:
    """Start ``load_jobs``: any worker processes are started before this returns, so the
    caller may start threads, or do other work, while the files are checked. ``root`` is the
    project root: names are shown relative to it, and symlinks may not lead out of it.
    ``setup``: the profile(s) ``!var`` values come from."""
    return LoadingJobs(paths, root, setup)


def _loaded(result: _FileResult) -> LoadedFile:
    file_problems = _problems(result)
    data: dict[str, Any] | None = result.parsed.data
    job = None
    errors = any(p.severity == Severity.ERROR for p in file_problems)
    if data is not None and not errors and not result.unselected:
        assert result.resolved is not None  # set for every file that loads
        job = LocalJob(
            path=Path(result.resolved),
            display=result.parsed.display,
            line=loader.label_line(result.parsed.text),
            data=data,
            vars=tuple(result.uses),
        )
    return LoadedFile(
        result.path, result.parsed.display, data, file_problems, job, result.unselected
    )
