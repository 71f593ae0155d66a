"""``syncspec init``: scaffold a config repository from the templates in ``syncspec/templates``.

Non-destructive in an existing repository: missing files are written; an existing ``.gitignore``
gets the missing lines appended and an existing ``.pre-commit-config.yaml`` gets the hook added
(round trip: the team's comments and order stay), or a note says exactly what to add; other
existing files are kept unless ``force`` overwrites them. No team's line is ever deleted.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from syncspec import __version__
from syncspec.errors import ConfigError
from syncspec.jobfile.shape.schema import schema_text
from syncspec.jobfile.yaml.roundtrip import newline_of
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
PRE_COMMIT = Path(".pre-commit-config.yaml")
GITIGNORE = Path(".gitignore")


@dataclass
class InitResult:
    root: Path
    written: list[Path] = field(default_factory=list)
    merged: list[Path] = field(default_factory=list)  # existing files given syncspec's lines
    kept: list[Path] = field(default_factory=list)  # existing files left as they are
    notes: list[str] = field(default_factory=list)


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


def package_pin() -> str:
    """The requirement that installs this syncspec (the pre-commit hook's environment).

    The one place the pin is spelled: the package index form of ``syncspec.pins.Source``, the
    same line requirements-syncspec.txt holds (with its hashes) for an index install.
    """
    return Source("index").requirement


def scaffold_files(
    *,
    requirements: str,
    source: Source | None = None,
    pins: dict[str, str] | None = None,
    jobs_dir: str = "jobs",
    hook_repo: str | None = None,
    hook_rev: str | None = None,
    profiles: Sequence[str] = (),
    adopt: bool = False,
) -> dict[Path, str]:
    """The files ``init`` writes, relative to the target directory, with their contents.

    ``requirements`` is requirements-syncspec.txt (``syncspec.pins``), ``source`` where it gets
    syncspec itself and ``pins`` the dependency versions it holds. ``profiles`` (two names): a
    ``syncspec.toml`` with both profiles and a ``vars`` example, and a workflow that applies the
    first on merge and the second after approval.

    ``adopt``: for a team that already has jobs in Truto: no sample job and no sample case
    (``pull`` brings the real jobs; a sample would be created in production by the next apply).
    """
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
        "HOOK_PIN": package_pin(),
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
    samples: dict[Path, str] = {
        Path(jobs_dir) / "zendesk-tickets.yaml": job,
        Path("tests/zendesk-tickets.yaml"): _template("example-tests.yaml"),  # syncspec test
    }
    if adopt:  # empty folders git keeps: validate and `syncspec test` need them to exist
        samples = {Path(jobs_dir) / ".gitkeep": "", Path("tests/.gitkeep"): ""}
    return {
        Path("syncspec.toml"): toml,
        **samples,
        Path("schemas/sync-job.schema.json"): _schema_text(),
        PRE_COMMIT: _fill(precommit, values),
        WORKFLOW: _fill(workflow, values),
        VSCODE_SETTINGS: _template("vscode-settings.json"),
        DEPENDABOT: _template("dependabot.yml"),
        REQUIREMENTS: requirements,
        GITIGNORE: _template("gitignore"),
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
    adopt: bool = False,
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
        adopt=adopt,
    )
    if target.exists() and not target.is_dir():
        raise ConfigError(f"{target} exists and is not a directory")
    result = InitResult(root=target)
    for rel, text in files.items():
        path = target / rel
        if path.is_symlink():  # never written through: it may point anywhere
            result.kept.append(rel)
            result.notes.append(f"{rel} is a symbolic link; left as it is")
            continue
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("x", encoding="utf-8", newline="\n") as fh:
                fh.write(text)
            result.written.append(rel)
        elif rel == GITIGNORE:  # the team's lines are kept, even with --force
            _merge_gitignore(path, text, result)
        elif rel == PRE_COMMIT:
            _merge_pre_commit(path, text, result)
        elif force:
            path.write_text(text, encoding="utf-8")
            result.written.append(rel)
        else:
            result.kept.append(rel)
    return result


def _read_exact(path: Path) -> str:
    """The file's text with its own line endings (not translated to LF)."""
    with path.open(encoding="utf-8", newline="") as fh:
        return fh.read()


def _merge_gitignore(path: Path, template: str, result: InitResult) -> None:
    original = _read_exact(path)
    have = {line.strip() for line in original.splitlines()}
    missing = [
        line
        for line in template.splitlines()
        if line.strip() and not line.startswith("#") and line.strip() not in have
    ]
    rel = path.relative_to(result.root)
    if not missing:
        result.kept.append(rel)
        return
    nl = newline_of(original)
    lines = ["# syncspec outputs (added by `syncspec init`)", *missing]
    text = original if not original or original.endswith(("\n", "\r")) else original + nl
    path.write_text(text + nl.join(lines) + nl, encoding="utf-8", newline="")
    result.merged.append(rel)
    result.notes.append(f"{rel}: added {len(missing)} line(s): {', '.join(missing)}")


def _merge_pre_commit(path: Path, template: str, result: InitResult) -> None:
    """Add the syncspec hook to an existing pre-commit config, keeping everything else
    (comments, order, quoting: a ruamel round trip), or say exactly what to add."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.error import YAMLError

    from syncspec.jobfile.yaml.roundtrip import dump, rt_yaml, styled_yaml, with_newlines

    rel = path.relative_to(result.root)
    # the template's entry without its comments: they would not sit at the right indentation
    ours = json.loads(json.dumps(rt_yaml().load(template)["repos"][0]))
    original = _read_exact(path)
    yaml = rt_yaml()
    try:
        yaml, data = styled_yaml(original)
    except YAMLError:
        data = None
    repos = data.get("repos") if isinstance(data, CommentedMap) else None
    if not isinstance(repos, CommentedSeq):
        snippet = dump(yaml, CommentedSeq([ours])).rstrip("\n")
        result.kept.append(rel)
        result.notes.append(
            f"{rel} has no `repos:` list syncspec can edit; add this entry to its repos:\n"
            + snippet
        )
        return
    for repo in repos:
        hooks = repo.get("hooks") if isinstance(repo, CommentedMap) else None
        for hook in hooks if isinstance(hooks, list) else []:
            if isinstance(hook, CommentedMap) and hook.get("id") == "syncspec-validate":
                result.kept.append(rel)
                return
    repos.append(ours)
    text = with_newlines(dump(yaml, data), newline_of(original))
    path.write_text(text, encoding="utf-8", newline="")
    result.merged.append(rel)
    result.notes.append(f"{rel}: added the syncspec-validate hook")
