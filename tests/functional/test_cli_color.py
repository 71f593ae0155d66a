"""`plan` colours: a terminal decides, NO_COLOR / FORCE_COLOR / --no-color override (issue 14)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import make_project

ESC = "\x1b["


@pytest.fixture
def project(tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path, examples=False)
    (tmp_path / "jobs" / "a.yaml").write_text(
        "label: a\ndefault_runtime_version: 2\n"
        "resources:\n  - {resource: ticketing/tickets, method: list}\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("argv", "environ", "coloured"),
    [
        (["plan"], {}, False),  # CliRunner's stdout is not a terminal
        (["plan"], {"FORCE_COLOR": "1"}, True),
        (["plan"], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["plan", "--no-color"], {"FORCE_COLOR": "1"}, False),
        (["--no-color", "plan"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_plan_colours(
    project: Path, argv: list[str], environ: dict[str, str], coloured: bool
) -> None:
    result = CliRunner().invoke(cli, argv, env=environ, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert "create" in result.stdout  # (the plan's wording is not this test's business)
    assert (ESC in result.stdout) is coloured
