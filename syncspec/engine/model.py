"""The plan and apply-result data: plain, versioned, serialisable.

A ``Plan`` is produced without I/O from (local jobs, live jobs, options) by ``engine.plan``;
renderers in ``syncspec.render`` turn it into text/json/markdown/github; ``apply`` executes it.
Saved plans (``plan --out``) are this model dumped as JSON; ``format_version`` changes only when a
key changes meaning or disappears. Loading is strict (``extra="forbid"``): a plan with keys this
version does not know is refused rather than half-understood, because apply must do exactly what
was reviewed.
"""

from __future__ import annotations

import enum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

FORMAT_VERSION = 1


class ActionKind(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    NOOP = "noop"


class FieldChange(BaseModel):
    """One field-level difference, addressed by an RFC 6901 JSON pointer into the job."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    pointer: str  # e.g. "/resources/2/query/ticket_id"
    kind: Literal["changed", "added", "removed", "moved"]
    old: Any = None  # absent for "added"
    new: Any = None  # absent for "removed"
    from_pointer: str | None = None  # "moved": where the item was (pointer is where it goes)


class Action(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    label: str
    job_id: str | None = None  # live id (update/delete/noop); None for create
    file: str | None = None  # the job file, relative to the project root when possible
    line: int | None = None  # 1-based line of the job's `label` in that file
    # sha256 of the canonical live body + updated_at, as planned (update/delete/noop)
    fingerprint: str | None = None
    changes: list[FieldChange] = Field(default_factory=list)
    # create: the full canonical body to POST; update: the changed top-level fields, each whole;
    # delete: the canonical live job, for review (never sent)
    body: dict[str, Any] | None = None


class NoticeKind(enum.StrEnum):
    UNMANAGED = "unmanaged"  # a live job no file claims (outside prune scope or no --prune)
    CONFLICT = "conflict"  # e.g. two live jobs carry the label one file claims
    WARNING = "warning"  # anything else worth showing (e.g. runtime version not managed)


class Notice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoticeKind
    message: str
    label: str | None = None
    job_ids: list[str] = Field(default_factory=list)
    file: str | None = None
    line: int | None = None


class PlanOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prune: bool = False
    targets: list[str] = Field(default_factory=list)
    excludes: list[str] = Field(default_factory=list)


class Plan(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    syncspec_version: str
    created_at: str  # ISO 8601 UTC
    api_url: str  # where it was planned against (never the token)
    profile: str
    options: PlanOptions = Field(default_factory=PlanOptions)
    # deterministic order: deletes, updates, creates, noops; each group by label
    actions: list[Action] = Field(default_factory=list)
    notices: list[Notice] = Field(default_factory=list)

    def count(self, kind: ActionKind) -> int:
        return sum(1 for a in self.actions if a.kind == kind)

    @property
    def has_changes(self) -> bool:
        return any(a.kind != ActionKind.NOOP for a in self.actions)


class Outcome(enum.StrEnum):
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted (after --on-error stop, or stale plan)


class ActionResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: ActionKind
    label: str
    job_id: str | None = None  # for creates: the new id when done
    outcome: Outcome
    error: str | None = None
    attempts: int = 0


class ApplyResult(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format_version: int = FORMAT_VERSION
    results: list[ActionResult] = Field(default_factory=list)
    # differences still present after apply (re-plan of touched jobs): normalization bugs
    residual: list[Action] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.outcome == Outcome.DONE for r in self.results) and not self.residual
