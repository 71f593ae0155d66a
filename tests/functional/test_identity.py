"""Issue 19, identity that survives: `syncspec` processes against the emulator over HTTP.

- a label change with `renamed_from`, applied to two environments, keeps both jobs' ids, their
  cron triggers and runs; a second plan says "No changes";
- without `renamed_from` the plan names what the delete orphans and suggests the line; CI-mode
  apply refuses; the prompt on a terminal names the triggers; deletes cost extra reads, plans
  without deletes do not;
- server label rewrites (trim, NFD, collapsed spaces, length cap): at most one live job per file
  after 3 applies, for each;
- seeded late-write trials: writes of a killed apply land after the next apply listed; after at
  most two ordinary applies there is one live job per label, none lost.

Counts are printed (`pytest -s`).
"""

from __future__ import annotations

import collections
import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.terminal import answer_in_terminal

WAIT_S = 120.0  # a failsafe for waits on events, never a timing assumption
TRIALS = 12
SEED = 19_2026


def _job_yaml(label: str, *, extra: str = "", method: str = "list") -> str:
    return (
        f"label: {json.dumps(label, ensure_ascii=False)}\n{extra}integration_name: zendesk\n"
        "default_runtime_version: 2\n"
        f"resources:\n  - resource: ticketing/tickets\n    method: {method}\n"
    )


def _project(root: Path, toml: str = "") -> Path:
    (root / "jobs").mkdir(parents=True, exist_ok=True)
    (root / "syncspec.toml").write_text('jobs_dir = "jobs"\n' + toml)
    return root


def _env(emulator: EmulatorHandle, token: str | None = None, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("CI", "SYNCSPEC_PROFILE", "GITHUB_STEP_SUMMARY", "GITHUB_ACTIONS")
    }
    env.update(emulator.environ(token), NO_COLOR="1", **extra)
    return env


def _syncspec(
    project: Path, emulator: EmulatorHandle, *args: str, token: str | None = None, **extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "syncspec", *args],
        cwd=project,
        env=_env(emulator, token, **extra),
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )


def _writes(emulator: EmulatorHandle) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in emulator.control.requests() if r.method != "GET"]


# -- renames ----------------------------------------------------------------------------------


