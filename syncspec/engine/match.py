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
from datetime import datetime
from typing import Any

from syncspec.config import EVERY_LABEL, LabelSelection, PruneScope
from syncspec.engine.model import ConflictCandidate, Notice, NoticeKind, PlanOptions
from syncspec.engine.normalize import canonical_job, comparable_live, nfc, stable_json
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
    # live id -> the old label, for pairs bound through the file's ``renamed_from``
    renamed: dict[str, str] = field(default_factory=dict)
    # (copy to delete, the live job kept): duplicates of a file's job that heal (issue 19)
    duplicates: list[tuple[LiveJob, LiveJob]] = field(default_factory=list)


@dataclass(frozen=True)
class Activity:
    """What points at a live job, read only for jobs whose label is held twice."""

    triggers: int
    runs: int


def renamed_from(job: LocalJob) -> list[str]:
    """The file's ``renamed_from`` labels (strings other than its own label), in file order."""
    value = job.data.get("renamed_from")
    if not isinstance(value, list):
        return []
    out: list[str] = []
    for item in value:
        if isinstance(item, str) and item and item != job.label and item not in out:
            out.append(item)
    return out


def creation_order(job: LiveJob) -> tuple[int, str, str, str]:
    """The order every racer agrees on: earliest ``created_at``, then smallest id."""
    raw = job.get("created_at")
    text = "" if raw is None else str(raw)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        key = moment.isoformat() if moment.tzinfo is not None else moment.isoformat() + "+00:00"
        return (0, key, text, live_id(job))
    except ValueError:
        return (1, text, text, live_id(job))


def is_copy(job: LocalJob, remote: LiveJob, *, ignore_label: bool = False) -> bool:
    """The live job is canonically the file's job (fields the file leaves unmanaged aside)."""
    desired = canonical_job(job.data)
    current = comparable_live(canonical_job(remote), desired)
    if ignore_label:
        desired = {**desired, "label": None}
        current = {**current, "label": None}
    return stable_json(current) == stable_json(desired)


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
    activity: Mapping[str, Activity] | None = None,
    profile: str = "",
    selection: LabelSelection = EVERY_LABEL,
) -> Match:
    """Bind files to live jobs; see the module docstring for the rules. ``selection``: the
    labels the active profile manages; jobs outside it (files and live) are left out, like
    ``--exclude`` leaves them out.

    ``activity`` (triggers and runs per live id) is read only for labels held by several live
    jobs: where the extra ones are copies of the file's job with neither, they are deleted
    (the racing applies' survivor kept); without it, such a label stays a conflict.
    """
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
        by_label.setdefault(nfc(live_label(remote)), []).append(remote)

    result = Match()
    pin_table = "<profile>" if profile in ("env", "") else profile
    bound: set[str] = set(ownership.ids)  # live ids bound to a file, or named by a conflict
    file_labels = {nfc(label) for label in ({f.label for f in local} | ownership.labels)}
    own_labels = set(file_labels)
    # an old label is claimed too: the live job holding it is renamed, never pruned
    file_labels |= {nfc(old) for f in local for old in renamed_from(f)}
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
            ids = _ids(by_label.get(nfc(job.label), []))
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
        candidates = [j for j in by_label.get(nfc(job.label), []) if live_id(j) not in bound]
        # live jobs under an old label (one no file claims as its own): renamed, not created
        olds = [
            j
            for old in renamed_from(job)
            if nfc(old) not in own_labels
            for j in by_label.get(nfc(old), [])
            if live_id(j) not in bound
        ]
        if candidates and olds:
            ids = _ids([*candidates, *olds])
            old_names = ", ".join(f'"{live_label(j)}" (id {live_id(j)})' for j in olds)
            conflict(
                job,
                f'"{job.label}" is live (id {_quoted_ids(_ids(candidates))}) and so is its old '
                f"label {old_names}: renaming would make two jobs with one label. Delete the "
                "job you do not want (or drop its label from renamed_from)",
                ids,
            )
        elif olds:
            if len(olds) == 1:
                result.pairs.append((job, olds[0]))
                result.renamed[live_id(olds[0])] = live_label(olds[0])
                bound.add(live_id(olds[0]))
            else:
                ids = _ids(olds)
                conflict(
                    job,
                    f"{len(ids)} live jobs hold the old labels of {job.display} "
                    f"(ids {_quoted_ids(ids)}); renaming more than one job to "
                    f'"{job.label}" would make two jobs with one label. Delete the one you '
                    "do not want, or pin one",
                    ids,
                )
        elif not candidates:
            result.creates.append(job)
        elif len(candidates) == 1:
            result.pairs.append((job, candidates[0]))
            bound.add(live_id(candidates[0]))
        else:
            ordered = sorted(candidates, key=creation_order)
            keep, extras = ordered[0], ordered[1:]
            if activity is not None and all(
                activity.get(live_id(j)) == Activity(0, 0) and is_copy(job, j) for j in extras
            ):
                result.pairs.append((job, keep))
                result.duplicates.extend((j, keep) for j in extras)
                bound.update(live_id(j) for j in ordered)
                continue
            ids = _ids(candidates)
            conflict(
                job,
                f'{len(ids)} live jobs are labelled "{job.label}" (ids {_quoted_ids(ids)}); '
                "keep one: pin it for this environment in syncspec.toml "
                f'([profiles.{pin_table}.pins] "{job.label}" = "<id>"; each environment pins '
                "its own, the job file stays as it is), or delete the others",
                ids,
            )
            conflicted[-1][1].candidates = _candidates(job, ordered, activity)

    for remote in sorted(live, key=lambda j: (live_label(j), live_id(j))):
        ident, label = live_id(remote), live_label(remote)
        if ident in bound:
            continue
        integration = remote.get("integration_name")
        in_scope = prune_scope.contains(label, None if integration is None else str(integration))
        if nfc(label) in file_labels:
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


def _candidates(
    job: LocalJob, ordered: Sequence[LiveJob], activity: Mapping[str, Activity] | None
) -> list[ConflictCandidate]:
    out = []
    for remote in ordered:
        seen = (activity or {}).get(live_id(remote))
        out.append(
            ConflictCandidate(
                id=live_id(remote),
                created_at=_text(remote.get("created_at")),
                updated_at=_text(remote.get("updated_at")),
                matches_file=is_copy(job, remote),
                triggers=None if seen is None else seen.triggers,
                runs=None if seen is None else seen.runs,
            )
        )
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


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
    pairs = [
        (f, j)
        for f, j in result.pairs
        if planned_file(f) and (pick(f.label) or pick(live_label(j)))
    ]
    kept = {live_id(j) for _, j in pairs}
    return Match(
        pairs=pairs,
        renamed={i: old for i, old in result.renamed.items() if i in kept},
        duplicates=[(j, keep) for j, keep in result.duplicates if live_id(keep) in kept],
        creates=[f for f in result.creates if planned_file(f) and pick(f.label)],
        deletes=deletes,
        unmanaged=[n for n in result.unmanaged if pick(n.label)] + notices,
        conflicts=[n for f, n in conflicted if planned_file(f) and pick(f.label)],
    )
