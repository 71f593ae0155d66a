"""The loader's bounds and its failure type: the leaf that the loader and the builder share."""

from __future__ import annotations

from typing import Any

MAX_BYTES = 1024 * 1024  # a job file is a few KiB; 1 MiB is absurd already
MAX_DEPTH = 64  # real jobs nest ~12 deep (V4 bodies); also keeps every recursive walk safe
MAX_NODES = 100_000  # expanded node count when aliases are used (billion laughs)


class LoadFailed(Exception):
    def __init__(self, rule: str, message: str, line: int, col: int, hint: str | None) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message
        self.line = line
        self.col = col
        self.hint = hint

    @classmethod
    def at(cls, mark: Any, rule: str, message: str, hint: str | None = None) -> LoadFailed:
        """The failure at a parser mark (0-based line/column) as a 1-based position."""
        return cls(rule, message, mark.line + 1, mark.column + 1, hint)
