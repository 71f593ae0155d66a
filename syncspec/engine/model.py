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
    # the `!var` values of the file, where they landed (create/update/noop)
    vars: list[VarLanding] = field(default_factory=list)


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
class Plan(_Data):
    format_version: int = FORMAT_VERSION
    syncspec_version: str
    created_at: str  # ISO 8601 UTC
    api_url: str  # where it was planned against (never the token)
    profile: str
    options: PlanOptions = field(default_factory=PlanOptions)
    environment: PlanEnvironment | None = None
    # deterministic order: deletes, updates, creates, noops; each group by label
    actions: list[Action] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def has_changes(self) -> bool:
        return any(a.kind != ActionKind.NOOP for a in self.actions)


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
class ApplyResult(_Data):
    format_version: int = FORMAT_VERSION
    results: list[ActionResult] = field(default_factory=list)
    # differences still present after apply (re-plan of touched jobs): normalization bugs
    residual: list[Action] = field(default_factory=list)
    # the re-list after the writes failed: nothing was verified or de-duplicated
    verification_error: str | None = None
    # "SIGINT" / "SIGTERM" when a signal ended the run
    interrupted: str | None = None

    @property
    def ok(self) -> bool:
        return (
            all(r.outcome == Outcome.DONE and not r.stale for r in self.results)
            and not self.residual
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
        if any(r.outcome in bad for r in self.results) or self.residual:
            return 1
        if self.verification_error is not None:
            return 1
        if any(r.stale for r in self.results):
            return 4
        return 0 if self.ok else 1
