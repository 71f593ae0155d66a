"""Settings: ``syncspec.toml`` (or ``[tool.syncspec]`` in ``pyproject.toml``), profiles, env vars.

Example ``syncspec.toml``::

    jobs_dir = "jobs"
    tests_dir = "tests"              # case files of `syncspec test`
    default_profile = "staging"      # optional; else SYNCSPEC_PROFILE, else the only profile
    parallelism = 16                 # default: from rate_limit (16 at 500/10s)
    rate_limit = "500/10s"

    [profiles.staging]
    api_url = "https://api.truto.one"
    token_env = "TRUTO_STAGING_TOKEN"   # the *name* of the variable, never the token
    jobs = ["*"]                        # labels (fnmatch globs) this profile manages
    exclude = ["experimental-*"]        # labels it leaves alone (never created nor pruned)

    [profiles.staging.vars]            # what `!var NAME` in a job file stands for here
    webhook_id = "wh_staging"          # (more may live in vars/staging.toml)

    [prune]                            # live jobs syncspec may delete with --prune
    labels = ["team-a-*"]              # fnmatch globs; a job must match one (if given)
    integrations = ["zendesk"]         # and be of one of these integrations (if given)

Without a file (or with no profiles) the environment decides: ``TRUTO_API_URL`` (default
``https://api.truto.one``) and ``TRUTO_API_TOKEN``.

Precedence (issue 20): an active profile that sets ``api_url`` while ``TRUTO_API_URL`` is set to
another URL is an error (neither silently wins); a profile without ``api_url`` takes
``TRUTO_API_URL``. A ``TRUTO_API_TOKEN`` that the profile does not read (its ``token_env`` names
another variable) is reported on stderr (``Settings.notices``).

Whatever ``api_url`` this file names, the token is sent only where ``syncspec.safety`` allows
(``api.truto.one``, loopback, ``SYNCSPEC_ALLOWED_HOSTS``, ``--allow-host``): the check is made on
the final URL when the client is built, so no key of this file can route the token elsewhere.
"""

from __future__ import annotations

import fnmatch
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from syncspec.errors import ConfigError
from syncspec.profile_values import profile_vars, toml_error
from syncspec.redact import register_secret

if TYPE_CHECKING:
    from syncspec.jobfile.vars import VarSetup

DEFAULT_API_URL = "https://api.truto.one"
DEFAULT_TOKEN_ENV = "TRUTO_API_TOKEN"
DEFAULT_URL_ENV = "TRUTO_API_URL"
PROFILE_ENV = "SYNCSPEC_PROFILE"
CONFIG_FILE = "syncspec.toml"
DEFAULT_RATE_LIMIT = (500, 10.0)
_RATE_RE = re.compile(r"^\s*(\d{1,9})\s*/\s*(\d{1,9}(?:\.\d{1,9})?)\s*s?\s*$")
# Ranges of the values (issue 22): a pull request can edit this file, so no value may make a
# command wait without bound (a request waits at most one rate-limit period), or run away.
MAX_RATE_REQUESTS = 10_000
MAX_RATE_PERIOD_S = 60.0
MAX_PARALLELISM = 64  # as apply --parallelism
MAX_CONFIG_BYTES = 1024 * 1024  # syncspec.toml / pyproject.toml: a few hundred bytes in practice
# [profiles.X.vars] holds values that may nest 32 deep themselves (profile_values: SS014 says
# so at the value); anything deeper than that is refused here, before any value is read
MAX_CONFIG_DEPTH = 64
# apply's default parallelism keeps this many seconds of requests in flight at the rate limit's
# average rate: enough to use the limit at Truto's usual latencies (0.1-0.3 s a request), while
# the client's limiter (not the parallelism) keeps the rate under it (issue 26: 16 at 500/10s).
_IN_FLIGHT_SECONDS = 0.32


def default_parallelism(rate_limit: tuple[int, float]) -> int:
    """Actions run at once when neither ``--parallelism`` nor ``parallelism`` says."""
    requests, seconds = rate_limit
    return max(1, min(MAX_PARALLELISM, math.ceil(requests / seconds * _IN_FLIGHT_SECONDS)))


