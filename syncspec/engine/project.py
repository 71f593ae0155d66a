"""Glue shared by ``plan``, ``apply`` and ``pull``: settings + job files + live jobs -> plan.

No network code here: the client is passed in (``syncspec.api.client.TrutoClient`` or anything
with ``list_sync_jobs``); the CLI builds it with ``TrutoClient.from_settings``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from syncspec.config import Settings

# discovery, validate and plan load inside the functions: plan imports them while its files
# are checked and the live list is in flight, not before (bench/BENCHMARKS.md, "Imports").
from syncspec.engine.identity import ActivitySource
from syncspec.engine.match import Ownership
from syncspec.engine.model import NoticeKind
from syncspec.engine.schedules import ScheduleSource, plan_schedules
from syncspec.errors import ConfigError
from syncspec.jobfile.discovery import discover_job_files, display_path
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.problems import Problem, Severity
from syncspec.jobfile.vars import find_refs, may_have_vars, resolve_plain, tags_may_fail
from syncspec.jobfile.yaml import loader

if TYPE_CHECKING:
    from syncspec.engine.model import Plan, PlanOptions


class PlanSource(ActivitySource, ScheduleSource, Protocol):
    """What planning reads besides the job list (``syncspec.api.client.TrutoClient``)."""


class _ReadOnce:
    """A ``PlanSource`` that lists the cron triggers of a job once per plan: the delete impact
    (identity) and the schedules both read the triggers of a job being deleted."""

    def __init__(self, client: PlanSource) -> None:
        self._client = client
        self._triggers: dict[str | None, list[dict[str, Any]]] = {}

    def list_cron_triggers(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]:
        if sync_job_id not in self._triggers:
            self._triggers[sync_job_id] = self._client.list_cron_triggers(sync_job_id=sync_job_id)
        return list(self._triggers[sync_job_id])

    def list_integrated_accounts(self) -> list[dict[str, Any]]:
        return self._client.list_integrated_accounts()

    def list_sync_job_runs(self, *, sync_job_id: str | None = None) -> list[dict[str, Any]]:
        return self._client.list_sync_job_runs(sync_job_id=sync_job_id)

    def list_run_state(self, state_key: str) -> list[dict[str, Any]]:
        return self._client.list_run_state(state_key)


class LiveSource(Protocol):
    def list_sync_jobs(self) -> list[dict[str, Any]]: ...


@dataclass
class LocalProject:
    """The job files as plan and apply see them (issue 10: narrowing never un-manages).

    Every job file under the jobs dir is loaded, whatever PATHS say: ``jobs`` holds each file
    without errors, and all of them bind their live job (so none can look unmanaged). ``problems``
    are those to report: of the planned files (PATHS, or all) only. ``ownership`` carries the
    labels/pins of files with errors outside PATHS, which files are planned, and why nothing
    may be pruned (a file that cannot be parsed, a folder discovery refused).
    """

    jobs: list[LocalJob] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files_checked: int = 0
    ownership: Ownership = field(default_factory=Ownership)
    paths: list[str] = field(default_factory=list)  # PATHS, relative to the project root
    skipped: list[str] = field(default_factory=list)  # "path: reason" of what discovery left out
    # files outside PATHS that have errors (not planned, not reported; they still claim)
    unplanned_with_errors: list[str] = field(default_factory=list)


class LoadingProject:
    """``start_load_local`` under way: the files are checked (maybe in worker processes) while the
    caller lists the live jobs."""

    def __init__(
        self, settings: Settings, paths: Sequence[Path], *, whole_project: bool = True
    ) -> None:
        from syncspec.jobfile.discovery import discover_job_files, display_path
        from syncspec.jobfile.validate import start_load_jobs

        for path in paths:
            if not path.exists():
                raise ConfigError(f"{path}: no such file or directory")
        self._root = settings.root
        self._narrowed: set[str] | None = None
        self._paths = [display_path(p, settings.root) for p in paths]
        if not whole_project:
            # exactly ``paths``, as a project of their own (``demo`` loads its workspace)
            targets = list(paths) or [settings.jobs_dir]
        else:
            if paths:
                self._narrowed = {
                    os.path.realpath(p) for p in discover_job_files(paths, settings.root).files
                }
            if not settings.jobs_dir.is_dir():
                # An empty project would make every live job unmanaged, and prunable: a typo in
                # jobs_dir (a pull request can edit syncspec.toml) must not read as "no jobs".
                raise ConfigError(
                    f"jobs directory {settings.jobs_dir} does not exist (set jobs_dir in "
                    "syncspec.toml, or create it: `syncspec pull` writes the live jobs there)"
                )
            targets = [settings.jobs_dir, *paths]
        setup = settings.var_setup(planning=True)
        self._loading = start_load_jobs(targets, settings.root, setup)
        # a tag that may fail the check: check the files before the first request
        values = setup.profiles[0].values if setup.profiles else None
        self.check_first = tags_may_fail(self._loading.discovery.files, values)

    def result(self) -> LocalProject:
        files = self._loading.files()
        discovery = self._loading.discovery
        planned = [f for f in files if self._is_planned(f.path)]
        planned_names = {f.display for f in planned}
        labels: set[str] = set()
        ids: set[str] = set()
        blocked: list[str] = []
        with_errors: list[str] = []
        for f in files:
            if f.job is not None:
                continue
            if f.unselected:
                # not this profile's job: it still claims its label (never pruned here)
                if f.data is not None and isinstance(f.data.get("label"), str):
                    labels.add(f.data["label"])
                continue
            if f.data is None:
                blocked.append(f"{f.display} cannot be read or parsed")
                continue
            if f.display not in planned_names:
                with_errors.append(f.display)
            label, pin = f.data.get("label"), f.data.get("id")
            if isinstance(label, str):
                labels.add(label)
            if isinstance(pin, str) and pin:
                ids.add(pin)
        # anything discovery refused might hold job files that claim live jobs
        blocked.extend(
            f"skipped {s.describe(self._root)}" for s in discovery.skipped if not s.harmless
        )
        problems = sorted((p for f in planned for p in f.problems), key=Problem.sort_key)
        everything = self._narrowed is None or planned_names == {f.display for f in files}
        return LocalProject(
            jobs=[f.job for f in files if f.job is not None],
            problems=problems,
            files_checked=len(planned),
            ownership=Ownership(
                labels=frozenset(labels),
                ids=frozenset(ids),
                planned_files=None if everything else frozenset(planned_names),
                prune_blocked=tuple(blocked),
            ),
            paths=[] if everything else self._paths,
            skipped=[s.describe(self._root) for s in discovery.skipped],
            unplanned_with_errors=sorted(with_errors),
        )

    def _is_planned(self, path: Path) -> bool:
        return self._narrowed is None or os.path.realpath(path) in self._narrowed

    def close(self) -> None:
        self._loading.close()

    def __enter__(self) -> LoadingProject:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def load_local(
    settings: Settings, paths: Sequence[Path] = ()
) -> tuple[list[LocalJob], list[Problem]]:
    """The jobs and problems of the files under ``paths`` (default: the jobs dir), alone."""
    project = LoadingProject(settings, paths, whole_project=False).result()
    return project.jobs, project.problems


def start_load_local(settings: Settings, paths: Sequence[Path] = ()) -> LoadingProject:
    """Start loading the project's job files, narrowed to ``paths`` (see ``LocalProject``)."""
    return LoadingProject(settings, paths)


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)


