"""The hash-pinned ``requirements-syncspec.txt`` that ``syncspec init`` writes (issue 25).

Whoever controls what a CI job installs runs code next to its Truto token. So the workflow that
``init`` writes installs with ``pip install --require-hashes --no-deps``: every package, syncspec
and each of its dependencies, at one version and with the sha256 of every file of that version
(any platform: the same file serves the runner and a laptop).

- **Versions** are the ones installed where ``init`` runs: the syncspec running now and its
  dependency closure (markers evaluated for this interpreter *and* for the workflow's runner,
  Linux x86-64 CPython 3.12, so nothing the runner needs is missing). They are known to work
  together: they are working here.
- **Hashes** come from a package index (PEP 691 JSON, default PyPI, ``--index-url``) or, offline,
  from a directory of distribution files (``--find-links DIR``: a local mirror, or ``dist/``).
- **Where syncspec itself comes from** (``--install-from``): the index (``truto-syncspec==V``), a
  wheel (a URL, or a local file for testing; its sha256 is checked by pip), or a git URL pinned to
  a full commit. pip cannot hash a git checkout, so that line is installed apart, after the
  hashed file, with ``--no-build-isolation`` and the build backend pinned in the file: nothing
  unpinned is installed on any path.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Literal

from syncspec import __version__
from syncspec.errors import ConfigError

DIST = "truto-syncspec"
# The runner of the workflow init writes (ubuntu-latest, setup-python "3.12").
RUNNER: dict[str, str] = {
    "python_version": "3.12",
    "python_full_version": "3.12.0",
    "implementation_name": "cpython",
    "platform_python_implementation": "CPython",
    "sys_platform": "linux",
    "platform_system": "Linux",
    "platform_machine": "x86_64",
    "os_name": "posix",
}
BUILD_BACKEND = "hatchling"  # what a git checkout of syncspec is built with (pyproject.toml)
_COMMIT = re.compile(r"[0-9a-f]{40}")
# what a git URL may hold: it is written into a workflow's shell step and a YAML file
_GIT_URL = re.compile(r"git\+https://[A-Za-z0-9._~/%+-]+(?::[0-9]+)?[A-Za-z0-9._~/%+-]*")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Source:
    """Where the workflow gets syncspec: ``index``, a ``wheel`` (URL + sha256) or ``git``."""

    kind: Literal["index", "wheel", "git"]
    url: str = ""  # wheel: the URL pip fetches; git: git+https://...@<commit>
    sha256: str = ""  # wheel only
    commit: str = ""  # git only

    @property
    def requirement(self) -> str:
        """The requirement line for syncspec itself (without hashes)."""
        if self.kind == "index":
            return f"{DIST}=={__version__}"
        return f"{DIST} @ {self.url}"


def parse_install_from(spec: str | None) -> Source:
    """``--install-from``: a wheel URL (``#sha256=`` optional), a local ``.whl`` or
    ``git+https://HOST/REPO@<full commit>``; ``None`` is the package index."""
    if spec is None:
        return Source("index")
    spec = spec.strip()
    if spec.startswith(f"{DIST} @ "):
        spec = spec.removeprefix(f"{DIST} @ ").strip()
    if spec.startswith("git+"):
        return _git_source(spec)
    if spec.startswith(("https://", "http://")):
        url, _, fragment = spec.partition("#")
        if not url.endswith(".whl"):
            raise ConfigError(
                f"--install-from {spec}: a URL must name a wheel (…/truto_syncspec-"
                f"{__version__}-py3-none-any.whl) or be git+https://…@<commit>"
            )
        _check_wheel_name(url.rsplit("/", 1)[-1], spec)
        digest = fragment.removeprefix("sha256=") if fragment else ""
        if fragment and not (fragment.startswith("sha256=") and _SHA256.fullmatch(digest)):
            raise ConfigError(f"--install-from {spec}: the fragment must be #sha256=<64 hex>")
        if not digest:
            from syncspec.api.index import file_sha256

            digest = file_sha256(url)
        return Source("wheel", url=url, sha256=digest)
    path = Path(spec)
    if path.suffix == ".whl":
        if not path.is_file():
            raise ConfigError(f"--install-from {spec}: no such wheel file")
        _check_wheel_name(path.name, spec)
        return Source("wheel", url=path.resolve().as_uri(), sha256=_sha256_file(path))
    raise ConfigError(
        f"--install-from {spec}: give a wheel (URL or file ending in .whl) or "
        "git+https://HOST/OWNER/REPO@<full 40-hex commit>"
    )


def _git_source(spec: str) -> Source:
    url, at, ref = spec.rpartition("@")
    if not at or "://" not in url or not url.startswith("git+https://"):
        raise ConfigError(
            f"--install-from {spec}: write git+https://HOST/OWNER/REPO@<full 40-hex commit>"
        )
    if not _GIT_URL.fullmatch(url):
        raise ConfigError(
            f"--install-from {spec}: only letters, digits and ._~/%+- may appear in the URL "
            "(no credentials, spaces or quotes)"
        )
    if not _COMMIT.fullmatch(ref):
        raise ConfigError(
            f"--install-from {spec}: {ref!r} is not a full commit: pin the 40-hex commit "
            "(a branch moves and a tag can be re-pointed, so the code CI runs could change "
            "under the same line)"
        )
    return Source("git", url=spec, commit=ref)


def _check_wheel_name(name: str, spec: str) -> None:
    expected = f"truto_syncspec-{__version__}-"
    if not (name.startswith(expected) and name.endswith(".whl")):
        raise ConfigError(
            f"--install-from {spec}: expected a wheel of truto-syncspec {__version__} "
            f"({expected}….whl): run the `syncspec init` of the version you install, so the "
            "pinned dependencies are the ones it needs"
        )


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _canon(name: str) -> str:
    from packaging.utils import canonicalize_name

    return str(canonicalize_name(name))


def installed_closure(roots: Iterable[str], extras: Iterable[str] = ()) -> dict[str, str]:
    """Canonical name -> installed version of ``roots`` and everything they require, here or
    on the runner (``RUNNER``); ``extras`` of the roots count. A requirement needed but not
    installed is an error."""
    from packaging.requirements import Requirement

    pins: dict[str, str] = {}
    queue: list[tuple[str, str]] = [(r, "syncspec init") for r in roots]
    root_extras = ["", *extras]
    while queue:
        line, needed_by = queue.pop()
        req = Requirement(line)
        wanted = root_extras if needed_by == "syncspec init" else [""]
        if req.marker is not None and not any(
            req.marker.evaluate({**env, "extra": extra}) for env in ({}, RUNNER) for extra in wanted
        ):
            continue
        name = _canon(req.name)
        if name in pins:
            continue
        try:
            dist = metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise ConfigError(
                f"{req.name} (needed by {needed_by}) is not installed here, so its version "
                f"cannot be pinned: `pip install '{line}'` and run init again"
            ) from None
        pins[name] = dist.version
        queue.extend((r, name) for r in dist.requires or [])
    return pins


def dependency_pins(source: Source, extras: Iterable[str] = ()) -> dict[str, str]:
    """The packages requirements-syncspec.txt pins, syncspec itself excluded."""
    roots = list(metadata.requires(DIST) or [])
    if source.kind == "git":
        roots.append(BUILD_BACKEND)
    pins = installed_closure(roots, extras)
    pins.pop(DIST, None)
    return dict(sorted(pins.items()))


def _file_identity(filename: str) -> tuple[str, str] | None:
    from packaging.utils import (
        InvalidSdistFilename,
        InvalidWheelFilename,
        parse_sdist_filename,
        parse_wheel_filename,
    )

    try:
        if filename.endswith(".whl"):
            name, version, *_ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(name), str(version)


def _matches(filename: str, name: str, version: str) -> bool:
    from packaging.version import Version

    found = _file_identity(filename)
    return found is not None and found[0] == name and Version(found[1]) == Version(version)


def file_hashes(
    pins: Mapping[str, str], *, find_links: Path | None = None, index_url: str | None = None
) -> dict[str, list[str]]:
    """name -> the sha256 of every file of the pinned version, from ``find_links`` (a directory
    of wheels and sdists) or the index. A pin with no file is an error naming it."""
    result: dict[str, list[str]] = {}
    if find_links is not None:
        if not find_links.is_dir():
            raise ConfigError(f"--find-links {find_links}: not a directory")
        files = sorted(p for p in find_links.iterdir() if p.is_file() and not p.is_symlink())
        for name, version in pins.items():
            result[name] = sorted(
                {_sha256_file(p) for p in files if _matches(p.name, name, version)}
            )
    else:
        from syncspec.api.index import DEFAULT_INDEX, project_files

        for name, version in pins.items():
            listed = project_files(index_url or DEFAULT_INDEX, name)
            result[name] = sorted({h for f, h in listed if _matches(f, name, version)})
    missing = [f"{n}=={pins[n]}" for n, hashes in result.items() if not hashes]
    if missing:
        where = f"in {find_links}" if find_links is not None else f"on {index_url or 'PyPI'}"
        raise ConfigError(
            f"no file of {', '.join(missing)} {where}, so it cannot be hash-pinned "
            "(nothing was written)"
        )
    return result


def _lines(requirement: str, hashes: Iterable[str]) -> str:
    return " \\\n".join([requirement, *(f"    --hash=sha256:{h}" for h in hashes)]) + "\n"


def requirements_text(
    source: Source, pins: Mapping[str, str], hashes: Mapping[str, list[str]]
) -> str:
    """requirements-syncspec.txt: install with ``pip install --require-hashes --no-deps -r``."""
    if source.kind == "git":
        what = (
            f"syncspec's dependencies and its build backend ({BUILD_BACKEND}); syncspec itself is"
        )
        what += f" installed from {source.url} by the workflow (pip cannot hash a git checkout)"
    else:
        what = "truto-syncspec and every package it needs"
    head = (
        "# Written by `syncspec init`: " + what + ".\n"
        "# Installed with `pip install --require-hashes --no-deps -r requirements-syncspec.txt`:\n"
        "# each package at one version, and pip refuses any file whose sha256 is not listed.\n"
        "# The versions are those syncspec was installed with; the hashes cover every file of\n"
        "# each version (any platform). To move to another syncspec version, install it and run\n"
        "# `syncspec init --force` (or review Dependabot's pull request: its plan shows the\n"
        "# effect).\n"
    )
    body = ""
    if source.kind == "index":
        body += _lines(source.requirement, hashes[DIST])
    elif source.kind == "wheel":
        body += _lines(source.requirement, [source.sha256])
    for name, version in pins.items():
        body += _lines(f"{name}=={version}", hashes[name])
    return head + body


def pinned_requirements(
    source: Source,
    *,
    find_links: Path | None = None,
    index_url: str | None = None,
    extras: Iterable[str] = (),
) -> str:
    """The whole of requirements-syncspec.txt for ``source`` (reads the index or directory)."""
    pins = dependency_pins(source, extras)
    wanted = dict(pins)
    if source.kind == "index":
        wanted[DIST] = __version__
    hashes = file_hashes(wanted, find_links=find_links, index_url=index_url)
    return requirements_text(source, pins, hashes)
