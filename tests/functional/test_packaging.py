"""The package as users get it: the built wheel, installed into a fresh virtualenv.

Offline and fast: the wheel is built with the hatchling of this environment (no build
isolation), installed with `--no-deps --no-index`, and the fresh venv reaches its dependencies
through a `.pth` line naming this environment's site-packages (a plain path entry, so this
environment's editable install of syncspec is *not* picked up: the venv must import the wheel).
"""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from syncspec import __version__

# `syncspec init` reads the hashes it pins offline (tests/wheelhouse.py)
pytestmark = pytest.mark.usefixtures("wheelhouse")

ROOT = Path(__file__).resolve().parents[2]


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        # without PYTHONPATH: a source tree on it would shadow the installed wheel
        env={
            **{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "NO_COLOR": "1",
        },
    )
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("hatchling", reason="hatchling (test group) builds the wheel offline")
    out = tmp_path_factory.mktemp("dist")
    proc = _run(
        sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
        "--wheel-dir", out, ROOT,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = out.glob("truto_syncspec-*.whl")
    return built


def test_wheel_metadata(wheel: Path) -> None:
    assert wheel.name == f"truto_syncspec-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        info = f"truto_syncspec-{__version__}.dist-info"
        metadata = zf.read(f"{info}/METADATA").decode()
        entry_points = zf.read(f"{info}/entry_points.txt").decode()
        license_text = zf.read(f"{info}/licenses/LICENSE").decode()
    headers = metadata.split("\n\n", 1)[0].splitlines()
    assert "Name: truto-syncspec" in headers
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    assert "Classifier: Typing :: Typed" in headers
    assert "Project-URL: Truto documentation, https://truto.one/docs" in headers
    assert license_text.startswith("MIT License\n")
    assert "syncspec = syncspec.cli:main" in entry_points
    assert "syncspec/py.typed" in names
    for template in ("github-workflow.yml", "dependabot.yml", "gitignore", "syncspec.toml"):
        assert f"syncspec/templates/init/{template}" in names
    assert not any(n.startswith(("tests/", "bench/")) for n in names)
    # the index page's description: every link absolute (relative ones break on PyPI)
    description = metadata.split("\n\n", 1)[1]
    assert "Description-Content-Type: text/markdown" in headers
    assert description.startswith("# truto-syncspec\n")
    links = re.findall(r"\]\(([^)]*)\)", description)
    assert links and all(link.startswith("https://") for link in links), links
    assert "Project-URL: Release history, https://pypi.org/project/truto-syncspec/#history" in (
        headers
    )


def test_the_version_is_written_once_and_has_a_changelog_entry() -> None:
    """pyproject.toml reads the version from syncspec/__init__.py; CHANGELOG.md has its entry."""
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'dynamic = ["version"]' in pyproject
    assert '[tool.hatch.version]\npath = "syncspec/__init__.py"' in pyproject
    assert not re.search(r"^version\s*=", pyproject, re.MULTILINE)
    changelog = (ROOT / "CHANGELOG.md").read_text()
    assert re.search(
        rf"^## \[{re.escape(__version__)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M
    )
    assert "## [Unreleased]" in changelog


def test_wheel_installs_into_a_fresh_venv_and_runs(wheel: Path, tmp_path: Path) -> None:
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    proc = _run(
        sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
        wheel,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = Path(
        _run(
            python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"
        ).stdout.strip()
    )
    (site / "outer-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")

    # (`-c` puts the working directory first on sys.path: run it away from the source tree)
    where = _run(python, "-c", "import syncspec; print(syncspec.__file__)", cwd=tmp_path)
    assert Path(where.stdout.strip()).is_relative_to(env_dir), where.stdout + where.stderr

    syncspec = env_dir / "bin" / "syncspec"  # the console script pip wrote
    version = _run(syncspec, "--version")
    assert (version.returncode, version.stdout) == (0, f"syncspec, version {__version__}\n")

    init = _run(syncspec, "init", tmp_path / "repo")
    assert init.returncode == 0, init.stdout + init.stderr
    validate = _run(syncspec, "validate", cwd=tmp_path / "repo")
    assert (validate.returncode, validate.stdout) == (0, "1 file checked, no problems\n"), (
        validate.stderr
    )


@pytest.mark.parametrize("command", ["emulator", "demo"])
def test_missing_emulator_extra_is_exit_3_naming_the_extra(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without starlette (the core install), the emulator commands say what to install."""
    from click.testing import CliRunner

    import syncspec
    from syncspec.cli import cli

    # Forget the emulator and starlette (earlier tests imported them), then make
    # `import starlette` fail as it does without the extra.
    if hasattr(syncspec, "emulator"):  # re-importing rebinds it: have monkeypatch restore it
        monkeypatch.setattr(syncspec, "emulator", syncspec.emulator)
    prefixes = ("syncspec.emulator", "starlette")
    for name in [m for m in sys.modules if m.startswith(prefixes)]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "starlette", None)
    # Never start a server here: if the import still worked, fail now rather than serve forever.
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("syncspec.emulator.server")
    result = CliRunner().invoke(cli, [command], catch_exceptions=False)
    assert result.exit_code == 3, result.output
    assert result.output == (
        f"error: `syncspec {command}` needs the emulator extra (starlette is not installed): "
        "pip install 'truto-syncspec[emulator]'\n"
    )
