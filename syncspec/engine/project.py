"""Glue shared by ``plan``, ``apply`` and ``pull``: settings + job files + live jobs -> plan.

No network code here: the client is passed in (``syncspec.api.client.TrutoClient`` or anything
with ``list_sync_jobs``); the CLI builds it with ``open_client``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

from syncspec.config import Settings
from syncspec.errors import ConfigError, SyncspecError
from syncspec.jobfile.jobs import LocalJob
from syncspec.jobfile.problems import Problem, Severity

if TYPE_CHECKING:
    from syncspec.api.client import TrutoClient
    from syncspec.engine.model import Plan, PlanOptions
    from syncspec.jobfile.validate import LoadingJobs

# The largest page the API allows: a plan over N live jobs costs ceil(N / 1000) list requests.
LIST_PAGE_SIZE = 1000


class LiveSource(Protocol):
    def list_sync_jobs(self) -> list[dict[str, Any]]: ...


class ConflictsFound(SyncspecError):
    """The plan has identity conflicts (a file's label carried by several live jobs)."""


def open_client(settings: Settings, **overrides: Any) -> TrutoClient:
    from syncspec.api.client import TrutoClient

    overrides.setdefault("page_size", LIST_PAGE_SIZE)
    return TrutoClient.from_settings(settings, **overrides)


def load_local(
    settings: Settings, paths: Sequence[Path] = ()
) -> tuple[list[LocalJob], list[Problem]]:
    """The job files under ``paths`` (default: the configured jobs dir) and their problems."""
    return start_load_local(settings, paths).result()


def start_load_local(settings: Settings, paths: Sequence[Path] = ()) -> LoadingJobs:
    """``load_local`` started (see ``syncspec.jobfile.validate.start_load_jobs``)."""
    from syncspec.jobfile.validate import start_load_jobs

    targets = list(paths) or [settings.jobs_dir]
    for path in targets:
        if not path.exists():
            raise ConfigError(f"{path}: no such file or directory")
    return start_load_jobs(targets, settings.root)


def has_errors(problems: Sequence[Problem]) -> bool:
    return any(p.severity == Severity.ERROR for p in problems)


def plan_project(
    settings: Settings,
    local: Sequence[LocalJob],
    live: Sequence[Mapping[str, Any]],
    options: PlanOptions,
) -> Plan:
    from syncspec.engine.plan import plan_changes

    return plan_changes(
        local,
        live,
        options=options,
        prune_scope=settings.prune,
        api_url=settings.profile.api_url,
        profile=settings.profile.name,
    )


def conflicts_message(plan: Plan) -> str | None:
    from syncspec.engine.model import NoticeKind

    conflicts = [n for n in plan.notices if n.kind == NoticeKind.CONFLICT]
    if not conflicts:
        return None
    return (
        f"{len(conflicts)} identity conflict(s): pin an `id:` in the file (see the plan) "
        "before applying; nothing was changed"
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


def scan_job_files(settings: Settings) -> tuple[list[LocalJob], list[Problem]]:
    """Every parseable job file under the jobs dir (rules not run), and files that do not parse.

    ``pull`` binds files by label / pinned id only, so a file with lint problems still claims
    its job; a file that cannot be parsed at all might claim any label, so pull stops on it.
    """
    from syncspec.jobfile import loader
    from syncspec.jobfile.validate import discover, display_path

    jobs: list[LocalJob] = []
    problems: list[Problem] = []
    if not settings.jobs_dir.is_dir():
        return jobs, problems
    for path in discover([settings.jobs_dir]):
        display = display_path(path, settings.root)
        try:
            raw: bytes | None = path.read_bytes()
            error = None
        except OSError as exc:
            raw, error = None, exc.strerror or type(exc).__name__
        parsed = loader.read_and_parse(raw, display, error)
        if parsed.data is None:
            problems.extend(parsed.problems)
            continue
        jobs.append(
            LocalJob(
                path=path.resolve(),
                display=display,
                line=loader.label_line(parsed.text),
                data=parsed.data,
            )
        )
    return jobs, problems


def read_local_and_live(
    loading: LoadingJobs, client: LiveSource
) -> tuple[list[LocalJob], list[Problem], list[dict[str, Any]] | None]:
    """Finish loading the job files (``start_load_local``) while the live jobs are listed (the
    list's latency is hidden).

    Returns ``live=None`` when the files have errors: the plan stops there, and the caller
    closing the client aborts a list still in flight. ``loading`` must have been started before
    this: with many files it forks worker processes, which must not happen once the list thread
    exists (forking a threaded process can deadlock the child).
    """
    from concurrent.futures import ThreadPoolExecutor

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="syncspec-list")
    try:
        listing = pool.submit(client.list_sync_jobs)
        # What plan_project needs (pydantic, ~0.1 s) loads while the files are being checked.
        import syncspec.engine.plan  # noqa: F401

        local, problems = loading.result()
        if has_errors(problems):
            listing.cancel()
            return local, problems, None
        return local, problems, listing.result()
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
