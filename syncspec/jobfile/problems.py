"""Problems found in job files, and the rule catalogue entry type.

Rules run on plain parsed data (the fast path) and report a ``Finding`` addressed by a path of
keys/indexes into the document; ``locate`` turns each path into ``line:col`` with the C
parser's own nodes (no second parse) and yields a ``Problem``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Rule:
    id: str  # stable, e.g. "SS203"
    severity: Severity
    summary: str  # one line for the README rule table


PathItem = str | int


@dataclass(frozen=True)
class Finding:
    """A problem before it has a position: ``path`` addresses the offending node."""

    rule: str
    severity: Severity
    message: str
    path: tuple[PathItem, ...] = ()
    hint: str | None = None
    on_key: bool = False  # point at the mapping key itself rather than its value
    # character index into the string value at ``path`` (a JSONata error inside an expression):
    # the problem then points at that character in the file, not at the start of the value
    offset: int | None = None


@dataclass(frozen=True)
class Problem:
    rule: str
    severity: Severity
    message: str
    file: str
    line: int  # 1-based
    col: int  # 1-based
    hint: str | None = None
    # a notice that stands for the same problem in several files (SS107): all of them, ``file``
    # (the first) included; empty for a problem of one file
    files: tuple[str, ...] = ()

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.file, self.line, self.col, self.rule)
