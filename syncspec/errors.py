"""The one exception tree of syncspec, and its exit codes.

Everything that stops a command is a ``SyncspecError``; it is caught in exactly one place
(``syncspec.cli._main``), which prints its message and exits with its ``exit_code``. Anything
else that escapes is a bug: one line asking for a report, the traceback only with ``--debug``.
Classes defined outside this module are named with their module.

    SyncspecError                     exit 1
    ├── ConfigError                   exit 3  (bad syncspec.toml, missing token, bad options/args)
    │   └── InvalidArgs               engine.runs: run args that fail the job's args_schema
    ├── ApiError                      exit 1  (keeps method, path, status and Truto's message)
    │   ├── AuthError                 401/403
    │   ├── NotFoundError             404 (maybe another environment's object)
    │   ├── RateLimitedError          429 after retries
    │   ├── ServerError               5xx after retries
    │   ├── TransportError            connect/read failures after retries
    │   └── IncompleteListing         api.client: a listing that cannot be proven complete
    ├── StalePlanError                exit 4  (saved plan no longer matches the live jobs)
    ├── DeleteBudgetExceeded          engine.apply: more deletes than --max-deletes (before writes)
    ├── ApplyInterrupted              engine.apply: a signal ended the apply (exit 130/143/1)
    ├── PullError                     engine.pull_yaml: a file pull cannot update safely
    ├── FormatError                   jobfile.fmt: a job file fmt cannot format (located problems)
    ├── RunUnreadable                 exit 5  (runs watch could not read the run; engine.runs)
    ├── WatchTimedOut                 exit 124 (runs watch --timeout passed; engine.runs)
    ├── RunAlreadyEnded               engine.runs: runs stop of a run that had ended (exit 1)
    ├── OrphansRefused                engine.identity: deletes that would orphan triggers/runs
    ├── Aborted                       exit 1  (the user declined a confirmation)
    └── _PromptInterrupted            cli.apply: Ctrl-C at the apply prompt (exit 130)
    KeyboardInterrupt
    └── Terminated                    engine.apply: SIGTERM, handled like Ctrl-C (exit 143)

Internal signals never leave the package that raises them: each is caught there and becomes a
located ``Problem`` or one of the errors above.

    Exception
    ├── LoadFailed                    jobfile.yaml.limits: a job file that cannot be loaded
    ├── NeedsMerge                    jobfile.yaml.construct: build with ruamel's constructor
    ├── Unhashable                    jobfile.yaml.construct: a mapping key YAML cannot hash
    ├── _VarAsKey                     jobfile.yaml.loader: a `!var` used as a mapping key
    ├── NodeFailed                    nodetest.nodes: a node that cannot run in a case
    ├── ExpressionFailed              nodetest.expressions: a JSONata evaluation error
    ├── PlaceholderError              nodetest.placeholders: a placeholder Truto would reject
    ├── NotOffline                    nodetest.js.errors: a function not available offline
    ├── BudgetExceeded                nodetest.budget: a case over its step/value/regex budget
    ├── NodeUnavailable               nodetest.node_engine: --engine node without Node or package
    ├── _Retry                        api.http: an attempt tenacity should retry
    ├── _Refused                      api.index: an index request that is not https or local
    ├── HttpError                     emulator.protocol: an HTTP error answer of the emulator
    └── EmulatorError                 emulator.server: the emulator could not start or be reached
    ValueError
    ├── InvalidSchema                 jobfile.rules.args_schema: args_schema is no JSON Schema
    ├── FileRefused                   bounded: a file not read (not a regular file, too big)
    └── _BadNumber                    engine.plan: a saved plan's number too long or not finite

Messages never contain the API token: ``ApiError`` is built from method, path, status and the
server's message only, and the client redacts the token from anything it logs.
"""

from __future__ import annotations

import enum


class ExitCode(enum.IntEnum):
    OK = 0
    ERROR = 1  # problems found, API errors, failed actions
    CHANGES = 2  # plan --detailed-exitcode: changes present
    CONFIG = 3  # invalid configuration, options or arguments
    STALE_PLAN = 4  # saved plan is stale
    RUN_UNREADABLE = 5  # runs watch: the run could not be read (it may still be going)
    WATCH_TIMEOUT = 124  # runs watch --timeout passed with the run still going (as timeout(1))
    BUG = 70  # EX_SOFTWARE: an unexpected exception, i.e. a syncspec bug
    INTERRUPTED = 130  # Ctrl-C


class SyncspecError(Exception):
    """Root of every expected error. ``str(err)`` is what the user sees."""

    exit_code: int = ExitCode.ERROR


class ConfigError(SyncspecError):
    exit_code = ExitCode.CONFIG


class Aborted(SyncspecError):
    pass


class StalePlanError(SyncspecError):
    exit_code = ExitCode.STALE_PLAN


class ApiError(SyncspecError):
    """An HTTP call failed. Carries what is needed to act on it, never the token."""

    def __init__(
        self,
        message: str,
        *,
        method: str = "",
        path: str = "",
        status: int | None = None,
        server_message: str | None = None,
        maybe_applied: bool = False,
    ) -> None:
        # True when a non-idempotent request (POST) may have reached the server although no
        # response arrived: the caller must look before retrying (see engine.apply).
        self.maybe_applied = maybe_applied
        self.method = method
        self.path = path
        self.status = status
        self.server_message = server_message
        where = f"{method} {path}".strip()
        status_text = f" -> {status}" if status is not None else ""
        detail = f": {server_message}" if server_message else ""
        prefix = f"{where}{status_text}: " if where else ""
        super().__init__(f"{prefix}{message}{detail}")


class AuthError(ApiError):
    pass


class NotFoundError(ApiError):
    pass


class RateLimitedError(ApiError):
    pass


class ServerError(ApiError):
    pass


class TransportError(ApiError):
    pass
