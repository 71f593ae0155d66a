"""Carry out a plan's trigger actions (``Plan.triggers``), around the job writes.

Order: trigger deletes before the job deletes (a job being deleted takes its own triggers with
it, whatever the server does with triggers of a deleted job), then the job writes, then trigger
updates and creates (a trigger of a job this apply created gets the new id). A create or a
changed ``cron_expression`` is followed by ``POST /sync-job-cron-trigger/{id}/schedule``.

Like the job writes: right before an update or delete the trigger is re-read and its fingerprint
compared with the plan's (a trigger that moved is not written: "changed since plan", exit 4);
every action gets exactly one ``TriggerResult``, also when an earlier failure (``--on-error
stop``) or an interrupt keeps it back.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

from syncspec.engine.model import ActionKind, Outcome, TriggerAction, TriggerResult
from syncspec.engine.schedules import trigger_fingerprint
from syncspec.errors import ApiError, NotFoundError, SyncspecError, TransportError


class TriggerApi(Protocol):
    def get_cron_trigger(self, trigger_id: str) -> dict[str, Any]: ...

    def create_cron_trigger(self, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def update_cron_trigger(self, trigger_id: str, body: Mapping[str, Any]) -> dict[str, Any]: ...

    def delete_cron_trigger(self, trigger_id: str) -> dict[str, Any]: ...

    def schedule_cron_trigger(self, trigger_id: str) -> dict[str, Any]: ...


class TriggerRun:
    """The trigger actions of one apply; ``results()`` has one result per action."""

    def __init__(
        self,
        actions: Sequence[TriggerAction],
        client: Any,
        parallelism: int,
        stop_on_error: bool,
        on_interrupt: Callable[[int], None] | None = None,
    ) -> None:
        self.on_interrupt = on_interrupt
        self.actions = list(actions)
        self.client = client
        self.parallelism = max(1, parallelism)
        self.stop_on_error = stop_on_error
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self._results: dict[int, TriggerResult] = {}
        self.reason = "not attempted: an earlier action failed (--on-error stop)"

    @property
    def failed(self) -> bool:
        with self.lock:
            return any(
                r.outcome in (Outcome.FAILED, Outcome.UNKNOWN) for r in self._results.values()
            )

    def run_deletes(self) -> None:
        self._run([i for i, a in enumerate(self.actions) if a.kind == ActionKind.DELETE], {})

    def run_writes(self, job_ids: Mapping[str, str]) -> None:
        """Updates, then creates; ``job_ids``: label -> id of the jobs this apply created."""
        for kind in (ActionKind.UPDATE, ActionKind.CREATE):
            self._run([i for i, a in enumerate(self.actions) if a.kind == kind], job_ids)

    def hold_back(self, reason: str) -> None:
        """Actions not run yet stay not attempted, for ``reason``."""
        self.reason = reason
        self.stop.set()

    def results(self) -> list[TriggerResult]:
        with self.lock:
            return [
                self._results.get(i) or _result(a, Outcome.NOT_ATTEMPTED, error=self.reason)
                for i, a in enumerate(self.actions)
            ]

    def _run(self, indexes: list[int], job_ids: Mapping[str, str]) -> None:
        """Run one phase; a first Ctrl-C/SIGTERM lets in-flight writes finish (nothing new
        starts), a second one reports them as unknown, as for the job writes."""
        if not indexes:
            return
        in_flight: set[int] = set()

        def one(index: int) -> None:
            with self.lock:
                if self.stop.is_set():
                    return
                in_flight.add(index)
            result = _carry_out(self.actions[index], self.client, job_ids)
            with self.lock:
                in_flight.discard(index)
                self._results.setdefault(index, result)
            if self.stop_on_error and result.outcome in (Outcome.FAILED, Outcome.UNKNOWN):
                self.stop.set()

        pool = ThreadPoolExecutor(
            max_workers=min(self.parallelism, len(indexes)), thread_name_prefix="syncspec-trigger"
        )
        futures = [pool.submit(one, i) for i in indexes]
        try:
            try:
                for future in futures:
                    future.result()
            except KeyboardInterrupt:
                self.hold_back("not attempted: interrupted")
                if self.on_interrupt is not None:
                    with self.lock:
                        waiting = len(in_flight)
                    self.on_interrupt(waiting)
                try:
                    for future in futures:  # in-flight writes finish; queued ones return
                        future.result()
                except KeyboardInterrupt:
                    with self.lock:
                        for index in in_flight:
                            self._results.setdefault(
                                index,
                                _result(
                                    self.actions[index],
                                    Outcome.UNKNOWN,
                                    error="interrupted while in flight: it may or may not have "
                                    "been applied; re-run plan to see",
                                ),
                            )
                raise
        finally:
            pool.shutdown(wait=False, cancel_futures=True)


def verify_triggers(
    actions: Sequence[TriggerAction], results: Sequence[TriggerResult], client: Any
) -> list[str]:
    """What still differs after the trigger writes (one re-list of the triggers): a trigger
    created or updated that does not hold what was sent, a deleted one still there. Each is a
    normalization bug to report, as for jobs; an empty list when all is as written."""
    from syncspec.jobfile.rules import cron

    done = [(a, r) for a, r in zip(actions, results, strict=True) if r.outcome == Outcome.DONE]
    if not done:
        return []
    try:
        live = {str(t.get("id")): t for t in client.list_cron_triggers()}
    except SyncspecError as exc:
        return [f"the cron triggers could not be re-read after the writes ({exc}); nothing was "
                "verified: re-run plan"]  # fmt: skip
    out = []
    for action, result in done:
        found = live.get(str(result.trigger_id))
        what = f"trigger {result.trigger_id} ({action.label}/{action.schedule})"
        if action.kind == ActionKind.DELETE:
            if found is not None:
                out.append(f"{what} still exists after its delete")
            continue
        if found is None:
            out.append(f"{what} is not listed after its {action.kind.value}")
            continue
        for name, sent in (action.body or {}).items():
            held = found.get(name)
            if name == "sync_job_id" and sent is None:
                continue  # filled in at apply (a job this apply created)
            if name == "cron_expression" and isinstance(held, str):
                same = cron.same_meaning(held, str(sent))
            elif name == "args":
                same = (held or {}) == (sent or {})
            else:
                same = held == sent
            if not same:
                out.append(f"{what}: {name} is {held!r} after writing {sent!r}")
    return out


def _result(action: TriggerAction, outcome: Outcome, **kw: Any) -> TriggerResult:
    return TriggerResult(
        kind=action.kind,
        label=action.label,
        schedule=action.schedule,
        account_id=action.account_id,
        trigger_id=kw.pop("trigger_id", action.trigger_id),
        outcome=outcome,
        **kw,
    )


def _unknown(exc: SyncspecError) -> bool:
    if isinstance(exc, ApiError) and exc.maybe_applied:
        return True
    return isinstance(exc, TransportError) and "cannot connect" not in str(exc)


def _carry_out(action: TriggerAction, client: Any, job_ids: Mapping[str, str]) -> TriggerResult:
    trigger_id = action.trigger_id
    try:
        if action.kind in (ActionKind.UPDATE, ActionKind.DELETE):
            assert trigger_id is not None
            try:
                current = client.get_cron_trigger(trigger_id)
            except NotFoundError:
                if action.kind == ActionKind.DELETE:
                    return _result(action, Outcome.DONE, note="already gone")
                return _stale(action, "the trigger no longer exists")
            if trigger_fingerprint(current) != action.fingerprint:
                return _stale(
                    action, f"the live trigger was modified ({current.get('updated_at')})"
                )
            if action.kind == ActionKind.DELETE:
                try:
                    client.delete_cron_trigger(trigger_id)
                except NotFoundError:
                    return _result(action, Outcome.DONE, note="already gone")
                return _result(action, Outcome.DONE)
            client.update_cron_trigger(trigger_id, action.body or {})
        else:
            body = dict(action.body or {})
            if body.get("sync_job_id") is None:
                job_id = job_ids.get(action.label)
                if job_id is None:
                    return _result(
                        action,
                        Outcome.NOT_ATTEMPTED,
                        error="not attempted: the job was not created",
                    )
                body["sync_job_id"] = job_id
            created = client.create_cron_trigger(body)
            trigger_id = str(created.get("id")) if isinstance(created, dict) else None
            if not trigger_id:
                return _result(action, Outcome.UNKNOWN, error="the create answered without an id")
            if created.get("meta") != body.get("meta"):
                # Without its marker the trigger is foreign to every later plan, which would
                # create another one: stop here (not scheduled, so it never fires) and say so.
                return _result(
                    action,
                    Outcome.FAILED,
                    trigger_id=trigger_id,
                    error="the server did not keep syncspec's ownership marker in the trigger's "
                    f"meta (it answered {created.get('meta')!r}), so syncspec cannot own it; it "
                    "was created but not scheduled. Delete it in Truto; schedules cannot be "
                    "managed against this server",
                )
        if action.reschedule and trigger_id:
            try:
                client.schedule_cron_trigger(trigger_id)
            except SyncspecError as exc:
                return _result(
                    action,
                    Outcome.FAILED,
                    trigger_id=trigger_id,
                    error=f"written, but activating it (POST .../schedule) failed: {exc}; "
                    "it does not fire until scheduled",
                )
    except SyncspecError as exc:
        outcome = Outcome.UNKNOWN if _unknown(exc) else Outcome.FAILED
        return _result(action, outcome, trigger_id=trigger_id, error=str(exc))
    return _result(action, Outcome.DONE, trigger_id=trigger_id)


def _stale(action: TriggerAction, why: str) -> TriggerResult:
    return _result(
        action,
        Outcome.NOT_ATTEMPTED,
        error=f"changed since plan: {why}; not overwritten. Re-run plan",
        stale=True,
    )