def plan_project(
    settings: Settings,
    local: Sequence[LocalJob] | LocalProject,
    live: Sequence[Mapping[str, Any]],
    options: PlanOptions,
    *,
    client: PlanSource | None = None,
) -> Plan:
    """The plan for these files and live jobs; with a ``LocalProject``, narrowed as it says
    and recording the environment (``Plan.environment``).

    With a ``client``, what the plan needs besides the job list is read, and only then: the
    cron triggers and runs of live jobs whose label is held twice (duplicates that heal), what
    each delete leaves behind (triggers, runs, run state), and the cron triggers of the jobs'
    ``schedules`` with the integrated accounts (``engine.schedules``)."""
    from syncspec.engine.identity import duplicated_ids, read_activity, read_delete_impact
    from syncspec.engine.plan import environment_of, plan_changes

    if isinstance(local, LocalProject):
        jobs: Sequence[LocalJob] = local.jobs
        ownership = local.ownership
        options = options.model_copy(update={"paths": list(local.paths)})
        environment = environment_of(live, settings.token().reveal())
    else:
        jobs, ownership, environment = local, Ownership(), None
    jobs = apply_pins(jobs, settings.profile.pins)
    # before anything else is read: a --target matching nothing is a mistake (exit 3)
    check_targets(options.targets, [j.label for j in jobs], [str(j.get("label")) for j in live])
    if client is not None:
        client = _ReadOnce(client)  # identity and schedules read one snapshot, each list once
    doubled = duplicated_ids(jobs, live) if client is not None else []
    plan = plan_changes(
        jobs,
        live,
        options=options,
        prune_scope=settings.prune,
        api_url=settings.profile.api_url,
        profile=settings.profile.name,
        ownership=ownership,
        environment=environment,
        activity=read_activity(client, doubled) if client is not None and doubled else None,
        selection=settings.profile.selection,
    )
    if client is not None:
        read_delete_impact(plan, client, live)
        plan_schedules(plan, jobs, client)
    return plan


def apply_pins(jobs: Sequence[LocalJob], pins: Mapping[str, str]) -> list[LocalJob]:
    """The jobs with this profile's pins (``[profiles.X.pins] "label" = "id"``) as if the file
    said ``id:``: the fix for a label held twice that suits a repo serving several
    environments (each profile pins its own id; the job file stays the same)."""
    import dataclasses

    if not pins:
        return list(jobs)
    out = []
    for job in jobs:
        pin = pins.get(job.label)
        pinned = pin is not None and job.pinned_id is None
        out.append(dataclasses.replace(job, data={**job.data, "id": pin}) if pinned else job)
    return out


