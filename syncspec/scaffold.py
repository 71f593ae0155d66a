"""``syncspec init``: scaffold a config repository from the templates in ``syncspec/templates``.

Writes nothing unless it can write everything: existing files are listed and the command stops,
unless ``force`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from syncspec import __version__
from syncspec.errors import ConfigError
from syncspec.jobfile.shape.schema import schema_text
from syncspec.pins import Source

WORKFLOW = Path(".github/workflows/syncspec.yml")
DEPENDABOT = Path(".github/dependabot.yml")
# The tool the workflow installs, every package pinned with its hashes (syncspec.pins).
REQUIREMENTS = Path("requirements-syncspec.txt")
PIP_INSTALL = "python -m pip install --require-hashes --no-deps -r requirements-syncspec.txt"
# yaml-language-server in VS Code: `!var NAME` is a known tag, not an error (issue 20)
VSCODE_SETTINGS = Path(".vscode/settings.json")
# a profile name goes into TOML keys, GitHub environment names and variable names
_PROFILE_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)


def _template(name: str) -> str:
    return resources.files("syncspec.templates").joinpath("init", name).read_text("utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace(f"__{key}__", value)
    return text


def _token_env(profile: str) -> str:
    return f"TRUTO_{profile.upper().replace('-', '_')}_TOKEN"


def _profile_values(profiles: Sequence[str]) -> dict[str, str]:
    """Template values of ``init --profiles FIRST,SECOND`` (FIRST on merge, SECOND after
    approval)."""
    if len(profiles) != 2 or profiles[0] == profiles[1]:
        raise ConfigError(
            "--profiles takes two different profile names, comma-separated: the environment "
            "applied on merge, then the one applied after approval (e.g. staging,production)"
        )
    for name in profiles:
        if not _PROFILE_NAME.match(name):
            raise ConfigError(
                f"--profiles: {name!r} is not a usable profile name (lower-case letters, "
                "digits, - and _, starting with a letter; it names GitHub environments too)"
            )
    first, second = profiles
    return {
        "FIRST_TOKEN": _token_env(first),
        "SECOND_PLAN_TOKEN": _token_env(f"{second}-plan"),
        "SECOND_TOKEN": _token_env(second),
        "FIRST_ID": f"apply-{first}",
        "FIRST": first,
        "SECOND_ID": second,
        "SECOND": second,
    }


def scaffold_files(
    *,
    requirements: str,
    source: Source | None = None,
    pins: dict[str, str] | None = None,
    jobs_dir: str = "jobs",
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    profiles: Sequence[str] = (),
) -> dict[Path, str]:
    """The files ``init`` writes, relative to the target directory, with their contents.

    ``requirements`` is requirements-syncspec.txt (``syncspec.pins``), ``source`` where it gets
    syncspec itself and ``pins`` the dependency versions it holds. ``profiles`` (two names): a
    ``syncspec.toml`` with both profiles and a ``vars`` example, and a workflow that applies the
    first on merge and the second after approval."""
    source = source or Source("index")
    if source.kind == "git" and hook_repo:
        raise ConfigError(
            "--install-from git+… already points the pre-commit hook at that repository and "
            "commit: leave out --hook-repo/--hook-rev"
        )
    if source.kind == "git":
        hook_repo, hook_rev = source.url.removeprefix("git+").rpartition("@")[0], source.commit
    if Path(jobs_dir).is_absolute() or ".." in Path(jobs_dir).parts or not jobs_dir.strip():
        raise ConfigError(
            f"--jobs-dir must be a relative path inside the repository, not {jobs_dir!r}"
        )
    if hook_repo and not hook_rev:
        # No tag of syncspec's repository is known to exist for this version: guessing one
        # writes a config that pre-commit cannot install.
        raise ConfigError(
            "--hook-repo needs --hook-rev: the tag or commit of that repository to use "
            "(pre-commit pins the hook to it)"
        )
    if hook_rev and not hook_repo:
        raise ConfigError("--hook-rev only applies with --hook-repo URL")
    jobs_dir = Path(jobs_dir).as_posix()
    values = {
        "VERSION": __version__,
        "JOBS_DIR": jobs_dir,
        "HOOK_REPO": hook_repo or "",
        "HOOK_REV": hook_rev or "",
        "INSTALL": _install_command(source),
        "PINNED_DEPS": _hook_dependencies(source, pins or {}),
    }
    workflow = _template("github-workflow.yml")
    toml = _template("syncspec.toml")
    if profiles:
        values.update(_profile_values(profiles))
        workflow = _template("github-workflow-profiles.yml")
        toml = _fill(_template("syncspec-profiles.toml"), values)
    toml = toml.replace('jobs_dir = "jobs"', f'jobs_dir = "{jobs_dir}"')
    depth = len(Path(jobs_dir).parts)
    schema_ref = "../" * depth + "schemas/sync-job.schema.json"
    job = _template("example-job.yaml").replace("../schemas/sync-job.schema.json", schema_ref)
    precommit = _template(
        "pre-commit-config-remote.yaml"
        if hook_repo
        else "pre-commit-config-wheel.yaml"
        if source.kind == "wheel"
        else "pre-commit-config.yaml"
    )
    return {
        Path("syncspec.toml"): toml,
        Path(jobs_dir) / "zendesk-tickets.yaml": job,
        Path("tests/zendesk-tickets.yaml"): _template("example-tests.yaml"),  # syncspec test
        Path("schemas/sync-job.schema.json"): _schema_text(),
        Path(".pre-commit-config.yaml"): _fill(precommit, values),
        WORKFLOW: _fill(workflow, values),
        VSCODE_SETTINGS: _template("vscode-settings.json"),
        DEPENDABOT: _template("dependabot.yml"),
        REQUIREMENTS: requirements,
        Path(".gitignore"): _template("gitignore"),
    }


def _install_command(source: Source) -> str:
    if source.kind != "git":
        return PIP_INSTALL
    # pip cannot hash a git checkout: the hashed file holds the dependencies and the build
    # backend, then syncspec is built from the pinned commit with nothing fetched besides it.
    build = "python -m pip install --no-deps --no-build-isolation"
    return f"{PIP_INSTALL} && {build} '{source.requirement}'"


def _hook_dependencies(source: Source, pins: dict[str, str]) -> str:
    """pre-commit's additional_dependencies for a wheel: the wheel with its sha256 (pip checks
    the fragment) and every dependency at its pinned version."""
    if source.kind != "wheel":
        return ""
    lines = [f"{source.requirement}#sha256={source.sha256}"]
    lines += [f"{name}=={version}" for name, version in pins.items()]
    return "".join(f'\n          - "{line}"' for line in lines)


def _schema_text() -> str:

    return schema_text()


def init_repo(
    target: Path,
    *,
    force: bool = False,
    jobs_dir: str = "jobs",
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    install_from: str | None = None,
    find_links: Path | None = None,
    index_url: str | None = None,
    with_emulator: bool = False,
    profiles: Sequence[str] = (),
) -> InitResult:
    from syncspec import pins

    if profiles:
        _profile_values(profiles)  # bad names fail before anything is looked up

    extras = ("emulator",) if with_emulator else ()
    source = pins.parse_install_from(install_from)
    deps = pins.dependency_pins(source, extras)
    files = scaffold_files(
        requirements=pins.pinned_requirements(
            source, find_links=find_links, index_url=index_url, extras=extras
        ),
        source=source,
        pins=deps,
        jobs_dir=jobs_dir,
        hook_repo=hook_repo,
        hook_rev=hook_rev,
        profiles=profiles,
    )
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a directory")
    existing = [rel for rel in files if (target / rel).exists()]
    if existing and not force:
        names = ", ".join(str(p) for p in existing)
        raise ConfigError(
            f"not overwriting existing file(s) in {target}: {names} "
            "(nothing was written; pass --force to overwrite them)"
        )
    result = InitResult(root=target)
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        result.written.append(rel)
    return result
