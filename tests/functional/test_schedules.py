"""Schedules as code (issue 21): plan/apply reconcile cron triggers, against the emulator over HTTP.

The done-when scenario: 1 job x 3 schedules x 200 accounts; the counts are read through the API
(``GET /sync-job-cron-trigger``), not from syncspec's own report.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import make_project, run

ACCOUNTS = 200
JOB = """\
label: tickets-scheduled
integration_name: zendesk
default_runtime_version: 2
mutex_key: "{{args.integrated_account_id}}"
args_schema:
  type: object
  properties:
    integrated_account_id: {type: string, format: integrated_account_id, required: true}
    full: {type: boolean}
resources:
  - resource: ticketing/tickets
    method: list
schedules:
  - name: hourly
    cron: "H * * * *"
  - name: nightly
    cron: "H(0-10) 2 * * *"
    accounts: {sandbox: false}
    args: {full: true}
    error_handling: ignore
  - name: acme-weekly
    cron: "0 6 * * MON"
    accounts: {tenants: ["acme-*"]}
"""

WITHOUT_WEEKLY = JOB[: JOB.index("  - name: acme-weekly")]


def accounts(emulator: EmulatorHandle, n: int = 30) -> list[dict[str, Any]]:
    """``n`` zendesk accounts (every 10th a sandbox, every 10th acme-*), 3 of another
    integration. The done-when test uses 200; the others fewer (the machine is shared)."""
    made = [
        {
            "tenant_id": f"acme-{i}" if i % 10 == 0 else f"tenant-{i}",
            "integration_name": "zendesk",
            "is_sandbox": i % 10 == 9,
        }
        for i in range(n)
    ]
    made += [{"tenant_id": f"hub-{i}", "integration_name": "hubspot"} for i in range(3)]
    return emulator.control.seed_accounts(made)


def expected(accounts: list[dict[str, Any]]) -> Counter[str]:
    zendesk = [a for a in accounts if a["integration"]["name"] == "zendesk"]
    active = [a for a in zendesk if a["status"] == "active"]
    return Counter(
        hourly=len(active),
        nightly=sum(1 for a in active if not a["is_sandbox"]),
        **{"acme-weekly": sum(1 for a in active if a["tenant_id"].startswith("acme-"))},
    )


def live_triggers(emulator: EmulatorHandle) -> list[dict[str, Any]]:
    with emulator.client() as client:
        return client.list_cron_triggers()


def by_schedule(triggers: list[dict[str, Any]]) -> Counter[str]:
    return Counter(
        t["meta"]["schedule"].rsplit("/", 1)[1]
        for t in triggers
        if isinstance(t.get("meta"), dict) and t["meta"].get("managed_by") == "syncspec"
    )


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("GITHUB_STEP_SUMMARY", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs" / "tickets.yaml").write_text(JOB)
    return tmp_path


def test_one_job_three_schedules_two_hundred_accounts(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    seeded = accounts(emulator, ACCOUNTS)
    want = expected(seeded)
    assert want == Counter(hourly=200, nightly=180, **{"acme-weekly": 20})

    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 2, planned.output
    assert "Triggers: 400 to create, 0 to update, 0 to delete." in planned.stdout
    assert 'tickets-scheduled / hourly "H * * * *": 200 account(s)' in planned.stdout
    assert "200 to create · next fire 20" in planned.stdout

    applied = run("apply", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert "Triggers: 400 created, 0 updated, 0 deleted; 0 failed" in applied.stdout
    triggers = live_triggers(emulator)
    assert by_schedule(triggers) == want
    # every trigger is active (scheduled), carries the account in its args, and H spread them
    assert emulator.control.scheduled() == {t["id"] for t in triggers}
    assert all(t["args"]["integrated_account_id"] == t["integrated_account_id"] for t in triggers)
    hourly = [t for t in triggers if t["meta"]["schedule"].endswith("/hourly")]
    assert len({t["cron_expression"] for t in hourly}) > 30
    assert all("H" not in t["cron_expression"] for t in triggers)
    nightly = [t for t in triggers if t["meta"]["schedule"].endswith("/nightly")]
    assert all(t["args"]["full"] is True and t["error_handling"] == "ignore" for t in nightly)

    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.stdout.endswith("No changes. 1 job is up to date; 0 unmanaged.\n")
    assert "200 up to date" in again.stdout


def _applied(project: Path, emulator: EmulatorHandle) -> list[dict[str, Any]]:
    accounts(emulator)
    result = run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return live_triggers(emulator)


def test_deactivated_account_loses_its_triggers_and_a_new_one_gets_them(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    gone = next(t["integrated_account_id"] for t in before if "acme" in str(t["meta"]))
    with emulator.client() as client:
        client.request("PATCH", f"/integrated-account/{gone}", json={"status": "needs_reauth"})
        new = client.request(
            "POST",
            "/integrated-account",
            json={"tenant_id": "acme-new", "integration_name": "zendesk"},
        )
    planned = run("plan")
    assert "Triggers: 3 to create, 0 to update, 3 to delete." in planned.stdout, planned.output
    assert "the account is no longer active or selected" in planned.stdout
    applied = run("apply", "--auto-approve", "--max-deletes", "3")
    assert applied.exit_code == 0, applied.output
    after = live_triggers(emulator)
    assert not [t for t in after if t["integrated_account_id"] == gone]
    assert by_schedule([t for t in after if t["integrated_account_id"] == new["id"]]) == Counter(
        {"hourly": 1, "nightly": 1, "acme-weekly": 1}
    )
    assert len(after) == len(before)
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_trigger_deletes_count_against_max_deletes(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    job_file = project / "jobs" / "tickets.yaml"
    job_file.write_text(WITHOUT_WEEKLY)  # drop the weekly schedule
    refused = run("apply", "--auto-approve", "--max-deletes", "2")
    assert refused.exit_code == 1
    assert "deletes 3 cron trigger(s) but --max-deletes allows 2" in refused.output
    assert len(live_triggers(emulator)) == len(before)
    applied = run("apply", "--auto-approve", "--max-deletes", "3")
    assert applied.exit_code == 0, applied.output
    assert by_schedule(live_triggers(emulator))["acme-weekly"] == 0


def test_foreign_trigger_is_listed_and_never_touched(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    job_id = before[0]["sync_job_id"]
    account = before[0]["integrated_account_id"]
    with emulator.client() as client:
        foreign = client.create_cron_trigger(
            {
                "sync_job_id": job_id,
                "integrated_account_id": account,
                "cron_expression": "5 5 * * *",
            }
        )
    # the file now says no schedules at all: every trigger syncspec made goes, the foreign stays
    text = (project / "jobs" / "tickets.yaml").read_text().split("schedules:")[0]
    (project / "jobs" / "tickets.yaml").write_text(text + "schedules: []\n")
    planned = run("plan")
    assert f"without syncspec's marker (foreign: listed, never touched): {foreign['id']}" in (
        planned.stdout
    ), planned.output
    applied = run("apply", "--auto-approve", "--max-deletes", str(len(before)))
    assert applied.exit_code == 0, applied.output
    assert [t["id"] for t in live_triggers(emulator)] == [foreign["id"]]


def test_failing_account_listing_deletes_nothing(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    # a schedule dropped from the file would delete 20 triggers, but the listing fails
    (project / "jobs" / "tickets.yaml").write_text(WITHOUT_WEEKLY)
    emulator.control.fail_next(500, times=50, method="GET", path="/integrated-account")
    applied = run("apply", "--auto-approve", "--max-deletes", "100")
    assert applied.exit_code == 1
    assert "the integrated accounts could not be listed" in applied.output
    assert "no cron trigger was planned" in applied.output
    assert not [r for r in emulator.control.requests(method="DELETE")]
    assert len(live_triggers(emulator)) == len(before)


@pytest.mark.parametrize("listing", ["/integrated-account", "/sync-job-cron-trigger"])
def test_incomplete_listing_deletes_nothing(
    project: Path, emulator_env: EmulatorHandle, listing: str
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    (project / "jobs" / "tickets.yaml").write_text(WITHOUT_WEEKLY)
    # a 200 answer without a list: the listing cannot be proven complete
    emulator.control.fail_next(200, times=1, method="GET", path=listing)
    planned = run("plan")
    assert planned.exit_code == 1
    assert "could not be listed" in planned.output
    assert "cannot be proven complete" in planned.output
    assert "Triggers:" not in planned.stdout
    assert len(live_triggers(emulator)) == len(before)


def test_malformed_meta_stops_the_trigger_plan(project: Path, emulator_env: EmulatorHandle) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    with emulator.client() as client:
        client.update_cron_trigger(before[0]["id"], {"meta": {"managed_by": "syncspec"}})
    planned = run("plan")
    assert planned.exit_code == 1
    assert f"cron trigger {before[0]['id']} of job 'tickets-scheduled' has a malformed" in (
        planned.output
    )
    assert "Traceback" not in planned.output


def test_cron_change_updates_and_reschedules(project: Path, emulator_env: EmulatorHandle) -> None:
    emulator = emulator_env
    _applied(project, emulator)
    job_file = project / "jobs" / "tickets.yaml"
    job_file.write_text(JOB.replace('cron: "0 6 * * MON"', 'cron: "0 7 * * MON"'))
    planned = run("plan", "--out", "plan.json")
    assert "Triggers: 0 to create, 3 to update, 0 to delete." in planned.stdout, planned.output
    assert "cron_expression '0 6 * * MON' → '0 7 * * MON'; re-scheduled" in planned.stdout
    saved = json.loads((project / "plan.json").read_text())
    assert len(saved["triggers"]) == 3
    emulator.control.clear_requests()
    applied = run("apply", "plan.json", "--auto-approve")
    assert applied.exit_code == 0, applied.output
    schedules = [
        r for r in emulator.control.requests(method="POST") if r.path.endswith("/schedule")
    ]
    assert len(schedules) == 3
    weekly = [t for t in live_triggers(emulator) if t["meta"]["schedule"].endswith("acme-weekly")]
    assert {t["cron_expression"] for t in weekly} == {"0 7 * * MON"}
    assert {t["id"] for t in weekly} <= emulator.control.scheduled()


def test_equivalent_cron_rewritten_by_the_server_is_no_change(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    weekly = [t for t in before if t["meta"]["schedule"].endswith("acme-weekly")]
    with emulator.client() as client:
        for t in weekly:
            client.update_cron_trigger(t["id"], {"cron_expression": "0 6 * * 1"})
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_saved_plan_is_refused_when_triggers_moved(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    accounts(emulator)
    assert run("plan", "--out", "plan.json").exit_code == 0
    with emulator.client() as client:
        client.request(
            "POST", "/integrated-account", json={"tenant_id": "late", "integration_name": "zendesk"}
        )
    applied = run("apply", "plan.json", "--auto-approve")
    assert applied.exit_code == 4, applied.output
    assert "trigger action" in applied.output
    assert live_triggers(emulator) == []


def test_target_and_exclude_cover_triggers(project: Path, emulator_env: EmulatorHandle) -> None:
    emulator = emulator_env
    accounts(emulator)
    # a job of its own for --target to match (issue 24: a --target matching nothing is exit 3)
    other = JOB[: JOB.index("schedules:")].replace("tickets-scheduled", "other-job")
    (project / "jobs" / "other.yaml").write_text(other)
    planned = run("plan", "--exclude", "tickets-*")
    assert "Triggers:" not in planned.stdout, planned.output
    applied = run("apply", "--auto-approve", "--target", "other-*")
    assert applied.exit_code == 0, applied.output
    with emulator.client() as client:
        assert [j["label"] for j in client.list_sync_jobs()] == ["other-job"]
    assert live_triggers(emulator) == []


def test_deleting_a_job_takes_its_own_triggers(project: Path, emulator_env: EmulatorHandle) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    (project / "jobs" / "tickets.yaml").unlink()
    (project / "syncspec.toml").write_text('jobs_dir = "jobs"\n[prune]\nlabels = ["tickets-*"]\n')
    planned = run("plan", "--prune")
    assert f"Triggers: 0 to create, 0 to update, {len(before)} to delete." in planned.stdout, (
        planned.output
    )
    applied = run("apply", "--prune", "--auto-approve", "--max-deletes", str(len(before) + 1))
    assert applied.exit_code == 0, applied.output
    assert live_triggers(emulator) == []
    assert emulator.control.jobs() == []


def test_emulator_clock_past_a_fire_time_starts_runs(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    emulator.control.freeze_time()
    _applied(project, emulator)
    assert emulator.control.runs() == []
    # an hour later every hourly trigger has fired exactly once (and nightly/weekly maybe)
    emulator.control.advance_time(3600)
    with emulator.client() as client:
        runs = client.list_sync_job_runs()
    hourly = {
        t["id"]: t for t in live_triggers(emulator) if t["meta"]["schedule"].endswith("/hourly")
    }
    fired = Counter(r["sync_job_cron_trigger_id"] for r in runs)
    assert all(fired[trigger_id] == 1 for trigger_id in hourly)
    run_of = {r["sync_job_cron_trigger_id"]: r for r in runs}
    some = next(iter(hourly.values()))
    assert run_of[some["id"]]["integrated_account_id"] == some["integrated_account_id"]
    assert run_of[some["id"]]["args"] == some["args"]
    minute = int(some["cron_expression"].split()[0])
    started = datetime.fromisoformat(run_of[some["id"]]["created_at"].replace("Z", "+00:00"))
    assert started.minute == minute and started.second == 0 and started.tzinfo == UTC


PULLABLE = JOB[: JOB.index("  - name: nightly")] + JOB[JOB.index("  - name: acme-weekly") :]


def test_pull_writes_the_schedules_and_the_next_plan_has_no_changes(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    job_file = project / "jobs" / "tickets.yaml"
    job_file.write_text(PULLABLE)
    before = _applied(project, emulator)
    with emulator.client() as client:
        foreign = client.create_cron_trigger(
            {"sync_job_id": before[0]["sync_job_id"], "cron_expression": "5 5 * * *"}
        )
    job_file.unlink()
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert f"1 foreign trigger(s) (not made by syncspec, not pulled): {foreign['id']}" in (
        pulled.output
    )
    text = (project / "jobs" / "tickets-scheduled.yaml").read_text()
    assert "cron: H * * * *" in text
    assert "name: acme-weekly" in text and "ids:" in text
    again = run("plan", "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_pull_dry_run_shows_the_schedules_it_would_write(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    """issues 21 + 24: the dry run's diff holds the schedules block pull would write; nothing is
    written, and the real pull writes exactly that."""
    job_file = project / "jobs" / "tickets.yaml"
    job_file.write_text(PULLABLE)
    _applied(project, emulator_env)
    without = PULLABLE[: PULLABLE.index("schedules:")]
    job_file.write_text(without)
    dry = run("pull", "--dry-run")
    assert dry.exit_code == 2, dry.output
    assert "+schedules:" in dry.stdout and "+    cron: H * * * *" in dry.stdout
    assert job_file.read_text() == without
    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    assert "schedules jobs/tickets.yaml" in pulled.output
    assert run("pull", "--dry-run").exit_code == 0
    assert run("plan", "--detailed-exitcode").exit_code == 0


def test_schedules_command_lists_triggers_with_owner(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    before = _applied(project, emulator)
    with emulator.client() as client:
        client.create_cron_trigger(
            {"sync_job_id": before[0]["sync_job_id"], "cron_expression": "5 5 * * *"}
        )
    listed = run("schedules", "tickets-scheduled")
    assert listed.exit_code == 0, listed.output
    assert f"{len(before) + 1} trigger(s): {len(before)} made by syncspec, 1 foreign." in (
        listed.stdout
    )
    assert "acme-0" in listed.stdout
    as_json = json.loads(run("schedules", "--format", "json").stdout)
    owners = Counter(t["owner"] for t in as_json["triggers"])
    assert owners == Counter(syncspec=len(before), foreign=1)
    assert all(t["next_fire"] for t in as_json["triggers"])
    assert run("schedules", "nope").exit_code == 1


@pytest.mark.parametrize("reading", ["orphan", "cascade"])
def test_job_delete_under_both_cascade_readings(
    project: Path, emulator_env: EmulatorHandle, reading: str
) -> None:
    emulator = emulator_env
    emulator.control.set_readings(cron_on_job_delete=reading)
    before = _applied(project, emulator)
    (project / "jobs" / "tickets.yaml").unlink()
    (project / "syncspec.toml").write_text('jobs_dir = "jobs"\n[prune]\nlabels = ["tickets-*"]\n')
    applied = run("apply", "--prune", "--auto-approve", "--max-deletes", str(len(before) + 1))
    assert applied.exit_code == 0, applied.output
    assert live_triggers(emulator) == []
    assert run("plan", "--prune", "--detailed-exitcode").exit_code == 0


def test_a_server_that_drops_meta_stops_after_the_first_create(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    emulator = emulator_env
    emulator.control.set_readings(cron_meta="dropped")
    accounts(emulator, 5)
    applied = run("apply", "--auto-approve", "--parallelism", "1")
    assert applied.exit_code == 1
    assert "did not keep syncspec's ownership marker" in applied.output
    created = live_triggers(emulator)
    assert len(created) == 1  # --on-error stop: no second unmarked trigger
    assert emulator.control.scheduled() == set()  # never fires


def test_markdown_plan_shows_schedules(project: Path, emulator_env: EmulatorHandle) -> None:
    accounts(emulator_env, 5)
    planned = run("plan", "--format", "markdown")
    assert planned.exit_code == 0, planned.output
    assert "**Schedules** (cron triggers, UTC):" in planned.stdout
    assert "5 account(s) · 0 up to date · 5 to create" in planned.stdout
    assert "<summary>11 cron trigger action(s)</summary>" in planned.stdout
    assert "Triggers: 11 to create, 0 to update, 0 to delete." in planned.stdout


def test_ctrl_c_during_trigger_writes_prints_the_trigger_account(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    import signal

    from tests.functional.test_apply_signals import WAIT_S, Apply

    emulator = emulator_env
    accounts(emulator, 3)  # 7 triggers: 3 hourly, 3 nightly, 1 weekly
    gate = emulator.control.hold_next("POST", "/sync-job-cron-trigger", skip=1)
    apply = Apply(project, emulator)
    try:
        assert gate.wait_reached(WAIT_S)
        apply.proc.send_signal(signal.SIGINT)
        line = apply.wait_for_line("Interrupted:")
        assert "waiting for 1 in-flight action(s) to finish" in line
        gate.release()
        exit_code, out = apply.finish()
    finally:
        gate.release()
        apply.kill()
        if gate.reached.is_set():
            gate.wait_finished(WAIT_S)
    assert exit_code == 130, out + "".join(apply.stderr)
    assert "Triggers: 2 created, 0 updated, 0 deleted; 0 failed, 5 not attempted, 0 unknown." in out
    assert "Apply interrupted (SIGINT)" in out
    assert len(live_triggers(emulator)) == 2
    assert len(emulator.control.scheduled()) == 2  # the in-flight create finished, scheduled
