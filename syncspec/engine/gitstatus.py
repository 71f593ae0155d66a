"""Which files under a folder have changes git has not committed (``pull`` does not overwrite
them without ``--force``). Local only: runs ``git status``; no git, or no repository, means
nothing is known to be uncommitted (``None``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

GIT_TIMEOUT_S = 60.0


def uncommitted_files(folder: Path) -> set[Path] | None:
    """Real paths of the files under ``folder`` that are modified, staged, or untracked."""
    git = shutil.which("git")
    if git is None or not folder.is_dir():
        return None
    try:
        top = subprocess.run(
            [git, "-C", str(folder), "rev-parse", "--show-toplevel"],
            capture_output=True,
            text=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
        if top.returncode != 0:
            return None
        status = subprocess.run(
            [git, "-C", str(folder), "status", "--porcelain=v1", "-z", "--untracked-files=all",
             "--", "."],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None
    if status.returncode != 0:
        return None
    root = Path(top.stdout.strip())
    found: set[Path] = set()
    entries = status.stdout.split(b"\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:]
        if code[:1] in (b"R", b"C"):
            i += 1  # a rename or copy is followed by its source path
        found.add(Path(os.path.realpath(root / os.fsdecode(name))))
    return found
