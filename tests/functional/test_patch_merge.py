"""A PATCH that merges (issue 22, class 1): whatever the server's PATCH does with a field
(replace, object merge, index-wise array merge, JSON merge patch: the emulator's
``patch_merge`` reading), a key or item removed from a file is gone from the live job after
one apply; where the server keeps it anyway, apply says the server merged and what to do, and
never blames "a normalization bug in syncspec". Over HTTP against the emulator.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from syncspec.engine.normalize import canonical_job
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import make_project, run

READINGS = ("replace", "object", "index", "merge-patch")

FILE_JOB: dict[str, Any] = {
    "label": "merging",
    "integration_name": "zendesk",
    "default_runtime_version": 2,
    "args_schema": {"type": "object", "properties": {"a": {"type": "string"}}},
    "resources": [
        {"resource": "ticketing/tickets", "method": "list", "query": {"per_page": 50}},
        {"resource": "ticketing/users", "method": "list"},
    ],
}


def _with_extra(case: str) -> dict[str, Any]:
    live = copy.deepcopy(FILE_JOB)
    if case == "args_schema key":
        live["args_schema"]["properties"]["removed"] = {"type": "string"}
        live["args_schema"]["required"] = ["removed"]
    elif case == "query key":
        live["resources"][0]["query"]["removed"] = "x"
    elif case == "trailing item":
        live["resources"].append({"resource": "ticketing/comments", "method": "list"})
    return live


# (reading, case) pairs where no PATCH can remove what was removed from the file: the server
# merges arrays item by item and never shortens them, and resources may not be null.
UNREMOVABLE = {("index", "query key"), ("index", "trailing item")}


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    root = make_project(tmp_path, examples=False)
    (root / "jobs" / "merging.yaml").write_text(json.dumps(FILE_JOB, indent=2))
    return root


@pytest.mark.parametrize("case", ["args_schema key", "query key", "trailing item"])
@pytest.mark.parametrize("reading", READINGS)
def test_a_removed_key_is_gone_after_one_apply_or_the_merge_is_named(
    project: Path, emulator_env: EmulatorHandle, reading: str, case: str
) -> None:
    emulator_env.control.set_readings(patch_merge=reading)
    (seeded,) = emulator_env.seed(_with_extra(case))
    applied = run("apply", "--auto-approve")
    assert "normalization bug" not in applied.output
    live = emulator_env.control.jobs()[0]
    if (reading, case) in UNREMOVABLE:
        assert applied.exit_code == 1, applied.output
        assert "the server merged this PATCH" in applied.output
        assert "remove it in the Truto dashboard" in applied.output
        patches = [r for r in emulator_env.control.requests(method="PATCH")]
        assert 1 <= len(patches) <= 4  # bounded: never an endless re-send
        return
    assert applied.exit_code == 0, applied.output
    wanted = canonical_job(FILE_JOB)
    assert {k: v for k, v in canonical_job(live).items() if k in wanted} == wanted
    assert live["id"] == seeded["id"]
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("No changes.")


def test_the_emulator_readings_merge_as_documented(emulator_env: EmulatorHandle) -> None:
    client = emulator_env.client()
    results = {}
    for reading in READINGS:
        emulator_env.control.set_readings(patch_merge=reading)
        (job,) = emulator_env.seed(
            {**FILE_JOB, "label": reading, "args_schema": {"x": 1, "y": {"z": 2}}}
        )
        client.update_sync_job(
            job["id"],
            {
                "args_schema": {"y": {"w": 3}, "x": None},
                "resources": [{"resource": "ticketing/tickets", "method": "get"}],
            },
        )
        results[reading] = client.get_sync_job(job["id"])
    assert results["replace"]["args_schema"] == {"y": {"w": 3}, "x": None}
    assert results["object"]["args_schema"] == {"x": None, "y": {"z": 2, "w": 3}}
    assert results["merge-patch"]["args_schema"] == {"y": {"z": 2, "w": 3}}
    assert results["index"]["args_schema"] == {"x": None, "y": {"z": 2, "w": 3}}
    assert len(results["index"]["resources"]) == 2  # merged item by item, not shortened
    assert results["index"]["resources"][0]["method"] == "get"
    assert results["index"]["resources"][0]["query"] == {"per_page": 50}
    for reading in ("replace", "object", "merge-patch"):
        assert results[reading]["resources"] == [{"resource": "ticketing/tickets", "method": "get"}]
