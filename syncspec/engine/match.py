"""Which job file is which live job: binding by ``label`` (or a pinned ``id``).

Binding is computed over *all* files and live jobs first and only then narrowed by
``--target``/``--exclude``, so a job outside the selection can never look unclaimed (and be
pruned) just because the file that claims it was filtered out.

Safety rules where the design is silent:
- a live job carrying the label of any file is never deleted, even when no file binds it (for
  instance the file pins another id, or its pin is stale after promotion to another environment);
- a file in conflict is not planned, and the live jobs it names are neither unmanaged nor deleted.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from syncspec.config import EVERY_LABEL, LabelSelection, PruneScope
from syncspec.engine.model import Notice, NoticeKind, PlanOptions
from syncspec.jobfile.jobs import LocalJob
from syncspec.safety import path_id_problem

LiveJob = Mapping[str, Any]


@dataclass(frozen=True)
class Ownership:
    """What the job files claim besides the jobs passed to ``match_jobs`` (issue 10).

    ``labels``/``ids``: labels and pinned ids of job files that are not jobs (they have
    errors, outside the planned PATHS): a live job carrying one is never unmanaged or pruned.
    ``planned_files``: display names of the files to plan (PATHS); None plans every file.
    ``prune_blocked``: reasons why nothing may be deleted (a file that cannot be read or
    parsed might claim any label; a folder discovery refused might hold job files).
    """

    labels: frozenset[str] = frozenset()
    ids: frozenset[str] = frozenset()
    planned_files: frozenset[str] | None = None
    prune_blocked: tuple[str, ...] = ()


EVERYTHING_OWNED = Ownership()


@dataclass
class Match:
    pairs: list[tuple[LocalJob, LiveJob]] = field(default_factory=list)
    creates: list[LocalJob] = field(default_factory=list)
    deletes: list[LiveJob] = field(default_factory=list)  # unmanaged, in prune scope, --prune
    unmanaged: list[Notice] = field(default_factory=list)
    conflicts: list[Notice] = field(default_factory=list)


def live_id(job: LiveJob) -> str:
    value = job.get("id")
    return "" if value is None else str(value)


def live_label(job: LiveJob) -> str:
    value = job.get("label")
    return "" if value is None else str(value)


def is_selected(label: str, options: PlanOptions) -> bool:
    """Matches a ``--target`` glob (or none given) and no ``--exclude`` glob (case-sensitive)."""
    if options.targets and not any(fnmatch.fnmatchcase(label, g) for g in options.targets):
        return False
    return not any(fnmatch.fnmatchcase(label, g) for g in options.excludes)


def _ids(jobs: Sequence[LiveJob]) -> list[str]:
    return sorted(live_id(j) for j in jobs)


def _quoted_ids(ids: Sequence[str]) -> str:
    return ", ".join(ids)


def match_jobs(
    local: Sequence[LocalJob],
    live: Sequence[LiveJob],
    *,
    options: PlanOptions,
    prune_scope: PruneScope,
    ownership: Ownership = EVERYTHING_OWNED,
    selection: LabelSelection = EVERY_LABEL,
) -> Match:
    """Bind files to live jobs; see the module docstring for the rules. ``selection``: the
    labels the active profile manages; jobs outside it (files and live) are left out, like
    ``--exclude`` leaves them out."""
    # Issue 11: a live job whose id cannot go into a URL (".", "..", "/") is set aside first.
    unsafe: list[LiveJob] = []
    safe: list[LiveJob] = []
    for j in live:  # one check per job (a plan lists thousands)
        (unsafe if path_id_problem(j.get("id")) is not None else safe).append(j)
    live = safe
    by_id: dict[str, LiveJob] = {}
    by_label: dict[str, list[LiveJob]] = {}
    for remote in sorted(live, key=live_id):
        by_id.setdefault(live_id(remote), remote)
        by_label.setdefault(live_label(remote), []).append(remote)

    result = Match()
    bound: set[str] = set(ownership.ids)  # live ids bound to a file, or named by a conflict
    file_labels = {f.label for f in local} | ownership.labels
    conflicted: list[tuple[LocalJob, Notice]] = []

    def conflict(job: LocalJob, message: str, ids: Sequence[str] = ()) -> None:
        notice = Notice(
            kind=NoticeKind.CONFLICT,
            message=message,
            label=job.label,
            job_ids=list(ids),
            file=job.display,
            line=job.line,
        )
        conflicted.append((job, notice))
        bound.update(ids)

    # Project-level duplicates (validate reports them too; be defensive).
    files_by_label: dict[str, list[LocalJob]] = {}
    files_by_pin: dict[str, list[LocalJob]] = {}
    for job in local:
        files_by_label.setdefault(job.label, []).append(job)
        if job.pinned_id is not None:
            files_by_pin.setdefault(job.pinned_id, []).append(job)
    usable: list[LocalJob] = []
    for job in local:
        same_label = files_by_label[job.label]
        same_pin = files_by_pin.get(job.pinned_id, []) if job.pinned_id is not None else []
        # Files that all pin an id are distinct jobs sharing a label (how `pull` writes them).
        if len(same_label) > 1 and not all(f.pinned_id for f in same_label):
            others = ", ".join(f.display for f in same_label)
            ids = _ids(by_label.get(job.label, []))
            conflict(
                job,
                f'label "{job.label}" is claimed by {len(same_label)} files ({others}); '
                "labels must be unique across the job files",
                ids,
            )
        elif len(same_pin) > 1:
            others = ", ".join(f.display for f in same_pin)
            conflict(
                job,
                f'id "{job.pinned_id}" is pinned by {len(same_pin)} files ({others}); '
                "a live job can be managed by one file only",
                [job.pinned_id] if job.pinned_id in by_id else [],
            )
        else:
            usable.append(job)

    # Pinned files first, so that their jobs are out of reach of label matching.
    for job in usable:
        pinned = job.pinned_id
        if pinned is None:
            continue
        target = by_id.get(pinned)
        if target is None:
            conflict(
                job,
                f'{job.display} pins id "{pinned}", which is not a live job in this environment; '
                'not creating it (remove "id:" to create a new job)',
            )
        else:
            result.pairs.append((job, target))
            bound.add(pinned)

    for job in usable:
        if job.pinned_id is not None:
            continue
        candidates = [j for j in by_label.get(job.label, []) if live_id(j) not in bound]
        if not candidates:
            result.creates.append(job)
        elif len(candidates) == 1:
            result.pairs.append((job, candidates[0]))
            bound.add(live_id(candidates[0]))
        else:
            ids = _ids(candidates)
            conflict(
                job,
                f'{len(ids)} live jobs are labelled "{job.label}" (ids {_quoted_ids(ids)}); '
                f'pin one with "id:" in {job.display}',
                ids,
            )

    for remote in sorted(live, key=lambda j: (live_label(j), live_id(j))):
        ident, label = live_id(remote), live_label(remote)
        if ident in bound:
            continue
        integration = remote.get("integration_name")
        in_scope = prune_scope.contains(label, None if integration is None else str(integration))
        if label in file_labels:
            message = (
                f'live job "{label}" (id {ident}) carries the label of a job file but is not '
                "bound to it; it is never pruned"
            )
        elif in_scope and options.prune:
            result.deletes.append(remote)
            continue
        elif in_scope:
            message = (
                f'live job "{label}" (id {ident}) is not managed by any file; '
                "it is in the prune scope: --prune would delete it"
            )
        else:
            message = f'live job "{label}" (id {ident}) is not managed by any file'
        result.unmanaged.append(
            Notice(kind=NoticeKind.UNMANAGED, message=message, label=label, job_ids=[ident])
        )

    _leave_unsafe_alone(result, conflicted, unsafe)
    return _select(result, conflicted, options, ownership, selection)


def _leave_unsafe_alone(
    result: Match, conflicted: list[tuple[LocalJob, Notice]], unsafe: Sequence[LiveJob]
) -> None:
    """Report live jobs with unusable ids, never touch them, and never create their label again."""
    for remote in unsafe:
        label = live_label(remote)
        problem = path_id_problem(remote.get("id"))
        message = (
            f'live job "{label}": its id {problem}; syncspec cannot address it in a request '
            "URL, so it is left alone"
        )
        claimed = [f for f in result.creates if f.label == label]
        for job in claimed:
            result.creates.remove(job)
            notice = Notice(
                kind=NoticeKind.CONFLICT,
                message=f"{message}; not creating a second job with its label (fix the job in "
                "Truto, or give this file another label)",
                label=label,
                job_ids=[],
                file=job.display,
                line=job.line,
            )
            conflicted.append((job, notice))
        if not claimed:
            result.unmanaged.append(
                Notice(kind=NoticeKind.UNMANAGED, message=message, label=label, job_ids=[])
            )


def _select(
    result: Match,
    conflicted: list[tuple[LocalJob, Notice]],
    options: PlanOptions,
    ownership: Ownership,
    selection: LabelSelection = EVERY_LABEL,
) -> Match:
    planned = ownership.planned_files

    def pick(label: str | None) -> bool:
        return is_selected(label or "", options) and selection.selects(label or "")

    def planned_file(job: LocalJob) -> bool:
        return planned is None or job.display in planned

    deletes = [j for j in result.deletes if pick(live_label(j))]
    notices: list[Notice] = []
    if deletes and (planned is not None or ownership.prune_blocked):
        # Narrowing by PATHS plans files, and a delete belongs to no file; an incomplete view
        # of the job files might miss the one that claims the job. Either way: delete nothing.
        why = (
            "; ".join(ownership.prune_blocked)
            if ownership.prune_blocked
            else "PATHS narrow the plan to some job files; plan without PATHS to prune"
        )
        notices.append(
            Notice(
                kind=NoticeKind.WARNING,
                message=f"--prune deletes nothing in this plan ({len(deletes)} unmanaged "
                f"job(s) in the prune scope kept): {why}",
                job_ids=sorted(live_id(j) for j in deletes),
            )
        )
        for remote in deletes:
            notices.append(
                Notice(
                    kind=NoticeKind.UNMANAGED,
                    message=f'live job "{live_label(remote)}" (id {live_id(remote)}) is not '
                    "managed by any file; it is in the prune scope but not pruned by this plan",
                    label=live_label(remote),
                    job_ids=[live_id(remote)],
                )
            )
        deletes = []
    return Match(
        pairs=[
            (f, j)
            for f, j in result.pairs
            if planned_file(f) and (pick(f.label) or pick(live_label(j)))
        ],
        creates=[f for f in result.creates if planned_file(f) and pick(f.label)],
        deletes=deletes,
        unmanaged=[n for n in result.unmanaged if pick(n.label)] + notices,
        conflicts=[n for f, n in conflicted if planned_file(f) and pick(f.label)],
    )
