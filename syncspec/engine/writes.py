"""One write of an apply, with its safety checks: the per-write freshness re-read before a
PATCH/DELETE, and the look-before-retry of a POST that may have reached the server."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from syncspec.engine.model import Action, ActionKind, ActionResult, Outcome
from syncspec.engine.normalize import fingerprint
from syncspec.errors import ApiError, NotFoundError, SyncspecError, TransportError

# A create that may have reached the server is looked for, then re-tried, at most this often.
CREATE_ATTEMPTS = 5


class SyncJobApi(Protocol):
    """What apply needs from ``syncspec.api.client.TrutoClient`` (thread-safe)."""

    def list_sync_jobs(self) -> list[dict[str, Any]]: ...

    def get_sync_job(self, job_id: str) -> dict[str, Any]: ...

    def create_sync_job(self, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def update_sync_job(self, job_id: str, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def delete_sync_job(self, job_id: str) -> Any: ...


def _unknown_outcome(exc: SyncspecError) -> bool:
    """A write error after which the write may have been applied (sent, no answer)."""
    if isinstance(exc, ApiError) and exc.maybe_applied:
        return True
    return isinstance(exc, TransportError) and "cannot connect" not in str(exc)


def run_action(action: Action, client: SyncJobApi) -> ActionResult:
    """Carry out one changing action; never raises for API errors (they become the result)."""
    attempts = [0]
    job_id = action.job_id
    written_at: str | None = None
    try:
        if action.kind in (ActionKind.DELETE, ActionKind.UPDATE, ActionKind.RENAME):
            moved = _moved_since_plan(action, client)
            if moved == "gone" and action.kind == ActionKind.DELETE:
                return _done(action, job_id, 0, note="already gone")
            if moved is not None:
                reason = "the job no longer exists" if moved == "gone" else moved
                return ActionResult(
                    kind=action.kind,
                    label=action.label,
                    job_id=job_id,
                    outcome=Outcome.NOT_ATTEMPTED,
                    error=f"changed since plan: {reason}; not overwritten. Re-run plan",
                    stale=True,
                )
    except SyncspecError as exc:
        return _failed(action, job_id, f"re-reading the job before writing failed: {exc}", 0)
    try:
        if action.kind == ActionKind.DELETE:
            attempts[0] = 1
            # NotFound: already gone (e.g. a retried DELETE whose first answer was lost).
            with contextlib.suppress(NotFoundError):
                client.delete_sync_job(_require_id(action))
        elif action.kind in (ActionKind.UPDATE, ActionKind.RENAME):
            attempts[0] = 1
            written = client.update_sync_job(_require_id(action), action.body or {})
            written_at = _updated_at(written)
        elif action.kind == ActionKind.CREATE:
            job_id, written_at, stored = _create(action, client, attempts)
            problem = _label_read_back(action, job_id, stored)
            if problem is not None:
                return _failed(action, job_id, problem, attempts[0])
        else:  # pragma: no cover - changing_actions never yields noops
            raise ValueError(f"not a changing action: {action.kind}")
    except SyncspecError as exc:  # ApiError, or a plan without the id it needs
        if _unknown_outcome(exc):
            return ActionResult(
                kind=action.kind,
                label=action.label,
                job_id=job_id,
                outcome=Outcome.UNKNOWN,
                error=str(exc),
                attempts=attempts[0],
            )
        return _failed(action, job_id, str(exc), attempts[0])
    done = _done(action, job_id, attempts[0])
    done._written_at = written_at
    return done


def _updated_at(job: Any) -> str | None:
    value = job.get("updated_at") if isinstance(job, Mapping) else None
    return None if value is None else str(value)


def _moved_since_plan(action: Action, client: SyncJobApi) -> str | None:
    """None when the live job is as planned; "gone", or why it moved, otherwise."""

    try:
        current = client.get_sync_job(_require_id(action))
    except NotFoundError:
        return "gone"
    if fingerprint(current) != action.fingerprint:
        when = current.get("updated_at")
        return f"the live job was modified (updated_at {when})" if when else "the job moved"
    return None


def _done(
    action: Action, job_id: str | None, attempts: int, note: str | None = None
) -> ActionResult:
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=job_id,
        outcome=Outcome.DONE,
        attempts=attempts,
        note=note,
    )


def _failed(action: Action, job_id: str | None, error: str, attempts: int) -> ActionResult:
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=job_id,
        outcome=Outcome.FAILED,
        error=error,
        attempts=attempts,
    )


def _require_id(action: Action) -> str:
    if not action.job_id:
        raise SyncspecError(f"{action.kind} {action.label}: the plan has no job id for it")
    return action.job_id


def _label_read_back(action: Action, job_id: str | None, stored: Any) -> str | None:
    """Why the created job's label is not the one sent (None when it is): the create is then
    reported as failed, and the next plan holds this file's create back (engine.identity), so
    no apply ever makes a second job because the server stored a label differently."""
    from syncspec.engine.identity import how_rewritten
    from syncspec.engine.normalize import nfc

    sent = action.label
    if isinstance(stored, str) and nfc(stored) == nfc(sent):
        return None
    shown = json.dumps(stored, ensure_ascii=False)
    how = how_rewritten(sent, stored) if isinstance(stored, str) else None
    where = action.file or "the job file"
    return (
        f"created job {job_id}, but the server stored its label as {shown}"
        f"{f' ({how})' if how else ''} instead of {json.dumps(sent, ensure_ascii=False)}. "
        f"syncspec will not create another job for {where}: set `label: {shown}` there (what "
        "the server keeps), or delete that job and choose a label the server stores as written"
    )


def _create(action: Action, client: SyncJobApi, attempts: list[int]) -> tuple[str, str | None, Any]:
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
                    return found, None, action.label
            created = client.create_sync_job(body)
            return str(created.get("id")), _updated_at(created), created.get("label")
    raise AssertionError("unreachable: tenacity re-raises the last error")  # pragma: no cover


def _find_by_label(live_jobs: Iterable[Mapping[str, Any]], label: str) -> str | None:
    # The plan said no job had this label: one that has it now is the one our lost POST
    # created (or a concurrent apply's, which the re-list after the writes sorts out).
    from syncspec.engine.normalize import nfc

    for job in live_jobs:
        if isinstance(job.get("label"), str) and nfc(job["label"]) == nfc(label):
            return str(job.get("id"))
    return None
