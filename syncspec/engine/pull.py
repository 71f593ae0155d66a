"""``pull``: write live jobs into ``jobs/`` as YAML, so that the next plan shows no changes.

Binding a live job to a file follows the plan's identity rules: a file's pinned ``id`` first, then
its ``label``. A label carried by several live jobs is pulled with a pinned ``id`` for each (an
existing unpinned file with that label keeps the oldest of them and gains the ``id``).

Existing files are edited in place with ruamel's round-trip loader: only fields whose canonical
value differs are rewritten, nested values are merged item by item, so comments, key order and
quoting survive. New files are named from the label (sanitized: labels come from the server and
may be ``../../x``, ``/etc/x``, empty, unicode, very long, or collide) and are created with
``O_EXCL`` inside the jobs directory only. Every written text is read back and compared
canonically with the live job before it is written: a difference is a bug, never a silent drift.

Each live job is pulled on its own (issue 11): a job that cannot become a job file (NaN or
Infinity, a lone surrogate, a label that is not a string, nesting deeper than the loader's 64
levels, a file over its 1 MiB, an id that cannot go into a URL, an existing file that is a
symlink leading out of the jobs directory, a folder that cannot be written) is a ``failed``
entry with its reason, and the other jobs are still written. Strings with a carriage return
(or another character a YAML block scalar cannot hold) are written as escaped double-quoted
strings, so the file reads back exactly; other multi-line strings are literal blocks.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import math
import os
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from syncspec.engine.match import is_copy
from syncspec.engine.normalize import nfc
from syncspec.engine.pull_yaml import (
    PullError,
    label_of,
    new_file_text,
    updated_file_text,
    write_new_file,
    write_updated_file,
)
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.rules.project import check_label
from syncspec.jobfile.yaml.limits import MAX_BYTES, MAX_DEPTH
from syncspec.safety import path_id_problem

SCHEMA_RELPATH = Path("schemas") / "sync-job.schema.json"
MAX_STEM = 64
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)

Status = Literal["created", "updated", "unchanged", "skipped", "failed"]


@dataclass(frozen=True)
class PulledFile:
    path: Path
    display: str
    label: str
    job_id: str
    status: Status
    pinned: bool = False
    reason: str | None = None  # why a job was skipped or failed
    before: str | None = None  # the file's text before (None: a new file)
    after: str | None = None  # the text written (or, in a dry run, that would be)


@dataclass
class PullResult:
    files: list[PulledFile] = field(default_factory=list)
    # files whose label no live job holds any more (renamed or deleted in the dashboard?)
    warnings: list[str] = field(default_factory=list)
    # (file, old label, new label): a dashboard rename, written to the file with renamed_from
    renamed: list[tuple[str, str, str]] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)


def safe_file_stem(label: str) -> str:
    """A file name stem for ``label`` that is safe on every OS and never a path.

    ASCII letters, digits, ``.``, ``_`` and ``-`` only, lower case, no leading dot or dash, at most
    ``MAX_STEM`` characters. When sanitizing loses most of the label (unicode, very long), a
    short hash of the label keeps different labels apart.
    """
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_text.lower())
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")
    digest = hashlib.sha256(label.encode()).hexdigest()[:8]
    if not stem:
        return f"job-{digest}"
    if len(stem) > MAX_STEM:
        stem = f"{stem[: MAX_STEM - 9].rstrip('.-_')}-{digest}"
    if stem.split(".")[0] in _WINDOWS_RESERVED:
        stem = f"{stem}-job"
    return stem


def pull_jobs(
    live_jobs: Sequence[Mapping[str, Any]],
    local_jobs: Sequence[LocalJob],
    *,
    jobs_dir: Path,
    root: Path,
    label_globs: Sequence[str] = (),
    values: Mapping[str, Any] | None = None,
    dry_run: bool = False,
    protected: Collection[Path] = (),
) -> PullResult:
    """Write the live jobs matching ``label_globs`` (all when empty) into ``jobs_dir``.

    ``values``: the active profile's ``!var`` values (tags equal to the live value stay).
    ``dry_run``: write nothing; each created or updated entry carries the text it would write.
    ``protected``: files with uncommitted changes; they are not overwritten (``skipped``).
    """
    protected_real = {os.path.realpath(p) for p in protected}
    result = PullResult()
    usable: list[Mapping[str, Any]] = []
    for job in live_jobs:
        problem = live_job_problem(job)
        if problem is None:
            usable.append(job)
        elif _selected(label_of(job), label_globs):
            ident = job.get("id")
            shown = ident if isinstance(ident, str) and path_id_problem(ident) is None else ""
            result.files.append(
                PulledFile(
                    Path(), "", label_of(job), shown or repr(ident), "failed", False, problem
                )
            )
    live_jobs = usable
    label_counts: dict[str, int] = {}
    for job in live_jobs:
        label = label_of(job)
        label_counts[label] = label_counts.get(label, 0) + 1
    selected = sorted(
        (j for j in live_jobs if _selected(label_of(j), label_globs)),
        key=lambda j: (label_of(j), str(j.get("created_at") or ""), str(j.get("id"))),
    )

    by_id = {lj.pinned_id: lj for lj in local_jobs if lj.pinned_id}
    by_label: dict[str, LocalJob] = {}
    for lj in local_jobs:
        if not lj.pinned_id:
            by_label.setdefault(lj.label, lj)

    # Pass 1: pinned ids bind first; pass 2: labels (an unpinned file takes the oldest job).
    bound: dict[str, LocalJob] = {}
    for job in selected:
        pinned = by_id.get(str(job.get("id")))
        if pinned is not None:
            bound[str(job.get("id"))] = pinned
    used_files = {id(lj) for lj in bound.values()}
    for job in selected:
        job_id = str(job.get("id"))
        by_name = by_label.get(label_of(job))
        if job_id not in bound and by_name is not None and id(by_name) not in used_files:
            bound[job_id] = by_name
            used_files.add(id(by_name))
    renames = _dashboard_renames(selected, local_jobs, live_jobs, bound, used_files)
    for job_id, lj in renames.items():
        bound[job_id] = lj
        used_files.add(id(lj))
    live_labels = {nfc(label_of(j)) for j in live_jobs}
    for lj in local_jobs:
        if id(lj) in used_files or lj.pinned_id or nfc(lj.label) in live_labels:
            continue
        if label_globs and not _selected(lj.label, label_globs):
            continue
        result.warnings.append(
            f'{lj.display}: no live job has its label "{lj.label}" (renamed or deleted in '
            "Truto?); the next plan would create it again. If the job was renamed, set the new "
            f"label and add `renamed_from: [{lj.label}]`; if it was deleted, delete the file"
        )

    try:
        if not dry_run:
            jobs_dir.mkdir(parents=True, exist_ok=True)
        taken = {p.name.lower() for p in jobs_dir.iterdir()} if jobs_dir.is_dir() else set()
    except OSError as exc:
        raise PullError(
            f"cannot use the jobs directory {_display(jobs_dir, root)}: "
            f"{exc.strerror or type(exc).__name__}; nothing was written"
        ) from None
    real_jobs_dir = jobs_dir.resolve()
    for job in selected:
        job_id = str(job.get("id"))
        label = label_of(job)
        pin = label_counts[label] > 1
        existing = bound.get(job_id)
        if not label.strip():
            # A job file needs a label (SS603): such a file could never be planned.
            reason = "its label is empty; give it a label in Truto (or write its file by hand)"
            result.files.append(PulledFile(Path(), "", label, job_id, "skipped", False, reason))
            continue
        unfit = check_label(label)
        if unfit:
            # validate refuses such a label (SS604-SS606): the file could never be planned
            reason = (
                f"its label {json.dumps(label, ensure_ascii=False)} cannot be a job file's label: "
                f"{unfit[0].message}; rename the job in Truto ({unfit[0].hint})"
            )
            result.files.append(PulledFile(Path(), "", label, job_id, "skipped", False, reason))
            continue
        if existing is not None:
            pinned_file = pin or existing.pinned_id is not None
            old = existing.label if job_id in renames else None
            try:
                _inside(existing.path, real_jobs_dir, existing.display)
                before, after = updated_file_text(
                    existing.path, job, pin=pinned_file, renamed_from=old, values=values
                )
                if after is not None and os.path.realpath(existing.path) in protected_real:
                    reason = (
                        f"{existing.display} has uncommitted changes; commit or stash them "
                        "first, or pass --force to overwrite them"
                    )
                    result.files.append(
                        PulledFile(
                            existing.path, existing.display, label, job_id, "skipped",
                            pinned_file, reason, before, after,
                        )
                    )  # fmt: skip
                    continue
                if after is not None and not dry_run:
                    write_updated_file(existing.path, after)
                if old is not None:
                    result.renamed.append((existing.display, old, label))
            except (PullError, OSError) as exc:
                result.files.append(
                    _failed(existing.path, existing.display, label, job_id, exc, pinned_file)
                )
                continue
            status: Status = "unchanged" if after is None else "updated"
            result.files.append(
                PulledFile(
                    existing.path, existing.display, label, job_id, status, pinned_file,
                    None, before, after if after is not None else before,
                )
            )  # fmt: skip
            continue
        stem = safe_file_stem(label)
        if pin:
            stem = f"{stem}-{safe_file_stem(job_id)[:8]}"
        path = _free_path(jobs_dir, stem, taken)
        schema = os.path.relpath(root / SCHEMA_RELPATH, path.parent)
        try:
            text = new_file_text(path, job, pin=pin, schema=Path(schema).as_posix())
            if not dry_run:
                write_new_file(path, text)
        except (PullError, OSError) as exc:
            taken.discard(path.name.lower())
            result.files.append(_failed(path, _display(path, root), label, job_id, exc, pin))
            continue
        result.files.append(
            PulledFile(path, _display(path, root), label, job_id, "created", pin, None, None, text)
        )
    return result


def _dashboard_renames(
    selected: Sequence[Mapping[str, Any]],
    local_jobs: Sequence[LocalJob],
    live_jobs: Sequence[Mapping[str, Any]],
    bound: Mapping[str, LocalJob],
    used_files: set[int],
) -> dict[str, LocalJob]:
    """Live jobs no file binds that are, but for the label, the job of a file whose label no
    live job holds: renamed in the dashboard. One-to-one matches only."""

    live_labels = {nfc(label_of(j)) for j in live_jobs}
    orphans = [
        lj
        for lj in local_jobs
        if id(lj) not in used_files and not lj.pinned_id and nfc(lj.label) not in live_labels
    ]
    unbound = [j for j in selected if str(j.get("id")) not in bound]
    pairs: dict[str, LocalJob] = {}
    for job in unbound:
        files = [lj for lj in orphans if is_copy(lj, job, ignore_label=True)]
        if len(files) != 1:
            continue
        others = [j for j in unbound if is_copy(files[0], j, ignore_label=True)]
        if len(others) == 1:
            pairs[str(job.get("id"))] = files[0]
    return pairs


def _failed(  # noqa: PLR0917 - the fields of a PulledFile
    path: Path, display: str, label: str, job_id: str, exc: Exception, pinned: bool
) -> PulledFile:
    if isinstance(exc, OSError):
        reason = f"cannot write {display}: {exc.strerror or type(exc).__name__}"
    else:
        reason = str(exc)
    return PulledFile(path, display, label, job_id, "failed", pinned, reason)


def _inside(path: Path, real_jobs_dir: Path, display: str) -> None:
    """Refuse to write through a symlink whose target is outside the jobs directory."""
    real = path.resolve()
    if real != real_jobs_dir and real_jobs_dir not in real.parents:
        raise PullError(
            f"{display} leads to {real}, outside the jobs directory {real_jobs_dir} (a symlink); "
            "refusing to write through it: replace the link with a regular file, or pull "
            "where the file really is"
        )


def live_job_problem(job: Mapping[str, Any]) -> str | None:
    """Why ``job`` cannot become a job file, or None. Iterative: any nesting depth is safe."""
    problem = path_id_problem(job.get("id"))
    if problem is not None:
        return f"its id {problem}, so syncspec cannot address it"
    if not isinstance(job.get("label"), str):
        return f"its label is not a string ({type(job.get('label')).__name__})"
    stack: list[tuple[Any, str, int]] = [(job, "", 1)]
    while stack:
        value, pointer, depth = stack.pop()
        if isinstance(value, Mapping | list):
            if depth > MAX_DEPTH:
                shown = pointer if len(pointer) <= 60 else pointer[:60] + "..."
                return f"{shown} nests deeper than {MAX_DEPTH} levels, which a job file cannot hold"
            pairs = value.items() if isinstance(value, Mapping) else enumerate(value)
            for key, item in pairs:
                if isinstance(key, str) and _lone_surrogate(key):
                    return f"a key under {pointer or '/'} has a lone surrogate (invalid Unicode)"
                escaped = str(key).replace("~", "~0").replace("/", "~1")
                stack.append((item, f"{pointer}/{escaped}", depth + 1))
        elif isinstance(value, float) and not math.isfinite(value):
            return f"{pointer} is {json.dumps(value)}, which neither JSON nor a job file can hold"
        elif isinstance(value, str) and _lone_surrogate(value):
            return (
                f"{pointer} has a lone surrogate (invalid Unicode), which a UTF-8 file cannot hold"
            )
        elif isinstance(value, str) and len(value.encode("utf-8")) > MAX_BYTES:
            return f"{pointer} is over {MAX_BYTES:,} bytes, the size limit of a job file"
    return None


def _lone_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _selected(label: str, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(label, g) for g in globs)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _free_path(jobs_dir: Path, stem: str, taken: set[str]) -> Path:
    name = f"{stem}.yaml"
    n = 2
    while name.lower() in taken:
        name = f"{stem}-{n}.yaml"
        n += 1
    taken.add(name.lower())
    path = jobs_dir / name
    # Defence in depth: the stem cannot contain a separator, but never trust that blindly.
    if path.resolve().parent != jobs_dir.resolve():
        raise PullError(f"refusing to write {name!r} outside {jobs_dir}")
    return path


__all__ = ["PullError", "PullResult", "PulledFile", "pull_jobs", "safe_file_stem"]
