"""The plan and apply-result data: plain, versioned, serialisable.

A ``Plan`` is produced without I/O from (local jobs, live jobs, options) by ``engine.plan``;
renderers in ``syncspec.render`` turn it into text/json/markdown/github; ``apply`` executes it.
Saved plans (``plan --out``) are this model dumped as JSON; ``format_version`` changes only when a
key changes meaning or disappears. Loading is strict (``extra="forbid"``): a plan with keys this
version does not know is refused rather than half-understood, because apply must do exactly what
was reviewed.

Plain dataclasses, not pydantic models: ``syncspec plan`` builds them, and importing pydantic and
creating model classes cost more than planning one job (issue 12). Only loading a saved plan
(``engine.plan.load_plan``) validates, with a pydantic ``TypeAdapter`` over these classes
(``__pydantic_config__``), so pydantic is imported by ``apply PLAN`` alone.
"""

from __future__ import annotations

import dataclasses
import enum
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Self

FORMAT_VERSION = 1
_FORBID: dict[str, Any] = {"extra": "forbid"}  # pydantic's ConfigDict, as a plain dict


def _public(items: list[tuple[str, Any]]) -> dict[str, Any]:
    """Fields whose name starts with ``_`` are bookkeeping, never serialised."""
    return {k: v for k, v in items if not k.startswith("_")}


class _Data:
    """``model_dump`` as the pydantic models had it (renderers call it): plain JSON data."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID

    def model_dump(self, mode: Literal["json", "python"] = "json") -> dict[str, Any]:
        del mode  # enums are str subclasses: the data is JSON either way
        data: dict[str, Any] = dataclasses.asdict(  # type: ignore[call-overload]
            self, dict_factory=_public
        )
        return data

    def model_copy(self, *, update: dict[str, Any] | None = None) -> Self:
        """A copy with ``update`` applied (private fields such as ``_written_at`` kept)."""
        return dataclasses.replace(self, **(update or {}))  # type: ignore[type-var]

    @classmethod
    def model_validate(cls, data: Any) -> Self:
        """Validate untrusted data (a saved plan) into this class; raises pydantic's
        ``ValidationError``."""
        from pydantic import TypeAdapter

        return TypeAdapter(cls).validate_python(data)


class ActionKind(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"
    # a PATCH of the same live job that also changes its label (the file's ``renamed_from``)
    RENAME = "rename"


@dataclass(frozen=True, kw_only=True)
class FieldChange(_Data):
    """One field-level difference, addressed by an RFC 6901 JSON pointer into the job."""

    pointer: str  # e.g. "/resources/2/query/ticket_id"
    kind: Literal["changed", "added", "removed", "moved"]
    old: Any = None  # absent for "added"
    new: Any = None  # absent for "removed"
    from_pointer: str | None = None  # "moved": where the item was (pointer is where it goes)


@dataclass(frozen=True, kw_only=True)
class VarLanding(_Data):
    """Where a profile's ``!var`` value landed in the job (issue 20): shown with the change."""

    pointer: str  # RFC 6901 pointer into the job, e.g. "/resources/3/config/id"
    name: str  # the NAME of `!var NAME`
    value: Any = None  # the profile's value (what the plan compares and sends)


@dataclass(kw_only=True)
class Action(_Data):
    kind: ActionKind
    label: str
    job_id: str | None = None  # live id (update/delete/noop); None for create
    file: str | None = None  # the job file, relative to the project root when possible
    line: int | None = None  # 1-based line of the job's `label` in that file
    # sha256 of the canonical live body + updated_at, as planned (update/delete/noop)
    fingerprint: str | None = None
    changes: list[FieldChange] = field(default_factory=list)
    # create: the full canonical body to POST; update: the changed top-level fields, each whole;
    # delete: the canonical live job, for review (never sent)
    body: dict[str, Any] | None = None
    # rename: the live job's label before (one of the file's ``renamed_from``)
    renamed_from: str | None = None
    # delete: what the job leaves behind (read only for deletes; None when not read)
    impact: DeleteImpact | None = None
    # delete: the job is a copy of this live job, which is kept (duplicate healing)
    duplicate_of: str | None = None
    # the `!var` values of the file, where they landed (create/update/noop)
    vars: list[VarLanding] = field(default_factory=list)


