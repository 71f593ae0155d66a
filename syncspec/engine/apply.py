"""Execute a ``Plan``: deletes, then updates, then creates, with bounded parallelism.

Safety rails, in the order they run (all before the first write):

1. ``check_delete_budget``: more deletes than ``--max-deletes`` allows stops the apply.
2. ``check_fresh`` (saved plans): one list of the live jobs; if a touched job's fingerprint moved,
   a job to update/delete is gone, or a label to create now exists, nothing is changed.

Then ``execute_plan`` runs the actions and reports every one of them (done / failed / skipped),
so a failed apply says exactly what was and was not changed. ``verify_applied`` re-reads what was
written and reports fields whose canonical form still differs from what the plan sent: that is a
normalization bug (the server stores something that compares differently), never silently ignored.

The client is shared between worker threads: its token bucket bounds the request rate, the
executor bounds concurrency. A create whose POST may have reached the server without an answer
(``ApiError.maybe_applied``) is never blindly repeated: the live jobs are re-listed and a job
with the label is adopted before another POST is tried.
"""

from __future__ import annotations

import contextlib
import enum
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from syncspec.engine.model import (
    Action,
    ActionKind,
    ActionResult,
    ApplyResult,
    FieldChange,
    Outcome,
    Plan,
)
from syncspec.errors import ApiError, ExitCode, NotFoundError, StalePlanError, SyncspecError

# Order of the phases: a label freed by a delete can be reused by a create.
PHASES: tuple[ActionKind, ...] = (ActionKind.DELETE, ActionKind.UPDATE, ActionKind.CREATE)

# A create that may have reached the server is looked for, then re-tried, at most this often.
CREATE_ATTEMPTS = 5


class SyncJobApi(Protocol):
    """What apply needs from ``syncspec.api.client.TrutoClient`` (thread-safe)."""

    def list_sync_jobs(self) -> list[dict[str, Any]]: ...

    def get_sync_job(self, job_id: str) -> dict[str, Any]: ...

    def create_sync_job(self, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def update_sync_job(self, job_id: str, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def delete_sync_job(self, job_id: str) -> Any: ...


class OnError(enum.StrEnum):
    STOP = "stop"  # no new action starts after a failure; in-flight ones finish
    CONTINUE = "continue"


@dataclass(frozen=True)
class ApplyOptions:
    parallelism: int = 4
    on_error: OnError = OnError.STOP
    max_deletes: int | None = None  # None: unlimited


class DeleteBudgetExceeded(SyncspecError):
    """More deletes than ``--max-deletes`` allows; raised before any write (exit 1)."""


def changing_actions(plan: Plan) -> list[Action]:
    """The plan's writes in execution order: deletes, updates, creates (plan order within)."""
    return [a for kind in PHASES for a in plan.actions if a.kind == kind]


def check_delete_budget(plan: Plan, max_deletes: int | None) -> None:
    deletes = plan.count(ActionKind.DELETE)
    if max_deletes is None or deletes <= max_deletes:
        return
    labels = ", ".join(a.label for a in plan.actions if a.kind == ActionKind.DELETE)
    raise DeleteBudgetExceeded(
        f"the plan deletes {deletes} job(s) ({labels}) but --max-deletes allows {max_deletes}; "
        f"nothing was changed. Re-run with --max-deletes {deletes} if these deletes are intended"
    )


def check_fresh(plan: Plan, live_jobs: Sequence[Mapping[str, Any]]) -> None:
    """Raise ``StalePlanError`` unless every job the plan touches is as it was planned."""
    from syncspec.engine.normalize import fingerprint

    by_id = {str(j.get("id")): j for j in live_jobs}
    labels = {str(j.get("label", "")) for j in live_jobs}
    reasons: list[str] = []
    for action in changing_actions(plan):
        if action.kind == ActionKind.CREATE:
            if action.label in labels:
                reasons.append(f"{action.label}: a job with this label now exists")
            continue
        live = by_id.get(str(action.job_id))
        if live is None:
            reasons.append(f"{action.label} ({action.job_id}): the job no longer exists")
        elif fingerprint(live) != action.fingerprint:
            reasons.append(f"{action.label} ({action.job_id}): changed since the plan was made")
    if reasons:
        shown = "; ".join(reasons[:10])
        more = f"; and {len(reasons) - 10} more" if len(reasons) > 10 else ""
        raise StalePlanError(
            f"stale plan; re-run plan. Nothing was changed. {shown}{more}",
        )


ResultCallback = Callable[[ActionResult], None]


def execute_plan(
    plan: Plan,
    client: SyncJobApi,
    options: ApplyOptions,
    *,
    on_result: ResultCallback | None = None,
) -> ApplyResult:
    """Run the plan's writes; every changing action gets exactly one result, in plan order.

    ``on_result`` is called (from worker threads, one call at a time) as each action finishes
    or is skipped: the CLI drives its progress bar with it. On Ctrl-C, actions not yet started
    are skipped, in-flight ones finish, and ``ApplyInterrupted`` carries the partial result.
    """
    actions = changing_actions(plan)
    results: dict[int, ActionResult] = {}
    stop = threading.Event()
    stop_reason = ["not attempted: an earlier action failed (--on-error stop)"]
    lock = threading.Lock()

    def record(index: int, result: ActionResult) -> None:
        with lock:
            results[index] = result
            if result.outcome == Outcome.FAILED and options.on_error == OnError.STOP:
                stop.set()
            if on_result is not None:
                on_result(result)

    def run(index: int, action: Action) -> None:
        if stop.is_set():
            record(index, _skipped(action, stop_reason[0]))
            return
        record(index, _run_action(action, client))

    indexed = list(enumerate(actions))
    workers = max(1, options.parallelism)
    interrupted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="syncspec-apply") as pool:
        try:
            for kind in PHASES:
                phase = [(i, a) for i, a in indexed if a.kind == kind]
                # A phase starts only when the previous one is finished (deletes free labels).
                for future in [pool.submit(run, i, a) for i, a in phase]:
                    future.result()
        except KeyboardInterrupt:
            # Queued actions skip at once; in-flight ones finish before the pool closes.
            stop_reason[0] = "not attempted: interrupted"
            stop.set()
            interrupted = True
    for i, action in indexed:
        if i not in results:
            results[i] = _skipped(action, "not attempted: interrupted")
    result = ApplyResult(results=[results[i] for i in range(len(actions))])
    if interrupted:
        raise ApplyInterrupted(result)
    return result


class ApplyInterrupted(SyncspecError):
    """Ctrl-C during an apply; ``result`` says what was and was not done."""

    exit_code = ExitCode.INTERRUPTED

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("interrupted: actions not yet started were not attempted")
        self.result = result


def _skipped(action: Action, reason: str) -> ActionResult:
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=action.job_id,
        outcome=Outcome.SKIPPED,
        error=reason,
    )


