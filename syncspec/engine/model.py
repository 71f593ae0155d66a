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


class _Data:
    """``model_dump`` as the pydantic models had it (renderers call it): plain JSON data."""

    __pydantic_config__: ClassVar[dict[str, Any]] = _FORBID

    def model_dump(self, mode: Literal["json", "python"] = "json") -> dict[str, Any]:
        del mode  # enums are str subclasses: the data is JSON either way
        data: dict[str, Any] = dataclasses.asdict(self)  # type: ignore[call-overload]
        return data

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
    # create: the full canonical body to POST; update: the changed top-level fields, each whole
    body: dict[str, Any] | None = None


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


@dataclass(kw_only=True)
class Plan(_Data):
    format_version: int = FORMAT_VERSION
    syncspec_version: str
    created_at: str  # ISO 8601 UTC
    api_url: str  # where it was planned against (never the token)
    profile: str
    options: PlanOptions = field(default_factory=PlanOptions)
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
    FAILED = "failed"
    SKIPPED = "skipped"  # not attempted (after --on-error stop, or stale plan)


@dataclass(kw_only=True)
class ActionResult(_Data):
    kind: ActionKind
    label: str
    job_id: str | None = None  # for creates: the new id when done
    outcome: Outcome
    error: str | None = None
    attempts: int = 0


@dataclass(kw_only=True)
class ApplyResult(_Data):
    format_version: int = FORMAT_VERSION
    results: list[ActionResult] = field(default_factory=list)
    # differences still present after apply (re-plan of touched jobs): normalization bugs
    residual: list[Action] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.outcome == Outcome.DONE for r in self.results) and not self.residual
