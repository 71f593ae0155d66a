"""Sync job runs: resolve a job, check run args against its ``args_schema``, start, watch, stop.

Everything here is data in, data out: the CLI parses options into these calls and hands the
results to ``syncspec.render.runs``. The HTTP client is passed in (any object with the methods
of ``RunsApi``), so this module never imports httpx.

Job resolution (``resolve_job``), in order:
1. a local job file with that ``label`` and a pinned ``id:`` -> that id (the escape hatch for
   labels that collide remotely, see DESIGN.md "Identity");
2. the live jobs carrying that label: one -> it; several -> refuse, naming every id;
3. otherwise the text is tried as a job id (``GET /sync-job/{id}``), so an id can be passed
   where a label is expected;
4. otherwise: no such job.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from syncspec.errors import (
    ApiError,
    ConfigError,
    ExitCode,
    NotFoundError,
    RateLimitedError,
    ServerError,
    SyncspecError,
    TransportError,
)
from syncspec.jobfile.yaml.limits import MAX_BYTES, read_bounded

# jobfile.validate and the args checker load on first use: cli/runs imports this module at
# --help time (27 more modules when at the top; bench/BENCHMARKS.md, "Imports").

RUN_STATUSES = ("created", "running", "rate_limited", "completed", "failed", "stopped")
TERMINAL_STATUSES = frozenset({"completed", "failed", "stopped"})
ERROR_HANDLING = ("fail_fast", "ignore", "batch")
DEFAULT_INTERVAL = 1.0
DEFAULT_MAX_INTERVAL = 5.0

# Ids are tried with GET /sync-job/{id} only when they could be a path segment as-is.
_ID_LIKE = re.compile(r"^[A-Za-z0-9._:-]+$")


class RunsApi(Protocol):
    """The part of ``syncspec.api.client.TrutoClient`` this module uses."""

    def list_sync_jobs(self) -> list[dict[str, Any]]: ...
    def get_sync_job(self, job_id: str) -> dict[str, Any]: ...
    def create_sync_job_run(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def list_sync_job_runs(
        self,
        *,
        sync_job_id: str | None = None,
        integrated_account_id: str | None = None,
        status: str | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]: ...
    def get_sync_job_run(self, run_id: str) -> dict[str, Any]: ...
    def delete_sync_job_run(self, run_id: str) -> Any: ...


class InvalidArgs(ConfigError):
    """Run args that do not satisfy the job's args_schema (exit 3; nothing was written)."""

    def __init__(self, job_label: str, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid args for job {job_label!r} (no run was started):\n{lines}")


# ---------------------------------------------------------------------------------------------
# args


@dataclass(frozen=True)
class ArgValue:
    """One ``--arg k=v``: the JSON-parsed value, and the text as typed."""

    value: Any
    text: str


def parse_arg_pairs(pairs: Sequence[str]) -> dict[str, ArgValue]:
    """``["ids=[\\"a\\"]", "name=x"]`` -> values parsed as JSON when they parse, else strings."""
    parsed: dict[str, ArgValue] = {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ConfigError(
                f"--arg {pair!r}: expected NAME=VALUE, e.g. --arg user_ids='[\"42\"]'"
            )
        if name in parsed:
            raise ConfigError(f"--arg {name}: given more than once")
        try:
            value: Any = json.loads(text)
        except ValueError:
            value = text
        parsed[name] = ArgValue(value=value, text=text)
    return parsed


def load_args_file(path: Path) -> dict[str, Any]:
    """Read ``--args-file``: a JSON object of run args (at most ``MAX_BYTES``, as a job file)."""
    try:
        with path.open("rb") as fh:
            raw = read_bounded(fh)
        if len(raw) > MAX_BYTES:
            raise ConfigError(f"--args-file {path}: over the {MAX_BYTES:,}-byte limit")
        text = raw.decode("utf-8")
    except OSError as exc:
        raise ConfigError(f"--args-file {path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"--args-file {path}: not UTF-8 text") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"--args-file {path}: invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"--args-file {path}: expected a JSON object of args, got {_kind(data)}")
    return data


def combine_args(
    file_args: Mapping[str, Any] | None,
    pairs: Mapping[str, ArgValue],
    json_schema: Mapping[str, Any],
) -> dict[str, Any]:
    """``--args-file`` values overridden by ``--arg`` values.

    A ``--arg`` whose text parsed as JSON but whose property is declared ``type: string`` keeps
    its text: ``--arg account=123`` must not become the number 123 for a string argument.
    """
    args: dict[str, Any] = dict(file_args or {})
    properties = json_schema.get("properties")
    props = properties if isinstance(properties, Mapping) else {}
    for name, arg in pairs.items():
        value = arg.value
        prop = props.get(name)
        if (
            not isinstance(value, str)
            and isinstance(prop, Mapping)
            and prop.get("type") == "string"
        ):
            value = arg.text
        args[name] = value
    return args


ACCOUNT_ARG = "integrated_account_id"


def _declared(json_schema: Mapping[str, Any]) -> Mapping[str, Any]:
    properties = json_schema.get("properties")
    return properties if isinstance(properties, Mapping) else {}


def with_account_arg(
    args: Mapping[str, Any], json_schema: Mapping[str, Any], account: str
) -> dict[str, Any]:
    """``args`` with ``integrated_account_id`` taken from ``--account`` when the job declares
    that argument and it was not given (V4 request nodes read ``{{args.integrated_account_id}}``;
    without this the same id had to be passed twice)."""
    if ACCOUNT_ARG in _declared(json_schema) and ACCOUNT_ARG not in args:
        return {**args, ACCOUNT_ARG: account}
    return dict(args)


def arg_warnings(
    args: Mapping[str, Any], json_schema: Mapping[str, Any], account: str
) -> list[str]:
    """What is odd but allowed about ``args``: arguments the args_schema does not declare (Truto
    may still use them, so they are sent), and an ``integrated_account_id`` unlike ``--account``."""
    declared = _declared(json_schema)
    warnings = [
        f"argument {name!r} is not declared in the job's args_schema (sent anyway)"
        for name in sorted(args)
        if name not in declared
    ]
    given = args.get(ACCOUNT_ARG)
    if ACCOUNT_ARG in declared and given is not None and given != account:
        warnings.append(
            f"argument {ACCOUNT_ARG!r} is {given!r} but --account is {account!r}; "
            "the job's nodes will use the argument"
        )
    return warnings


def args_json_schema(args_schema: Any) -> dict[str, Any]:
    """The job's ``args_schema`` (either documented shape, or null) as a real JSON Schema."""
    from syncspec.jobfile.rules.args_schema import to_json_schema

    return to_json_schema(args_schema)


def check_args(job_label: str, json_schema: Mapping[str, Any], args: Mapping[str, Any]) -> None:
    """Raise ``InvalidArgs`` naming every argument that breaks a rule of ``json_schema``."""
    from syncspec.jobfile.rules.args_schema import InvalidSchema, args_problems

    try:
        problems = args_problems(json_schema, args)
    except InvalidSchema as exc:
        raise SyncspecError(f"job {job_label!r}: {exc}; fix the job before starting runs") from None
    if problems:
        raise InvalidArgs(job_label, problems)


def check_args_validation(job_label: str, expression: Any, args: Mapping[str, Any]) -> str | None:
    """Evaluate the job's ``args_validation`` over ``{args}`` offline, as Truto does before a run
    (null: proceed; ``{message}``: abort). Raise ``InvalidArgs`` with its message when it aborts;
    return a warning when it cannot be evaluated offline (Truto still checks it), else None."""
    if not isinstance(expression, str) or not expression.strip():
        return None
    from syncspec.nodetest.expressions import ExpressionFailed, evaluate
    from syncspec.nodetest.js.values import UNDEFINED

    try:
        result = evaluate(expression, {"args": dict(args)})
    except ExpressionFailed as exc:
        return f"args_validation was not checked offline ({exc.message}); Truto checks it"
    if result is None or result is UNDEFINED:
        return None
    if isinstance(result, Mapping) and "message" in result:
        raise InvalidArgs(job_label, [f"args_validation: {result['message']}"])
    return (
        f"args_validation returned {json.dumps(result)[:200]}, neither null nor "
        "{message}; Truto decides what it means"
    )


# ---------------------------------------------------------------------------------------------
# jobs


def resolve_job(
    client: RunsApi, label: str, pinned_ids: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The live job that ``label`` names (see the module docstring for the order)."""
    pinned = (pinned_ids or {}).get(label)
    if pinned:
        try:
            return client.get_sync_job(pinned)
        except NotFoundError:
            raise SyncspecError(
                f"job {label!r}: its file pins id {pinned}, but no live job has that id "
                "in this environment"
            ) from None
    jobs = client.list_sync_jobs()
    matches = [j for j in jobs if j.get("label") == label]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        ids = ", ".join(str(j.get("id")) for j in matches)
        raise ConfigError(
            f"{len(matches)} live jobs are labelled {label!r} ({ids}); pass the id of the one "
            "you mean instead of the label, or pin it with `id:` in its job file"
        )
    if _ID_LIKE.match(label):
        try:
            return client.get_sync_job(label)
        except NotFoundError:
            pass
    from syncspec.jobfile.rules.kit import did_you_mean

    hint = did_you_mean(label, sorted({str(j.get("label")) for j in jobs}))
    raise SyncspecError(
        f"no live job is labelled {label!r} (nor has that id) in this environment"
        + (f" ({hint})" if hint else "")
    )


def pinned_ids_from_files(jobs_dir: Path, root: Path) -> dict[str, str]:
    """label -> pinned id of the local job files that pin one (an absent jobs dir -> {})."""
    if not jobs_dir.is_dir():
        return {}
    from syncspec.jobfile.validate import load_jobs

    # Files with errors are skipped: they cannot be trusted to pin anything.
    jobs, _problems = load_jobs([jobs_dir], root)
    pinned: dict[str, str] = {}
    for job in jobs:
        if job.label and job.pinned_id:
            pinned[job.label] = job.pinned_id
    return pinned


# ---------------------------------------------------------------------------------------------
# start


@dataclass(frozen=True)
class RunOptions:
    integrated_account_id: str
    error_handling: str | None = None
    ignore_previous_run: bool = False
    webhook_id: str | None = None
    daemon_group_key: str | None = None

    def check(self) -> None:
        """Refuse option combinations the API rejects, before any request."""
        if not self.integrated_account_id.strip():
            raise ConfigError("--account must not be empty")
        if self.webhook_id and self.daemon_group_key:
            raise ConfigError(
                "--webhook and --daemon-group cannot be used together "
                "(the API accepts webhook_id or daemon_group_key, never both)"
            )
        if self.error_handling is not None and self.error_handling not in ERROR_HANDLING:
            raise ConfigError(
                f"--error-handling {self.error_handling!r}: expected one of "
                f"{', '.join(ERROR_HANDLING)}"
            )


def run_body(job_id: str, args: Mapping[str, Any], options: RunOptions) -> dict[str, Any]:
    """The ``POST /sync-job-run`` body. ``status: created`` is sent as one source requires it."""
    body: dict[str, Any] = {
        "sync_job_id": job_id,
        "integrated_account_id": options.integrated_account_id,
        "status": "created",
        "args": dict(args),
    }
    if options.error_handling is not None:
        body["error_handling"] = options.error_handling
    if options.ignore_previous_run:
        body["ignore_previous_run"] = True
    if options.webhook_id:
        body["webhook_id"] = options.webhook_id
    if options.daemon_group_key:
        body["daemon_group_key"] = options.daemon_group_key
    return body


@dataclass(frozen=True)
class StartedRun:
    job: dict[str, Any]
    run: dict[str, Any]
    warnings: tuple[str, ...] = ()

    @property
    def run_id(self) -> str:
        return str(self.run.get("id", ""))


def start_run(
    client: RunsApi,
    label: str,
    options: RunOptions,
    *,
    arg_pairs: Sequence[str] = (),
    args_file: Path | None = None,
    pinned_ids: Mapping[str, str] | None = None,
) -> StartedRun:
    """Resolve the job, check the args against its args_schema, then (only then) start a run."""
    options.check()
    pairs = parse_arg_pairs(arg_pairs)
    file_args = load_args_file(args_file) if args_file is not None else None
    job = resolve_job(client, label, pinned_ids)
    schema = args_json_schema(job.get("args_schema"))
    args = combine_args(file_args, pairs, schema)
    args = with_account_arg(args, schema, options.integrated_account_id)
    job_name = str(job.get("label") or job.get("id"))
    check_args(job_name, schema, args)
    validation = check_args_validation(job_name, job.get("args_validation"), args)
    warnings = tuple(arg_warnings(args, schema, options.integrated_account_id))
    if validation is not None:
        warnings = (*warnings, validation)
    run = client.create_sync_job_run(run_body(str(job["id"]), args, options))
    return StartedRun(job=job, run=run, warnings=warnings)


# ---------------------------------------------------------------------------------------------
# watch


@dataclass(frozen=True)
class StatRow:
    """One resource/method line of ``resource_stats`` and its counters, in server order."""

    resource: str
    method: str
    counters: dict[str, Any]


@dataclass(frozen=True)
class RunSnapshot:
    run: dict[str, Any]
    elapsed: float  # seconds the run has been going (or watched, when timestamps are unusable)
    changed: bool  # status or stats differ from the previous poll (True on the first)
    polls: int
    rows: list[StatRow] = field(default_factory=list)

    @property
    def run_id(self) -> str:
        return str(self.run.get("id", ""))

    @property
    def status(self) -> str:
        return str(self.run.get("status", "unknown"))

    @property
    def terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


def stat_rows(resource_stats: Any) -> list[StatRow]:
    """Flatten ``resource_stats`` (resource -> method -> counters); tolerant of other shapes."""
    rows: list[StatRow] = []
    if not isinstance(resource_stats, Mapping):
        return rows
    for resource, methods in resource_stats.items():
        if isinstance(methods, Mapping) and all(isinstance(v, Mapping) for v in methods.values()):
            for method, counters in methods.items():
                rows.append(StatRow(str(resource), str(method), dict(counters)))
        elif isinstance(methods, Mapping):
            # A node with counters directly under it (no method level).
            rows.append(StatRow(str(resource), "", dict(methods)))
        else:
            rows.append(StatRow(str(resource), "", {"value": methods}))
    return rows


def exit_code_for(status: str) -> int:
    """0 for ``completed``; 1 for ``failed``/``stopped`` (and anything unexpected)."""
    return 0 if status == "completed" else 1


# Poll failures (5xx, 429, no answer) are ridden out while they last less than this: a short
# outage of the API is not a failed run (issue 22).
DEFAULT_OUTAGE_S = 120.0


class RunUnreadable(SyncspecError):
    """The run could not be read (an outage longer than the bound, or an error that is not an
    outage): its outcome is unknown, so not exit 1 ("the run failed")."""

    exit_code = ExitCode.RUN_UNREADABLE


class WatchTimedOut(SyncspecError):
    """``--timeout`` passed while the run was still going; ``last`` is the last snapshot."""

    exit_code = ExitCode.WATCH_TIMEOUT

    def __init__(self, message: str, last: RunSnapshot | None) -> None:
        super().__init__(message)
        self.last = last


def _outage(exc: BaseException) -> bool:
    """A poll failure worth waiting out: the server is busy or unreachable, not refusing."""
    if isinstance(exc, ServerError | RateLimitedError | TransportError):
        return True
    return isinstance(exc, ApiError) and exc.status in (408, 425, 429)


def watch_run(
    client: RunsApi,
    run_id: str,
    *,
    interval: float = DEFAULT_INTERVAL,
    max_interval: float = DEFAULT_MAX_INTERVAL,
    outage: float = DEFAULT_OUTAGE_S,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    now: Callable[[], datetime] | None = None,
) -> Iterator[RunSnapshot]:
    """Poll ``GET /sync-job-run/{id}`` until a terminal status, yielding a snapshot per poll.

    Polls every ``interval`` seconds while the run changes and backs off (doubling, up to
    ``max_interval``) while it does not. Polls that fail with an outage (5xx, 429, no answer,
    after the client's own retries) are retried while the outage lasts less than ``outage``
    seconds; then, or at once for any other error, ``RunUnreadable``. With ``timeout``, the
    watch ends after that many seconds with ``WatchTimedOut`` (no wait goes past it). Ctrl-C
    surfaces as ``KeyboardInterrupt``; the caller decides whether to stop the run.
    """
    from tenacity import Retrying, retry_if_exception, retry_if_result

    if interval <= 0 or max_interval <= 0:
        raise ConfigError("--interval must be a positive number of seconds")
    if timeout is not None and not timeout > 0:
        raise ConfigError("--timeout must be a positive number of seconds")
    if not outage >= 0:
        raise ConfigError("the outage bound must be zero or more seconds")
    backoff = _IdleBackoff(interval, max(interval, max_interval))
    started = clock()
    end = None if timeout is None else started + timeout
    previous: tuple[str, str] | None = None
    last: RunSnapshot | None = None
    failing_since: list[float | None] = [None]

    def remaining() -> float:
        return float("inf") if end is None else end - clock()

    def read() -> dict[str, Any]:
        try:
            run = client.get_sync_job_run(run_id)
        except SyncspecError:
            if failing_since[0] is None:
                failing_since[0] = clock()
            raise
        failing_since[0] = None
        return run

    def outage_over(state: Any) -> bool:
        since = failing_since[0]
        gone = 0.0 if since is None else clock() - since
        return gone >= outage or remaining() <= 0

    def outage_wait(state: Any) -> float:
        return max(0.0, min(backoff(state), remaining()))

    reader = Retrying(
        retry=retry_if_exception(_outage),
        stop=outage_over,
        wait=outage_wait,
        sleep=sleep,
        reraise=True,
    )

    def poll() -> dict[str, Any]:
        try:
            return reader(read)
        except SyncspecError as exc:
            if isinstance(exc, ConfigError):
                raise
            if end is not None and remaining() <= 0 and _outage(exc):
                raise _timed_out(run_id, timeout, last) from None
            since = failing_since[0]
            lasted = (
                f" (failing for {clock() - since:.0f} s)"
                if since is not None and _outage(exc)
                else ""
            )
            raise RunUnreadable(
                f"could not read run {run_id}{lasted}: {exc}. Its outcome is unknown: "
                f"`syncspec runs get {run_id}` shows it once the API answers"
            ) from None

    def wait(state: Any) -> float:
        return max(0.0, min(backoff(state), remaining()))

    retrying = Retrying(
        retry=retry_if_result(lambda snap: snap is None or not snap.terminal),
        wait=wait,
        sleep=sleep,
        reraise=True,
    )
    for polls, attempt in enumerate(retrying, start=1):
        if polls > 1 and end is not None and remaining() <= 0:
            raise _timed_out(run_id, timeout, last)
        run = poll()
        fingerprint = (
            str(run.get("status")),
            json.dumps(run.get("resource_stats"), sort_keys=True, default=str),
        )
        changed = fingerprint != previous
        previous = fingerprint
        backoff.observe(changed)
        snapshot = RunSnapshot(
            run=run,
            elapsed=_run_elapsed(run, now) or (clock() - started),
            changed=changed,
            polls=polls,
            rows=stat_rows(run.get("resource_stats")),
        )
        last = snapshot
        attempt.retry_state.set_result(snapshot)
        yield snapshot


def _timed_out(run_id: str, timeout: float | None, last: RunSnapshot | None) -> WatchTimedOut:
    status = f"; it was {last.status} when last read" if last is not None else ""
    return WatchTimedOut(
        f"stopped watching run {run_id} after --timeout {timeout:g} s{status}; the run keeps "
        f"going (`syncspec runs watch {run_id}` to resume, `syncspec runs stop {run_id}` to "
        "stop it)",
        last,
    )


class _IdleBackoff:
    """A tenacity wait strategy: ``interval`` after a change, doubling while nothing changes."""

    def __init__(self, interval: float, max_interval: float) -> None:
        self.interval = interval
        self.max_interval = max_interval
        self.idle_polls = 0

    def observe(self, changed: bool) -> None:
        self.idle_polls = 0 if changed else self.idle_polls + 1

    def __call__(self, retry_state: Any) -> float:
        return float(min(self.max_interval, self.interval * 2 ** min(self.idle_polls, 16)))


def _run_elapsed(run: Mapping[str, Any], now: Callable[[], datetime] | None) -> float | None:
    start = _parse_time(run.get("created_at")) or _parse_time(run.get("started_at"))
    if start is None:
        return None
    end = _parse_time(run.get("finished_at")) if run.get("status") in TERMINAL_STATUSES else None
    current = end or (now() if now is not None else datetime.now(UTC))
    seconds = (current - start).total_seconds()
    return seconds if seconds >= 0 else None


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    # "2026-04-01 10:00:00" (no zone) is read as UTC, as the API's examples are.
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------------------------
# get / list / stop


def get_run(client: RunsApi, run_id: str) -> dict[str, Any]:
    return client.get_sync_job_run(run_id)


def list_runs(
    client: RunsApi,
    *,
    job: str | None = None,
    account: str | None = None,
    status: str | None = None,
    limit: int | None = None,
    pinned_ids: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """Runs, newest first, filtered and cut to ``limit``.

    Filters are sent to the server and applied again here (``status`` is only "also seen" in
    the docs). The order is made here too: the server's default order and whether it honours
    ``sort`` are undocumented, so with ``limit`` every page is read and the newest kept.
    """
    if status is not None and status not in RUN_STATUSES:
        raise ConfigError(f"--status {status!r}: expected one of {', '.join(RUN_STATUSES)}")
    if limit is not None and limit < 1:
        raise ConfigError("--limit must be a positive integer")
    job_id = str(resolve_job(client, job, pinned_ids)["id"]) if job is not None else None
    runs = client.list_sync_job_runs(
        sync_job_id=job_id, integrated_account_id=account, status=status
    )
    if job_id is not None:
        runs = [r for r in runs if str(r.get("sync_job_id")) == job_id]
    if account is not None:
        runs = [r for r in runs if str(r.get("integrated_account_id")) == account]
    if status is not None:
        runs = [r for r in runs if r.get("status") == status]
    # ISO 8601 timestamps of one format sort as text; the sort is stable for equal ones.
    runs = sorted(runs, key=lambda r: str(r.get("created_at") or ""), reverse=True)
    return runs[:limit] if limit is not None else runs


class RunAlreadyEnded(SyncspecError):
    """``runs stop`` of a run that had already ended: nothing was stopped (exit 1)."""


def stop_run(client: RunsApi, run_id: str) -> Any:
    """``DELETE /sync-job-run/{id}``: stops the run. A run that already ended (read before,
    or as the answer shows) is ``RunAlreadyEnded``: stopping it changes nothing."""
    current = client.get_sync_job_run(run_id)
    status = current.get("status")
    if status in TERMINAL_STATUSES:
        raise _already_ended(run_id, current)
    answer = client.delete_sync_job_run(run_id)
    after = answer.get("status") if isinstance(answer, Mapping) else None
    if after in TERMINAL_STATUSES and after != "stopped":
        raise _already_ended(run_id, answer)
    return answer


def _already_ended(run_id: str, run: Mapping[str, Any]) -> RunAlreadyEnded:
    status = str(run.get("status"))[:40]
    finished = run.get("finished_at")
    when = f" at {str(finished)[:40]}" if finished else ""
    return RunAlreadyEnded(f"run {run_id} had already ended ({status}{when}); nothing was stopped")


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "an array",
    }.get(type(value), type(value).__name__)