def _run_action(action: Action, client: SyncJobApi) -> ActionResult:
    attempts = [0]
    job_id = action.job_id
    try:
        if action.kind == ActionKind.DELETE:
            attempts[0] = 1
            # NotFound: already gone (e.g. a retried DELETE whose first answer was lost).
            with contextlib.suppress(NotFoundError):
                client.delete_sync_job(_require_id(action))
        elif action.kind == ActionKind.UPDATE:
            attempts[0] = 1
            client.update_sync_job(_require_id(action), action.body or {})
        elif action.kind == ActionKind.CREATE:
            job_id = _create(action, client, attempts)
        else:  # pragma: no cover - changing_actions never yields noops
            raise ValueError(f"not a changing action: {action.kind}")
    except SyncspecError as exc:  # ApiError, or a plan without the id it needs
        return ActionResult(
            kind=action.kind,
            label=action.label,
            job_id=job_id,
            outcome=Outcome.FAILED,
            error=str(exc),
            attempts=attempts[0],
        )
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=job_id,
        outcome=Outcome.DONE,
        attempts=attempts[0],
    )


def _require_id(action: Action) -> str:
    if not action.job_id:
        raise SyncspecError(f"{action.kind} {action.label}: the plan has no job id for it")
    return action.job_id


def _create(action: Action, client: SyncJobApi, attempts: list[int]) -> str:
    """POST the job; after an answer-less POST, adopt a job with the label before re-trying."""
    from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

    body = dict(action.body or {})
    retrying = Retrying(
        stop=stop_after_attempt(CREATE_ATTEMPTS),
        retry=retry_if_exception(lambda e: isinstance(e, ApiError) and e.maybe_applied),
        wait=wait_exponential(multiplier=0.2, max=5),
        reraise=True,
    )
    for attempt in retrying:
        with attempt:
            attempts[0] = attempt.retry_state.attempt_number
            if attempts[0] > 1:
                found = _find_by_label(client.list_sync_jobs(), action.label)
                if found is not None:
                    return found
            created = client.create_sync_job(body)
            return str(created.get("id"))
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


def _find_by_label(live_jobs: Iterable[Mapping[str, Any]], label: str) -> str | None:
    # The plan (fresh, or checked by check_fresh) said no job had this label: one that has it now
    # is the one our lost POST created.
    for job in live_jobs:
        if job.get("label") == label:
            return str(job.get("id"))
    return None


def verify_applied(
    plan: Plan, result: ApplyResult, live_jobs: Sequence[Mapping[str, Any]]
) -> list[Action]:
    """Differences between what the plan sent and what the server now holds (should be none).

    Only actions that are done are checked: an update's changed fields and a create's whole body
    must compare equal (canonically) to the live job; a deleted job must be gone.
    """
    from syncspec.engine.normalize import canonical_job

    by_id = {str(j.get("id")): j for j in live_jobs}
    residual: list[Action] = []
    for action, outcome in zip(changing_actions(plan), result.results, strict=True):
        if outcome.outcome != Outcome.DONE:
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
