"""`syncspec init`'s requirements-syncspec.txt: every package pinned with its sha256, installed
with `pip install --require-hashes --no-deps` as the generated workflow does (offline here, from
tests/wheelhouse.py), and `--install-from` a wheel or a git commit."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from syncspec import __version__
from syncspec.cli import cli

pytestmark = pytest.mark.usefixtures("wheelhouse")

COMMIT = "0123456789abcdef0123456789abcdef01234567"
LINE = re.compile(r"^([A-Za-z0-9._-]+)(==| @ )(\S+)$")


def _init(target: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, ["init", str(target), *args], catch_exceptions=False)
    return result.output if result.exit_code == 0 else f"exit {result.exit_code}: {result.output}"


def _entries(text: str) -> dict[str, tuple[str, set[str]]]:
    """requirement name -> (version or URL, its hashes), from the file's continuation lines."""
    entries: dict[str, tuple[str, set[str]]] = {}
    joined = text.replace(" \\\n", " ")
    for line in joined.splitlines():
        if not line or line.startswith("#"):
            continue
        requirement, *options = line.split(" --hash=sha256:")
        match = LINE.match(requirement.strip())
        assert match, line
        entries[match[1]] = (match[3], {o.strip() for o in options})
    return entries


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _fresh_venv(where: Path) -> Path:
    venv.EnvBuilder(with_pip=False).create(where)
    return where / "bin" / "python"


def _pip_install(
    python: Path, requirements: Path, wheelhouse: Path
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-index",
         "--find-links", str(wheelhouse), "--require-hashes", "--no-deps", "-r", str(requirements)],
        capture_output=True, text=True, check=False, timeout=300,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_CONSTRAINT": ""},
    )  # fmt: skip


def test_every_package_is_pinned_with_the_hash_of_its_files(
    tmp_path: Path, wheelhouse: Path
) -> None:
    _init(tmp_path / "repo")
    entries = _entries((tmp_path / "repo/requirements-syncspec.txt").read_text())
    assert entries["truto-syncspec"][0] == __version__
    assert {"click", "httpx", "httpcore", "pydantic", "pydantic-core", "ruamel-yaml"} <= set(
        entries
    )
    assert "starlette" not in entries  # the emulator extra is not needed in CI
    by_hash = {_sha256(p): p.name for p in wheelhouse.iterdir()}
    for name, (version, hashes) in entries.items():
        assert hashes, name
        for digest in hashes:
            file = by_hash[digest]
            assert file.startswith(f"{name.replace('-', '_')}-{version}-"), (name, file)


def test_the_pinned_file_installs_with_require_hashes_and_runs(
    tmp_path: Path, wheelhouse: Path
) -> None:
    """What the workflow's install step does, into an empty venv: nothing else is needed."""
    _init(tmp_path / "repo")
    python = _fresh_venv(tmp_path / "venv")
    proc = _pip_install(python, tmp_path / "repo/requirements-syncspec.txt", wheelhouse)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    syncspec = tmp_path / "venv/bin/syncspec"
    version = subprocess.run([syncspec, "--version"], capture_output=True, text=True, check=False)
    assert version.stdout == f"syncspec, version {__version__}\n", version.stderr
    check = subprocess.run(
        [syncspec, "validate"], cwd=tmp_path / "repo", capture_output=True, text=True, check=False
    )
    assert (check.returncode, check.stdout) == (0, "1 file checked, no problems\n"), check.stderr


def test_a_file_that_is_not_the_pinned_one_is_refused(tmp_path: Path, wheelhouse: Path) -> None:
    """Why the hashes: a package swapped on the index (same name and version) does not install."""
    _init(tmp_path / "repo")
    swapped = tmp_path / "swapped"
    shutil.copytree(wheelhouse, swapped)
    (victim,) = swapped.glob("click-*.whl")
    victim.write_bytes(victim.read_bytes() + b"\0")  # still a valid zip, other bytes
    proc = _pip_install(
        _fresh_venv(tmp_path / "venv"), tmp_path / "repo/requirements-syncspec.txt", swapped
    )
    assert proc.returncode != 0
    assert "THESE PACKAGES DO NOT MATCH THE HASHES" in proc.stderr
    assert "click" in proc.stderr


def test_a_version_missing_from_the_index_writes_nothing(tmp_path: Path, wheelhouse: Path) -> None:
    partial = tmp_path / "partial"
    shutil.copytree(wheelhouse, partial)
    for wheel in partial.glob("httpcore-*.whl"):
        wheel.unlink()
    output = _init(tmp_path / "repo", "--find-links", str(partial))
    assert output.startswith("exit 3: error: no file of httpcore==")
    assert "cannot be hash-pinned (nothing was written)" in output
    assert not (tmp_path / "repo").exists()


