"""issue 24: `syncspec show PLAN_FILE` renders a saved plan again, offline."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import job, make_project, run


@pytest.fixture
def saved_plan(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, str]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs/a.yaml").write_text(
        "label: a\nintegration_name: zendesk\ndefault_runtime_version: 2\nresources:\n"
        "  - resource: ticketing/tickets\n    method: get\n"
    )
    emulator_env.seed(job("a"))
    planned = run("plan", "--out", "p.json", "--no-color")
    assert planned.exit_code == 0, planned.output
    return tmp_path / "p.json", planned.stdout


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_show_renders_the_saved_plan_as_plan_did(
    saved_plan: tuple[Path, str],
    emulator_env: EmulatorHandle,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path, plan_text = saved_plan
    monkeypatch.delenv("TRUTO_API_TOKEN")  # offline: no token needed
    shown = run("show", str(path), "--format", fmt, "--no-color")
    assert shown.exit_code == 0, shown.output
    if fmt == "text":
        assert plan_text.startswith(shown.stdout)
        assert "~ update a" in shown.stdout
    elif fmt == "json":
        assert shown.stdout == path.read_text()
    else:
        assert "syncspec-plan" in shown.stdout


def test_show_refuses_what_is_not_a_plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.json").write_text("[1]")
    shown = run("show", "x.json")
    assert shown.exit_code == 3
    assert "x.json: not a syncspec plan file" in shown.stderr