@dataclass(kw_only=True)
class CronTriggerRef(_Data):
    """A cron trigger that points at a job (DESIGN.md "Renames keep the job")."""

    id: str
    integrated_account_id: str | None = None
    cron_expression: str | None = None
    owned: bool = False  # carries syncspec's ownership marker in ``meta``


@dataclass(kw_only=True)
class DeleteImpact(_Data):
    """What deleting a job orphans: its cron triggers, runs in progress, run state."""

    triggers: list[CronTriggerRef] = field(default_factory=list)
    runs_in_progress: list[str] = field(default_factory=list)  # run ids
    runs_total: int = 0
    # True/False when known; None when the state namespace could not be worked out
    has_run_state: bool | None = False

    @property
    def foreign_triggers(self) -> list[CronTriggerRef]:
        """Triggers syncspec does not own: deleting the job orphans them."""
        return [t for t in self.triggers if not t.owned]


class NoticeKind(enum.StrEnum):
    UNMANAGED = "unmanaged"  # a live job no file claims (outside prune scope or no --prune)
    CONFLICT = "conflict"  # e.g. two live jobs carry the label one file claims
    WARNING = "warning"  # anything else worth showing (e.g. runtime version not managed)


@dataclass(kw_only=True)
class Notice(_Data):
    kind: NoticeKind
    message: str
    label: str | None = None
    job_ids: list[str] = field(default_factory=list)
    file: str | None = None
    line: int | None = None
    # the exact line to add to ``file`` (e.g. a suggested ``renamed_from``), when there is one
    suggestion: str | None = None
    # a conflict: per live job, what helps choose the one to keep
    candidates: list[ConflictCandidate] = field(default_factory=list)


@dataclass(kw_only=True)
class ConflictCandidate(_Data):
    """One live job of a label held several times (what helps choose which to keep)."""

    id: str
    created_at: str | None = None
    updated_at: str | None = None
    matches_file: bool = False  # canonically equal to the file's job
    triggers: int | None = None  # None: not read
    runs: int | None = None


@dataclass(kw_only=True)
class PlanOptions(_Data):
    prune: bool = False
    targets: list[str] = field(default_factory=list)
    excludes: list[str] = field(default_factory=list)
    # PATHS the plan was narrowed to, relative to the project root (empty: every job file)
    paths: list[str] = field(default_factory=list)


@dataclass(kw_only=True)
class PlanEnvironment(_Data):
    """The Truto environment a plan was made against (``apply`` refuses another one).

    ``environment_id`` is the live jobs' ``environment_id``. An environment without jobs has
    none to show, so the plan keeps ``token_fingerprint`` instead: an HMAC-SHA256 of the token
    under a fixed syncspec key (``syncspec.engine.plan.token_fingerprint``), which identifies
    the token without revealing it. Both are recorded when known.
    """

    environment_id: str | None = None
    token_fingerprint: str | None = None


@dataclass(kw_only=True)
class TriggerAction(_Data):
    """A cron trigger to create, update or delete (DESIGN.md "Schedules"), under its job.

    ``job_id`` is None for a trigger of a job this plan creates (apply fills in the new id).
    ``body``: create: the POST body (``sync_job_id`` filled at apply when None); update: the
    changed fields; delete: the live trigger, for review (never sent). ``reschedule``: POST
    ``/schedule`` after the write (a create, or a changed ``cron_expression``). ``next_fire`` is
    shown to the reviewer and not part of a saved plan's approval (it moves with the clock).
    """

    kind: ActionKind
    label: str  # the job's label
    schedule: str | None = None  # the schedule's name (None: a trigger no schedule claims)
    account_id: str | None = None
    trigger_id: str | None = None  # live id (update/delete)
    job_id: str | None = None
    cron: str | None = None  # resolved (H substituted) for create/update; live for delete
    next_fire: str | None = None  # ISO 8601 UTC
    reschedule: bool = False
    reason: str | None = None  # why (delete: "account no longer matches", ...)
    fingerprint: str | None = None  # sha256 of the live trigger as planned (update/delete)
    changes: list[FieldChange] = field(default_factory=list)
    body: dict[str, Any] | None = None
    file: str | None = None
    line: int | None = None


