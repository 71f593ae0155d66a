"""Execute a ``Plan``: deletes, then updates, then creates, with bounded parallelism.

Safety rails (issue 10; DESIGN.md "Apply"):

1. ``check_delete_budget``: more deletes than ``--max-deletes`` allows stops the apply.
2. Saved plans are approvals (``engine.approval``): recomputed and compared before any write.
3. Per-write freshness: right before each PATCH or DELETE the job is re-read
   (``GET /sync-job/{id}``) and its fingerprint compared with the plan's; a job that moved is
   not written ("changed since plan", exit 4). The API has no ETag, so a write landing between
   that GET and the PATCH is still possible: the window is one round trip, not the whole apply
   (the rate-limit tokens of both are taken before the GET, so the PATCH never queues after it:
   ``engine.writes``), and a change the PATCH's answer reveals is reported (exit 4).
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

import enum
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from syncspec.engine.after import converge_creates, overwritten_since, verify_applied
from syncspec.engine.model import (
    Action,
    ActionKind,
    ActionResult,
    ApplyResult,
    Outcome,
    Plan,
)
from syncspec.engine.schedules_apply import TriggerRun, verify_triggers
from syncspec.engine.writes import SyncJobApi, run_action
from syncspec.errors import ExitCode, SyncspecError

# Order of the phases: a label freed by a delete can be reused by a create.
# A rename frees its old label too, and is a PATCH like an update.
PHASES: tuple[ActionKind, ...] = (
    ActionKind.DELETE,
    ActionKind.RENAME,
    ActionKind.UPDATE,
    ActionKind.CREATE,
)

INTERRUPTED = "not attempted: interrupted"
IN_FLIGHT_UNKNOWN = (
    "interrupted while in flight: the request was sent but no answer was awaited, so it may "
    "or may not have been applied; re-run plan to see"
)


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


def default_max_deletes(environ: Mapping[str, str]) -> int | None:
    """DESIGN.md: deletes are allowed without a budget interactively, but default to 0 in CI."""
    ci = environ.get("CI", "").strip().lower()
    return 0 if ci not in ("", "0", "false", "no") else None


def _budgeted_job_deletes(plan: Plan) -> list[Action]:
    # Copies of a job that heal (``duplicate_of``: no runs, no triggers, the job is kept) are
    # not deletes of a job: they do not count.
    return [a for a in plan.actions if a.kind == ActionKind.DELETE and not a.duplicate_of]


def delete_count(plan: Plan) -> int:
    """What counts against ``--max-deletes``: job deletes and cron trigger deletes."""
    return len(_budgeted_job_deletes(plan)) + plan.count_triggers(ActionKind.DELETE)


def check_delete_budget(plan: Plan, max_deletes: int | None) -> None:
    """``DeleteBudgetExceeded`` (before any write) when ``delete_count`` passes the budget."""
    counted = _budgeted_job_deletes(plan)
    jobs = len(counted)
    triggers = plan.count_triggers(ActionKind.DELETE)
    deletes = jobs + triggers
    if max_deletes is None or deletes <= max_deletes:
        return
    labels = ", ".join(a.label for a in counted)
    what = f"{jobs} job(s) ({labels})" if jobs else ""
    if triggers:
        what += f"{' and ' if what else ''}{triggers} cron trigger(s)"
    raise DeleteBudgetExceeded(
        f"the plan deletes {what} but --max-deletes allows {max_deletes}; "
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
    triggers = TriggerRun(
        plan.triggers,
        client,
        options.parallelism,
        options.on_error == OnError.STOP,
        on_interrupt=on_interrupt,
    )
    try:
        triggers.run_deletes()  # a job being deleted takes its own triggers first
        if triggers.failed and options.on_error == OnError.STOP:
            run.stop.set()
        run.execute()
        run.converge_and_verify()
        if run.stop.is_set():
            triggers.hold_back(run.stop_reason)
        triggers.run_writes(run.created_ids())
        trigger_residual = verify_triggers(triggers.actions, triggers.results(), client)
    except KeyboardInterrupt as exc:
        triggers.hold_back(INTERRUPTED)
        run.interrupted(exc)
        trigger_residual = []
    result = run.result()
    result.triggers = triggers.results()
    result.trigger_residual = trigger_residual
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
                        result = run_action(action, self.client)
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
        with self.lock:
            live = converge_creates(self.actions, self.results, self.client, live)
            overwritten_since(self.actions, self.results, live)
        result = self.result_so_far()
        self.residual = verify_applied(self.plan, result, live)

    def created_ids(self) -> dict[str, str]:
        """label -> id of each job this apply created (for the triggers of new jobs)."""
        with self.lock:
            return {
                r.label: r.job_id
                for r in self.results.values()
                if r.kind == ActionKind.CREATE and r.outcome == Outcome.DONE and r.job_id
            }

    def result_so_far(self) -> ApplyResult:
        with self.lock:
            results = [
                self.results.get(i) or _not_attempted(a, "") for i, a in enumerate(self.actions)
            ]
        return ApplyResult(results=results)


def _not_attempted(action: Action, reason: str) -> ActionResult:
    return ActionResult(
        kind=action.kind,
        label=action.label,
        job_id=action.job_id,
        outcome=Outcome.NOT_ATTEMPTED,
        error=reason or "not attempted",
    )


__all__ = [
    "ApplyInterrupted",
    "ApplyOptions",
    "DeleteBudgetExceeded",
    "OnError",
    "SyncJobApi",
    "Terminated",
    "apply_plan",
    "changing_actions",
    "check_delete_budget",
    "execute_plan",
    "verify_applied",
]
