"""Issue 10: plan/apply/prune can never do what nobody reviewed. One regression test per
failure class (numbers as in the issue), each ending with the emulator's stored jobs.

In-process (CliRunner) against the emulator over HTTP; signals and racing processes are in
test_apply_signals.py and test_apply_races.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from syncspec.cli import cli
from syncspec.engine.apply import ApplyOptions, apply_plan
from syncspec.engine.model import Action, ActionKind, Outcome, Plan
from syncspec.engine.normalize import canonical_job
from tests.conftest import EmulatorHandle

PRUNE_ALL = '[prune]\nlabels = ["*"]\n'


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False, env=env)


def job(label: str, method: str = "list") -> dict[str, Any]:
    return {
        "label": label,
        "integration_name": "zendesk",
        "default_runtime_version": 2,
        "resources": [{"resource": "ticketing/tickets", "method": method}],
    }


def job_file(label: str, method: str = "list") -> str:
    return (
        f"label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
        f"resources:\n  - resource: ticketing/tickets\n    method: {method}\n"
    )


def labels(emulator: EmulatorHandle) -> list[str]:
    return sorted(j["label"] for j in emulator.control.jobs())


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "jobs").mkdir()
    (tmp_path / "syncspec.toml").write_text('jobs_dir = "jobs"\n' + PRUNE_ALL)
    return tmp_path


def write_jobs(project: Path, **files: str) -> None:
    for name, text in files.items():
        path = project / "jobs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


# -- 4. narrowing never un-manages ----------------------------------------------------------


def test_a_missing_jobs_dir_is_an_error_not_an_empty_project(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    # a typo in jobs_dir (a pull request can edit syncspec.toml) must not unmanage every job
    (project / "syncspec.toml").write_text('jobs_dir = "job"\n[prune]\nlabels = ["*"]\n')
    emulator_env.seed(job("a"), job("b"))
    for args in (("plan", "--prune"), ("apply", "-y", "--prune", "--max-deletes", "9")):
        result = run(*args)
        assert result.exit_code == 3, result.output
        assert "jobs directory" in result.stderr and "does not exist" in result.stderr
    assert labels(emulator_env) == ["a", "b"]


def test_plan_prune_with_paths_never_deletes_jobs_whose_files_exist(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    write_jobs(project, **{"a.yaml": job_file("a"), "b.yaml": job_file("b")})
    emulator_env.seed(job("a", "get"), job("b"), job("stray"))
    planned = run("plan", "--prune", "--out", "p.json", "--format", "json", "jobs/a.yaml")
    assert planned.exit_code == 0, planned.output
    plan = json.loads(planned.stdout)
    assert [(a["kind"], a["label"]) for a in plan["actions"]] == [("update", "a")]
    assert plan["options"]["paths"] == ["jobs/a.yaml"]
    warning = next(n for n in plan["notices"] if n["kind"] == "warning")
    assert warning["message"] == (
        "--prune deletes nothing in this plan (1 unmanaged job(s) in the prune scope kept): "
        "PATHS narrow the plan to some job files; plan without PATHS to prune"
    )
    # a pruning plan needs --prune at apply time too (the file's options are not trusted)
    refused = run("apply", "p.json")
    assert refused.exit_code == 3, refused.output
    applied = run("apply", "--prune", "p.json")
    assert applied.exit_code == 0, applied.output
    assert labels(emulator_env) == ["a", "b", "stray"]
    # the same with a direct `apply PATHS`, and -y for --auto-approve
    assert run("apply", "-y", "--prune", "jobs/b.yaml").exit_code == 0
    assert labels(emulator_env) == ["a", "b", "stray"]
    # without PATHS the prune scope applies: only the unclaimed job goes
    assert run("apply", "-y", "--prune").exit_code == 0
    assert labels(emulator_env) == ["a", "b"]


def test_files_outside_paths_with_errors_still_claim_their_labels(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    write_jobs(project, **{"a.yaml": job_file("a"), "b.yaml": job_file("b") + "bogus: 1\n"})
    emulator_env.seed(job("a"), job("b"))
    result = run("plan", "--prune", "--format", "json", "jobs/a.yaml")
    assert result.exit_code == 0, result.output
    assert "note: not planned (outside PATHS) and with errors: jobs/b.yaml" in result.stderr
    plan = json.loads(result.stdout)
    assert [a["kind"] for a in plan["actions"]] == ["noop"]
    assert [n["kind"] for n in plan["notices"]] == ["unmanaged"]
    assert "carries the label of a job file" in plan["notices"][0]["message"]
    assert labels(emulator_env) == ["a", "b"]


# -- 5. files discovery used to skip are managed; incomplete views prune nothing --------------


def test_hidden_upper_case_and_symlinked_job_files_are_managed_not_pruned(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    shared = project / "shared"
    shared.mkdir()
    (shared / "linked.yaml").write_text(job_file("linked"))
    write_jobs(project, **{".drafts/hidden.yaml": job_file("hidden"), "UP.YAML": job_file("up")})
    (project / "jobs" / "team").symlink_to(shared, target_is_directory=True)
    emulator_env.seed(job("hidden"), job("up"), job("linked"), job("stray"))
    validated = run("validate")
    assert (validated.exit_code, validated.stdout) == (0, "3 files checked, no problems\n")
    result = run("apply", "-y", "--prune")
    assert result.exit_code == 0, result.output
    assert "- delete stray" in result.stdout or "deleted stray" in result.stdout
    assert labels(emulator_env) == ["hidden", "linked", "up"]


def test_a_refused_symlink_or_unparseable_file_means_nothing_is_pruned(
    project: Path, emulator_env: EmulatorHandle, tmp_path_factory: pytest.TempPathFactory
) -> None:
    outside = tmp_path_factory.mktemp("outside")
    (outside / "ext.yaml").write_text(job_file("ext"))
    write_jobs(project, **{"a.yaml": job_file("a")})
    (project / "jobs" / "ext").symlink_to(outside, target_is_directory=True)
    emulator_env.seed(job("a"), job("ext"), job("stray"))
    result = run("apply", "-y", "--prune")
    assert result.exit_code == 0, result.output
    assert "note: skipped jobs/ext: symlinked folder resolves outside the repository" in (
        result.stderr
    )
    assert "--prune deletes nothing in this plan (2 unmanaged job(s) in the prune scope" in (
        result.stdout
    )
    assert labels(emulator_env) == ["a", "ext", "stray"]
    # an unparseable file outside PATHS: might claim anything, so nothing is pruned
    (project / "jobs" / "ext").unlink()
    write_jobs(project, **{"broken.yaml": "label: [unclosed\n"})
    narrowed = run("plan", "--prune", "--format", "json", "jobs/a.yaml")
    assert narrowed.exit_code == 0, narrowed.output
    assert "jobs/broken.yaml cannot be read or parsed" in narrowed.stdout
    assert all(a["kind"] != "delete" for a in json.loads(narrowed.stdout)["actions"])
    assert labels(emulator_env) == ["a", "ext", "stray"]


def test_a_typo_in_prune_is_a_config_error(project: Path, emulator_env: EmulatorHandle) -> None:
    (project / "syncspec.toml").write_text('jobs_dir = "jobs"\n[prune]\nlabel = ["x-*"]\n')
    emulator_env.seed(job("x-1"))
    result = run("apply", "-y", "--prune")
    assert result.exit_code == 3
    assert "unknown key 'prune.label' (did you mean \"labels\"?)" in result.stderr
    assert labels(emulator_env) == ["x-1"]


# -- 3. a saved plan is an approval ------------------------------------------------------------


def _tamper_body(plan: dict[str, Any]) -> None:
    plan["actions"][0]["body"]["mutex_key"] = "injected"


def _inject_create(plan: dict[str, Any]) -> None:
    plan["actions"].append({**plan["actions"][1], "label": "evil", "body": job("evil")})


def _duplicate_create(plan: dict[str, Any]) -> None:
    plan["actions"].append(dict(plan["actions"][1]))


def _delete(which: str) -> Callable[[dict[str, Any]], None]:
    def tamper(plan: dict[str, Any]) -> None:
        target = plan["_live"][which]
        plan["actions"].insert(
            0,
            {"kind": "delete", "label": target["label"], "job_id": target["id"]},
        )

    return tamper


def _retarget(plan: dict[str, Any]) -> None:
    plan["actions"][0]["job_id"] = plan["_live"]["unmanaged"]["id"]


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def tamper(plan: dict[str, Any]) -> None:
        node: Any = plan
        *parents, last = path.split(".")
        for key in parents:
            node = node[int(key)] if isinstance(node, list) else node[key]
        node[last] = value

    return tamper


TAMPERING: list[tuple[str, Callable[[dict[str, Any]], None], int, str]] = [
    ("update body: extra field", _tamper_body, 4, "action 1 (update 'b'"),
    ("injected create", _inject_create, 4, "has an action the files do not call for: create"),
    ("duplicated create", _duplicate_create, 4, "has an action the files do not call for"),
    ("delete of an unmanaged job", _delete("unmanaged"), 4, "plan says delete 'other'"),
    ("delete of a managed job", _delete("managed"), 4, "plan says delete 'b'"),
    ("update pointed at another id", _retarget, 4, "now give update 'b'"),
    ("kind", _set("actions.0.kind", "delete"), 4, "plan says delete 'b'"),
    ("label", _set("actions.1.label", "renamed"), 4, "plan says create 'renamed'"),
    ("fingerprint", _set("actions.0.fingerprint", "0" * 64), 4, "fingerprint differs"),
    ("changes", _set("actions.0.changes", []), 4, "changes differs"),
    ("file", _set("actions.1.file", "jobs/elsewhere.yaml"), 4, "file is"),
    ("line", _set("actions.1.line", 99), 4, "line is 99"),
    ("options.prune", _set("options.prune", True), 3, "was made with --prune"),
    ("options.paths outside", _set("options.paths", ["../elsewhere"]), 3, "not a path inside"),
    ("options.targets", _set("options.targets", ["a"]), 4, "action 1"),
    ("options.excludes", _set("options.excludes", ["b"]), 4, "action 1"),
    ("options.paths", _set("options.paths", ["jobs/a.yaml"]), 4, "action 1"),
    ("environment.environment_id", _set("environment.environment_id", "e-x"), 3, "e-x"),
    ("environment missing", _set("environment", None), 3, "does not record the environment"),
    ("api_url", _set("api_url", "http://127.0.0.1:9"), 3, "re-run plan against this target"),
    ("profile", _set("profile", "prod"), 3, "re-run plan against this target"),
    ("format_version", _set("format_version", 99), 3, "plan format 99"),
    ("unknown key", _set("run_this", "rm -rf"), 3, "corrupt plan file"),
    ("notices (not executed)", _set("notices", []), 0, ""),
    ("created_at (not executed)", _set("created_at", "2000-01-01T00:00:00Z"), 0, ""),
]


@pytest.mark.parametrize(
    ("tamper", "code", "message"),
    [pytest.param(t, c, m, id=name) for name, t, c, m in TAMPERING],
)
def test_a_tampered_saved_plan_changes_nothing(
    project: Path,
    emulator_env: EmulatorHandle,
    tamper: Callable[[dict[str, Any]], None],
    code: int,
    message: str,
) -> None:
    write_jobs(project, **{"a.yaml": job_file("a"), "b.yaml": job_file("b")})
    managed, unmanaged = emulator_env.seed(job("b", "get"), job("other"))
    assert run("plan", "--out", "p.json").exit_code == 0
    plan = json.loads((project / "p.json").read_text())
    assert [a["kind"] for a in plan["actions"]] == ["update", "create"]
    plan["_live"] = {"managed": managed, "unmanaged": unmanaged}
    tamper(plan)
    plan.pop("_live")
    (project / "p.json").write_text(json.dumps(plan))
    before = emulator_env.control.jobs()
    result = run("apply", "p.json")
    assert result.exit_code == code, result.output
    assert message in result.stderr
    if code:
        assert emulator_env.control.jobs() == before
    else:
        assert labels(emulator_env) == ["a", "b", "other"]


def test_a_plan_made_with_another_environments_token_is_refused(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    write_jobs(project, **{"a.yaml": job_file("a")})
    other = emulator_env.environ(emulator_env.other_token)
    # planned against an empty environment: bound to the token's fingerprint
    assert run("plan", "--out", "empty.json").exit_code == 0
    saved = json.loads((project / "empty.json").read_text())
    assert saved["environment"]["environment_id"] is None
    assert saved["environment"]["token_fingerprint"].startswith("hmac-sha256:")
    assert emulator_env.token not in (project / "empty.json").read_text()
    refused = run("apply", "empty.json", env=other)
    assert refused.exit_code == 3
    assert "the saved plan was made with another API token" in refused.stderr
    # planned against an environment with jobs: bound to its environment_id
    emulator_env.seed(job("a", "get"))
    emulator_env.seed(job("a", "get"), other=True)
    assert run("plan", "--out", "full.json").exit_code == 0
    refused = run("apply", "full.json", env=other)
    assert refused.exit_code == 3
    assert f"made against environment {emulator_env.environment_id}" in refused.stderr
    assert [j["resources"][0]["method"] for j in emulator_env.control.jobs("production")] == ["get"]
    assert run("apply", "full.json").exit_code == 0
    assert [j["resources"][0]["method"] for j in emulator_env.control.jobs()] == ["list"]


# -- 2. an edit made during apply is not overwritten -----------------------------------------


def _in_thread(target: Callable[[], Any]) -> tuple[threading.Thread, list[Any]]:
    out: list[Any] = []
    thread = threading.Thread(target=lambda: out.append(target()), daemon=True)
    thread.start()
    return thread, out


def test_an_edit_between_plan_and_patch_is_not_overwritten(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    write_jobs(project, **{"b.yaml": job_file("b"), "c.yaml": job_file("c")})
    b, _ = emulator_env.seed(job("b", "get"), job("c", "get"))
    gate = emulator_env.control.hold_next("GET", f"/sync-job/{b['id']}")  # the re-read of b
    thread, out = _in_thread(lambda: run("apply", "-y", "--format", "json"))
    assert gate.wait_reached(60)
    emulator_env.client().update_sync_job(b["id"], {"mutex_key": "dashboard-edit"})
    gate.release()
    thread.join(60)
    (result,) = out
    assert result.exit_code == 4, result.output
    data = json.loads(result.stdout)
    assert [(r["label"], r["outcome"], r["stale"]) for r in data["results"]] == [
        ("b", "not_attempted", True),
        ("c", "done", False),
    ]
    assert data["results"][0]["error"].startswith("changed since plan: the live job was modified")
    stored = {j["label"]: j for j in emulator_env.control.jobs()}
    assert stored["b"]["mutex_key"] == "dashboard-edit"
    assert stored["b"]["resources"][0]["method"] == "get"  # the plan's body was not merged in
    assert stored["c"]["resources"][0]["method"] == "list"


# -- 1. racing creates converge (deterministic interleavings; random ones: test_apply_races) ----


def _create_plan(label: str) -> Plan:
    body = canonical_job(job(label))
    return Plan(
        syncspec_version="0",
        created_at="2024-01-01T00:00:00Z",
        api_url="http://127.0.0.1",
        profile="env",
        actions=[Action(kind=ActionKind.CREATE, label=label, body=body)],
    )


def test_a_create_that_lost_the_race_deletes_its_own_duplicate(
    emulator: EmulatorHandle,
) -> None:
    gate = emulator.control.hold_next("POST", "/sync-job")
    thread, out = _in_thread(
        lambda: apply_plan(_create_plan("t"), emulator.client(), ApplyOptions())
    )
    assert gate.wait_reached(60)
    (winner,) = [emulator.client().create_sync_job(job("t"))]  # the other racer, first
    gate.release()
    thread.join(60)
    (result,) = out
    (only,) = emulator.control.jobs()
    assert only["id"] == winner["id"]
    r = result.results[0]
    assert (r.outcome, r.job_id) == (Outcome.DONE, winner["id"])
    assert r.duplicate_deleted is not None and r.duplicate_deleted != winner["id"]
    assert r.note == (
        f"another apply created this label at the same time; kept the earliest job "
        f"{winner['id']} and deleted the duplicate this apply created ({r.duplicate_deleted})"
    )


def test_a_create_that_won_the_race_keeps_its_job_and_leaves_the_others(
    emulator: EmulatorHandle,
) -> None:
    gate = emulator.control.hold_next("GET", "/sync-job")  # the re-list after the creates
    thread, out = _in_thread(
        lambda: apply_plan(_create_plan("t"), emulator.client(), ApplyOptions())
    )
    assert gate.wait_reached(60)
    late = emulator.client().create_sync_job(job("t"))  # the other racer, later
    gate.release()
    thread.join(60)
    (result,) = out
    r = result.results[0]
    assert r.outcome == Outcome.DONE and r.duplicate_deleted is None
    assert r.note is not None and "this apply's job is the earliest and was kept" in r.note
    # the later job is the other racer's to delete (it sees this one, earlier); not ours
    assert sorted(j["id"] for j in emulator.control.jobs()) == sorted([r.job_id, late["id"]])


# -- 6. the account survives a failed verification -------------------------------------------


def test_a_failed_re_list_after_the_writes_still_prints_every_result(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    write_jobs(project, **{"a.yaml": job_file("a"), "b.yaml": job_file("b")})
    gate = emulator_env.control.hold_next("POST", "/sync-job", skip=1)  # the second create
    thread, out = _in_thread(lambda: run("apply", "-y", "--format", "json"))
    assert gate.wait_reached(60)
    # the re-list after the writes fails
    emulator_env.control.fail_next(401, method="GET", path="/sync-job")
    gate.release()
    thread.join(60)
    (result,) = out
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    assert [(r["label"], r["outcome"]) for r in data["results"]] == [
        ("a", "done"),
        ("b", "done"),
    ]
    assert data["verification_error"].startswith(
        "the live jobs could not be re-read after the writes (GET /sync-job -> 401"
    )
    assert labels(emulator_env) == ["a", "b"]
    # the text form says the same
    write_jobs(project, **{"c.yaml": job_file("c")})
    gate = emulator_env.control.hold_next("POST", "/sync-job")
    thread, out = _in_thread(lambda: run("apply", "-y"))
    assert gate.wait_reached(60)
    emulator_env.control.fail_next(401, method="GET", path="/sync-job")
    gate.release()
    thread.join(60)
    (result,) = out
    assert result.exit_code == 1
    tail = result.stdout.split("Plan: 1 to create, 0 to update, 0 to delete; 0 unmanaged.\n")[1]
    lines = tail.splitlines()
    assert lines[0].startswith("+ created c (")
    assert lines[1].startswith("! the live jobs could not be re-read after the writes")
    assert lines[3] == "Apply FAILED: 1 done, 0 failed, 0 not attempted."
    assert labels(emulator_env) == ["a", "b", "c"]


def test_emulator_created_at_orders_jobs_created_in_one_millisecond(
    emulator: EmulatorHandle,
) -> None:
    # Racing creates converge on the earliest created_at: the emulator must never tie.
    client = emulator.client()
    made = [client.create_sync_job(job(f"t{i}")) for i in range(5)]
    stamps = [j["created_at"] for j in made]
    assert stamps == sorted(stamps)
    assert len(set(stamps)) == 5
    assert [j["created_at"] for j in emulator.control.jobs()] == stamps


def test_a_write_overwritten_by_a_concurrent_one_is_reported_not_blamed_on_normalization(
    emulator: EmulatorHandle,
) -> None:
    # Two saved plans from different branches: ours PATCHes b, then the other side's PATCH
    # lands before our re-list. Ours lost: say so (exit 4), never "a normalization bug".
    from syncspec.engine.model import FieldChange
    from syncspec.engine.normalize import fingerprint

    (b,) = emulator.seed(job("b", "get"))
    body = {"resources": [{"resource": "ticketing/tickets", "method": "list"}]}
    plan = _create_plan("unused").model_copy(
        update={
            "actions": [
                Action(
                    kind=ActionKind.UPDATE,
                    label="b",
                    job_id=b["id"],
                    fingerprint=fingerprint(b),
                    changes=[FieldChange(pointer="/resources/0/method", kind="changed")],
                    body=body,
                )
            ]
        }
    )
    gate = emulator.control.hold_next("GET", "/sync-job")  # our re-list after the writes
    thread, out = _in_thread(lambda: apply_plan(plan, emulator.client(), ApplyOptions()))
    assert gate.wait_reached(60)
    other = {"resources": [{"resource": "ticketing/tickets", "method": "search"}]}
    emulator.control.advance_time(1)  # the other write gets a later updated_at
    emulator.client().update_sync_job(b["id"], other)
    gate.release()
    thread.join(60)
    (result,) = out
    assert result.residual == []
    (r,) = result.results
    assert (r.outcome, r.stale) == (Outcome.DONE, True)
    assert r.note is not None and r.note.startswith("written again by someone else")
    assert result.exit_code == 4
    assert [j["resources"][0]["method"] for j in emulator.control.jobs()] == ["search"]