@dataclass(kw_only=True)
class Coverage(_Data):
    """One schedule's line in the plan: how many accounts it covers and what happens."""

    label: str
    schedule: str
    cron: str  # as written (with H)
    accounts: int
    up_to_date: int = 0
    create: int = 0
    update: int = 0
    delete: int = 0
    next_fire: str | None = None  # the earliest next fire of its triggers (ISO 8601 UTC)
    file: str | None = None
    line: int | None = None


@dataclass(kw_only=True)
class Plan(_Data):
    format_version: int = FORMAT_VERSION
    syncspec_version: str
    created_at: str  # ISO 8601 UTC
    api_url: str  # where it was planned against (never the token)
    profile: str
    options: PlanOptions = field(default_factory=PlanOptions)
    environment: PlanEnvironment | None = None
    # deterministic order: deletes, renames, updates, creates, noops; each group by label
    actions: list[Action] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # cron triggers (schedules): actions in execution order, one coverage line per schedule,
    # and why the triggers could not be planned (then the plan has no trigger action at all)
    triggers: list[TriggerAction] = field(default_factory=list)
    coverage: list[Coverage] = field(default_factory=list)
    trigger_errors: list[str] = field(default_factory=list)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    def count_triggers(self, kind: ActionKind) -> int:
        return sum(1 for t in self.triggers if t.kind == kind)

    @property
    def has_changes(self) -> bool:
        return any(a.kind != ActionKind.NOOP for a in self.actions) or bool(self.triggers)


class Outcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"  # the server refused it: nothing was written
    NOT_ATTEMPTED = "not_attempted"  # after --on-error stop, an interrupt, or "changed since plan"
    UNKNOWN = "unknown"  # sent, but no answer came: it may or may not have been applied


@dataclass(kw_only=True)
class ActionResult(_Data):
    kind: ActionKind
    label: str
    job_id: str | None = None  # for creates: the new id when done (or the job kept, on a race)
    outcome: Outcome
    error: str | None = None
    attempts: int = 0
    # not attempted because the live job moved since the plan (per-write re-read): exit 4
    stale: bool = False
    # what else happened (e.g. a concurrent apply created the same label)
    note: str | None = None
    # a create that raced another apply: the id of the duplicate this apply deleted
    duplicate_deleted: str | None = None
    # the job's updated_at in the answer to this apply's write (not serialised): a different
    # one at verification means someone else wrote the job after us
    _written_at: str | None = field(default=None, repr=False, compare=False)


@dataclass(kw_only=True)
class TriggerResult(_Data):
    """The outcome of one ``TriggerAction``."""

    kind: ActionKind
    label: str
    schedule: str | None = None
    account_id: str | None = None
    trigger_id: str | None = None  # for creates: the new id when done
    outcome: Outcome
    error: str | None = None
    stale: bool = False
    note: str | None = None


@dataclass(kw_only=True)
class ApplyResult(_Data):
    format_version: int = FORMAT_VERSION
    results: list[ActionResult] = field(default_factory=list)
    # differences still present after apply (re-plan of touched jobs): normalization bugs
    residual: list[Action] = field(default_factory=list)
    # the re-list after the writes failed: nothing was verified or de-duplicated
    verification_error: str | None = None
    # "SIGINT" / "SIGTERM" when a signal ended the run
    interrupted: str | None = None
    triggers: list[TriggerResult] = field(default_factory=list)
    # cron triggers still differing after the apply (a re-list): normalization bugs
    trigger_residual: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        every: list[ActionResult | TriggerResult] = [*self.results, *self.triggers]
        return (
            all(r.outcome == Outcome.DONE and not r.stale for r in every)
            and not self.residual
            and not self.trigger_residual
            and self.verification_error is None
            and self.interrupted is None
        )

    @property
    def exit_code(self) -> int:
        """130 (SIGINT) / 143 (SIGTERM); 1 when anything failed or is unknown; 4 when only
        "changed since plan" kept actions back; else 0."""
        if self.interrupted == "SIGTERM":
            return 143
        if self.interrupted is not None:
            return 130
        bad = (Outcome.FAILED, Outcome.UNKNOWN)
        every: list[ActionResult | TriggerResult] = [*self.results, *self.triggers]
        if any(r.outcome in bad for r in every) or self.residual or self.trigger_residual:
            return 1
        if self.verification_error is not None:
            return 1
        if any(r.stale for r in every):
            return 4
        return 0 if self.ok else 1
