"""The lost-update window is one round trip (issue 22, class 3): the rate-limit tokens of a
job's freshness re-read and of its write are taken together, before the re-read, so the write
never queues behind the limiter after the read; and a concurrent change that the write's answer
reveals is reported (exit 4), never summed up as complete.

Deterministic: the limiter runs on a fake clock whose sleep is where the "dashboard edit"
happens, so an edit lands exactly when a request would queue; parallelism 1 makes the order
fixed. The same queueing is what --parallelism 64 produced in the measured p95 (README).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from syncspec.api.ratelimit import RateLimiter
from syncspec.engine.apply import ApplyOptions, apply_plan
from syncspec.engine.model import Outcome
from syncspec.engine.plan import load_plan
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, make_project, run


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = make_project(tmp_path, examples=False)
    for label in ("a", "b"):
        (root / "jobs" / f"{label}.yaml").write_text(
            f"label: {label}\nintegration_name: zendesk\ndefault_runtime_version: 2\n"
            'args_validation: "file"\n'
            "resources:\n  - resource: ticketing/tickets\n    method: list\n"
        )
    return root


def _saved_plan(project: Path) -> Any:
    planned = run("plan", "--out", "saved.plan")
    assert planned.exit_code == 0, planned.output
    return load_plan(project / "saved.plan")


def test_no_request_queues_between_the_re_read_and_the_write(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    jobs = emulator_env.seed(job("a"), job("b"))
    plan = _saved_plan(project)
    dashboard = emulator_env.client()
    now = [0.0]
    edits: list[float] = []

    def sleep(seconds: float) -> None:  # a request queues: the dashboard edits every job now
        if not edits:
            for live in jobs:
                dashboard.update_sync_job(live["id"], {"args_validation": "dashboard"})
            edits.append(now[0])
        now[0] += seconds

    client = emulator_env.client()
    # 3 requests per (fake) 1000 s: a's re-read and write fit, b's write would have to wait.
    client._http.limiter = RateLimiter(3, 1000.0, margin=0.0, clock=lambda: now[0], sleep=sleep)
    result = apply_plan(plan, client, ApplyOptions(parallelism=1))

    assert edits, "a request had to wait for the limiter"
    live = {j["label"]: j for j in emulator_env.control.jobs()}
    # No edit was lost: each was made when no job was between its re-read and its write.
    assert {label: j["args_validation"] for label, j in live.items()} == {
        "a": "dashboard",
        "b": "dashboard",
    }
    by_label = {r.label: r for r in result.results}
    assert by_label["b"].outcome == Outcome.NOT_ATTEMPTED
    assert by_label["b"].stale
    assert result.exit_code == 4


def test_a_change_the_write_answer_reveals_is_reported_not_complete(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    (a, _) = emulator_env.seed(job("a"), job("b", args_validation="file"))
    plan = _saved_plan(project)
    gate = emulator_env.control.hold_next("PATCH", f"/sync-job/{a['id']}")
    out: list[Any] = []
    thread = _thread(lambda: apply_plan(plan, emulator_env.client(), ApplyOptions()), out)
    assert gate.wait_reached(60)  # a's re-read is done; its PATCH waits to take effect
    emulator_env.control.advance_time(1)
    emulator_env.client().update_sync_job(a["id"], {"mutex_key": "dashboard-edit"})
    gate.release()
    thread.join(60)
    (result,) = out
    (r,) = [r for r in result.results if r.label == "a"]
    assert r.stale
    assert r.note is not None and "changes this apply did not make (mutex_key)" in r.note
    assert result.exit_code == 4
    (live,) = [j for j in emulator_env.control.jobs() if j["id"] == a["id"]]
    assert live["mutex_key"] == "dashboard-edit"


def _thread(target: Callable[[], Any], out: list[Any]) -> threading.Thread:
    thread = threading.Thread(target=lambda: out.append(target()), daemon=True)
    thread.start()
    return thread