def test_rename_keeps_ids_triggers_and_runs_in_two_environments(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    project = _project(tmp_path)
    path = project / "jobs" / "tickets.yaml"
    path.write_text(_job_yaml("tickets"))
    environments = {"staging": emulator.token, "production": emulator.other_token}
    before: dict[str, tuple[str, str, str]] = {}
    for name, token in environments.items():
        created = _syncspec(project, emulator, "apply", "-y", token=token)
        assert created.returncode == 0, created.stderr
        client = emulator.client(token)
        (job,) = client.list_sync_jobs()
        trigger = client.create_cron_trigger(
            {"sync_job_id": job["id"], "cron_expression": "0 * * * *", "integrated_account_id": "a"}
        )
        run = client.create_sync_job_run({"sync_job_id": job["id"], "integrated_account_id": "a"})
        before[name] = (job["id"], trigger["id"], run["id"])
    assert before["staging"][0] != before["production"][0]  # ids differ per environment

    path.write_text(_job_yaml("tickets-v2", extra="renamed_from: [tickets]\n"))
    staging_id = before["staging"][0]
    text = _syncspec(project, emulator, "plan", "--out", "plan.json")
    assert text.returncode == 0, text.stderr
    assert (
        f"  ~ rename tickets → tickets-v2 (id {staging_id})  [jobs/tickets.yaml:1]" in text.stdout
    )
    assert "Plan: 0 to create, 0 to update, 1 to rename, 0 to delete; 0 unmanaged." in text.stdout
    data = json.loads(_syncspec(project, emulator, "plan", "--format", "json").stdout)
    (action,) = data["actions"]
    assert (action["kind"], action["renamed_from"], action["label"]) == (
        "rename",
        "tickets",
        "tickets-v2",
    )
    assert (action["job_id"], action["body"]) == (staging_id, {"label": "tickets-v2"})
    markdown = _syncspec(project, emulator, "plan", "--format", "markdown").stdout
    assert f"#### `~ rename` `tickets` → `tickets-v2` (id `{staging_id}`)" in markdown
    assert "| rename | 1 |" in markdown
    github = _syncspec(project, emulator, "plan", "--format", "github").stdout
    assert (
        "::notice file=jobs/tickets.yaml,line=1,title=syncspec plan%3A rename tickets → "
        f"tickets-v2::rename tickets → tickets-v2 (id {staging_id})%0A~ /label" in github
    )

    # staging: the saved plan is the approval; production: an ordinary apply
    saved = _syncspec(project, emulator, "apply", "-y", "plan.json")
    assert saved.returncode == 0, saved.stdout + saved.stderr
    assert f"~ renamed tickets-v2 ({staging_id})" in saved.stdout
    direct = _syncspec(project, emulator, "apply", "-y", token=emulator.other_token)
    assert direct.returncode == 0, direct.stdout + direct.stderr

    for name, token in environments.items():
        job_id, trigger_id, run_id = before[name]
        client = emulator.client(token)
        assert [(j["id"], j["label"]) for j in client.list_sync_jobs()] == [(job_id, "tickets-v2")]
        assert client.get_cron_trigger(trigger_id)["sync_job_id"] == job_id  # not orphaned
        assert [r["id"] for r in client.list_sync_job_runs(sync_job_id=job_id)] == [run_id]
        again = _syncspec(project, emulator, "plan", "--detailed-exitcode", token=token)
        assert again.returncode == 0, again.stdout
        assert again.stdout.startswith("No changes. 1 job is up to date")
    print("\nrename: 2 environments, ids kept 2/2, triggers live 2/2, runs listed 2/2")


def test_a_saved_rename_edited_after_review_is_refused(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    project = _project(tmp_path)
    (project / "jobs" / "t.yaml").write_text(_job_yaml("tickets-v2", extra="renamed_from: [t]\n"))
    (old,) = emulator.seed(
        {
            "label": "t",
            "integration_name": "zendesk",
            "default_runtime_version": 2,
            "resources": [{"resource": "ticketing/tickets", "method": "list"}],
        }
    )
    assert _syncspec(project, emulator, "plan", "--out", "plan.json").returncode == 0
    plan = json.loads((project / "plan.json").read_text())
    plan["actions"][0]["body"]["label"] = "something-else"
    (project / "plan.json").write_text(json.dumps(plan))
    refused = _syncspec(project, emulator, "apply", "-y", "plan.json")
    assert refused.returncode == 4, refused.stderr
    assert "action 1 (rename 'tickets-v2', id " in refused.stderr
    assert _writes(emulator) == []
    assert [j["label"] for j in emulator.control.jobs()] == [old["label"]]


# -- deletes say what they orphan -------------------------------------------------------------


def _orphan_scene(tmp_path: Path, emulator: EmulatorHandle) -> tuple[Path, str, str, str]:
    """A live job with a foreign cron trigger, a run in progress and run state; its file's
    label changed without ``renamed_from``."""
    emulator.control.freeze_time()  # the run stays "created": in progress
    project = _project(tmp_path, '[prune]\nlabels = ["*"]\n')
    path = project / "jobs" / "tickets.yaml"
    key = (
        "args_schema: {type: object, properties: {integrated_account_id: {type: string, "
        'required: true}}}\nstate_key: "{{args.integrated_account_id}}"\n'
    )
    path.write_text(_job_yaml("tickets", extra=key))
    assert _syncspec(project, emulator, "apply", "-y").returncode == 0
    client = emulator.client()
    (job,) = client.list_sync_jobs()
    trigger = client.create_cron_trigger(
        {
            "sync_job_id": job["id"],
            "cron_expression": "0 * * * *",
            "integrated_account_id": "acct-1",
        }
    )
    run = client.create_sync_job_run(
        {
            "sync_job_id": job["id"],
            "integrated_account_id": "acct-1",
            "args": {"integrated_account_id": "acct-1"},
        }
    )
    client.create_run_state("acct-1", "cursor", "2026-01-01")
    path.write_text(_job_yaml("tickets-v2", extra=key))
    emulator.control.clear_requests()
    return project, job["id"], trigger["id"], run["id"]


def test_a_delete_names_what_it_orphans_and_suggests_the_rename(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    project, job_id, trigger_id, run_id = _orphan_scene(tmp_path, emulator)
    plan = _syncspec(project, emulator, "plan", "--prune")
    assert plan.returncode == 0, plan.stderr
    out = plan.stdout
    assert f"  - delete tickets (id {job_id})" in out
    assert (
        "      ! 1 cron trigger(s) not managed by syncspec point at it and would be orphaned "
        f"(accounts: acct-1; ids {trigger_id})"
    ) in out
    assert f"      ! 1 run(s) in progress: {run_id}" in out
    assert "      ! it has run state (cursors): a new job would start from scratch" in out
    assert "add `renamed_from: [tickets]` to jobs/tickets.yaml" in out
    reads = [(r.method, r.path) for r in emulator.control.requests()]
    assert reads == [
        ("GET", "/sync-job"),
        ("GET", "/sync-job-cron-trigger"),
        ("GET", "/sync-job-run"),
        ("GET", "/sync-job-run-state"),
    ]
    data = json.loads(_syncspec(project, emulator, "plan", "--prune", "--format", "json").stdout)
    delete = next(a for a in data["actions"] if a["kind"] == "delete")
    assert delete["impact"]["triggers"] == [
        {
            "id": trigger_id,
            "integrated_account_id": "acct-1",
            "cron_expression": "0 * * * *",
            "owned": False,
        }
    ]
    assert (delete["impact"]["runs_in_progress"], delete["impact"]["has_run_state"]) == (
        [run_id],
        True,
    )
    (hint,) = [n for n in data["notices"] if n["suggestion"]]
    assert (hint["file"], hint["suggestion"]) == ("jobs/tickets.yaml", "renamed_from: [tickets]")

    emulator.control.clear_requests()
    ci = _syncspec(project, emulator, "apply", "--prune", "-y", "--max-deletes", "1", CI="true")
    assert ci.returncode == 1, ci.stdout + ci.stderr
    assert f'"tickets" (id {job_id}): 1 cron trigger(s) not managed by syncspec' in ci.stderr
    assert "re-run with --allow-orphans" in ci.stderr
    assert _writes(emulator) == []

    # following the suggestion keeps the job: a rename, nothing orphaned
    path = project / "jobs" / "tickets.yaml"
    path.write_text(
        path.read_text().replace("integration_name", "renamed_from: [tickets]\nintegration_name")
    )
    fixed = _syncspec(project, emulator, "apply", "--prune", "-y", CI="true")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert [j["id"] for j in emulator.control.jobs()] == [job_id]


def test_allow_orphans_lets_ci_delete(tmp_path: Path, emulator: EmulatorHandle) -> None:
    project, job_id, _, _ = _orphan_scene(tmp_path, emulator)
    args = ("apply", "--prune", "-y", "--max-deletes", "1", "--allow-orphans")
    done = _syncspec(project, emulator, *args, CI="true")
    assert done.returncode == 0, done.stdout + done.stderr
    assert job_id not in {j["id"] for j in emulator.control.jobs()}
    assert ("DELETE", f"/sync-job/{job_id}") in _writes(emulator)


@pytest.mark.slow
# issue 24: a delete is confirmed with `yes` or the count, so `y` is refused here too
@pytest.mark.parametrize(("answer", "code"), [(b"n\n", 1), (b"y\n", 1), (b"yes\n", 0)])
def test_the_prompt_names_the_orphaned_triggers(
    tmp_path: Path, emulator: EmulatorHandle, answer: bytes, code: int
) -> None:
    project, job_id, trigger_id, _ = _orphan_scene(tmp_path, emulator)
    prompt = b"Type yes or 1 to apply, orphaning the cron triggers named above: "
    proc, output = answer_in_terminal(["apply", "--prune"], project, _env(emulator), prompt, answer)
    assert proc.wait(timeout=WAIT_S) == code, output
    text = output.decode(errors="replace")
    assert "These deletes orphan cron triggers not managed by syncspec:" in text
    assert f"(accounts: acct-1; trigger ids {trigger_id})" in text
    alive = job_id in {j["id"] for j in emulator.control.jobs()}
    assert alive is (code == 1)


def test_requests_per_plan_with_and_without_deletes(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """What the extra reads cost: a plan without deletes lists the jobs and nothing else; each
    delete adds its triggers, its runs and (a state_key) its run state."""
    project = _project(tmp_path, '[prune]\nlabels = ["*"]\n')
    for i in range(5):
        (project / "jobs" / f"j{i}.yaml").write_text(_job_yaml(f"j{i}"))
    assert _syncspec(project, emulator, "apply", "-y").returncode == 0
    emulator.control.clear_requests()
    assert _syncspec(project, emulator, "plan", "--prune").returncode == 0
    without = len(emulator.control.requests())
    for i in (3, 4):
        (project / "jobs" / f"j{i}.yaml").unlink()
    emulator.control.clear_requests()
    plan = _syncspec(project, emulator, "plan", "--prune")
    assert "Plan: 0 to create, 0 to update, 2 to delete" in plan.stdout
    with_deletes = collections.Counter(r.path for r in emulator.control.requests())
    assert without == 1
    assert with_deletes == {"/sync-job": 1, "/sync-job-cron-trigger": 2, "/sync-job-run": 2}
    print(
        f"\nrequests per plan: {without} without deletes; {sum(with_deletes.values())} with 2 "
        "deletes (1 list + 2 per delete, +1 per run-state namespace of a job with state_key)"
    )


# -- labels the server rewrites ---------------------------------------------------------------

LONG = "zendesk-tickets-for-the-customer-success-team-" + "x" * 40  # 86 characters
REWRITES = {
    "trim": " zendesk-tickets",  # validate refuses it (SS604): never sent
    "nfd": "café-tickets",  # stored decomposed: the same text, compared in NFC
    "collapse_spaces": "zendesk  tickets",
    "cap": LONG,  # stored cut to 64 characters
}


@pytest.mark.parametrize("reading", sorted(REWRITES))
def test_server_label_rewrites_never_duplicate_the_job(
    tmp_path: Path, emulator: EmulatorHandle, reading: str
) -> None:
    emulator.control.set_readings(label_rewrite=reading)
    project = _project(tmp_path)
    label = REWRITES[reading]
    (project / "jobs" / "job.yaml").write_text(_job_yaml(label))
    outcomes = []
    for _ in range(3):
        result = _syncspec(project, emulator, "apply", "-y")
        outcomes.append((result.returncode, result.stdout + result.stderr))
    live = emulator.control.jobs()
    assert len(live) <= 1, outcomes
    codes = [code for code, _ in outcomes]
    if reading == "trim":
        assert codes == [1, 1, 1] and live == []
        assert all("SS604 the label starts or ends with whitespace" in o for _, o in outcomes)
    elif reading == "nfd":
        assert codes == [0, 0, 0] and len(live) == 1
        assert "No changes to apply." in outcomes[2][1]
    else:
        assert codes == [1, 1, 1] and len(live) == 1, outcomes
        stored = live[0]["label"]
        how = "whitespace collapsed" if reading == "collapse_spaces" else "cut to 64 characters"
        first = outcomes[0][1]
        assert f"but the server stored its label as {json.dumps(stored)} ({how})" in first
        for _, later in outcomes[1:]:
            assert f"stored {how}. Not creating another job" in later
            assert f"`label: {json.dumps(stored)}`" in later
    print(f"\nlabel rewrite {reading}: {len(live)} live job(s) after 3 applies, exits {codes}")


# -- late writes ------------------------------------------------------------------------------


def _trial(rng: random.Random, root: Path, emulator: EmulatorHandle, trial: int) -> dict[str, Any]:
    emulator.control.reset()
    emulator.control.set_readings(late_writes="complete")
    project = _project(root / f"t{trial}")
    labels = [f"t{trial}-{i}" for i in range(rng.randint(2, 4))]
    for label in labels:
        (project / "jobs" / f"{label}.yaml").write_text(_job_yaml(label))
    parallelism = rng.randint(1, 4)
    through = rng.randint(0, len(labels) - 1)  # creates of the killed apply that finish
    held = min(parallelism, len(labels) - through)
    release_before = rng.random() < 0.25  # late writes land before the next apply lists
    gate = emulator.control.hold(
        method="POST", path="/sync-job", exact=True, skip=through, times=held
    )
    killed = subprocess.Popen(
        [sys.executable, "-m", "syncspec", "apply", "-y", "--parallelism", str(parallelism)],
        cwd=project,
        env=_env(emulator),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert gate.wait_reached(WAIT_S), "the apply never sent its creates"
        _until(lambda: gate.count >= held, "the held creates")
        killed.send_signal(signal.SIGKILL)  # the client is gone; its held writes are not
        killed.wait(WAIT_S)
        if release_before:
            gate.release()
            _until(lambda: _posts(emulator) >= through + held, "the late writes")
        first = _syncspec(project, emulator, "apply", "-y")
        if not release_before:
            gate.release()
            _until(lambda: _posts(emulator) >= through + held + _created(first), "late writes")
    finally:
        gate.release()
        if killed.poll() is None:
            killed.kill()
            killed.wait()
    doubled = sum(1 for n in _counts(emulator, labels).values() if n > 1)
    applies = [first]
    while _counts(emulator, labels) != dict.fromkeys(labels, 1) and len(applies) < 3:
        applies.append(_syncspec(project, emulator, "apply", "-y"))
    counts = _counts(emulator, labels)
    final = _syncspec(project, emulator, "plan", "--detailed-exitcode")
    return {
        "labels": len(labels),
        "doubled": doubled,
        "applies": len(applies),
        "counts": counts,
        "lost": sum(1 for n in counts.values() if n == 0),
        "final": (final.returncode, final.stdout),
        "outputs": [a.stdout + a.stderr for a in applies],
        "healed": sum(o.count("left by an interrupted apply") for o in [a.stdout for a in applies]),
    }


def _posts(emulator: EmulatorHandle) -> int:
    return sum(1 for r in emulator.control.requests("POST", "/sync-job") if r.status == 201)


def _created(result: subprocess.CompletedProcess[str]) -> int:
    return result.stdout.count("+ created ")


def _counts(emulator: EmulatorHandle, labels: list[str]) -> dict[str, int]:
    found = collections.Counter(str(j["label"]) for j in emulator.control.jobs())
    return {label: found[label] for label in labels}


def _until(condition: Any, what: str) -> None:
    """Wait for an event the emulator records (polling; ``WAIT_S`` is only a failsafe)."""
    import time

    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"waited {WAIT_S} s for {what}"
        time.sleep(0.02)


@pytest.mark.slow
def test_late_writes_of_a_killed_apply_heal(tmp_path: Path, emulator: EmulatorHandle) -> None:
    rng = random.Random(SEED)
    trials = [_trial(rng, tmp_path, emulator, n) for n in range(TRIALS)]
    for t in trials:
        assert t["counts"] == dict.fromkeys(t["counts"], 1), t
        assert t["applies"] <= 2, t
        assert t["final"][0] == 0, t
    doubled = sum(1 for t in trials if t["doubled"])
    assert doubled >= TRIALS // 2  # the scenario really makes duplicates
    assert sum(t["healed"] for t in trials) >= doubled
    print(
        f"\nlate writes: {TRIALS} trials, {doubled} with a label held twice after the next "
        f"apply, {sum(t['lost'] for t in trials)} lost, one job per label after at most "
        f"{max(t['applies'] for t in trials)} ordinary applies "
        f"(applies per trial: {collections.Counter(t['applies'] for t in trials)})"
    )


# -- the emulator's switches ------------------------------------------------------------------


@pytest.mark.parametrize(("reading", "landed"), [("drop", 0), ("complete", 1)])
def test_a_held_write_whose_client_went_away(
    emulator: EmulatorHandle, reading: str, landed: int
) -> None:
    """``late_writes``: "drop" (the default) loses a held write once its client is gone;
    "complete" finishes it when released: a late write."""
    import socket
    from urllib.parse import urlsplit

    emulator.control.set_readings(late_writes=reading)
    gate = emulator.control.hold_next("POST", "/sync-job")
    body = json.dumps({"label": "late", "integration_name": "zendesk", "resources": []}).encode()
    url = urlsplit(emulator.url)
    request = (
        f"POST /sync-job HTTP/1.1\r\nHost: {url.netloc}\r\n"
        f"Authorization: Bearer {emulator.token}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    with socket.create_connection((url.hostname, url.port), timeout=WAIT_S) as sock:
        sock.sendall(request)
        assert gate.wait_reached(WAIT_S)
    # The client is gone (socket closed) while its write is held. A request on a new
    # connection, answered after the close was sent, is served by the same event loop after
    # it handled that close: from then on the server knows the client is gone.
    emulator.client().list_sync_jobs()
    gate.release()
    assert gate.wait_finished(WAIT_S)
    assert len(emulator.control.jobs()) == landed


def test_label_rewrite_reading_applies_to_creates_and_renames(emulator: EmulatorHandle) -> None:
    client = emulator.client()
    emulator.control.set_readings(label_rewrite="collapse_spaces")
    job = client.create_sync_job({"label": "a  b", "integration_name": "z", "resources": []})
    assert job["label"] == "a b"
    assert client.update_sync_job(job["id"], {"label": " c   d "})["label"] == "c d"
    emulator.control.set_readings(label_rewrite="cap")
    assert client.update_sync_job(job["id"], {"label": "y" * 70})["label"] == "y" * 64
    with pytest.raises(ValueError, match="label_rewrite must be one of"):
        emulator.control.set_readings(label_rewrite="upper")
    emulator.control.reset()
    assert emulator.control.jobs() == []


# -- pull ------------------------------------------------------------------------------------


def test_pull_writes_a_dashboard_rename_with_renamed_from(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    project = _project(tmp_path)
    (project / "jobs" / "tickets.yaml").write_text("# our comment\n" + _job_yaml("tickets"))
    (project / "jobs" / "gone.yaml").write_text(_job_yaml("gone", method="get"))
    assert _syncspec(project, emulator, "apply", "-y").returncode == 0
    client = emulator.client()
    by_label = {j["label"]: j["id"] for j in client.list_sync_jobs()}
    client.update_sync_job(by_label["tickets"], {"label": "tickets-v2"})  # the dashboard
    client.delete_sync_job(by_label["gone"])

    pulled = _syncspec(project, emulator, "pull")
    assert pulled.returncode == 0, pulled.stderr
    assert (
        'renamed: jobs/tickets.yaml: "tickets" was renamed to "tickets-v2" in Truto; the file '
        "now says so, with `renamed_from: [tickets]`"
    ) in pulled.stderr
    assert 'warning: jobs/gone.yaml: no live job has its label "gone"' in pulled.stderr
    assert sorted(p.name for p in (project / "jobs").iterdir()) == ["gone.yaml", "tickets.yaml"]
    text = (project / "jobs" / "tickets.yaml").read_text()
    assert text.startswith('# our comment\nlabel: "tickets-v2"\nrenamed_from: [tickets]\n')
    (project / "jobs" / "gone.yaml").unlink()
    again = _syncspec(project, emulator, "plan", "--detailed-exitcode")
    assert again.returncode == 0, again.stdout


def test_a_delete_whose_impact_cannot_be_read_is_not_planned(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    project = _project(tmp_path, '[prune]\nlabels = ["*"]\n')
    (old,) = emulator.seed({"label": "old", "integration_name": "zendesk", "resources": []})
    emulator.control.fail_next(400, path="/sync-job-cron-trigger")
    plan = _syncspec(project, emulator, "plan", "--prune")
    assert plan.returncode == 1, plan.stdout
    assert (
        f'error: reading what deleting "old" (id {old["id"]}) leaves behind (cron triggers, '
        "runs, run state) failed: "
    ) in plan.stderr
    assert plan.stderr.rstrip().endswith("nothing was planned")
    assert plan.stdout == ""