def test_install_from_a_wheel(tmp_path: Path, wheelhouse: Path) -> None:
    (wheel,) = wheelhouse.glob("truto_syncspec-*.whl")
    assert _init(tmp_path / "repo", "--install-from", str(wheel)).startswith("wrote ")
    repo = tmp_path / "repo"
    entries = _entries((repo / "requirements-syncspec.txt").read_text())
    assert entries["truto-syncspec"] == (wheel.resolve().as_uri(), {_sha256(wheel)})
    # (.ci/run installs exactly this form into a fresh venv, dependencies from the index)
    hook = YAML(typ="safe").load((repo / ".pre-commit-config.yaml").read_text())
    (local,) = hook["repos"]
    (validate,) = local["hooks"]
    assert validate["language"] == "python"
    deps = validate["additional_dependencies"]
    assert deps[0] == f"truto-syncspec @ {wheel.resolve().as_uri()}#sha256={_sha256(wheel)}"
    pinned = {n: v for n, (v, _) in entries.items() if n != "truto-syncspec"}
    assert deps[1:] == [f"{n}=={v}" for n, v in pinned.items()]


def test_a_wheel_url_needs_a_sha256_fragment_or_is_downloaded(tmp_path: Path) -> None:
    bad = "https://example.org/truto_syncspec-0.0.1-py3-none-any.whl#sha256=abc"
    output = _init(tmp_path / "repo", "--install-from", bad)
    assert output.startswith("exit 3: error: --install-from"), output
    assert "expected a wheel of truto-syncspec" in output
    name = f"truto_syncspec-{__version__}-py3-none-any.whl"
    short = _init(tmp_path / "repo", "--install-from", f"https://example.org/{name}#sha256=abc")
    assert "the fragment must be #sha256=<64 hex>" in short
    plain = _init(tmp_path / "repo", "--install-from", f"http://example.org/{name}")
    assert "hashes are only read over https" in plain
    assert not (tmp_path / "repo").exists()


def test_install_from_git_pins_the_commit_everywhere(tmp_path: Path) -> None:
    url = f"git+https://github.com/acme/syncspec@{COMMIT}"
    assert _init(tmp_path / "repo", "--install-from", url).startswith("wrote ")
    repo = tmp_path / "repo"
    workflow = YAML(typ="safe").load((repo / ".github/workflows/syncspec.yml").read_text())
    installs = [
        step["run"]
        for job in workflow["jobs"].values()
        for step in job["steps"]
        if step.get("name", "").startswith("Install syncspec")
    ]
    assert len(installs) == 5
    assert set(installs) == {
        "python -m pip install --require-hashes --no-deps -r requirements-syncspec.txt && "
        f"python -m pip install --no-deps --no-build-isolation 'truto-syncspec @ {url}'"
    }
    entries = _entries((repo / "requirements-syncspec.txt").read_text())
    assert "truto-syncspec" not in entries  # pip cannot hash a git checkout
    assert "hatchling" in entries  # the build backend, pinned: nothing is fetched unpinned
    hook = YAML(typ="safe").load((repo / ".pre-commit-config.yaml").read_text())
    assert hook["repos"][0]["repo"] == "https://github.com/acme/syncspec"
    assert hook["repos"][0]["rev"] == COMMIT


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("git+https://github.com/acme/syncspec@main", "'main' is not a full commit"),
        ("git+https://github.com/acme/syncspec@v0.1.0", "'v0.1.0' is not a full commit"),
        (f"git+https://github.com/acme/syncspec@{COMMIT[:12]}", "is not a full commit"),
        (f"git+https://tok@github.com/acme/syncspec@{COMMIT}", "no credentials"),
        (f"git+https://github.com/acme/sync'spec@{COMMIT}", "no credentials, spaces or quotes"),
        (f"git+ssh://git@github.com/acme/syncspec@{COMMIT}", "write git+https://"),
        ("syncspec-0.1.0.tar.gz", "give a wheel (URL or file ending in .whl)"),
    ],
)
def test_install_from_refuses_what_could_move_or_leak(
    tmp_path: Path, spec: str, message: str
) -> None:
    output = _init(tmp_path / "repo", "--install-from", spec)
    assert output.startswith("exit 3: error: --install-from"), output
    assert message in output
    assert not (tmp_path / "repo").exists()


def test_with_emulator_pins_the_extra_too(tmp_path: Path) -> None:
    _init(tmp_path / "plain")
    _init(tmp_path / "repo", "--with-emulator")
    plain = _entries((tmp_path / "plain/requirements-syncspec.txt").read_text())
    extra = _entries((tmp_path / "repo/requirements-syncspec.txt").read_text())
    assert {"starlette", "uvicorn"} <= set(extra) - set(plain)
    assert {n: v for n, v in extra.items() if n in plain} == plain


def test_every_form_of_the_workflow_has_no_zizmor_findings(
    tmp_path: Path, wheelhouse: Path
) -> None:
    """The index form is checked in test_init.py; the wheel and git forms here."""
    import json

    zizmor = shutil.which("zizmor", path=str(Path(sys.executable).parent))
    if zizmor is None:
        pytest.skip("zizmor is not installed here (it comes with the test group)")
    (wheel,) = wheelhouse.glob("truto_syncspec-*.whl")
    _init(tmp_path / "wheel", "--install-from", str(wheel))
    _init(tmp_path / "git", "--install-from", f"git+https://github.com/acme/syncspec@{COMMIT}")
    for form in ("wheel", "git"):
        proc = subprocess.run(
            [zizmor, "--offline", "--persona", "auditor", "--format", "json",
             str(tmp_path / form / ".github")],
            capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert (proc.returncode, json.loads(proc.stdout)) == (0, []), (form, proc.stderr)
