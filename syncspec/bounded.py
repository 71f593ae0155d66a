"""Bounded reading of files that come from outside (saved plans, ``syncspec.toml``, vars files).

``read_regular_file`` opens without blocking (a FIFO would otherwise wait for a writer forever),
refuses anything that is not a regular file once opened (``/dev/zero`` through a symlink, a
directory, a socket), checks the size before reading and reads at most ``limit`` + 1 bytes, so
a file that grows while read is refused too. ``check_depth`` bounds the nesting of decoded data
without recursion. Pure standard library: ``config`` and ``engine`` use it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any


class FileRefused(ValueError):
    """The file cannot be read safely; the message says why (without the path)."""


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of ``path`` if it is a regular file of at most ``limit`` bytes.

    Raises ``FileNotFoundError`` when there is none, ``FileRefused`` otherwise.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise FileRefused(f"cannot open it: {exc.strerror or exc}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise FileRefused(f"it is not a regular file (it is {_kind(info.st_mode)})")
        if info.st_size > limit:
            raise FileRefused(f"it is {info.st_size:,} bytes, over the limit of {limit:,}")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise FileRefused(f"it grew past the limit of {limit:,} bytes while being read")
        return b"".join(chunks)
    except OSError as exc:
        raise FileRefused(f"cannot read it: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ):
        if test(mode):
            return name
    return "not a file"


def check_depth(data: Any, limit: int) -> int | None:
    """``None`` when ``data`` (JSON/TOML data) nests at most ``limit`` deep, else the depth at
    which it was found deeper (an explicit stack, not recursion)."""
    stack: list[tuple[Any, int]] = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return depth
        stack.extend((child, depth + 1) for child in children)
    return None
