"""The emulator's integrated accounts and cron triggers as Truto documents them (issue 21), over
HTTP; the client's account listing under both list-key readings; the delete-cascade reading."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from syncspec.emulator.server import EmulatorConfig, load_seed, start_emulator
from tests.conftest import EmulatorHandle

JOB = {"label": "j", "integration_name": "zendesk", "resources": []}


def test_accounts_have_trutos_fields_and_filters(http: httpx.Client) -> None:
    made = http.post(
        "/integrated-account",
        json={"tenant_id": "acme", "integration": {"name": "zendesk"}, "is_sandbox": True},
    )
    assert made.status_code == 201
    account = made.json()
    assert set(account) == {
        "id", "tenant_id", "environment_id", "environment_integration_id", "status",
        "is_sandbox", "integration", "authentication_method", "region", "context",
        "created_at", "updated_at",
    }  # fmt: skip
    assert account["status"] == "active"
    assert account["integration"]["name"] == "zendesk"
    assert account["integration"]["category"] == "ticketing"
    http.post("/integrated-account", json={"tenant_id": "beta", "integration_name": "hubspot"})
    assert http.get(f"/integrated-account/{account['id']}").json() == account
    tenants = [a["tenant_id"] for a in http.get("/integrated-account").json()["result"]]
    assert tenants == ["acme", "beta"]
    only = http.get("/integrated-account", params={"tenant_id": "beta"}).json()["result"]
    assert [a["tenant_id"] for a in only] == ["beta"]
    sandbox = http.get("/integrated-account", params={"is_sandbox": "true"}).json()["result"]
    assert [a["tenant_id"] for a in sandbox] == ["acme"]
    assert http.get("/integrated-account", params={"is_sandbox": "yes"}).status_code == 400

    patched = http.patch(f"/integrated-account/{account['id']}", json={"status": "needs_reauth"})
    assert patched.json()["status"] == "needs_reauth"
    assert http.patch(f"/integrated-account/{account['id']}", json={"tenant_id": "x"}).json()[
        "message"
    ] == ("tenant_id is not allowed")
    assert http.delete(f"/integrated-account/{account['id']}").json() == {"id": account["id"]}
    assert http.get(f"/integrated-account/{account['id']}").status_code == 404
    bad = http.post("/integrated-account", json={"tenant_id": "x"})
    assert bad.status_code == 400
    assert "integration_name" in bad.json()["message"]


def test_accounts_are_per_environment(emulator: EmulatorHandle, http: httpx.Client) -> None:
    emulator.control.seed_accounts(
        [{"tenant_id": "other", "integration_name": "zendesk"}], environment="production"
    )
    assert http.get("/integrated-account").json()["result"] == []


@pytest.mark.parametrize("key", ["result", "results"])
def test_client_lists_accounts_page_by_page(emulator: EmulatorHandle, key: str) -> None:
    emulator.control.set_readings(list_key=key)
    emulator.control.seed_accounts(
        [{"tenant_id": f"t{i}", "integration_name": "zendesk"} for i in range(25)]
    )
    with emulator.client(page_size=10) as client:
        listed = client.list_integrated_accounts()
    assert [a["tenant_id"] for a in listed] == [f"t{i}" for i in range(25)]
    pages = emulator.control.requests(method="GET", path="/integrated-account")
    assert len(pages) == 3


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"cron_expression": "* * * * * *"}, "cron_expression must be a 5-field cron expression"),
        ({"cron_expression": "61 * * * *"}, "is not a valid 5-field cron"),
        ({"cron_expression": "H * * * *"}, "is not a valid 5-field cron"),
        ({"error_handling": "retry"}, "error_handling must be one of fail_fast, ignore, batch"),
        ({"super_query": "eu"}, "super_query must be one of apac, wnam"),
        ({"webhook_id": "w", "daemon_group_key": "d"}, "cannot be used together"),
        ({"meta": "mine"}, "meta must be an object or null"),
    ],
)
def test_triggers_are_validated(
    emulator: EmulatorHandle, http: httpx.Client, change: dict[str, object], message: str
) -> None:
    job = emulator.seed(JOB)[0]
    body = {"sync_job_id": job["id"], "cron_expression": "0 * * * *", **change}
    answer = http.post("/sync-job-cron-trigger", json=body)
    assert answer.status_code == 400
    assert message in answer.json()["message"]


def test_meta_round_trips_and_a_cron_change_needs_schedule(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    job = emulator.seed(JOB)[0]
    meta = {"managed_by": "syncspec", "schedule": "j/hourly", "nested": {"a": [1, 2]}}
    body = {"sync_job_id": job["id"], "cron_expression": "0 * * * *", "meta": meta}
    trigger = http.post("/sync-job-cron-trigger", json=body).json()
    assert http.get(f"/sync-job-cron-trigger/{trigger['id']}").json()["meta"] == meta
    assert emulator.control.scheduled() == set()
    assert http.post(f"/sync-job-cron-trigger/{trigger['id']}/schedule").json() == {"success": True}
    assert emulator.control.scheduled() == {trigger["id"]}
    http.patch(f"/sync-job-cron-trigger/{trigger['id']}", json={"error_handling": "ignore"})
    assert emulator.control.scheduled() == {trigger["id"]}  # still active
    http.patch(f"/sync-job-cron-trigger/{trigger['id']}", json={"cron_expression": "5 * * * *"})
    assert emulator.control.scheduled() == set()  # inactive until /schedule again


@pytest.mark.parametrize(("reading", "left"), [("orphan", 1), ("cascade", 0)])
def test_job_delete_cascade_reading(
    emulator: EmulatorHandle, http: httpx.Client, reading: str, left: int
) -> None:
    emulator.control.set_readings(cron_on_job_delete=reading)
    job = emulator.seed(JOB)[0]
    http.post(
        "/sync-job-cron-trigger", json={"sync_job_id": job["id"], "cron_expression": "0 * * * *"}
    )
    assert http.delete(f"/sync-job/{job['id']}").status_code == 200
    assert len(emulator.control.triggers()) == left
    with pytest.raises(ValueError, match="cron_on_job_delete must be one of"):
        emulator.control.set_readings(cron_on_job_delete="maybe")


def test_an_orphaned_trigger_fires_nothing(emulator: EmulatorHandle, http: httpx.Client) -> None:
    emulator.control.freeze_time()
    job = emulator.seed(JOB)[0]
    trigger = http.post(
        "/sync-job-cron-trigger",
        json={
            "sync_job_id": job["id"],
            "integrated_account_id": "a",
            "cron_expression": "* * * * *",
        },
    ).json()
    http.post(f"/sync-job-cron-trigger/{trigger['id']}/schedule")
    http.delete(f"/sync-job/{job['id']}")
    emulator.control.advance_time(600)
    assert http.get("/sync-job-run").json()["result"] == []


def test_catch_up_is_bounded(emulator: EmulatorHandle, http: httpx.Client) -> None:
    emulator.control.freeze_time()
    job = emulator.seed(JOB)[0]
    body = {"sync_job_id": job["id"], "integrated_account_id": "a", "cron_expression": "* * * * *"}
    trigger = http.post("/sync-job-cron-trigger", json=body).json()
    http.post(f"/sync-job-cron-trigger/{trigger['id']}/schedule")
    emulator.control.advance_time(86_400)  # a day: 1,440 fire times
    assert len(emulator.control.runs()) == 50
    emulator.control.advance_time(120)  # later fire times are started again
    assert len(emulator.control.runs()) == 52


def test_seed_file_with_accounts(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(
        json.dumps(
            {
                "sync_jobs": [JOB],
                "integrated_accounts": [{"tenant_id": "acme", "integration_name": "zendesk"}],
            }
        )
    )
    config = EmulatorConfig(tokens={"t": "dev"}, seed=load_seed(seed))
    with start_emulator(config) as emu:
        assert [a["tenant_id"] for a in emu.control.accounts()] == ["acme"]
        assert [j["label"] for j in emu.control.jobs()] == ["j"]
