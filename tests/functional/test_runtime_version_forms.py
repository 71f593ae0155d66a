"""``default_runtime_version`` "4" (how Truto's TypeScript SDK types it) and 4 are one value
(issue 22, class 2): pull -> validate -> plan gives "No changes", and a quoted '2' validates."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, live_examples, make_project, run, writes


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return make_project(tmp_path, examples=False)


def _as_text(data: dict[str, object]) -> dict[str, object]:
    return {**data, "default_runtime_version": str(data["default_runtime_version"])}


def test_live_string_versions_pull_validate_and_plan_as_no_changes(
    project: Path, emulator_env: EmulatorHandle
) -> None:
    for live in live_examples():
        emulator_env.seed(_as_text(dict(live)))
    assert {type(j["default_runtime_version"]) for j in emulator_env.control.jobs()} == {str}

    pulled = run("pull")
    assert pulled.exit_code == 0, pulled.output
    validated = run("validate")
    assert validated.exit_code == 0, validated.output
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("No changes.")
    assert writes(emulator_env) == []
    # the file holds the number, whatever form the server used
    for path in (project / "jobs").iterdir():
        text = path.read_text()
        assert "default_runtime_version: '" not in text
        assert 'default_runtime_version: "' not in text


@pytest.mark.parametrize("live", [2, "2"])
def test_a_quoted_version_in_a_file_validates_and_compares_equal(
    project: Path, emulator_env: EmulatorHandle, live: object
) -> None:
    emulator_env.seed({**job("quoted"), "default_runtime_version": live})
    (project / "jobs" / "quoted.yaml").write_text(
        "label: quoted\nintegration_name: zendesk\ndefault_runtime_version: '2'\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    validated = run("validate")
    assert validated.exit_code == 0, validated.output
    assert "SS104" not in validated.output
    planned = run("plan", "--detailed-exitcode")
    assert planned.exit_code == 0, planned.output
    assert planned.stdout.startswith("No changes.")


def test_other_texts_are_still_refused(project: Path, emulator_env: EmulatorHandle) -> None:
    (project / "jobs" / "bad.yaml").write_text(
        "label: bad\nintegration_name: zendesk\ndefault_runtime_version: '2.5'\n"
        "resources:\n  - resource: ticketing/tickets\n    method: list\n"
    )
    validated = run("validate")
    assert validated.exit_code == 1
    assert "SS104" in validated.output
