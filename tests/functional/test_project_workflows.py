"""syncspec's own .github/ workflows (ci.yml, release.yml) and the one `syncspec init` writes:
GitHub's workflow schema (check-jsonschema), zizmor offline with no finding under its strictest
persona, actionlint when it is installed, and every action pinned to a full commit."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github/workflows").glob("*.yml"))
USES = re.compile(r"^\s*(?:-\s+)?uses:\s+(\S+?)@(\S+)\s+#\s+(v\S+)\s*$")


def _bin(name: str) -> str:
    found = shutil.which(name, path=str(Path(sys.executable).parent)) or shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (it comes with the test group)")
    return found


def test_the_project_has_its_ci_and_release_workflows() -> None:
    assert [p.name for p in WORKFLOWS] == ["ci.yml", "release.yml"]
    ci = YAML(typ="safe").load((ROOT / ".github/workflows/ci.yml").read_text())
    assert set(ci["jobs"]) == {"tests", "lowest", "lint"}
    assert ci["jobs"]["tests"]["strategy"]["matrix"]["python"] == ["3.11", "3.12", "3.13"]
    lint = "\n".join(s.get("run", "") for s in ci["jobs"]["lint"]["steps"])
    for tool in ("ruff check", "mypy", "lint-imports", "deptry .", "zizmor"):
        assert tool in lint
    assert ci["permissions"] == {}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_matches_githubs_schema(path: Path) -> None:
    proc = subprocess.run(
        [_bin("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_every_action_is_pinned_to_a_full_commit(path: Path) -> None:
    lines = [line for line in path.read_text().splitlines() if "uses:" in line]
    assert lines
    for line in lines:
        match = USES.match(line)
        assert match and re.fullmatch(r"[0-9a-f]{40}", match[2]), line


def test_no_zizmor_findings_on_the_projects_workflows() -> None:
    proc = subprocess.run(
        [_bin("zizmor"), "--offline", "--persona", "auditor", "--format", "json",
         str(ROOT / ".github")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (proc.returncode, json.loads(proc.stdout)) == (0, []), proc.stderr


def test_actionlint_on_every_workflow(tmp_path: Path, wheelhouse: Path) -> None:
    """actionlint (with shellcheck on PATH it also checks every run: script). The scaffold's
    workflow is checked in its index form, its git form and its two-environment form."""
    from click.testing import CliRunner

    from syncspec.cli import cli

    actionlint = shutil.which("actionlint")
    if actionlint is None:
        pytest.skip("actionlint is not installed (see .ci/actionlint-requirements.txt)")
    commit = "0123456789abcdef0123456789abcdef01234567"
    forms = (
        ("index", []),
        ("git", ["--install-from", f"git+https://h.example/o/r@{commit}"]),
        ("profiles", ["--profiles", "staging,production"]),  # issue 20: two environments
    )
    for name, args in forms:
        result = CliRunner().invoke(cli, ["init", str(tmp_path / name), *args])
        assert result.exit_code == 0, result.output
    scaffolds = [tmp_path / n / ".github/workflows/syncspec.yml" for n, _ in forms]
    proc = subprocess.run(
        [actionlint, "-no-color", *map(str, WORKFLOWS), *map(str, scaffolds)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
