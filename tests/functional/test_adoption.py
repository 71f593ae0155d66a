"""issue 24: README's adoption recipe, run as written against the emulator with jobs made the
way the dashboard makes them (POST /sync-job), ends in "No changes."."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from syncspec.cli import cli
from tests.conftest import EmulatorHandle
from tests.functional.test_plan_apply import EXAMPLES, live_examples, writes

# `syncspec init` reads the hashes of requirements-syncspec.txt from the local wheelhouse, not PyPI
pytestmark = pytest.mark.usefixtures("wheelhouse")

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def _recipe() -> list[list[str]]:
    section = README.split("### Adopting the jobs you already have", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    commands = [shlex.split(line, comments=True) for line in block.group(1).splitlines()]
    return [argv[1:] for argv in commands if argv and argv[0] == "syncspec"]


def test_the_recipe_is_the_documented_one() -> None:
    assert _recipe() == [["init", "--adopt"], ["pull"], ["validate"], ["plan"]]


def test_adoption_recipe_ends_in_no_changes(
    tmp_path: Path, emulator_env: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = emulator_env.client()
    for data in live_examples():  # made in the dashboard: the API's own create call
        client.create_sync_job(data)
    created = len(writes(emulator_env))
    repo = tmp_path / "team-repo"
    repo.mkdir()
    (repo / ".gitignore").write_text("node_modules/\n")
    monkeypatch.chdir(repo)
    outputs = []
    for argv in _recipe():
        result = CliRunner().invoke(cli, argv, catch_exceptions=False)
        assert result.exit_code == 0, (argv, result.output)
        outputs.append(result.stdout)
    assert outputs[-1] == f"No changes. {len(EXAMPLES)} jobs are up to date; 0 unmanaged.\n"
    assert len(writes(emulator_env)) == created  # adoption wrote nothing to Truto
    assert (repo / ".gitignore").read_text().startswith("node_modules/\n")
    assert len(list((repo / "jobs").glob("*.yaml"))) == len(EXAMPLES)
    assert list((repo / "tests").iterdir()) == [repo / "tests/.gitkeep"]  # no sample case
