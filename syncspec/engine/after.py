"""After the writes: converge racing creates, then verify what the server holds.

Both work on one re-list of the live jobs that ``engine.apply`` makes after its writes.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from syncspec.engine.match import creation_order
from syncspec.engine.model import (
    Action,
    ActionKind,
    ActionResult,
    ApplyResult,
    FieldChange,
    Outcome,
    Plan,
)
from syncspec.engine.normalize import canonical_job
from syncspec.errors import NotFoundError, SyncspecError

# as engine.apply.PHASES
_PHASES = (ActionKind.DELETE, ActionKind.RENAME, ActionKind.UPDATE, ActionKind.CREATE)


class _DeleteApi(Protocol):
    def delete_sync_job(self, job_id: str) -> Any: ...


def converge_creates(
    actions: Sequence[Action],
    results: dict[int, ActionResult],
    client: _DeleteApi,
    live: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    """Where a label this apply created is held by several live jobs, keep the one every racer
    keeps (earliest ``created_at``, then smallest id) and delete this apply's own duplicate;
    ``results`` (by action index) are updated in place. Returns the live jobs as they now are.
    """

    created = [
        (i, r)
        for i, r in results.items()
        if r.kind == ActionKind.CREATE and r.outcome == Outcome.DONE and r.job_id
    ]
    removed: set[str] = set()
    for index, ours in sorted(created, key=lambda item: item[0]):
        holders = [j for j in live if j.get("label") == ours.label]
        if holders and ours.job_id not in {str(j.get("id")) for j in live}:
            # gone, and another job holds the label: another apply kept the earliest and
            # deleted ours as a duplicate (it heals copies with no runs and no triggers)
            keep_id = str(min(holders, key=creation_order).get("id"))
            results[index] = ours.model_copy(
                update={
                    "job_id": keep_id,
                    "note": f"another apply kept the earliest job {keep_id} with this label and "
                    f"deleted the one this apply created ({ours.job_id}) as its duplicate",
                    "duplicate_deleted": ours.job_id,
                }
            )
            continue
        if len(holders) < 2 or ours.job_id not in {str(j.get("id")) for j in holders}:
            continue
        keep = min(holders, key=creation_order)
        keep_id = str(keep.get("id"))
        others = len(holders) - 1
        if keep_id == ours.job_id:
            note = (
                f"{others} other live job(s) with this label appeared meanwhile (another "
                "apply at the same time?); this apply's job is the earliest and was kept"
            )
            results[index] = ours.model_copy(update={"note": note})
            continue
        assert ours.job_id is not None
        try:
            with contextlib.suppress(NotFoundError):
                client.delete_sync_job(ours.job_id)
        except SyncspecError as exc:
            results[index] = ours.model_copy(
                update={
                    "outcome": Outcome.FAILED,
                    "error": f"another job ({keep_id}) holds this label too, created "
                    f"earlier; deleting this apply's duplicate {ours.job_id} failed: {exc}",
                }
            )
            continue
        removed.add(ours.job_id)
        wanted = canonical_job(actions[index].body or {})
        same = {k: v for k, v in canonical_job(keep).items() if k in wanted} == wanted
        note = (
            f"another apply created this label at the same time; kept the earliest job "
            f"{keep_id} and deleted the duplicate this apply created ({ours.job_id})"
        )
        update: dict[str, Any] = {
            "job_id": keep_id,
            "note": note,
            "duplicate_deleted": ours.job_id,
        }
        if not same:
            update["outcome"] = Outcome.FAILED
            update["error"] = (
                f"the job kept ({keep_id}) was created by another apply with a different "
                "body; re-run plan"
            )
        results[index] = ours.model_copy(update=update)
    return [j for j in live if str(j.get("id")) not in removed]


def overwritten_since(
    actions: Sequence[Action],
    results: dict[int, ActionResult],
    live: Sequence[Mapping[str, Any]],
) -> None:
    """Mark done writes whose job someone else wrote again after this apply, with other content
    (its ``updated_at`` moved past the one our write got back, and the fields we sent differ
    now): they are not verified (that is not a normalization bug) and the run exits 4 naming
    them. Another write of the same content (a racing apply of the same files) is no loss.
    Updates ``results`` in place."""

    by_id = {str(j.get("id")): j for j in live}
    for index, r in list(results.items()):
        if r.outcome != Outcome.DONE or r.kind == ActionKind.DELETE or r.duplicate_deleted:
            continue
        job = by_id.get(str(r.job_id))
        written = r._written_at
        if job is None or written is None or str(job.get("updated_at")) == written:
            continue
        wanted = canonical_job(actions[index].body or {})
        have = canonical_job(job)
        if all(have.get(name) == value for name, value in wanted.items()):
            continue
        results[index] = r.model_copy(
            update={
                "stale": True,
                "note": "written again by someone else after this apply wrote it (a concurrent "
                "apply or a dashboard edit): not verified; re-run plan",
            }
        )


def verify_applied(
    plan: Plan, result: ApplyResult, live_jobs: Sequence[Mapping[str, Any]]
) -> list[Action]:
    """Differences between what the plan sent and what the server now holds (should be none).

    Only actions that are done are checked: an update's changed fields and a create's whole body
    must compare equal (canonically) to the live job; a deleted job must be gone.
    """

    by_id = {str(j.get("id")): j for j in live_jobs}
    residual: list[Action] = []
    changing = [a for kind in _PHASES for a in plan.actions if a.kind == kind]
    for action, outcome in zip(changing, result.results, strict=True):
        if outcome.outcome != Outcome.DONE or outcome.duplicate_deleted or outcome.stale:
            continue
        live = by_id.get(str(outcome.job_id))
        if action.kind == ActionKind.DELETE:
            if live is not None:
                residual.append(
                    Action(
                        kind=ActionKind.DELETE,
                        label=action.label,
                        job_id=outcome.job_id,
                        file=action.file,
                        line=action.line,
                    )
                )
            continue
        body = action.body or {}
        wanted = canonical_job(body)
        have = canonical_job(live) if live is not None else {}
        changes = [
            FieldChange(
                pointer=f"/{name}",
                kind="changed" if name in have else "added",
                old=have.get(name),
                new=wanted.get(name),
            )
            for name in body
            if name in wanted and have.get(name) != wanted.get(name)
        ]
        if live is None or changes:
            residual.append(
                Action(
                    kind=ActionKind.CREATE if live is None else ActionKind.UPDATE,
                    label=action.label,
                    job_id=outcome.job_id,
                    file=action.file,
                    line=action.line,
                    changes=changes,
                    body={c.pointer[1:]: c.new for c in changes} or None,
                )
            )
    return residual
