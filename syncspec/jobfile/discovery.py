"""Which files are job files: the one discovery function of validate, plan, apply and pull.

Rules (DESIGN.md, "Identity, ownership, deletion"; issue 10):

- a job file is a file whose name ends in ``.yaml`` or ``.yml`` in any letter case
  (``Tickets.YAML`` too: a file the user put under ``jobs/`` must never be silently ignored,
  or its live job looks unmanaged and ``--prune`` deletes it);
- files named on the command line are taken as given, whatever their name;
- hidden folders and files are searched like any other: ``jobs/.drafts/x.yaml`` still claims
  its label. Only version-control metadata (``.git``, ``.hg``, ``.svn``) is not searched: it
  never holds job files, so it is left out silently (everything else left out is named);
- a symlinked folder is followed when it resolves inside the repository root, and refused
  (named in ``skipped`` with the reason) when it resolves outside it; a folder reached twice
  (a symlink loop, or two links to one folder) is searched once; depth and the number of
  folders are bounded, so a hostile tree cannot keep discovery busy;
- a symlinked *file* is a job file (read through the link) when its target is inside the
  root, refused otherwise; a dangling link is kept, so that reading it fails loudly.

Nothing here parses YAML or imports anything heavy: ``validate`` calls it on every commit.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

SUFFIXES = (".yaml", ".yml")
VCS_FOLDERS = frozenset({".git", ".hg", ".svn"})
# Files editors keep beside the one being edited, named like a job file: Emacs's lock file
# `.#x.yaml` (a symlink to user@host), MS Office / LibreOffice locks `~$x.yaml`, `.~lock.x.yaml`.
EDITOR_PREFIXES = (".#", "~$", ".~lock.")
EDITOR_NOTE = "an editor's lock file, not a job file (the file being edited is read)"
# Bounds against hostile trees (a checked-out pull request controls jobs/).
MAX_DEPTH = 32
MAX_FOLDERS = 20_000


@dataclass(frozen=True)
class Skipped:
    """Something under a searched folder that is not read as a job file, and why."""

    path: Path
    reason: str
    # an editor's lock or backup file: shown as a note, but it holds no job, so nothing was
    # left out (``complete``; prune is not blocked by it)
    harmless: bool = False

    def describe(self, root: Path) -> str:
        return f"{display_path(self.path, root)}: {self.reason}"


@dataclass
class Discovery:
    files: list[Path] = field(default_factory=list)  # sorted, de-duplicated
    skipped: list[Skipped] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        """True when nothing under the searched folders was left out."""
        return all(s.harmless for s in self.skipped)


def is_job_file_name(name: str) -> bool:
    return name.lower().endswith(SUFFIXES)


def display_path(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` when it is inside it, POSIX-style; else as given."""
    # abspath, not resolve(): a symlinked job file is shown under its own name. Plain string
    # operations: this runs once per file, and pathlib's relative_to is slow.
    absolute, base = os.path.abspath(path), os.path.abspath(root)
    if absolute == base:
        return "."
    prefix = base if base.endswith(os.sep) else base + os.sep
    if absolute.startswith(prefix):
        return absolute[len(prefix) :].replace(os.sep, "/")
    return path.as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True


def discover_job_files(paths: Iterable[Path], root: Path) -> Discovery:
    """The job files under ``paths`` (files as given; folders searched), and what was skipped.

    ``root`` is the repository root (the folder of ``syncspec.toml``): symlinks may not lead
    out of it.
    """
    real_root = Path(os.path.realpath(root))
    found: dict[str, Path] = {}  # realpath -> the first path it was found by
    skipped: list[Skipped] = []
    visited: set[Path] = set()
    budget = [MAX_FOLDERS]
    for path in paths:
        if path.is_dir():
            _walk(path, real_root, found, skipped, visited, budget, depth=0)
        else:
            found.setdefault(os.path.realpath(path), path)
    skipped.sort(key=lambda s: str(s.path))
    # one file reached twice (named and inside a named folder, or through a link) counts once
    return Discovery(files=sorted(found.values(), key=str), skipped=skipped)


def _walk(  # noqa: PLR0917 - the walk's state, passed down explicitly
    folder: Path,
    real_root: Path,
    found: dict[str, Path],
    skipped: list[Skipped],
    visited: set[Path],
    budget: list[int],
    *,
    depth: int,
) -> None:
    real = Path(os.path.realpath(folder))
    if real in visited:
        return  # a loop, or a second way to the same folder: its files are already found
    visited.add(real)
    budget[0] -= 1
    if budget[0] < 0:
        skipped.append(Skipped(folder, f"not searched: more than {MAX_FOLDERS} folders"))
        return
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        skipped.append(Skipped(folder, f"cannot list this folder ({exc.strerror or exc})"))
        return
    for entry in entries:
        path = Path(folder, entry.name)
        try:
            is_link = entry.is_symlink()
            is_dir = entry.is_dir(follow_symlinks=True)
        except OSError as exc:
            skipped.append(Skipped(path, f"cannot inspect ({exc.strerror or exc})"))
            continue
        if is_dir:
            if entry.name in VCS_FOLDERS:
                continue
            if is_link and not _inside(Path(os.path.realpath(path)), real_root):
                folder_target = os.path.realpath(path)
                skipped.append(
                    Skipped(
                        path,
                        f"symlinked folder resolves outside the repository ({folder_target}); "
                        "not followed",
                    )
                )
                continue
            if depth + 1 > MAX_DEPTH:
                skipped.append(Skipped(path, f"not searched: nested deeper than {MAX_DEPTH}"))
                continue
            _walk(path, real_root, found, skipped, visited, budget, depth=depth + 1)
        elif is_job_file_name(entry.name) and entry.name.startswith(EDITOR_PREFIXES):
            skipped.append(Skipped(path, EDITOR_NOTE, harmless=True))
        elif is_job_file_name(entry.name):
            if is_link and os.path.exists(path):
                target = Path(os.path.realpath(path))
                if not _inside(target, real_root):
                    skipped.append(
                        Skipped(
                            path,
                            f"symlinked file resolves outside the repository ({target}); not read",
                        )
                    )
                    continue
            # not a link: its real path is the folder's (already resolved) plus its name, and
            # realpath would lstat every component again for each file
            key = os.path.realpath(path) if is_link else os.path.join(real, entry.name)
            found.setdefault(key, path)
        elif is_link and not os.path.exists(path):
            # a folder whose target is missing (a submodule not checked out, say) may hold job
            # files: skipping it silently would let --prune delete their jobs
            skipped.append(
                Skipped(path, "dangling symlink (its target does not exist); not followed")
            )
