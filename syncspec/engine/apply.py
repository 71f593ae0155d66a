"""Execute a ``Plan``: deletes, then updates, then creates, with bounded parallelism.

Safety rails (issue 10; DESIGN.md "Apply"):

1. ``check_delete_budget``: more deletes than ``--max-deletes`` allows stops the apply.
2. Saved plans are approvals (``engine.approval``): recomputed and compared before any write.
3. Per-write freshness: right before each PATCH or DELETE the job is re-read
   (``GET /sync-job/{id}``) and its fingerprint compared with the plan's; a job that moved is
   not written ("changed since plan", exit 4). The API has no ETag, so a write landing between
   that GET and the PATCH is still possible: the window is one round trip, not the whole apply.
4. Racing creates converge: after the writes the live jobs are re-listed once; where a label
   this apply created is held by several jobs, every racer keeps the same one (earliest
   ``created_at``, then smallest id) and deletes only the duplicates it created itself.
5. ``verify_applied`` compares what was written with what the server holds (normalization bugs).

Every changing action gets exactly one ``ActionResult`` (done / failed / not attempted /
unknown), whatever ends the run: a failure, a failed re-list, Ctrl-C (once: in-flight actions
finish; twice: they are reported as unknown and the run ends at once) or SIGTERM.

Workers are daemon threads (not a ``ThreadPoolExecutor``, whose threads the interpreter joins
at exit): after a second Ctrl-C the process can exit while a request is still in flight.
A create whose POST may have reached the server without an answer (``ApiError.maybe_applied``)
is never blindly repeated: the live jobs are re-listed and a job with the label is adopted.
"""

from __future__ import annotations

import contextlib
import enum
import queue
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
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
from syncspec.errors import ApiError, ExitCode, NotFoundError, SyncspecError, TransportError

# Order of the phases: a label freed by a delete can be reused by a create.
PHASES: tuple[ActionKind, ...] = (ActionKind.DELETE, ActionKind.UPDATE, ActionKind.CREATE)

# A create that may have reached the server is looked for, then re-tried, at most this often.
CREATE_ATTEMPTS = 5

INTERRUPTED = "not attempted: interrupted"
IN_FLIGHT_UNKNOWN = (
    "interrupted while in flight: the request was sent but no answer was awaited, so it may "
    "or may not have been applied; re-run plan to see"
)


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


class Terminated(KeyboardInterrupt):
    """Raised in the main thread by the CLI's SIGTERM handler; handled like Ctrl-C."""

    signal_name = "SIGTERM"


class ApplyInterrupted(SyncspecError):
    """A signal ended the apply; ``result`` says what was and was not done."""

    exit_code: int = ExitCode.INTERRUPTED

    def __init__(self, result: ApplyResult) -> None:
        super().__init__("")  # the result is the message (printed by the CLI)
        self.result = result
        self.exit_code = result.exit_code


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


ResultCallback = Callable[[ActionResult], None]
InterruptCallback = Callable[[int], None]


def apply_plan(
    plan: Plan,
    client: SyncJobApi,
    options: ApplyOptions,
    *,
    on_result: ResultCallback | None = None,
    on_interrupt: InterruptCallback | None = None,
) -> ApplyResult:
    """Run the plan's writes, converge racing creates and verify; always returns the account.

    Raises ``ApplyInterrupted`` (carrying the full account) when a signal ended the run.
    ``on_interrupt(in_flight)`` is called after the first Ctrl-C/SIGTERM, while in-flight
    actions are awaited.
    """
    run = _Run(plan, client, options, on_result, on_interrupt)
    try:
        run.execute()
        run.converge_and_verify()
    except KeyboardInterrupt as exc:
        run.interrupted(exc)
    result = run.result()
    if result.interrupted is not None:
        raise ApplyInterrupted(result)
    return result


def execute_plan(
    plan: Plan,
    client: SyncJobApi,
    options: ApplyOptions,
    *,
    on_result: ResultCallback | None = None,
) -> ApplyResult:
    """Only the writes (no re-list): every changing action gets exactly one result."""
    run = _Run(plan, client, options, on_result, None)
    try:
        run.execute()
    except KeyboardInterrupt as exc:
        run.interrupted(exc)
    result = run.result()
    if result.interrupted is not None:
        raise ApplyInterrupted(result)
    return result


