"""engine.apply: safety rails (pure) and the executor against the emulator over real HTTP."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from syncspec.engine.apply import (
    ApplyInterrupted,
    ApplyOptions,
    DeleteBudgetExceeded,
    OnError,
    check_delete_budget,
    execute_plan,
    verify_applied,
)
from syncspec.engine.model import (
    Action,
    ActionKind,
    ActionResult,
    ApplyResult,
    FieldChange,
    Outcome,
    Plan,
)
from syncspec.engine.normalize import canonical_job, fingerprint
from tests.conftest import EmulatorHandle


def _job(label: str, **extra: Any) -> dict[str, Any]:
    return {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        **extra,
    }


def _plan(*actions: Action) -> Plan:
    return Plan(
        syncspec_version="0",
        created_at="2024-01-01T00:00:00Z",
        api_url="http://127.0.0.1",
        profile="env",
        actions=list(actions),
    )


def _create(label: str) -> Action:
    return Action(kind=ActionKind.CREATE, label=label, body=canonical_job(_job(label)))


def _update(live: dict[str, Any], **fields: Any) -> Action:
    return Action(
        kind=ActionKind.UPDATE,
        label=live["label"],
        job_id=live["id"],
        fingerprint=fingerprint(live),
        changes=[FieldChange(pointer=f"/{k}", kind="changed", new=v) for k, v in fields.items()],
        body=fields,
    )


def _delete(live: dict[str, Any]) -> Action:
    return Action(
        kind=ActionKind.DELETE,
        label=live["label"],
        job_id=live["id"],
        fingerprint=fingerprint(live),
    )


def _outcomes(result: ApplyResult) -> list[tuple[str, str, str]]:
    return [(r.kind.value, r.label, r.outcome.value) for r in result.results]


# -- rails (pure) ---------------------------------------------------------------------------


def test_delete_budget_refuses_before_any_write() -> None:
    live = [{"id": f"id-{i}", "label": f"old-{i}"} for i in range(3)]
    plan = _plan(*[Action(kind=ActionKind.DELETE, label=j["label"], job_id=j["id"]) for j in live])
    check_delete_budget(plan, None)
    check_delete_budget(plan, 3)
    with pytest.raises(DeleteBudgetExceeded) as info:
        check_delete_budget(plan, 0)
    assert str(info.value) == (
        "the plan deletes 3 job(s) (old-0, old-1, old-2) but --max-deletes allows 0; nothing "
        "was changed. Re-run with --max-deletes 3 if these deletes are intended"
    )
    assert info.value.exit_code == 1


def test_update_and_delete_of_a_job_moved_since_the_plan_are_not_written(
    emulator: EmulatorHandle,
) -> None:
    # Per-write freshness (issue 10): each PATCH/DELETE re-reads its job first.
    a, b, c = emulator.seed(_job("a"), _job("b"), _job("c"))
    plan = _plan(_delete(b), _update(a, mutex_key="m"), _update(c, mutex_key="m"))
    client = emulator.client()
    client.update_sync_job(a["id"], {"state_key": "dashboard"})  # someone edits a and b
    client.update_sync_job(b["id"], {"state_key": "dashboard"})
    result = execute_plan(plan, client, ApplyOptions(on_error=OnError.CONTINUE))
    assert _outcomes(result) == [
        ("delete", "b", "not_attempted"),
        ("update", "a", "not_attempted"),
        ("update", "c", "done"),
    ]
    assert [r.stale for r in result.results] == [True, True, False]
    assert result.results[1].error is not None
    assert result.results[1].error.startswith("changed since plan: the live job was modified")
    assert result.exit_code == 4
    stored = {j["label"]: j for j in emulator.control.jobs()}
    assert (stored["a"]["state_key"], stored["a"]["mutex_key"]) == ("dashboard", None)
    assert stored["b"]["state_key"] == "dashboard"  # not deleted
    assert stored["c"]["mutex_key"] == "m"
    assert len(emulator.control.requests("GET", f"/sync-job/{a['id']}")) == 1


def test_verify_applied_reports_what_the_server_holds_differently() -> None:
    live = {"id": "a", "label": "a", **_job("a", mutex_key="stored-differently")}
    plan = _plan(_update(live, mutex_key="wanted"), _delete({"id": "gone", "label": "g"}))
    result = ApplyResult(
        results=[
            ActionResult(kind=ActionKind.DELETE, label="g", job_id="gone", outcome=Outcome.DONE),
            ActionResult(kind=ActionKind.UPDATE, label="a", job_id="a", outcome=Outcome.DONE),
        ]
    )
    residual = verify_applied(plan, result, [live, {"id": "gone", "label": "g"}])
    assert [(a.kind, a.label, a.body) for a in residual] == [
        (ActionKind.DELETE, "g", None),
        (ActionKind.UPDATE, "a", {"mutex_key": "wanted"}),
    ]
    assert residual[1].changes[0].old == "stored-differently"
    assert verify_applied(plan, result, [{**live, "mutex_key": "wanted"}]) == []


# -- executor over HTTP -----------------------------------------------------------------------


def test_deletes_then_updates_then_creates(emulator: EmulatorHandle) -> None:
    old, keep = emulator.seed(_job("old"), _job("keep"))
    plan = _plan(_create("new"), _update(keep, mutex_key="m"), _delete(old))
    result = execute_plan(plan, emulator.client(), ApplyOptions(parallelism=4))
    assert _outcomes(result) == [
        ("delete", "old", "done"),
        ("update", "keep", "done"),
        ("create", "new", "done"),
    ]
    writes = [(r.method, r.path) for r in emulator.control.requests() if r.method != "GET"]
    assert writes == [
        ("DELETE", f"/sync-job/{old['id']}"),
        ("PATCH", f"/sync-job/{keep['id']}"),
        ("POST", "/sync-job"),
    ]
    jobs = {j["label"]: j for j in emulator.control.jobs()}
    assert sorted(jobs) == ["keep", "new"]
    assert jobs["keep"]["mutex_key"] == "m"
    assert result.results[2].job_id == jobs["new"]["id"]


def test_patch_sends_only_the_changed_fields(emulator: EmulatorHandle) -> None:
    (live,) = emulator.seed(_job("a", mutex_key="x"))
    resources = [{"method": "get", "resource": "ticketing/users"}]
    plan = _plan(_update(live, resources=resources))
    assert execute_plan(plan, emulator.client(), ApplyOptions()).ok
    (stored,) = emulator.control.jobs()
    assert stored["resources"] == resources
    assert stored["mutex_key"] == "x"


def test_on_error_stop_starts_nothing_after_a_failure(emulator: EmulatorHandle) -> None:
    jobs = emulator.seed(*[_job(f"j{i}") for i in range(4)])
    emulator.control.fail_next(400, method="PATCH", path=f"/sync-job/{jobs[1]['id']}")
    plan = _plan(*[_update(j, mutex_key="m") for j in jobs], _create("new"))
    result = execute_plan(plan, emulator.client(), ApplyOptions(parallelism=1))
    assert _outcomes(result) == [
        ("update", "j0", "done"),
        ("update", "j1", "failed"),
        ("update", "j2", "not_attempted"),
        ("update", "j3", "not_attempted"),
        ("create", "new", "not_attempted"),
    ]
    assert result.results[1].error is not None
    assert result.results[1].error.startswith(f"PATCH /sync-job/{jobs[1]['id']} -> 400: ")
    assert result.results[2].error == "not attempted: an earlier action failed (--on-error stop)"
    assert [j.get("mutex_key") for j in emulator.control.jobs()] == ["m", None, None, None]


def test_on_error_continue_attempts_everything(emulator: EmulatorHandle) -> None:
    jobs = emulator.seed(*[_job(f"j{i}") for i in range(3)])
    emulator.control.fail_next(400, method="PATCH", path=f"/sync-job/{jobs[0]['id']}")
    plan = _plan(*[_update(j, mutex_key="m") for j in jobs], _create("new"))
    result = execute_plan(
        plan, emulator.client(), ApplyOptions(parallelism=2, on_error=OnError.CONTINUE)
    )
    assert [r.outcome for r in result.results] == [
        Outcome.FAILED,
        Outcome.DONE,
        Outcome.DONE,
        Outcome.DONE,
    ]
    assert not result.ok


def test_create_after_a_lost_response_adopts_the_job_instead_of_duplicating(
    emulator: EmulatorHandle,
) -> None:
    emulator.control.lose_next_response(method="POST", path="/sync-job")
    result = execute_plan(_plan(_create("a")), emulator.client(timeout=0.5), ApplyOptions())
    (stored,) = emulator.control.jobs()
    assert _outcomes(result) == [("create", "a", "done")]
    assert result.results[0].job_id == stored["id"]
    assert result.results[0].attempts == 2
    assert len(emulator.control.requests("POST")) == 1


def test_create_refused_before_commit_is_posted_again_once(emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(502, method="POST", path="/sync-job")
    result = execute_plan(_plan(_create("a")), emulator.client(), ApplyOptions())
    assert _outcomes(result) == [("create", "a", "done")]
    assert [r.status for r in emulator.control.requests("POST")] == [502, 201]
    assert [j["label"] for j in emulator.control.jobs()] == ["a"]


def test_delete_of_a_job_already_gone_counts_as_done(emulator: EmulatorHandle) -> None:
    plan = _plan(Action(kind=ActionKind.DELETE, label="x", job_id="no-such-id"))
    assert _outcomes(execute_plan(plan, emulator.client(), ApplyOptions())) == [
        ("delete", "x", "done")
    ]


def test_interrupt_accounts_for_every_action(emulator: EmulatorHandle) -> None:
    # Ctrl-C arrives with the first result; the one in-flight action may still finish, so
    # the exact split is timing-dependent: what must hold is that the account is exact.
    jobs = emulator.seed(*[_job(f"j{i}") for i in range(8)])
    plan = _plan(*[_update(j, mutex_key="m") for j in jobs])
    calls: list[ActionResult] = []
    lock = threading.Lock()

    def on_result(result: ActionResult) -> None:
        with lock:
            calls.append(result)
            first = len(calls) == 1
        if first:
            raise KeyboardInterrupt

    with pytest.raises(ApplyInterrupted) as info:
        execute_plan(plan, emulator.client(), ApplyOptions(parallelism=1), on_result=on_result)
    result = info.value.result
    assert info.value.exit_code == 130
    assert [r.label for r in result.results] == [f"j{i}" for i in range(8)]
    assert result.results[0].outcome == Outcome.DONE
    done = {r.label for r in result.results if r.outcome == Outcome.DONE}
    changed = {j["label"] for j in emulator.control.jobs() if j.get("mutex_key") == "m"}
    assert done == changed
    for r in result.results:
        if r.outcome != Outcome.DONE:
            assert (r.outcome, r.error) == (Outcome.NOT_ATTEMPTED, "not attempted: interrupted")
