"""The loader's bounds and its failure type: the leaf that the loader and the builder share."""

from __future__ import annotations

import os
from typing import IO, Any

MAX_BYTES = 1024 * 1024  # a job file is a few KiB; 1 MiB is absurd already
MAX_DEPTH = 64  # real jobs nest ~12 deep (V4 bodies); also keeps every recursive walk safe
MAX_NODES = 100_000  # expanded node count when aliases are used (billion laughs)


def read_bounded(fh: IO[bytes], limit: int = MAX_BYTES) -> bytes:
    """At most ``limit`` + 1 bytes of ``fh`` (more than ``limit``: too large, and not read whole).

    Sized by the file's length (``fstat``), not by the bound: ``read(limit + 1)`` allocates the
    whole bound for every file, a mebibyte per few-KiB job file, which the allocator maps and
    unmaps each time (bench/BENCHMARKS.md, "Start-up"). A file that grows while it is read, or
    one whose size the system does not tell (a pipe, ``/proc``), is read on up to the bound.
    """
    try:
        size = os.fstat(fh.fileno()).st_size
    except (OSError, ValueError, AttributeError):
        size = 0
    want = min(max(size, 0), limit) + 1
    raw = fh.read(want)
    if len(raw) < want:
        return raw  # the end of the file came first: all of it
    while len(raw) <= limit:
        more = fh.read(limit + 1 - len(raw))
        if not more:
            break
        raw += more
    return raw


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