class Secret:
    """A string that never shows itself in repr/str/format; call ``reveal()`` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value
        register_secret(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


@dataclass(frozen=True)
class LabelSelection:
    """Which jobs a profile manages, by label (fnmatch globs, case-sensitive): every label
    unless ``jobs`` is given and none matches, minus those matching ``exclude``. Labels, not
    paths: a label is what a job is known by both in the files and live, so a live job the
    profile does not select is never created, changed nor pruned there."""

    jobs: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()

    def selects(self, label: str) -> bool:
        if self.jobs and not any(fnmatch.fnmatchcase(label, g) for g in self.jobs):
            return False
        return not any(fnmatch.fnmatchcase(label, g) for g in self.exclude)

    @property
    def everything(self) -> bool:
        return not self.jobs and not self.exclude


EVERY_LABEL = LabelSelection()


@dataclass(frozen=True)
class Profile:
    name: str
    api_url: str = DEFAULT_API_URL
    token_env: str = DEFAULT_TOKEN_ENV
    # [profiles.X.pins] "label" = "id": this environment's live job for a label held twice
    pins: Mapping[str, str] = field(default_factory=dict)
    # the values of `!var NAME` in this profile (plain JSON-like data, checked when loaded)
    vars: Mapping[str, Any] = field(default_factory=dict, hash=False, compare=False)
    selection: LabelSelection = EVERY_LABEL


@dataclass(frozen=True)
class PruneScope:
    """Which unmanaged live jobs ``--prune`` may delete. Empty scope = nothing may be deleted."""

    labels: tuple[str, ...] = ()
    integrations: tuple[str, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not self.labels and not self.integrations

    def contains(self, label: str, integration_name: str | None) -> bool:
        if self.is_empty:
            return False
        if self.labels and not any(fnmatch.fnmatchcase(label, g) for g in self.labels):
            return False
        return not (self.integrations and (integration_name or "") not in self.integrations)


@dataclass(frozen=True)
class Settings:
    root: Path
    config_file: Path | None
    jobs_dir: Path
    profile: Profile
    prune: PruneScope = field(default_factory=PruneScope)
    parallelism: int = 16  # default_parallelism(DEFAULT_RATE_LIMIT)
    rate_limit: tuple[int, float] = DEFAULT_RATE_LIMIT
    tests_dir: Path | None = None  # case files of `syncspec test` (None: root / "tests")
    # hosts the command line allows the token to go to (--allow-host); never from syncspec.toml
    allowed_hosts: tuple[str, ...] = ()
    # every profile of the file (``profile`` is one of them, or the "env" pseudo-profile)
    profiles: tuple[Profile, ...] = ()
    # what the CLI reports on stderr (an environment variable the profile does not read)
    notices: tuple[str, ...] = ()

    def var_setup(self, *, planning: bool) -> VarSetup:
        """What ``!var`` resolves against: the active profile (``planning``: plan, apply,
        pull), or every profile (validate)."""
        from syncspec.jobfile.vars import ProfileValues, VarSetup

        def values(p: Profile) -> ProfileValues:
            return ProfileValues(
                p.name, dict(p.vars), None if p.selection.everything else p.selection
            )

        if not planning:
            return VarSetup(tuple(values(p) for p in self.profiles))
        if self.profile.name != "env" or not self.profiles:
            chosen = [p for p in self.profiles if p.name == self.profile.name]
            return VarSetup(tuple(values(p) for p in chosen), planning=True)
        names = ", ".join(p.name for p in self.profiles)
        return VarSetup(
            (),
            no_profile=f"no profile is active (choose one with --profile or {PROFILE_ENV}; "
            f"profiles: {names})",
            planning=True,
        )

    def token(self, environ: Mapping[str, str] | None = None) -> Secret:
        env = os.environ if environ is None else environ
        value = env.get(self.profile.token_env, "").strip()
        if not value:
            where = f" (profile {self.profile.name!r})" if self.profile.name != "env" else ""
            raise ConfigError(
                f"no API token: set the environment variable {self.profile.token_env}{where} "
                "to a Truto API token of the environment you want to manage"
            )
        return Secret(value)


# Every key syncspec.toml may hold. A key not listed is an error, never ignored: a typo in
# [prune] (``label =`` for ``labels =``) would otherwise widen what --prune may delete.
TOP_LEVEL_KEYS = (
    "jobs_dir",
    "tests_dir",  # syncspec test's case files
    "default_profile",
    "parallelism",
    "rate_limit",
    "profiles",
    "prune",
)
PRUNE_KEYS = ("labels", "integrations")
PROFILE_KEYS = ("api_url", "token_env", "pins", "vars", "jobs", "exclude")


def reject_unknown_keys(
    table: Mapping[str, Any], known: tuple[str, ...], where: str, section: str = ""
) -> None:
    """``ConfigError`` (exit 3) naming the first unknown key of ``table``, with a did-you-mean."""
    unknown = sorted(str(k) for k in table if k not in known)
    if not unknown:
        return
    import difflib  # only for the error: validate's start-up stays lean

    key = unknown[0]
    name = f"{section}.{key}" if section else key
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    hint = f' (did you mean "{close[0]}"?)' if close else ""
    more = f" (and {len(unknown) - 1} more unknown key(s))" if len(unknown) > 1 else ""
    table_name = f"[{section}]" if section else "the top level"
    raise ConfigError(
        f"{where}: unknown key {name!r}{hint}{more}; {table_name} may hold: {', '.join(known)}"
    )


def parse_rate_limit(text: str) -> tuple[int, float]:
    """``"500/10s"`` -> ``(500, 10.0)``; 1-10,000 requests per at most 60 s."""
    m = _RATE_RE.match(text)
    if not m or int(m.group(1)) <= 0 or float(m.group(2)) <= 0:
        raise ConfigError(
            f"invalid rate limit {text[:40]!r}: expected REQUESTS/SECONDS, e.g. 500/10s"
        )
    requests, period = int(m.group(1)), float(m.group(2))
    if requests > MAX_RATE_REQUESTS or period > MAX_RATE_PERIOD_S:
        raise ConfigError(
            f"rate limit {text!r} is out of range: at most {MAX_RATE_REQUESTS:,} requests per "
            f"at most {MAX_RATE_PERIOD_S:g} s (a longer period would make a request wait that "
            "long in silence); Truto allows 500/10s"
        )
    return requests, period


def find_config(start: Path) -> tuple[Path | None, dict[str, Any]]:
    """Walk up from ``start`` to the first syncspec.toml, or pyproject.toml with [tool.syncspec]."""
    for directory in (start, *start.parents):
        candidate = directory / CONFIG_FILE
        if candidate.is_file():
            return candidate, _read_toml(candidate)
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file():
            data = _read_toml(pyproject)
            section = data.get("tool", {}).get("syncspec")
            if isinstance(section, dict):
                return pyproject, section
    return None, {}


def _read_toml(path: Path) -> dict[str, Any]:
    """The TOML of ``path``: a regular UTF-8 file of at most ``MAX_CONFIG_BYTES``, nested at most
    ``MAX_CONFIG_DEPTH`` deep; anything else is a ``ConfigError`` (exit 3), never a traceback."""
    import tomllib  # only where there is a file to read: validate's start-up stays lean

    from syncspec.bounded import FileRefused, check_depth, read_regular_file

    try:
        raw = read_regular_file(path, MAX_CONFIG_BYTES)
    except FileRefused as exc:
        raise ConfigError(f"{path}: not read: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path}: not UTF-8 text (byte {exc.start + 1}); save it as UTF-8"
        ) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(toml_error(path, exc)) from None
    except RecursionError:
        raise ConfigError(f"{path}: invalid TOML: nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of thousands of digits
        raise ConfigError(f"{path}: invalid TOML: {str(exc)[:120]}") from None
    if check_depth(data, MAX_CONFIG_DEPTH) is not None:
        raise ConfigError(f"{path}: nested deeper than {MAX_CONFIG_DEPTH} levels")
    return data


def folder_inside(root: Path, value: Any, key: str, where: str, default: str) -> Path:
    """``root / value`` for a folder key (``jobs_dir``, ``tests_dir``): a relative path that
    resolves (symlinks followed) inside the repository, the rule symlinked folders follow in
    job discovery. A pull request can edit this file: ``jobs_dir = "/"`` would read the whole
    machine, ``"../x"`` make pull write outside the repository."""
    text = default if value is None else value
    if not isinstance(text, str) or not text or "\x00" in text:
        raise ConfigError(f"{where}: {key} must be a path (a string), not empty")
    relative = Path(text)
    if relative.is_absolute():
        raise ConfigError(
            f"{where}: {key} = {text!r} is an absolute path; it must be a folder inside the "
            f'repository, relative to {where}, e.g. {key} = "{default}"'
        )
    folder = root / relative
    real_root = Path(os.path.realpath(root))
    real = Path(os.path.realpath(folder))
    if not real.is_relative_to(real_root):
        raise ConfigError(
            f"{where}: {key} = {text!r} resolves outside the repository ({real}); it must be "
            f'a folder inside it, e.g. {key} = "{default}"'
        )
    return folder


def _str_list(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ConfigError(f"{where}: expected a string or a list of strings")


def load_settings(
    cwd: Path | None = None,
    profile: str | None = None,
    config_path: Path | None = None,
    environ: Mapping[str, str] | None = None,
    allow_hosts: Sequence[str] = (),
) -> Settings:
    env = os.environ if environ is None else environ
    start = (cwd or Path.cwd()).resolve()
    if config_path is not None:
        path: Path | None = config_path.resolve()
        assert path is not None
        data = _read_toml(path)
        if path.name == "pyproject.toml":
            data = data.get("tool", {}).get("syncspec", {})
    else:
        path, data = find_config(start)
    root = path.parent if path else start
    where = str(path) if path else "settings"

    reject_unknown_keys(data, TOP_LEVEL_KEYS, where)

    jobs_dir = folder_inside(root, data.get("jobs_dir"), "jobs_dir", where, "jobs")
    tests_dir = folder_inside(root, data.get("tests_dir"), "tests_dir", where, "tests")
    rate = data.get("rate_limit")
    if rate is not None and not isinstance(rate, str):
        raise ConfigError(f'{where}: rate_limit must be a string such as "500/10s"')
    try:
        rate_limit = parse_rate_limit(rate) if rate is not None else DEFAULT_RATE_LIMIT
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    parallelism = data.get("parallelism", default_parallelism(rate_limit))
    if (
        not isinstance(parallelism, int)
        or isinstance(parallelism, bool)
        or not 1 <= parallelism <= MAX_PARALLELISM
    ):
        raise ConfigError(f"{where}: parallelism must be an integer from 1 to {MAX_PARALLELISM}")

    prune_data = data.get("prune", {})
    if not isinstance(prune_data, dict):
        raise ConfigError(f"{where}: [prune] must be a table")
    reject_unknown_keys(prune_data, PRUNE_KEYS, where, "prune")
    prune = PruneScope(
        labels=_str_list(prune_data.get("labels"), f"{where}: prune.labels"),
        integrations=_str_list(prune_data.get("integrations"), f"{where}: prune.integrations"),
    )

    profiles = _read_profiles(data, env, where, root)
    active = _choose_profile(data, profiles, profile, env, where)
    return Settings(
        root=root,
        config_file=path,
        jobs_dir=jobs_dir,
        profile=active,
        prune=prune,
        tests_dir=tests_dir,
        parallelism=parallelism,
        rate_limit=rate_limit,
        allowed_hosts=tuple(h for h in allow_hosts if h.strip()),
        profiles=tuple(profiles.values()),
        notices=_env_notices(active, profiles, env),
    )


def _read_profiles(
    data: dict[str, Any], env: Mapping[str, str], where: str, root: Path
) -> dict[str, Profile]:
    """Every ``[profiles.NAME]``, checked (a bad profile is an error whichever is active:
    ``validate`` checks them all)."""
    tables = data.get("profiles", {})
    if not isinstance(tables, dict):
        raise ConfigError(f"{where}: [profiles] must be a table of tables")
    profiles: dict[str, Profile] = {}
    for name, body in tables.items():
        if not isinstance(body, dict):
            raise ConfigError(f"{where}: profiles.{name} must be a table")
        if "token" in body:
            raise ConfigError(
                f"{where}: profiles.{name}: do not put the token in the file; "
                "set token_env to the name of an environment variable that holds it"
            )
        reject_unknown_keys(body, PROFILE_KEYS, where, f"profiles.{name}")
        url = body.get("api_url")
        if url is not None and not isinstance(url, str):
            raise ConfigError(f"{where}: profiles.{name}.api_url must be a string")
        env_url = env.get(DEFAULT_URL_ENV)
        profiles[name] = Profile(
            name=name,
            api_url=url if url is not None else (env_url or DEFAULT_API_URL),
            token_env=str(body.get("token_env", DEFAULT_TOKEN_ENV)),
            pins=_pins(body.get("pins", {}), f"{where}: profiles.{name}.pins"),
            vars=profile_vars(name, body.get("vars"), where, root),
            selection=LabelSelection(
                jobs=_str_list(body.get("jobs"), f"{where}: profiles.{name}.jobs"),
                exclude=_str_list(body.get("exclude"), f"{where}: profiles.{name}.exclude"),
            ),
        )
    return profiles


def _choose_profile(
    data: dict[str, Any],
    profiles: dict[str, Profile],
    requested: str | None,
    env: Mapping[str, str],
    where: str,
) -> Profile:
    name = requested or env.get(PROFILE_ENV) or data.get("default_profile")
    if name is None and len(profiles) == 1:
        name = next(iter(profiles))
    if name is None:
        return Profile(
            name="env",
            api_url=env.get(DEFAULT_URL_ENV, DEFAULT_API_URL),
            token_env=DEFAULT_TOKEN_ENV,
        )
    if name not in profiles:
        available = ", ".join(sorted(profiles)) or "none defined"
        raise ConfigError(f"{where}: no profile named {name!r} (profiles: {available})")
    chosen = profiles[name]
    env_url = env.get(DEFAULT_URL_ENV)
    body = data["profiles"][name]
    if env_url and "api_url" in body and env_url.rstrip("/") != chosen.api_url.rstrip("/"):
        # Neither may win silently: the variable is the caller's intent, the file the project's.
        raise ConfigError(
            f"{where}: {DEFAULT_URL_ENV} is set to {env_url!r}, but profile {name!r} sets "
            f"api_url = {chosen.api_url!r}; syncspec does not choose between them: unset "
            f"{DEFAULT_URL_ENV}, or remove api_url from the profile to take the URL from "
            "the environment"
        )
    return chosen


def _env_notices(
    active: Profile, profiles: Mapping[str, Profile], env: Mapping[str, str]
) -> tuple[str, ...]:
    if active.name == "env" or active.token_env == DEFAULT_TOKEN_ENV:
        return ()
    if not env.get(DEFAULT_TOKEN_ENV, "").strip():
        return ()
    return (
        f"{DEFAULT_TOKEN_ENV} is set but not used: profile {active.name!r} reads its token "
        f"from {active.token_env}",
    )


def _pins(value: Any, where: str) -> dict[str, str]:
    """``"label" = "live job id"`` pairs (issue 19: one environment's pick of a doubled label)."""
    if not isinstance(value, dict):
        raise ConfigError(f'{where} must be a table of "label" = "id"')
    for label, job_id in value.items():
        if not isinstance(job_id, str) or not job_id.strip():
            raise ConfigError(f'{where}: "{label}" must be a live job id (a non-empty string)')
    return dict(value)
