"""A job file as the rest of syncspec sees it once loaded (the engine's input)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from syncspec.jobfile.vars import VarUse

# Fields the server sets on a job: never in a job file, never written by pull, never diffed
# (the live ``id`` is compared through the binding, not as a field).
SERVER_FIELDS: frozenset[str] = frozenset({"environment_id", "created_at", "updated_at"})
# Fields a job file manages, in the API's order (the plan compares these; fmt orders by them).
CLIENT_FIELDS: tuple[str, ...] = (
    "label",
    "integration_name",
    "default_runtime_version",
    "args_schema",
    "args_validation",
    "mutex_key",
    "state_key",
    "resources",
)


@dataclass(frozen=True)
class LocalJob:
    path: Path  # absolute path of the file
    display: str  # the path as shown to the user (relative to the project root when possible)
    line: int  # 1-based line of the `label` key (1 when unknown)
    data: dict[str, Any]  # the parsed document: plain JSON-like data, `!var`s resolved
    vars: tuple[VarUse, ...] = ()  # where the active profile's `!var` values landed

    @property
    def label(self) -> str:
        return str(self.data.get("label", ""))

    @property
    def pinned_id(self) -> str | None:
        value = self.data.get("id")
        return str(value) if value is not None else None
