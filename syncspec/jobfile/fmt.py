"""``syncspec fmt``: one canonical layout for job files, comments kept (issue 24).

The layout (what ``pull`` writes for a new file too):

- indentation: mappings by 2, list items ``  - key: ...`` (DESIGN.md's example);
- top-level keys in the API's order: ``label``, ``id``, then the managed fields in
  ``CLIENT_FIELDS`` order; other keys stay after the key they followed;
- in each ``resources`` item the identifying keys first: ``name``, ``type`` (V4) and
  ``resource``, ``method`` (legacy); the other keys keep their order;
- quoting: single-quoted strings become double-quoted (placeholders are written ``"{{...}}"``)
  unless that needs escapes (a ``"`` or ``\\`` inside); plain, double-quoted and block strings
  stay as they are;
- flow vs block: a flow collection (``{a: 1}``, ``[a, b]``) stays flow while its line fits in
  ``MAX_LINE`` columns, else it becomes block; block stays block;
- the file's line endings are kept; one newline at the end.

Comments and blank lines are kept (ruamel round trip). A file the validator's loader cannot read
is not touched: its problems are reported. The formatted text is read back with that loader and
must hold the same data, or nothing is written.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncspec.errors import SyncspecError
from syncspec.jobfile.jobs import CLIENT_FIELDS
from syncspec.jobfile.problems import Problem
from syncspec.jobfile.yaml.roundtrip import replace_text

MAX_LINE = 100
_NODE_KEYS = ("name", "type", "resource", "method")
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufeff]')  # as "..." needs escapes
_PASSES = 4  # the layout is reached in one pass, two when a flow collection moves


class FormatError(SyncspecError):
    """A file ``fmt`` cannot format; ``problems`` are located (file:line:col, rule id)."""

    def __init__(self, message: str, problems: list[Problem] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []


@dataclass
class FormatResult:
    display: str
    changed: bool
    before: str
    after: str
    problems: list[Problem] = field(default_factory=list)
    error: str | None = None


# label, id, then the other fields a job file manages, in the API's order
TOP_LEVEL_ORDER = ("label", "id", *CLIENT_FIELDS[1:])


def format_text(text: str, display: str) -> str:
    """``text`` in the canonical layout (``text`` itself when it is already)."""
    from syncspec.jobfile.yaml.roundtrip import newline_of, with_newlines

    newline = newline_of(text)
    lf = text.replace("\r\n", "\n")
    parsed = _parse(lf, display)
    if parsed.data is None:
        raise FormatError(f"{display}: cannot be formatted: it does not load", parsed.problems)
    current = lf
    for _ in range(_PASSES):
        after = _format_once(current)
        if after == current:
            break
        current = after
    again = _parse(current, display)
    if again.data != parsed.data:  # pragma: no cover - a bug in the layout rules or in ruamel
        raise FormatError(
            f"{display}: the formatted file would not hold the same data; it was left as it is. "
            "This is a bug in syncspec: please report it with the file"
        )
    return with_newlines(current, newline)


def _parse(text: str, display: str) -> Any:
    """The validator's reading of ``text``, without ruamel's YAML 1.1 warning about floats such
    as ``1e3`` (the loader's numbers are JSON's, where they are fine)."""
    import warnings

    from ruamel.yaml.error import MantissaNoDotYAML1_1Warning

    from syncspec.jobfile.yaml.loader import parse_text

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
        return parse_text(text, display)


@dataclass
class FormatReport:
    files: list[FormatResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # notes: what was not read, and why

    @property
    def changed(self) -> list[FormatResult]:
        return [f for f in self.files if f.changed]

    @property
    def failed(self) -> list[FormatResult]:
        return [f for f in self.files if f.problems or f.error]


def format_paths(paths: list[Path], root: Path, *, write: bool) -> FormatReport:
    """Format the job files under ``paths``; write the changed ones when ``write``."""
    from syncspec.jobfile.discovery import discover_job_files, display_path

    found = discover_job_files(paths, root)
    report = FormatReport(skipped=[s.describe(root) for s in found.skipped])
    for path in found.files:
        display = display_path(path, root)
        result = _format_path(path, display)
        report.files.append(result)
        if write and result.changed and not result.error:
            try:
                _replace(path, result.after)
            except OSError as exc:
                result.error = f"{display}: cannot write: {exc.strerror or type(exc).__name__}"
    return report


def _format_path(path: Path, display: str) -> FormatResult:
    from syncspec.jobfile.yaml.limits import MAX_BYTES

    try:
        with path.open(encoding="utf-8", newline="") as fh:
            text = fh.read(MAX_BYTES + 1)
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not valid UTF-8"
        return FormatResult(display, False, "", "", error=f"{display}: cannot read: {reason}")
    if len(text) > MAX_BYTES:
        error = f"{display}: larger than {MAX_BYTES:,} bytes; not formatted"
        return FormatResult(display, False, "", "", error=error)
    try:
        after = format_text(text, display)
    except FormatError as exc:
        return FormatResult(display, False, text, text, exc.problems, str(exc))
    return FormatResult(display, after != text, text, after)


def _replace(path: Path, text: str) -> None:
    """Write ``text`` over ``path`` atomically, keeping its mode; a symlink is not replaced by a
    file: the file it leads to is written."""
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    replace_text(path, text)


def _format_once(text: str) -> str:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    from syncspec.jobfile.yaml.roundtrip import dump, exact_floats, load, rt_yaml

    yaml = rt_yaml()
    data = load(yaml, text)
    if not isinstance(data, CommentedMap):
        return text
    exact_floats(data)
    _order_keys(data, TOP_LEVEL_ORDER)
    resources = data.get("resources")
    if isinstance(resources, CommentedSeq):
        for item in resources:
            if isinstance(item, CommentedMap):
                _order_keys(item, _NODE_KEYS)
    _double_quotes(data)
    _unflow_long(data, text.splitlines())
    return str(dump(yaml, data))


def _order_keys(node: Any, order: tuple[str, ...]) -> None:
    """Move the keys named in ``order`` into that order; another key stays after the furthest
    ordered key before it (or first when none is), in its own order."""
    keys = list(node)
    rank: dict[Any, tuple[int, int]] = {}
    furthest = -1
    for position, key in enumerate(keys):
        if key in order:
            rank[key] = (order.index(key), -1)
            furthest = max(furthest, order.index(key))
        else:
            rank[key] = (furthest, position)
    wanted = sorted(keys, key=lambda k: rank[k])
    if wanted == keys:
        return
    for key in wanted:
        node.move_to_end(key)


def _walk(node: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key or index) of every value below ``node``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap):
        for key in list(node):
            yield node, key
            yield from _walk(node[key])
    elif isinstance(node, CommentedSeq):
        for index in range(len(node)):
            yield node, index
            yield from _walk(node[index])


def _double_quotes(data: Any) -> None:
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, SingleQuotedScalarString

    for container, key in list(_walk(data)):
        value = container[key]
        if isinstance(value, SingleQuotedScalarString) and not _NEEDS_ESCAPE.search(value):
            container[key] = DoubleQuotedScalarString(str(value))


def _unflow_long(data: Any, lines: list[str]) -> None:
    """Flow collections whose line is longer than ``MAX_LINE`` become block."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    for container, key in list(_walk(data)):
        value = container[key]
        if not isinstance(value, CommentedMap | CommentedSeq) or not value.fa.flow_style():
            continue
        line = value.lc.line
        if line is not None and line < len(lines) and len(lines[line]) > MAX_LINE:
            _to_block(value)


def _to_block(node: Any) -> None:
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    node.fa.set_block_style()
    for child in node.values() if isinstance(node, CommentedMap) else node:
        if isinstance(child, CommentedMap | CommentedSeq):
            _to_block(child)
