"""Where Truto's sources disagree (truto-api.md): the emulator plays either reading, and the
client works against both, over HTTP. Also cron-trigger filtering and ``environment_id``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from syncspec.engine.run_state import set_entry
from syncspec.errors import ApiError
from tests.conftest import EmulatorHandle

K = "acct-1"
JOB = {"label": "j", "integration_name": "zendesk", "resources": []}


def calls(emulator: EmulatorHandle) -> list[tuple[str, int]]:
    return [(r.method, r.status) for r in emulator.control.requests()]


# -- run-state POST: create-or-update (default) or 409 ----------------------------------------


def test_post_of_an_existing_key_updates_it_by_default(
    http: httpx.Client, emulator: EmulatorHandle
) -> None:
    q = {"state_key": K}
    first = http.post("/sync-job-run-state", params=q, json={"key": "c", "value": "A"}).json()
    emulator.control.advance_time(5)
    again = http.post("/sync-job-run-state", params=q, json={"key": "c", "value": "B"})
    assert again.status_code == 200
    assert again.json() == {**first, "value": "B", "updated_at": again.json()["updated_at"]}
    assert again.json()["updated_at"] > first["updated_at"]
    listed = http.get("/sync-job-run-state", params=q).json()["result"]
    assert listed == [again.json()]


def test_readings_are_checked_and_reset(emulator: EmulatorHandle, http: httpx.Client) -> None:
    with pytest.raises(ValueError, match="run_state_post must be one of upsert, conflict"):
        emulator.control.set_readings(run_state_post="409")
    emulator.control.set_readings(run_state_post="conflict", list_key="results")
    emulator.control.reset()
    q = {"state_key": K}
    for value in ("A", "B"):
        http.post("/sync-job-run-state", params=q, json={"key": "c", "value": value})
    assert http.get("/sync-job-run-state", params=q).json()["result"][0]["value"] == "B"


@pytest.mark.parametrize("reading", ["upsert", "conflict"])
def test_cli_set_creates_then_updates_under_both_readings(
    emulator_env: EmulatorHandle, reading: str
) -> None:
    emulator_env.control.set_readings(run_state_post=reading)
    for value, action in (("1", "created"), ("2", "updated")):
        result = CliRunner().invoke(
            cli,
            ["run-state", "set", "last", "--state-key", K, "--value", value],
            catch_exceptions=False,
        )
        assert (result.exit_code, result.stdout) == (0, f"{action} last in state {K}\n")
    assert calls(emulator_env) == [("PATCH", 404), ("POST", 201), ("PATCH", 200)]
    assert emulator_env.client().get_run_state(K, "last")["value"] == "2"


class _OtherWriter:
    """The real client, with another writer acting over HTTP right after some of our calls."""

    def __init__(self, emulator: EmulatorHandle, after: dict[tuple[str, int], str]) -> None:
        self._client = emulator.client()
        self._other = emulator.client()
        self._after = after  # (our method, its n-th call) -> "create" or "delete"
        self._count = {"PATCH": 0, "POST": 0}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def _then(self, method: str, state_key: str, key: str) -> None:
        self._count[method] += 1
        step = self._after.get((method, self._count[method]))
        if step == "create":
            self._other.create_run_state(state_key, key, "theirs")
        elif step == "delete":
            self._other.delete_run_state(state_key, key)

    def update_run_state(self, state_key: str, key: str, value: str) -> dict[str, Any]:
        try:
            return self._client.update_run_state(state_key, key, value)
        finally:
            self._then("PATCH", state_key, key)

    def create_run_state(self, state_key: str, key: str, value: str) -> dict[str, Any]:
        try:
            return self._client.create_run_state(state_key, key, value)
        finally:
            self._then("POST", state_key, key)


def test_set_loses_a_create_race_under_the_conflict_reading(emulator: EmulatorHandle) -> None:
    emulator.control.set_readings(run_state_post="conflict")
    result = set_entry(_OtherWriter(emulator, {("PATCH", 1): "create"}), K, "c", "ours")
    assert (result.action, result.entry["value"]) == ("updated", "ours")
    assert calls(emulator) == [("PATCH", 404), ("POST", 201), ("POST", 409), ("PATCH", 200)]


def test_set_wins_a_create_race_under_the_upsert_reading(emulator: EmulatorHandle) -> None:
    result = set_entry(_OtherWriter(emulator, {("PATCH", 1): "create"}), K, "c", "ours")
    assert (result.action, result.entry["value"]) == ("created", "ours")
    assert calls(emulator) == [("PATCH", 404), ("POST", 201), ("POST", 200)]


def test_set_survives_a_create_then_delete_race(emulator: EmulatorHandle) -> None:
    emulator.control.set_readings(run_state_post="conflict")
    # our PATCH 404s; another writer creates the key, so our POST 409s; it deletes the key
    # again, so our second PATCH 404s; the second POST creates it
    races = {("PATCH", 1): "create", ("POST", 1): "delete"}
    result = set_entry(_OtherWriter(emulator, races), K, "c", "ours")
    assert (result.action, result.entry["value"]) == ("created", "ours")
    assert calls(emulator) == [
        ("PATCH", 404),
        ("POST", 201),  # theirs
        ("POST", 409),
        ("DELETE", 200),  # theirs
        ("PATCH", 404),
        ("POST", 201),
    ]
    assert emulator.client().get_run_state(K, "c")["value"] == "ours"


def test_set_gives_up_after_a_bounded_number_of_rounds(emulator: EmulatorHandle) -> None:
    emulator.control.set_readings(run_state_post="conflict")
    emulator.control.fail_next(409, times=3, method="POST", path="/sync-job-run-state")
    with pytest.raises(ApiError, match="kept changing"):
        set_entry(emulator.client(), K, "c", "ours")
    assert calls(emulator) == [("PATCH", 404), ("POST", 409)] * 3


# -- list responses named `results` -----------------------------------------------------------


def test_client_reads_results_lists_across_pages(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    emulator.control.set_readings(list_key="results")
    jobs = emulator.seed(*({**JOB, "label": f"j{i}"} for i in range(5)))
    for i in range(3):
        http.post(
            "/sync-job-run-state", params={"state_key": K}, json={"key": f"k{i}", "value": "v"}
        )
    trigger = {"sync_job_id": jobs[0]["id"], "cron_expression": "0 3 * * *"}
    for _ in range(3):
        assert http.post("/sync-job-cron-trigger", json=trigger).status_code == 201
    raw = http.get("/sync-job", params={"limit": 2}).json()
    assert set(raw) == {"results", "next_cursor", "limit"}

    emulator.control.clear_requests()
    client = emulator.client(page_size=2)
    assert [j["label"] for j in client.list_sync_jobs()] == [f"j{i}" for i in range(5)]
    assert [e["key"] for e in client.list_run_state(K)] == ["k0", "k1", "k2"]
    assert len(client.list_cron_triggers(sync_job_id=jobs[0]["id"])) == 3
    pages = [r.path for r in emulator.control.requests("GET")]
    assert pages == ["/sync-job"] * 3 + ["/sync-job-run-state"] * 2 + ["/sync-job-cron-trigger"] * 2


# -- cron triggers ----------------------------------------------------------------------------


def test_cron_list_filters_by_integrated_account(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    (job,) = emulator.seed(JOB)
    for account in ("a", "b", "a", None):
        body = {"sync_job_id": job["id"], "cron_expression": "0 3 * * *"}
        if account:
            body["integrated_account_id"] = account
        assert http.post("/sync-job-cron-trigger", json=body).status_code == 201
    listed = http.get("/sync-job-cron-trigger", params={"integrated_account_id": "a"}).json()
    assert [t["integrated_account_id"] for t in listed["result"]] == ["a", "a"]
    both = {"integrated_account_id": "b", "sync_job_id": job["id"]}
    assert len(http.get("/sync-job-cron-trigger", params=both).json()["result"]) == 1


def test_cron_create_accepts_the_tokens_own_environment_id(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    (job,) = emulator.seed(JOB)
    body = {"sync_job_id": job["id"], "cron_expression": "0 3 * * *"}
    own = http.post(
        "/sync-job-cron-trigger", json={**body, "environment_id": emulator.environment_id}
    )
    assert own.status_code == 201
    assert own.json()["environment_id"] == emulator.environment_id

    other = {**body, "environment_id": emulator.other_environment_id}
    refused = http.post("/sync-job-cron-trigger", json=other)
    assert (refused.status_code, refused.json()) == (
        403,
        {
            "statusCode": 403,
            "error": "Forbidden",
            "message": "environment_id is not this API token's environment",
        },
    )
    path = f"/sync-job-cron-trigger/{own.json()['id']}"
    assert (
        http.patch(path, json={"environment_id": emulator.other_environment_id}).status_code == 403
    )
    bad = http.post("/sync-job-cron-trigger", json={**body, "environment_id": 7})
    assert (bad.status_code, bad.json()["message"]) == (400, "environment_id must be a string")
    assert len(http.get("/sync-job-cron-trigger").json()["result"]) == 1


# -- default_runtime_version stamped on a job created without one: 3 (skills docs) or 2 --------


@pytest.mark.parametrize("stamped", [3, 2])
def test_plan_apply_and_pull_under_both_runtime_stamps(
    emulator_env: EmulatorHandle,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stamped: int,
) -> None:
    from tests.functional.test_plan_apply import make_project, run, writes

    if stamped != 3:
        emulator_env.control.set_readings(default_runtime_version=stamped)
    monkeypatch.chdir(tmp_path)
    project = make_project(tmp_path, examples=False)
    text = "label: bare\nintegration_name: zendesk\nresources: []\n"
    (project / "jobs" / "bare.yaml").write_text(text, encoding="utf-8")
    applied = run("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    (live,) = emulator_env.control.jobs("staging")
    assert live["default_runtime_version"] == stamped
    # the file does not manage the field, so the stamp is no change, whichever it is
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert "does not set default_runtime_version" in again.output
    assert writes(emulator_env) == [("POST", "/sync-job")]
    # pull writes the live value as it is
    (project / "jobs" / "bare.yaml").unlink()
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    written = (project / "jobs" / "bare.yaml").read_text("utf-8")
    assert f"\ndefault_runtime_version: {stamped}\n" in written
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_the_runtime_reading_is_checked_and_reset(
    emulator: EmulatorHandle, http: httpx.Client
) -> None:
    with pytest.raises(ValueError, match="default_runtime_version must be 2 or 3, not 4"):
        emulator.control.set_readings(default_runtime_version=4)
    emulator.control.set_readings(default_runtime_version=2)
    assert http.post("/sync-job", json=JOB).json()["default_runtime_version"] == 2
    emulator.control.reset()
    assert http.post("/sync-job", json=JOB).json()["default_runtime_version"] == 3


# -- runs carry the job's mutex_key/state_key rendered (Truto's debugging docs read them) ------


def test_a_run_carries_its_rendered_mutex_and_state_keys(http: httpx.Client) -> None:
    job = http.post(
        "/sync-job",
        json={
            **JOB,
            "mutex_key": "sync-{{args.integrated_account_id}}",
            "state_key": "{{args.integrated_account_id}}-{{args.region}}",
        },
    ).json()
    run = http.post(
        "/sync-job-run",
        json={
            "sync_job_id": job["id"],
            "integrated_account_id": "acct-9",
            "args": {"region": "eu"},
            "status": "created",
        },
    ).json()
    assert (run["mutex_key"], run["state_key"]) == ("sync-acct-9", "acct-9-eu")
    assert http.get(f"/sync-job-run/{run['id']}").json()["state_key"] == "acct-9-eu"
    # an override sent with the run wins; a job without keys gives runs without them (null)
    other = http.post(
        "/sync-job-run",
        json={
            "sync_job_id": job["id"],
            "integrated_account_id": "acct-9",
            "status": "created",
            "state_key": "mine",
        },
    ).json()
    assert (other["mutex_key"], other["state_key"]) == ("sync-acct-9", "mine")
    bare = http.post("/sync-job", json=JOB).json()
    plain = http.post(
        "/sync-job-run",
        json={"sync_job_id": bare["id"], "integrated_account_id": "a", "status": "created"},
    ).json()
    assert (plain["mutex_key"], plain["state_key"]) == (None, None)