class _Run:
    def __init__(
        self,
        plan: Plan,
        client: SyncJobApi,
        options: ApplyOptions,
        on_result: ResultCallback | None,
        on_interrupt: InterruptCallback | None,
    ) -> None:
        self.plan, self.client, self.options = plan, client, options
        self.on_result, self.on_interrupt = on_result, on_interrupt
        self.actions = changing_actions(plan)
        self.results: dict[int, ActionResult] = {}
        self.in_flight: set[int] = set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.stop_reason = "not attempted: an earlier action failed (--on-error stop)"
        self.closed = False  # after a second interrupt: late results are ignored
        self.signal: str | None = None
        self.worker_error: BaseException | None = None
        self.residual: list[Action] = []
        self.verification_error: str | None = None

    # -- the writes ----------------------------------------------------------------------

    def execute(self) -> None:
        indexed = list(enumerate(self.actions))
        for kind in PHASES:
            phase = [(i, a) for i, a in indexed if a.kind == kind]
            if phase:
                self._run_phase(phase)  # a phase starts when the previous one is finished

    def _run_phase(self, phase: list[tuple[int, Action]]) -> None:
        work: queue.SimpleQueue[tuple[int, Action]] = queue.SimpleQueue()
        for item in phase:
            work.put(item)
        finished = threading.Event()
        remaining = [len(phase)]

        def worker() -> None:
            try:
                while not self.closed:
                    try:
                        index, action = work.get_nowait()
                    except queue.Empty:
                        return
                    if self.stop.is_set():
                        result = _not_attempted(action, self.stop_reason)
                    else:
                        with self.lock:
                            self.in_flight.add(index)
                        result = _run_action(action, self.client)
                    self._record(index, result)
                    with self.lock:
                        remaining[0] -= 1
                        if remaining[0] == 0:
                            finished.set()
            except BaseException as exc:  # a bug, or a callback raising: re-raised by the waiter
                with self.lock:
                    self.worker_error = self.worker_error or exc
                self.stop.set()
                finished.set()

        for n in range(min(max(1, self.options.parallelism), len(phase))):
            threading.Thread(target=worker, name=f"syncspec-apply-{n}", daemon=True).start()
        try:
            finished.wait()
            self._raise_worker_error()
        except KeyboardInterrupt as exc:
            self._first_interrupt(exc)
            # Ctrl-C again (or SIGTERM after Ctrl-C) stops waiting: propagates to apply_plan.
            finished.wait()  # queued actions drain at once (not attempted); in-flight ones end
            raise exc from None

    def _raise_worker_error(self) -> None:
        with self.lock:
            error, self.worker_error = self.worker_error, None
        if error is not None:
            raise error

    def _record(self, index: int, result: ActionResult) -> None:
        with self.lock:
            if self.closed:
                return
            self.in_flight.discard(index)
            self.results[index] = result
            failed = result.outcome in (Outcome.FAILED, Outcome.UNKNOWN)
            if failed and self.options.on_error == OnError.STOP:
                self.stop.set()
            callback = self.on_result
        if callback is not None:
            callback(result)

    def _first_interrupt(self, exc: KeyboardInterrupt) -> None:
        self.signal = getattr(exc, "signal_name", "SIGINT")
        with self.lock:
            self.stop_reason = INTERRUPTED
            self.stop.set()
            waiting = len(self.in_flight)
        if self.on_interrupt is not None:
            self.on_interrupt(waiting)

    def interrupted(self, exc: KeyboardInterrupt) -> None:
        """The run ends now: in-flight actions are unknown, the rest not attempted."""
        if self.signal is None:
            self.signal = getattr(exc, "signal_name", "SIGINT")
        with self.lock:
            self.closed = True
            for index in self.in_flight:
                action = self.actions[index]
                self.results.setdefault(
                    index,
                    ActionResult(
                        kind=action.kind,
                        label=action.label,
                        job_id=action.job_id,
                        outcome=Outcome.UNKNOWN,
                        error=IN_FLIGHT_UNKNOWN,
                        attempts=1,
                    ),
                )
            self.in_flight.clear()

    def result(self) -> ApplyResult:
        with self.lock:
            self.closed = True
            results = [
                self.results.get(i) or _not_attempted(a, INTERRUPTED if self.signal else "")
                for i, a in enumerate(self.actions)
            ]
        return ApplyResult(
            results=results,
            residual=self.residual,
            verification_error=self.verification_error,
            interrupted=self.signal,
        )

    # -- after the writes ----------------------------------------------------------------

    def converge_and_verify(self) -> None:
        with self.lock:
            done = [(i, r) for i, r in self.results.items() if r.outcome == Outcome.DONE]
        if not done:
            return
        try:
            live = self.client.list_sync_jobs()
        except SyncspecError as exc:
            self.verification_error = (
                f"the live jobs could not be re-read after the writes ({exc}), so nothing was "
                "verified and concurrent creates were not checked for; re-run plan"
            )
            return
        live = self._converge(live)
        result = self.result_so_far()
        self.residual = verify_applied(self.plan, result, live)

    def result_so_far(self) -> ApplyResult:
        with self.lock:
            results = [
                self.results.get(i) or _not_attempted(a, "") for i, a in enumerate(self.actions)
            ]
        return ApplyResult(results=results)

    def _converge(self, live: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Where a label this apply created is held by several live jobs, keep the earliest and
        delete our own duplicate; returns the live jobs as they now are."""
        from syncspec.engine.normalize import canonical_job

        with self.lock:
            created = [
                (i, r)
                for i, r in self.results.items()
                if r.kind == ActionKind.CREATE and r.outcome == Outcome.DONE and r.job_id
            ]
        removed: set[str] = set()
        for index, ours in sorted(created, key=lambda item: item[0]):
            holders = [j for j in live if j.get("label") == ours.label]
            if len(holders) < 2 or ours.job_id not in {str(j.get("id")) for j in holders}:
                continue
            keep = min(holders, key=_creation_order)
            keep_id = str(keep.get("id"))
            others = len(holders) - 1
            if keep_id == ours.job_id:
                note = (
                    f"{others} other live job(s) with this label appeared meanwhile (another "
                    "apply at the same time?); this apply's job is the earliest and was kept"
                )
                self.results[index] = ours.model_copy(update={"note": note})
                continue
            assert ours.job_id is not None
            try:
                with contextlib.suppress(NotFoundError):
                    self.client.delete_sync_job(ours.job_id)
            except SyncspecError as exc:
                self.results[index] = ours.model_copy(
                    update={
                        "outcome": Outcome.FAILED,
                        "error": f"another job ({keep_id}) holds this label too, created "
                        f"earlier; deleting this apply's duplicate {ours.job_id} failed: {exc}",
                    }
                )
                continue
            removed.add(ours.job_id)
            wanted = canonical_job(self.actions[index].body or {})
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
            self.results[index] = ours.model_copy(update=update)
        return [j for j in live if str(j.get("id")) not in removed]


def _creation_order(job: Mapping[str, Any]) -> tuple[int, str, str, str]:
    """The order every racer agrees on: earliest ``created_at``, then smallest id."""
    raw = job.get("created_at")
    text = "" if raw is None else str(raw)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        key = moment.isoformat() if moment.tzinfo is not None else moment.isoformat() + "+00:00"
        return (0, key, text, str(job.get("id")))
    except ValueError:
        return (1, text, text, str(job.get("id")))


def _not_attempted(action: Action, reason: str) -> ActionResult:
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=action.job_id,
        outcome=Outcome.NOT_ATTEMPTED,
        error=reason or "not attempted",
    )


def _unknown_outcome(exc: SyncspecError) -> bool:
    """A write error after which the write may have been applied (sent, no answer)."""
    if isinstance(exc, ApiError) and exc.maybe_applied:
        return True
    return isinstance(exc, TransportError) and "cannot connect" not in str(exc)


def _run_action(action: Action, client: SyncJobApi) -> ActionResult:
    attempts = [0]
    job_id = action.job_id
    try:
        if action.kind in (ActionKind.DELETE, ActionKind.UPDATE):
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
        elif action.kind == ActionKind.UPDATE:
            attempts[0] = 1
            client.update_sync_job(_require_id(action), action.body or {})
        elif action.kind == ActionKind.CREATE:
            job_id = _create(action, client, attempts)
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
    return _done(action, job_id, attempts[0])


def _moved_since_plan(action: Action, client: SyncJobApi) -> str | None:
    """None when the live job is as planned; "gone", or why it moved, otherwise."""
    from syncspec.engine.normalize import fingerprint

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
    # The plan said no job had this label: one that has it now is the one our lost POST
    # created (or a concurrent apply's, which the re-list after the writes sorts out).
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
        if outcome.outcome != Outcome.DONE or outcome.duplicate_deleted:
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
