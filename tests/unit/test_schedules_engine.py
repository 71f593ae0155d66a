"""engine.schedules / schedules_live: reconciliation and pulled policies, pure (issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from syncspec.engine.model import Action, ActionKind
from syncspec.engine.schedules import (
    ScopedJob,
    desired_body,
    marker,
    owned_schedule,
    reconcile,
)
from syncspec.engine.schedules_live import pulled_schedules
from syncspec.jobfile.jobs import LocalJob

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def job(*schedules: dict[str, Any], label: str = "j", **extra: Any) -> LocalJob:
    data = {
        "label": label,
        "integration_name": "zendesk",
        "args_schema": {"type": "object", "properties": {"integrated_account_id": {}}},
        "schedules": list(schedules),
        **extra,
    }
    return LocalJob(Path("/p/jobs/j.yaml"), "jobs/j.yaml", 3, data)


def account(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"a{i}",
        "tenant_id": f"t{i}",
        "status": "active",
        "is_sandbox": False,
        "integration": {"name": "zendesk"},
        **extra,
    }


def live_of(local: LocalJob, accounts: list[dict[str, Any]], **change: Any) -> list[dict[str, Any]]:
    out = []
    for a in accounts:
        for schedule in local.data["schedules"]:
            body = {
                **desired_body(local, "J", schedule, a["id"]),
                "id": f"{schedule['name']}-{a['id']}",
            }
            out.append({**body, **change})
    return out


def kinds(result: Any) -> list[tuple[str, str | None]]:
    return [(t.kind.value, t.account_id) for t in result.actions]


def test_selection_by_integration_status_tenants_and_sandbox() -> None:
    accounts = [
        account(0, tenant_id="acme-1"),
        account(1, tenant_id="acme-2", is_sandbox=True),
        account(2, tenant_id="other"),
        account(3, tenant_id="acme-3", status="needs_reauth"),
        account(4, tenant_id="acme-4", integration={"name": "hubspot"}),
    ]
    local = job(
        {"name": "h", "cron": "H * * * *", "accounts": {"tenants": ["acme-*"], "sandbox": False}}
    )
    result = reconcile([ScopedJob(local, "J")], [], accounts, [], NOW)
    assert kinds(result) == [("create", "a0")]
    assert result.coverage[0].accounts == 1 and result.coverage[0].create == 1
    body = result.actions[0].body
    assert body is not None
    assert body["meta"] == marker("j", "h")
    assert body["args"] == {"integrated_account_id": "a0"}
    assert "H" not in body["cron_expression"]


def test_up_to_date_is_no_action_and_next_fire_is_shown() -> None:
    local = job({"name": "h", "cron": "H * * * *"})
    accounts = [account(i) for i in range(5)]
    result = reconcile([ScopedJob(local, "J")], [], accounts, live_of(local, accounts), NOW)
    assert result.actions == []
    assert result.coverage[0].up_to_date == 5
    assert result.coverage[0].next_fire is not None and result.coverage[0].next_fire.startswith(
        "2026-01-01T00:"
    )


def test_changed_args_replace_the_trigger_and_cron_change_updates_it() -> None:
    local = job({"name": "h", "cron": "0 * * * *", "args": {"full": True}})
    accounts = [account(0)]
    live = live_of(local, accounts, args={"full": False, "integrated_account_id": "a0"})
    result = reconcile([ScopedJob(local, "J")], [], accounts, live, NOW)
    assert kinds(result) == [("delete", "a0"), ("create", "a0")]
    assert "args changed (not updatable): replaced" in (result.actions[0].reason or "")

    live = live_of(local, accounts, cron_expression="5 * * * *")
    result = reconcile([ScopedJob(local, "J")], [], accounts, live, NOW)
    (update,) = result.actions
    assert update.kind == ActionKind.UPDATE and update.reschedule
    assert update.body == {"cron_expression": "0 * * * *"}


def test_duplicates_and_stale_owned_triggers_are_deleted_foreign_are_not() -> None:
    local = job({"name": "h", "cron": "0 * * * *"})
    accounts = [account(0)]
    live = live_of(local, accounts)
    dup = {**live[0], "id": "dup", "created_at": "9999"}
    gone = {**live[0], "id": "gone", "integrated_account_id": "a9"}
    foreign = {**live[0], "id": "foreign", "meta": None}
    result = reconcile([ScopedJob(local, "J")], [], accounts, [*live, dup, gone, foreign], NOW)
    assert sorted(t.trigger_id or "" for t in result.actions) == ["dup", "gone"]
    assert any("foreign" in n.message for n in result.notices)


@pytest.mark.parametrize(
    "meta", ["text", {"managed_by": "syncspec"}, {"managed_by": "syncspec", "schedule": "x"}]
)
def test_malformed_marker_stops_every_trigger_action(meta: Any) -> None:
    local = job({"name": "h", "cron": "0 * * * *"})
    live = [{"id": "t1", "sync_job_id": "J", "integrated_account_id": "a0", "meta": meta}]
    result = reconcile([ScopedJob(local, "J")], [], [account(0), account(1)], live, NOW)
    assert result.actions == []
    assert result.errors and "malformed ownership marker" in result.errors[0]
    with pytest.raises(ValueError):
        owned_schedule(live[0])


def test_a_deleted_job_takes_its_owned_triggers() -> None:
    local = job({"name": "h", "cron": "0 * * * *"})
    live = [*live_of(local, [account(0)]), {"id": "f", "sync_job_id": "J", "meta": {}}]
    delete = Action(kind=ActionKind.DELETE, label="j", job_id="J")
    result = reconcile([], [delete], [], live, NOW)
    assert [(t.kind.value, t.trigger_id) for t in result.actions] == [("delete", "h-a0")]
    assert "leaves 1 cron trigger(s) syncspec does not own" in result.notices[0].message


def test_selector_that_matches_nothing_warns_with_the_count() -> None:
    local = job({"name": "h", "cron": "0 * * * *", "accounts": {"tenants": ["nobody-*"]}})
    result = reconcile([ScopedJob(local, "J")], [], [account(0), account(1)], [], NOW)
    assert result.actions == []
    assert "matches none of the 2 active account(s) of 'zendesk'" in result.notices[0].message


def test_pulled_policy_recovers_h_and_explicit_ids() -> None:
    local = job(
        {"name": "h", "cron": "H * * * *", "error_handling": "ignore"},
        {"name": "w", "cron": "0 6 * * MON", "args": {"full": True}},
    )
    accounts = [account(i) for i in range(6)]
    live = [
        t
        for t in live_of(local, accounts)
        if not (t["id"].startswith("w-") and t["integrated_account_id"] == "a5")
    ]
    pulled = pulled_schedules(
        {"id": "J", "label": "j", "integration_name": "zendesk"}, live, accounts
    )
    assert pulled.schedules == [
        {"name": "h", "cron": "H * * * *", "error_handling": "ignore"},
        {"name": "w", "cron": "0 6 * * MON", "accounts": {"ids": [f"a{i}" for i in range(5)]},
         "args": {"full": True}},
    ]  # fmt: skip


def test_pulled_policy_refuses_what_it_cannot_reproduce() -> None:
    local = job({"name": "h", "cron": "0 * * * *"})
    accounts = [account(0), account(1)]
    live = live_of(local, accounts)
    live[1] = {**live[1], "error_handling": "batch"}
    pulled = pulled_schedules({"id": "J", "label": "j"}, live, accounts)
    assert pulled.schedules is None
    assert pulled.notes == [
        "j: schedule 'h' not pulled: its triggers have different error_handling"
    ]


def test_malformed_accounts_and_triggers_from_the_server_never_raise() -> None:
    local = job({"name": "h", "cron": "0 * * * *"})
    accounts = [
        account(0, integration="zendesk"),
        account(1, integration=None, tenant_id=5),
        {"id": 7},
        "x",
        account(2),
    ]
    triggers = [
        {
            "id": "t",
            "sync_job_id": "J",
            "integrated_account_id": 3,
            "cron_expression": "0 * * * *",
            "meta": marker("j", "h"),
        },
        {"id": "u", "sync_job_id": ["J"], "args": [1], "meta": None},
    ]
    result = reconcile([ScopedJob(local, "J")], [], accounts, triggers, NOW)  # type: ignore[list-item]
    assert kinds(result) == [("delete", "3"), ("create", "a2")]
    pulled = pulled_schedules({"id": "J", "label": "j"}, [{**triggers[0], "args": [1]}], accounts)  # type: ignore[arg-type]
    assert pulled.schedules is None
    assert pulled.notes == ["j: schedule 'h' not pulled: a trigger's args are not an object"]


class _Lister:
    def __init__(self, triggers: list[dict[str, Any]]) -> None:
        self.triggers = triggers

    def list_cron_triggers(self) -> list[dict[str, Any]]:
        return self.triggers


def test_verification_after_the_trigger_writes() -> None:
    from syncspec.engine.model import Outcome, TriggerAction, TriggerResult
    from syncspec.engine.schedules_apply import verify_triggers

    body = {"sync_job_id": None, "cron_expression": "0 6 * * MON", "args": {}, "meta": {"a": 1}}
    actions = [
        TriggerAction(kind=ActionKind.CREATE, label="j", schedule="h", body=body),
        TriggerAction(kind=ActionKind.DELETE, label="j", schedule="h", trigger_id="old"),
        TriggerAction(
            kind=ActionKind.UPDATE, label="j", schedule="h", body={"error_handling": "ignore"}
        ),
    ]
    results = [
        TriggerResult(kind=a.kind, label="j", trigger_id=i, outcome=Outcome.DONE)
        for a, i in zip(actions, ["new", "old", "upd"], strict=True)
    ]
    rewritten = {"id": "new", "sync_job_id": "J", "cron_expression": "0 6 * * 1", "meta": {"a": 1}}
    assert verify_triggers(actions[:1], results[:1], _Lister([rewritten])) == []
    problems = verify_triggers(
        actions,
        results,
        _Lister(
            [{**rewritten, "meta": None}, {"id": "old"}, {"id": "upd", "error_handling": None}]
        ),
    )
    assert problems == [
        "trigger new (j/h): meta is None after writing {'a': 1}",
        "trigger old (j/h) still exists after its delete",
        "trigger upd (j/h): error_handling is None after writing 'ignore'",
    ]
