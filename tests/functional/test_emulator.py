"""The emulator over raw HTTP: every endpoint's happy path, documented errors, isolation, runs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from syncspec.emulator.server import EmulatorConfig, environment_id, start_emulator
from tests.conftest import EmulatorHandle

JOB = {
    "label": "zendesk-tickets",
    "integration_name": "zendesk",
    "resources": [
        {"resource": "ticketing/users", "method": "list"},
        {"resource": "ticketing/tickets", "method": "list"},
    ],
}
ISO = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"


@pytest.fixture
def other(emulator: EmulatorHandle) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {emulator.other_token}"}
    with httpx.Client(base_url=emulator.url, headers=headers) as client:
        yield client


def error(status: int, message: str) -> dict[str, Any]:
    reasons = {400: "Bad Request", 401: "Unauthorized", 404: "Not Found", 409: "Conflict"}
    return {"statusCode": status, "error": reasons[status], "message": message}


def create_job(http: httpx.Client, **fields: Any) -> dict[str, Any]:
    response = http.post("/sync-job", json={**JOB, **fields})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


# -- sync jobs --------------------------------------------------------------------------------


def test_create_stores_the_job_as_sent_plus_server_fields(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    sent = {"resources": JOB["resources"], "integration_name": "zendesk", "mutex_key": "m"}
    job = http.post("/sync-job", json=sent).json()

    assert list(job) == [
        "id",
        "resources",
        "integration_name",
        "mutex_key",
        "label",
        "default_runtime_version",
        "args_schema",
        "args_validation",
        "state_key",
        "environment_id",
        "created_at",
        "updated_at",
    ]
    assert job["label"] == "Untitled"
    assert job["default_runtime_version"] == 3  # the skills docs; set_readings plays 2
    assert (job["args_schema"], job["args_validation"], job["state_key"]) == (None, None, None)
    assert job["environment_id"] == emulator.environment_id
    assert job["created_at"] == job["updated_at"]
    assert re.match(ISO, job["created_at"])
    assert http.get(f"/sync-job/{job['id']}").json() == job


def test_patch_replaces_each_sent_top_level_field_whole(http: httpx.Client) -> None:
    job = create_job(http, args_schema={"a": {"type": "string"}, "b": {"type": "string"}})
    time.sleep(0.002)
    patched = http.patch(
        f"/sync-job/{job['id']}",
        json={"args_schema": {"c": {"type": "number"}}, "resources": []},
    ).json()
    assert patched["args_schema"] == {"c": {"type": "number"}}
    assert patched["resources"] == []
    assert patched["label"] == job["label"]
    assert patched["updated_at"] > job["updated_at"]
    assert patched["created_at"] == job["created_at"]
    assert list(patched) == list(job)


def test_delete_returns_the_id_and_then_404(http: httpx.Client) -> None:
    job = create_job(http)
    assert http.delete(f"/sync-job/{job['id']}").json() == {"id": job["id"]}
    response = http.get(f"/sync-job/{job['id']}")
    assert (response.status_code, response.json()) == (404, error(404, "sync job not found"))
    assert http.delete(f"/sync-job/{job['id']}").status_code == 404
    assert http.patch(f"/sync-job/{job['id']}", json={}).status_code == 404


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"resources": []}, "integration_name is required"),
        ({"integration_name": "x"}, "resources is required"),
        ({"integration_name": "x", "resources": {}}, "resources must be an array of objects"),
        ({"integration_name": "x", "resources": [1]}, "resources must be an array of objects"),
        (
            {**JOB, "default_runtime_version": 5},
            "default_runtime_version must be an integer from 1 to 4",
        ),
        (
            {**JOB, "default_runtime_version": True},
            "default_runtime_version must be an integer from 1 to 4",
        ),
        ({**JOB, "label": 3}, "label must be a string"),
        ({**JOB, "args_schema": []}, "args_schema must be an object or null"),
        ({**JOB, "mutex_key": 1}, "mutex_key must be a string or null"),
        ({**JOB, "depends": "x"}, "depends is not allowed"),
        ({**JOB, "id": "mine"}, "id is not allowed"),
    ],
)
def test_create_validation(http: httpx.Client, body: dict[str, Any], message: str) -> None:
    response = http.post("/sync-job", json=body)
    assert (response.status_code, response.json()) == (400, error(400, message))


def test_bad_bodies(http: httpx.Client) -> None:
    response = http.post("/sync-job", content=b"{not json")
    assert response.json() == error(400, "request body is not valid JSON")
    response = http.post("/sync-job", json=[1])
    assert response.json() == error(400, "request body must be a JSON object")
    job = create_job(http)
    response = http.patch(f"/sync-job/{job['id']}", json={"label": None})
    assert response.json() == error(400, "label must be a string")


def test_unknown_route_is_a_truto_style_404(http: httpx.Client) -> None:
    response = http.get("/nope")
    assert (response.status_code, response.json()) == (404, error(404, "route not found"))


def test_401_for_missing_or_unknown_token(emulator: EmulatorHandle) -> None:
    with httpx.Client(base_url=emulator.url) as anon:
        response = anon.get("/sync-job")
        assert (response.status_code, response.json()) == (401, error(401, "missing bearer token"))
        response = anon.get("/sync-job", headers={"Authorization": "Bearer nope"})
        assert (response.status_code, response.json()) == (401, error(401, "invalid API token"))
        response = anon.get("/sync-job", headers={"Authorization": f"Basic {emulator.token}"})
        assert response.status_code == 401
    assert [r.environment for r in emulator.control.requests()] == [None, None, None]


def test_pagination_limit_and_cursor(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.seed(*({**JOB, "label": f"j{n}"} for n in range(105)))
    first = http.get("/sync-job").json()
    assert (len(first["result"]), first["limit"]) == (100, 100)
    second = http.get("/sync-job", params={"next_cursor": first["next_cursor"]}).json()
    assert [j["label"] for j in second["result"]] == [f"j{n}" for n in range(100, 105)]
    assert second["next_cursor"] is None
    big = http.get("/sync-job", params={"limit": 1000}).json()
    assert (len(big["result"]), big["next_cursor"]) == (105, None)
    exact = http.get("/sync-job", params={"limit": 105}).json()
    assert exact["next_cursor"] is None


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"limit": 0}, "limit must be an integer from 1 to 1000"),
        ({"limit": 1001}, "limit must be an integer from 1 to 1000"),
        ({"limit": "ten"}, "limit must be an integer from 1 to 1000"),
        ({"next_cursor": "garbage"}, "next_cursor is invalid"),
    ],
)
def test_pagination_errors(http: httpx.Client, params: dict[str, Any], message: str) -> None:
    response = http.get("/sync-job", params=params)
    assert (response.status_code, response.json()) == (400, error(400, message))


def test_list_filters(http: httpx.Client, emulator: EmulatorHandle) -> None:
    create_job(http)
    hub = create_job(http, integration_name="hubspot")
    result = http.get("/sync-job", params={"integration_name": "hubspot"}).json()["result"]
    assert [j["id"] for j in result] == [hub["id"]]
    mine = http.get("/sync-job", params={"environment_id": emulator.environment_id}).json()
    assert len(mine["result"]) == 2
    theirs = http.get("/sync-job", params={"environment_id": emulator.other_environment_id})
    assert theirs.json()["result"] == []


# -- environments -----------------------------------------------------------------------------


def test_environments_are_isolated(
    http: httpx.Client, other: httpx.Client, emulator: EmulatorHandle
) -> None:
    job = create_job(http)
    theirs = create_job(other, label="prod-job")
    assert theirs["environment_id"] == emulator.other_environment_id

    assert [j["id"] for j in http.get("/sync-job").json()["result"]] == [job["id"]]
    assert [j["id"] for j in other.get("/sync-job").json()["result"]] == [theirs["id"]]
    for request in (
        lambda: other.get(f"/sync-job/{job['id']}"),
        lambda: other.patch(f"/sync-job/{job['id']}", json={"label": "x"}),
        lambda: other.delete(f"/sync-job/{job['id']}"),
        lambda: other.post(
            "/sync-job-run", json={"sync_job_id": job["id"], "integrated_account_id": "a"}
        ),
    ):
        response = request()
        assert (response.status_code, response.json()) == (404, error(404, "sync job not found"))
    assert http.get(f"/sync-job/{job['id']}").json()["label"] == "zendesk-tickets"

    http.post("/sync-job-run-state", params={"state_key": "acct"}, json={"key": "k", "value": "1"})
    assert other.get("/sync-job-run-state", params={"state_key": "acct"}).json()["result"] == []
    assert other.get("/sync-job-run-state/k", params={"state_key": "acct"}).status_code == 404
    assert [r.environment for r in emulator.control.requests("POST", "/sync-job")][:2] == [
        "staging",
        "production",
    ]


# -- runs -------------------------------------------------------------------------------------


def start_run(http: httpx.Client, job: dict[str, Any], **fields: Any) -> dict[str, Any]:
    body = {"sync_job_id": job["id"], "integrated_account_id": "acct-1", "status": "created"}
    response = http.post("/sync-job-run", json={**body, **fields})
    assert response.status_code == 201, response.text
    run: dict[str, Any] = response.json()
    return run


def test_run_progresses_created_running_completed(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.control.freeze_time()  # only advance_time moves the run along
    job = create_job(http)
    run = start_run(http, job, args={"x": 1})
    assert run["status"] == "created"
    assert (run["started_at"], run["finished_at"], run["resource_stats"]) == (None, None, {})
    assert run["sync_job"] == job
    assert (run["args"], run["error_handling"], run["version"]) == ({"x": 1}, "fail_fast", 3)

    emulator.control.advance_time(0.6)  # duration 1.0 s: running from 0.2 s to 1.0 s
    running = http.get(f"/sync-job-run/{run['id']}").json()
    assert running["status"] == "running"
    assert running["started_at"] is not None and running["finished_at"] is None
    stats = running["resource_stats"]
    assert set(stats) == {"ticketing/users", "ticketing/tickets"}
    assert set(stats["ticketing/users"]) == {"list"}
    assert set(stats["ticketing/users"]["list"]) == {"fetched", "persisted"}

    emulator.control.advance_time(0.5)
    done = http.get(f"/sync-job-run/{run['id']}").json()
    assert done["status"] == "completed"
    assert done["finished_at"] is not None
    for name, methods in done["resource_stats"].items():
        counts = methods["list"]
        assert counts["fetched"] == counts["persisted"] >= 10
        assert counts["fetched"] >= stats[name]["list"]["fetched"]
    assert http.get(f"/sync-job-run/{run['id']}").json() == done  # stable once finished


def test_run_progresses_in_real_time_too(http: httpx.Client, emulator: EmulatorHandle) -> None:
    # Without a frozen clock runs follow the wall clock (the emulator as users run it). The
    # sleep is a lower bound, not a hope: the run was created before ``start_run`` returned,
    # so after sleeping longer than its duration it is over, however slow the machine.
    emulator.control.set_faults(run_duration_s=0.3)
    run = start_run(http, create_job(http))
    time.sleep(0.35)
    done = http.get(f"/sync-job-run/{run['id']}").json()
    assert done["status"] == "completed"
    assert done["finished_at"] is not None


def test_v4_runs_count_request_nodes_by_name(http: httpx.Client, emulator: EmulatorHandle) -> None:
    nodes = [
        {
            "name": "users",
            "type": "request",
            "resource": "crm/contacts",
            "method": "list",
            "integrated_account_id": "{{args.integrated_account_id}}",
        },
        {
            "name": "shape",
            "type": "transform",
            "depends_on": "users",
            "config": {"expression": "$"},
        },
    ]
    job = create_job(http, default_runtime_version=4, integration_name="", resources=nodes)
    run = start_run(http, job)
    emulator.control.advance_time(5)
    stats = http.get(f"/sync-job-run/{run['id']}").json()["resource_stats"]
    assert list(stats) == ["users"] and list(stats["users"]) == ["list"]


def test_delete_stops_a_running_run_and_keeps_it(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.control.freeze_time()  # still running when it is stopped, however slow the machine
    run = start_run(http, create_job(http))
    emulator.control.advance_time(0.5)
    stopped = http.delete(f"/sync-job-run/{run['id']}").json()
    assert stopped["status"] == "stopped" and stopped["finished_at"] is not None
    emulator.control.advance_time(10)
    assert http.get(f"/sync-job-run/{run['id']}").json() == stopped
    assert http.delete(f"/sync-job-run/{run['id']}").json() == stopped  # already finished


def test_patch_run_sets_fields_and_freezes_it(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.control.freeze_time()
    run = start_run(http, create_job(http))
    patched = http.patch(
        f"/sync-job-run/{run['id']}",
        json={"status": "failed", "finished_at": "2026-04-01T10:00:00.000Z"},
    ).json()
    assert (patched["status"], patched["finished_at"]) == ("failed", "2026-04-01T10:00:00.000Z")
    emulator.control.advance_time(10)
    assert http.get(f"/sync-job-run/{run['id']}").json()["status"] == "failed"
    response = http.patch(f"/sync-job-run/{run['id']}", json={"status": "done"})
    assert response.json()["message"].startswith("status must be one of completed, created,")
    response = http.patch(f"/sync-job-run/{run['id']}", json={"args": {}})
    assert response.json() == error(400, "args is not allowed")


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"integrated_account_id": "a"}, 400, "sync_job_id is required"),
        ({"sync_job_id": "JOB"}, 400, "integrated_account_id is required"),
        ({"sync_job_id": "nope", "integrated_account_id": "a"}, 404, "sync job not found"),
        (
            {"sync_job_id": "JOB", "integrated_account_id": "a", "status": "running"},
            400,
            'status must be "created"',
        ),
        (
            {"sync_job_id": "JOB", "integrated_account_id": "a", "error_handling": "x"},
            400,
            "error_handling must be one of fail_fast, ignore, batch",
        ),
        (
            {
                "sync_job_id": "JOB",
                "integrated_account_id": "a",
                "webhook_id": "w",
                "daemon_group_key": "d",
            },
            400,
            "webhook_id and daemon_group_key cannot be used together",
        ),
        (
            {"sync_job_id": "JOB", "integrated_account_id": "a", "args": {}},
            400,
            "args.user_ids is required",
        ),
    ],
)
def test_run_create_validation(
    http: httpx.Client, body: dict[str, Any], status: int, message: str
) -> None:
    schema = {"type": "object", "properties": {"user_ids": {"type": "array", "required": True}}}
    job = create_job(http, args_schema=schema)
    body = {k: (job["id"] if v == "JOB" else v) for k, v in body.items()}
    response = http.post("/sync-job-run", json=body)
    assert (response.status_code, response.json()) == (status, error(status, message))


def test_run_list_filters_sort_and_pages(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.control.freeze_time()  # no run completes before the test says so

    def started(job: dict[str, Any], **fields: Any) -> dict[str, Any]:
        emulator.control.advance_time(0.01)  # distinct created_at, in this order
        return start_run(http, job, **fields)

    a, b = create_job(http), create_job(http, label="b")
    runs = [started(a), started(b), started(a, integrated_account_id="z")]
    ids = [r["id"] for r in runs]
    listed = http.get("/sync-job-run").json()["result"]
    assert [r["id"] for r in listed] == ids
    by_job = http.get("/sync-job-run", params={"sync_job_id": a["id"]}).json()["result"]
    assert [r["id"] for r in by_job] == [ids[0], ids[2]]
    by_account = http.get("/sync-job-run", params={"integrated_account_id": "z"}).json()
    assert [r["id"] for r in by_account["result"]] == [ids[2]]
    newest = http.get("/sync-job-run", params={"sort": "-created_at", "limit": 2}).json()
    assert [r["id"] for r in newest["result"]] == [ids[2], ids[1]]
    rest = http.get(
        "/sync-job-run",
        params={"sort": "-created_at", "limit": 2, "next_cursor": newest["next_cursor"]},
    ).json()
    assert ([r["id"] for r in rest["result"]], rest["next_cursor"]) == ([ids[0]], None)

    http.delete(f"/sync-job-run/{ids[1]}")
    stopped = http.get("/sync-job-run", params={"status": "stopped"}).json()["result"]
    assert [r["id"] for r in stopped] == [ids[1]]
    emulator.control.advance_time(5)
    completed = http.get("/sync-job-run", params={"status": "completed"}).json()["result"]
    assert [r["id"] for r in completed] == [ids[0], ids[2]]
    assert http.get("/sync-job-run", params={"status": "nope"}).status_code == 400
    assert http.get("/sync-job-run", params={"sort": "label"}).status_code == 400


def test_unknown_run_is_404(http: httpx.Client) -> None:
    for response in (
        http.get("/sync-job-run/nope"),
        http.patch("/sync-job-run/nope", json={}),
        http.delete("/sync-job-run/nope"),
    ):
        assert (response.status_code, response.json()) == (
            404,
            error(404, "sync job run not found"),
        )


# -- run state --------------------------------------------------------------------------------


def test_run_state_crud(http: httpx.Client) -> None:
    q = {"state_key": "acct-1"}
    created = http.post("/sync-job-run-state", params=q, json={"key": "cursor", "value": "AAA"})
    assert created.status_code == 201
    entry = created.json()
    assert {k: entry[k] for k in ("key", "value", "sync_job_run_id")} == {
        "key": "cursor",
        "value": "AAA",
        "sync_job_run_id": None,
    }
    assert http.get("/sync-job-run-state/cursor", params=q).json() == entry
    updated = http.patch("/sync-job-run-state/cursor", params=q, json={"value": "BBB"}).json()
    assert (updated["value"], updated["created_at"]) == ("BBB", entry["created_at"])
    http.post(
        "/sync-job-run-state", params={"state_key": "acct-2"}, json={"key": "cursor", "value": "Z"}
    )
    assert [e["value"] for e in http.get("/sync-job-run-state", params=q).json()["result"]] == [
        "BBB"
    ]
    assert http.delete("/sync-job-run-state/cursor", params=q).json() == updated
    assert http.get("/sync-job-run-state", params=q).json()["result"] == []
    other_ns = http.get("/sync-job-run-state/cursor", params={"state_key": "acct-2"}).json()
    assert other_ns["value"] == "Z"


def test_run_state_errors(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.control.set_readings(run_state_post="conflict")  # the 409 below is this reading's
    q = {"state_key": "acct-1"}
    missing = error(400, "state_key query parameter is required")
    assert http.get("/sync-job-run-state").json() == missing
    assert http.post("/sync-job-run-state", json={"key": "k", "value": "v"}).json() == missing
    assert http.get("/sync-job-run-state/k").json() == missing
    assert http.post("/sync-job-run-state", params=q, json={"key": "k"}).json() == error(
        400, "value is required"
    )
    assert http.post(
        "/sync-job-run-state", params=q, json={"key": "k", "value": 1}
    ).json() == error(400, "value must be a string")
    http.post("/sync-job-run-state", params=q, json={"key": "k", "value": "v"})
    again = http.post("/sync-job-run-state", params=q, json={"key": "k", "value": "w"})
    assert (again.status_code, again.json()) == (409, error(409, "state entry k exists already"))
    for response in (
        http.get("/sync-job-run-state/nope", params=q),
        http.patch("/sync-job-run-state/nope", params=q, json={"value": "x"}),
        http.delete("/sync-job-run-state/nope", params=q),
    ):
        assert (response.status_code, response.json()) == (404, error(404, "state entry not found"))


# -- cron triggers ----------------------------------------------------------------------------


def test_cron_trigger_crud_and_schedule(http: httpx.Client, other: httpx.Client) -> None:
    job = create_job(http)
    body = {"sync_job_id": job["id"], "cron_expression": "0 3 * * *", "integrated_account_id": "a"}
    created = http.post("/sync-job-cron-trigger", json=body)
    assert created.status_code == 201
    trigger = created.json()
    assert {k: trigger[k] for k in body} == body
    path = f"/sync-job-cron-trigger/{trigger['id']}"
    assert http.get(path).json() == trigger
    assert http.post(f"{path}/schedule").json() == {"success": True}
    updated = http.patch(path, json={"cron_expression": "*/5 * * * *", "meta": {"a": 1}}).json()
    assert (updated["cron_expression"], updated["meta"]) == ("*/5 * * * *", {"a": 1})
    listed = http.get("/sync-job-cron-trigger", params={"sync_job_id": job["id"]}).json()
    assert [t["id"] for t in listed["result"]] == [trigger["id"]]
    assert other.get(path).status_code == 404
    assert http.delete(path).json() == {"id": trigger["id"]}
    assert http.get(path).json() == error(404, "cron trigger not found")
    assert http.post(f"{path}/schedule").status_code == 404


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"cron_expression": "* * * * *"}, 400, "sync_job_id is required"),
        ({"sync_job_id": "JOB"}, 400, "cron_expression is required"),
        (
            {"sync_job_id": "JOB", "cron_expression": "* * *"},
            400,
            "cron_expression must be a 5-field cron expression",
        ),
        ({"sync_job_id": "nope", "cron_expression": "* * * * *"}, 404, "sync job not found"),
    ],
)
def test_cron_validation(
    http: httpx.Client, body: dict[str, Any], status: int, message: str
) -> None:
    job = create_job(http)
    body = {k: (job["id"] if v == "JOB" else v) for k, v in body.items()}
    response = http.post("/sync-job-cron-trigger", json=body)
    assert (response.status_code, response.json()) == (status, error(status, message))


# -- faults -----------------------------------------------------------------------------------


def test_rate_limit_answers_429_with_the_windows_remaining_seconds(
    http: httpx.Client, other: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.control.set_faults(rate_limit=(2, 3.0))
    assert [http.get("/sync-job").status_code for _ in range(2)] == [200, 200]
    refused = http.get("/sync-job")
    assert (refused.status_code, refused.json()) == (
        429,
        {"statusCode": 429, "error": "Too Many Requests", "message": "rate limit exceeded"},
    )
    assert refused.headers["Retry-After"] == "3"  # ceil(3 s window - a few ms)
    assert other.get("/sync-job").status_code == 200  # per token


def test_fail_rate_one_fails_everything_before_applying(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    emulator.control.set_faults(fail_rate=1.0)
    statuses = {http.post("/sync-job", json=JOB).status_code for _ in range(20)}
    assert statuses <= {500, 502, 503} and len(statuses) > 1
    assert emulator.control.jobs() == []


def test_latency_is_added(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.control.set_faults(latency_ms=200)
    started = time.monotonic()
    http.get("/sync-job")
    assert time.monotonic() - started >= 0.2


def test_fail_next_matches_method_and_path(http: httpx.Client, emulator: EmulatorHandle) -> None:
    emulator.control.fail_next(503, method="POST", path="/sync-job-run", times=2, retry_after=7)
    assert http.post("/sync-job", json=JOB).status_code == 201
    job = emulator.control.jobs()[0]
    body = {"sync_job_id": job["id"], "integrated_account_id": "a"}
    first = http.post("/sync-job-run", json=body)
    assert (first.status_code, first.headers["Retry-After"]) == (503, "7")
    assert http.post("/sync-job-run", json=body).status_code == 503
    assert http.post("/sync-job-run", json=body).status_code == 201
    assert len(emulator.control.runs()) == 1


def test_reset_restores_config_and_clears_everything(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    create_job(http)
    emulator.control.set_faults(latency_ms=1, rate_limit=(1, 60.0))
    emulator.control.fail_next(500, times=100)
    emulator.control.reset()
    assert http.get("/sync-job").json()["result"] == []
    assert http.get("/sync-job").status_code == 200
    assert [r.status for r in emulator.control.requests()] == [200, 200]


def test_seeded_jobs_keep_given_ids_and_fields(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    (job,) = emulator.seed({"id": "fixed-id", **JOB, "created_at": "2023-02-01T10:00:00.000Z"})
    assert job["id"] == "fixed-id" and job["created_at"] == "2023-02-01T10:00:00.000Z"
    assert http.get("/sync-job/fixed-id").json() == job


def test_config_seed_and_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "emu.sqlite"
    config = EmulatorConfig(
        tokens={"tok-one": "one", "tok-two": "two"},
        seed={"two": [{**JOB, "label": "seeded"}]},
        db_path=str(db),
    )
    with start_emulator(config) as emu:
        assert emu.token == "tok-one"
        headers = {"Authorization": "Bearer tok-two"}
        jobs = httpx.get(f"{emu.url}/sync-job", headers=headers).json()["result"]
        assert [j["label"] for j in jobs] == ["seeded"]
        assert jobs[0]["environment_id"] == environment_id("two")
        httpx.post(f"{emu.url}/sync-job", headers=headers, json={**JOB, "label": "added"})
    with start_emulator(config) as emu:  # same file: data kept, seed not applied twice
        jobs = httpx.get(f"{emu.url}/sync-job", headers=headers).json()["result"]
        assert [j["label"] for j in jobs] == ["seeded", "added"]


def test_cli_serves_prints_its_url_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps([{**JOB, "label": "from-seed"}]))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "syncspec",
            "emulator",
            "--port",
            "0",
            "--token",
            "dev-token:dev",
            "--seed",
            str(seed),
            "--rate-limit",
            "100/1s",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        jobs = httpx.get(f"{url}/sync-job", headers={"Authorization": "Bearer dev-token"}).json()
        assert [j["label"] for j in jobs["result"]] == ["from-seed"]
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert out == ""
    assert err == "syncspec emulator: environments dev; Ctrl-C to stop\n"


def test_cli_rejects_bad_options(tmp_path: Path) -> None:
    bad = tmp_path / "seed.json"
    bad.write_text('{"dev": 3}')
    result = subprocess.run(
        [sys.executable, "-m", "syncspec", "emulator", "--port", "0", "--seed", str(bad)],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr == (
        f"error: {bad}: expected a list of job objects, or an object mapping environment names "
        "to lists of job objects\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "syncspec", "emulator", "--rate-limit", "fast"],
        check=False,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 3
    assert result.stderr == (
        "error: invalid rate limit 'fast': expected REQUESTS/SECONDS, e.g. 500/10s\n"
    )


def test_iso_timestamps_are_utc_millis() -> None:
    from syncspec.emulator.runs import iso

    assert iso(1675245600.0) == "2023-02-01T10:00:00.000Z"
    assert iso(1675245600.1239) == "2023-02-01T10:00:00.123Z"