def check_targets(targets: Sequence[str], local: Sequence[str], live: Sequence[str]) -> None:
    """A ``--target`` glob that matches no job file and no live job is a mistake (exit 3), not
    "No changes" (Terraform refuses an unknown target address too)."""
    import fnmatch

    from syncspec.jobfile.rules.kit import did_you_mean

    labels = sorted({*local, *live})
    for glob in targets:
        if not any(fnmatch.fnmatchcase(label, glob) for label in labels):
            hint = did_you_mean(glob.replace("*", "").replace("?", ""), labels)
            raise ConfigError(
                f"--target {glob!r} matches no job file and no live job"
                + (f" ({hint})" if hint else "")
                + "; labels are matched case-sensitively, as globs; nothing was planned"
            )


def conflicts_message(plan: Plan) -> str | None:

    conflicts = [n for n in plan.notices if n.kind == NoticeKind.CONFLICT]
    if plan.trigger_errors:
        return "; ".join(plan.trigger_errors)
    if not conflicts:
        return None
    return (
        f"{len(conflicts)} identity conflict(s) (see the plan for each and its fix); "
        "nothing was changed"
    )


def _endpoint(url: str) -> str:
    """scheme://host[:port]/path without credentials or a trailing slash."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port is not None else ""
    return f"{parts.scheme}://{(parts.hostname or '').lower()}{port}{parts.path.rstrip('/')}"


def check_plan_target(plan: Plan, settings: Settings) -> None:
    """A saved plan applies only to the API and profile it was planned against."""
    if plan.profile != settings.profile.name or _endpoint(plan.api_url) != _endpoint(
        settings.profile.api_url
    ):
        raise ConfigError(
            f"the plan was made for profile {plan.profile!r} at {plan.api_url}, but this run "
            f"targets profile {settings.profile.name!r} at {_endpoint(settings.profile.api_url)}; "
            "re-run plan against this target or choose the plan's profile"
        )


def scan_job_files(settings: Settings) -> tuple[list[LocalJob], list[Problem], list[str]]:
    """Every parseable job file under the jobs dir (rules not run), files that do not parse,
    and what discovery skipped ("path: reason").

    ``pull`` binds files by label / pinned id only, so a file with lint problems still claims
    its job; a file that cannot be parsed at all might claim any label, so pull stops on it.
    """
    jobs: list[LocalJob] = []
    problems: list[Problem] = []
    if not settings.jobs_dir.is_dir():
        return jobs, problems, []
    discovery = discover_job_files([settings.jobs_dir], settings.root)
    for path in discovery.files:
        display = display_path(path, settings.root)
        parsed = loader.read_path(path, display)
        if parsed.data is None:
            problems.extend(parsed.problems)
            continue
        data = parsed.data
        if may_have_vars(parsed.text):
            # the active profile's values; a name it lacks stays a marker (pull keeps it)
            data, _missing = resolve_plain(data, settings.profile.vars)
        jobs.append(
            LocalJob(
                path=path.resolve(),
                display=display,
                line=loader.label_line(parsed.text),
                data=data,
            )
        )
    return jobs, problems, [s.describe(settings.root) for s in discovery.skipped]


def read_local_and_live(
    loading: LoadingProject, client: LiveSource
) -> tuple[LocalProject, list[dict[str, Any]] | None]:
    """Finish loading the job files (``start_load_local``) while the live jobs are listed (the
    list's latency is hidden).

    Returns ``live=None`` when the files have errors: the plan stops there, and the caller
    closing the client aborts a list still in flight. ``loading`` must have been started before
    this: with many files it forks worker processes, which must not happen once the list thread
    exists (forking a threaded process can deadlock the child).
    """
    from concurrent.futures import ThreadPoolExecutor

    if loading.check_first:
        local = loading.result()
        if has_errors(local.problems):
            return local, None  # nothing was sent
        return local, client.list_sync_jobs()
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncspec-list")
    try:
        listing = pool.submit(client.list_sync_jobs)
        # What plan_project needs (pydantic, ~0.1 s) loads while the files are being checked.
        import syncspec.engine.plan  # noqa: F401

        local = loading.result()
        if has_errors(local.problems):
            listing.cancel()
            return local, None
        return local, listing.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def var_paths(settings: Settings) -> dict[str, list[tuple[tuple[str | int, ...], str]]]:
    """label -> the key paths and names of the ``!var`` markers of its job file (files that do
    not parse, or share a label, are left out: ``diff`` then explains nothing for them)."""
    found: dict[str, list[tuple[tuple[str | int, ...], str]]] = {}
    shared: set[str] = set()
    if not settings.jobs_dir.is_dir():
        return found
    for path in discover_job_files([settings.jobs_dir], settings.root).files:
        parsed = loader.read_path(path, display_path(path, settings.root))
        if parsed.data is None or not isinstance(parsed.data.get("label"), str):
            continue
        label = parsed.data["label"]
        if label in found:
            shared.add(label)
        refs = find_refs(parsed.data) if may_have_vars(parsed.text) else []
        found[label] = [(p, ref.name) for p, ref in refs]
    return {k: v for k, v in found.items() if k not in shared}
