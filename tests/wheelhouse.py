"""An offline wheelhouse for `syncspec init` (its hashes) and for installing what it pins.

`init` reads the sha256 of every file of each pinned version from a package index, or from a
directory (`--find-links`, env `SYNCSPEC_FIND_LINKS`). Tests are offline, so they get such a
directory: the syncspec wheel built from this tree (hatchling, no build isolation, no index) and,
for every installed dependency, a wheel of that exact version packed from its installed files (a
real wheel pip installs; its bytes differ from the index's, which only the hashes can tell, and
they are computed from these very files).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def build_syncspec_wheel(out: Path) -> Path:
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
         "--wheel-dir", str(out), str(ROOT)],
        capture_output=True, text=True, check=False, timeout=300,
        env={**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
             "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = out.glob("truto_syncspec-*.whl")
    return built


def pack_installed(name: str, out: Path) -> Path:
    """A wheel of the installed distribution ``name`` (its files under site-packages)."""
    dist = metadata.distribution(name)
    project = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()  # as wheel names are
    wheel = out / f"{project}-{dist.version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in dist.files or []:
            if file.parts[0] == ".." or file.suffix == ".pyc":
                continue  # console scripts (pip writes them anew) and caches
            zf.write(dist.locate_file(file), file.as_posix())
    return wheel


def make_wheelhouse(out: Path, prebuilt: Path | None = None) -> Path:
    """``prebuilt``: the syncspec wheel built elsewhere from this tree (.ci/run builds it once for
    the lowest-versions run, whose hatchling could not build today's pyproject.toml)."""
    from syncspec.pins import Source, dependency_pins

    if prebuilt is not None:
        shutil.copy2(prebuilt, out / prebuilt.name)
    else:
        build_syncspec_wheel(out)
    index, git = dependency_pins(Source("index"), ["emulator"]), dependency_pins(Source("git"))
    for name in {**index, **git}:
        pack_installed(name, out)
    return out
