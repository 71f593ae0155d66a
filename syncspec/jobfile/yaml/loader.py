"""Loading job files: fast, safe, and hostile-input-proof.

Fast path: ruamel.yaml's C parser (libyaml, via ``ruamel.yaml.clib``) with a JSON-only safe
constructor. Everything that can go wrong in a file becomes a located ``Problem`` in the SS0xx
family, never an exception: syntax errors, duplicate keys, tabs, bad encodings, empty files,
several documents, non-mapping documents, alias bombs, unknown tags, absurd nesting, huge files.

Nesting is checked *before* the C composer runs: it recurses on the C stack and crashes the
interpreter somewhere past ~50k levels. A cheap upper bound on the depth is computed from the
text; only when it exceeds the limit is the exact depth measured from the (iterative) event
stream.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from syncspec.jobfile.problems import Problem, Rule, Severity
from syncspec.jobfile.yaml.construct import (
    NeedsMerge,
    Unhashable,
    build,
    unsupported_tag,
    var_as_key,
)
from syncspec.jobfile.yaml.limits import MAX_BYTES, MAX_DEPTH, MAX_NODES, LoadFailed, read_bounded

RULES: tuple[Rule, ...] = (
    Rule("SS001", Severity.ERROR, "YAML syntax error"),
    Rule("SS002", Severity.ERROR, "duplicate key in a mapping"),
    Rule("SS003", Severity.ERROR, "tab used for indentation"),
    Rule("SS004", Severity.ERROR, "file is not valid UTF-8"),
    Rule("SS005", Severity.ERROR, "file is empty (no YAML document)"),
    Rule("SS006", Severity.ERROR, "several YAML documents in one file"),
    Rule("SS007", Severity.ERROR, "top level is not a mapping"),
    Rule("SS008", Severity.ERROR, "aliases expand beyond the size bound, or are recursive"),
    Rule("SS009", Severity.ERROR, "unsafe or unknown YAML tag"),
    Rule("SS010", Severity.ERROR, "nesting deeper than the limit"),
    Rule("SS011", Severity.ERROR, "file larger than the size bound"),
    Rule("SS012", Severity.ERROR, "file cannot be read"),
    Rule("SS013", Severity.ERROR, "`!var` without an identifier name"),
    Rule("SS014", Severity.ERROR, "`!var` has no value in a profile, or an unusable one"),
    Rule("SS015", Severity.ERROR, "`!var` with no profile to take its value from"),
    Rule("SS016", Severity.ERROR, "`!var` where a value cannot differ (a key, the label)"),
)
# An unquoted `{{ args.x }}` is a mapping used as a key: the C loader refuses it. It is the same
# mistake the placeholder rules report as SS401 (for `{args.x}`, which loads), so same id.
UNQUOTED_PLACEHOLDER = "SS401"


@dataclass
class Parsed:
    """The outcome of loading one file: either ``data`` (a mapping) or ``problems``.

    ``root`` is the document's node graph from the C composer (every node knows where it starts:
    ``locate`` turns findings into positions with it). It is not picklable cheaply: the validate
    pipeline locates a file's findings where it was checked and then drops it.
    """

    display: str
    text: str | None = None
    data: dict[str, Any] | None = None
    problems: list[Problem] = field(default_factory=list)
    root: Any = field(default=None, repr=False, compare=False)


class _VarAsKey(Exception):
    """A ``!var`` used as a mapping key, met by ruamel's constructor (merge-key documents)."""

    def __init__(self, node: Any) -> None:
        super().__init__("!var as a key")
        self.node = node


_LOADER_CLASS: Any = None
# plain scalar text -> its resolved Tag (shared by the nodes; nothing mutates them)
_PLAIN_TAGS: dict[str, Any] = {}
_PLAIN_TAGS_MAX = 100_000


def _loader_class() -> Any:
    """``CParser`` + a constructor that only builds JSON-like data (built once, lazily)."""
    global _LOADER_CLASS  # noqa: PLW0603 - a cache of a class built on first use
    if _LOADER_CLASS is not None:
        return _LOADER_CLASS
    from ruamel.yaml.constructor import ConstructorError, SafeConstructor
    from ruamel.yaml.error import MantissaNoDotYAML1_1Warning
    from ruamel.yaml.resolver import Resolver

    try:
        from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]
    except ImportError:  # pragma: no cover - no C extension (PyPy, broken install)
        CParser = None

    class _JsonConstructor(SafeConstructor):
        def construct_as_text(self, node: Any) -> str:
            # `2024-01-01` and `=` stay text: the API takes JSON, which has no dates.
            return str(node.value)

        def construct_mapping(self, node: Any, deep: bool = False) -> Any:
            from syncspec.jobfile.yaml.varref import VarRef

            for key_node, _ in node.value:
                if key_node.tag == "!var":
                    raise _VarAsKey(key_node)
            mapping = super().construct_mapping(node, deep=deep)
            for key in mapping:
                if isinstance(key, VarRef):  # pragma: no cover - refused above
                    raise _VarAsKey(node)
                if isinstance(key, tuple):  # ruamel turns a list used as a key into a tuple
                    raise ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        "found unhashable key",
                        node.start_mark,
                    )
            return mapping

        def construct_yaml_float(self, node: Any) -> Any:
            # ruamel prints 14 lines on stderr for a YAML 1.1 float without a dot (`1e3`) and
            # loads it all the same: what syncspec prints is its own findings only.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
                try:
                    return float(super().construct_yaml_float(node))
                except ValueError:  # `._`: the resolver's pattern takes it, float() does not
                    return str(node.value)

        def construct_yaml_int(self, node: Any) -> Any:
            try:
                return super().construct_yaml_int(node)
            except ValueError:  # `-_`, `0o_`: read as a number by the resolver, not by int()
                return str(node.value)

        def construct_unsupported(self, node: Any) -> Any:
            raise ConstructorError(None, None, f"unsupported tag {node.tag!r}", node.start_mark)

        def construct_var(self, node: Any) -> Any:
            from syncspec.jobfile.yaml.varref import var_ref

            return var_ref(node)

    _JsonConstructor.yaml_constructors = dict(SafeConstructor.yaml_constructors)
    for tag in ("timestamp", "value"):
        _JsonConstructor.add_constructor(
            f"tag:yaml.org,2002:{tag}", _JsonConstructor.construct_as_text
        )
    for tag, number in (
        ("float", _JsonConstructor.construct_yaml_float),
        ("int", _JsonConstructor.construct_yaml_int),
    ):
        _JsonConstructor.add_constructor(f"tag:yaml.org,2002:{tag}", number)
    for tag in ("binary", "set", "omap", "pairs"):
        _JsonConstructor.add_constructor(
            f"tag:yaml.org,2002:{tag}", _JsonConstructor.construct_unsupported
        )
    _JsonConstructor.add_constructor("!var", _JsonConstructor.construct_var)
    _JsonConstructor.add_constructor(None, _JsonConstructor.construct_unsupported)

    if CParser is not None:
        from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

        # The composer asks the (Python) resolver for every node's tag; ruamel's walks a list
        # of lazily compiled regexps and builds a new Tag each time. Without path resolvers
        # (ruamel registers none) the answer depends only on a plain scalar's text, which
        # repeats across job files (keys, methods, resource names): keep the answers.
        assert not Resolver.yaml_path_resolvers

        class _FastLoader(CParser, _JsonConstructor, Resolver):  # type: ignore[misc]
            def __init__(self, stream: str) -> None:
                CParser.__init__(self, stream)
                self._parser = self._composer = self
                _JsonConstructor.__init__(self, loader=self)
                self.allow_duplicate_keys = False
                Resolver.__init__(self, loadumper=self)

            def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
                if kind is ScalarNode:
                    if not implicit[0]:  # quoted, block or explicitly tagged: a string
                        return self.DEFAULT_SCALAR_TAG
                    tag = _PLAIN_TAGS.get(value)
                    if tag is None:
                        tag = Resolver.resolve(self, kind, value, implicit)
                        if len(_PLAIN_TAGS) < _PLAIN_TAGS_MAX:
                            _PLAIN_TAGS[value] = tag
                    return tag
                if kind is MappingNode:
                    return self.DEFAULT_MAPPING_TAG
                if kind is SequenceNode:
                    return self.DEFAULT_SEQUENCE_TAG
                return Resolver.resolve(self, kind, value, implicit)

            def descend_resolver(self, current_node: Any, current_index: Any) -> None:
                pass  # path resolvers only

            def ascend_resolver(self) -> None:
                pass

        _LOADER_CLASS = _FastLoader
    else:  # pragma: no cover
        _LOADER_CLASS = _pure_loader_factory(_JsonConstructor, Resolver)
    return _LOADER_CLASS


def warm_up() -> None:
    """Build the loader now (before forking workers that would each build it)."""
    import syncspec.jobfile.yaml.construct  # noqa: F401 - used by every parse

    _loader_class()


def _pure_loader_factory(constructor: Any, resolver: Any) -> Any:  # pragma: no cover
    from ruamel.yaml import YAML

    class _PureLoader:
        def __init__(self, stream: str) -> None:
            self._yaml = YAML(typ="safe", pure=True)
            self._yaml.Constructor = constructor
            self._yaml.Resolver = resolver
            self._yaml.allow_duplicate_keys = False
            self._yaml.reader.stream = stream
            self._node: Any = None

        def get_single_node(self) -> Any:
            return self._yaml.composer.get_single_node()

        def construct_document(self, node: Any) -> Any:
            return self._yaml.constructor.construct_document(node)

        def dispose(self) -> None:
            self._yaml.parser.dispose()

    return _PureLoader


def read_and_parse(
    path_bytes: bytes | None, display: str, read_error: str | None = None, *, plain: bool = False
) -> Parsed:
    """Decode and parse one file's bytes (``None`` with ``read_error`` when unreadable)."""
    if path_bytes is None:
        return _failed(display, None, "SS012", f"cannot read file: {read_error}", 1, 1)
    if len(path_bytes) > MAX_BYTES:
        return too_large(display, len(path_bytes))
    try:
        text = path_bytes.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path_bytes.count(b"\n", 0, exc.start) + 1
        col = exc.start - (path_bytes.rfind(b"\n", 0, exc.start) + 1) + 1
        return _failed(
            display,
            None,
            "SS004",
            f"file is not valid UTF-8 (byte 0x{path_bytes[exc.start]:02x} at offset {exc.start})",
            line,
            col,
            hint="save the file as UTF-8",
        )
    return parse_text(text, display, plain=plain)


def too_large(display: str, size: int) -> Parsed:
    """The problem for a file of ``size`` bytes, over ``MAX_BYTES``."""
    return _failed(
        display,
        None,
        "SS011",
        f"file is {size:,} bytes; the limit is {MAX_BYTES:,} bytes",
        1,
        1,
        hint="a job file is a few KiB: is this really a sync job?",
    )


def parse_text(text: str, display: str, *, plain: bool = False) -> Parsed:
    """Parse YAML text that is already decoded. Never raises for bad input.

    ``plain``: where the compiled parser is certain to give the same data (``plain_data``),
    return that data without a node graph (``root`` None: ``compose_root`` gives it when a
    finding needs a position); otherwise the usual parse."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        offset = text.index("\x00")
        line, col = _line_col(text, offset)
        return _failed(display, text, "SS004", "file contains a NUL byte", line, col)
    if plain:
        data = plain_data(text)
        if data is not None:
            return Parsed(display=display, text=text, data=data)
    try:
        data, root = _load(text)
    except LoadFailed as exc:
        line, col = _clamp(text, exc.line, exc.col)
        return _failed(display, text, exc.rule, exc.message, line, col, hint=exc.hint)
    if data is None:
        return _failed(
            display,
            text,
            "SS005",
            "file is empty: expected a sync job mapping (at least `label:`)",
            1,
            1,
        )
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        mark = root.start_mark
        return _failed(
            display,
            text,
            "SS007",
            f"top level is {kind}; a job file is a mapping of keys (label, resources, ...)",
            mark.line + 1,
            mark.column + 1,
        )
    return Parsed(display=display, text=text, data=data, root=root)


def _failed(
    display: str,
    text: str | None,
    rule: str,
    message: str,
    *position: int,
    hint: str | None = None,
) -> Parsed:
    line, col = position
    severity = Severity.ERROR
    problem = Problem(rule, severity, message, display, max(line, 1), max(col, 1), hint)
    return Parsed(display=display, text=text, problems=[problem])


def _clamp(text: str, line: int, col: int) -> tuple[int, int]:
    """Keep a position inside the text: "end of stream" errors point past the last line."""
    lines = text.split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if lines and line > len(lines):
        return len(lines), len(lines[-1]) + 1
    return line, col


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


# The C composer recurses on the C stack: past ~50k levels it crashes the interpreter. Below
# this many it is safe, and the builder then enforces MAX_DEPTH exactly.
C_STACK_SAFE_DEPTH = 5_000
_MARKERS = ("[", "{", "- ", "-\t", "? ", "?\t", ": ", ":\t")


def _depth_upper_bound(text: str) -> int:
    """A cheap bound that is never below the real nesting depth of ``text``.

    Flow collections open with ``[``/``{``; nested block collections need an indicator
    (``- ``, ``? ``, ``: ``) or more indentation (a map and a sequence may share a column, hence
    2x the longest line as the bound on indentation).
    """
    markers = sum(text.count(m) for m in _MARKERS)
    longest = max(map(len, text.split("\n")), default=0)
    return markers + 2 * longest + 2


def _check_depth(text: str, exact: bool = False) -> None:
    """Measure the depth from the (iterative) event stream when the cheap bound is too high."""
    if not exact and _depth_upper_bound(text) <= C_STACK_SAFE_DEPTH:
        return
    from ruamel.yaml.cyaml import CParser  # type: ignore[attr-defined]

    parser = CParser(text)
    depth = 0
    try:
        while True:
            event = parser.get_event()
            if event is None:
                return
            name = type(event).__name__
            if name in ("MappingStartEvent", "SequenceStartEvent"):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LoadFailed.at(
                        event.start_mark,
                        "SS010",
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        "flatten the structure; no sync job needs this depth",
                    )
            elif name in ("MappingEndEvent", "SequenceEndEvent"):
                depth -= 1
            elif name == "StreamEndEvent":
                return
    except LoadFailed:
        raise
    except Exception:
        return  # a syntax error: the real parse below reports it with its position
    finally:
        parser.dispose()


def _check_aliases(node: Any) -> None:
    """Reject recursive aliases and documents whose expanded size exceeds ``MAX_NODES``."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    # iterative post-order walk over the node graph (aliases share node objects)
    stack: list[tuple[Any, bool]] = [(node, False)]
    while stack:
        current, done = stack.pop()
        key = id(current)
        if done:
            on_path.discard(key)
            total = 1 + sum(sizes[id(c)] for c in _children(current))
            if total > MAX_NODES:
                raise LoadFailed.at(
                    current.start_mark,
                    "SS008",
                    f"aliases expand this document beyond {MAX_NODES:,} nodes",
                    "do not nest aliases of aliases (a 'billion laughs' document)",
                )
            sizes[key] = total
            continue
        if key in sizes:
            continue
        if key in on_path:
            raise LoadFailed.at(
                current.start_mark,
                "SS008",
                "recursive alias: a node contains an alias of itself",
            )
        on_path.add(key)
        stack.append((current, True))
        for child in _children(current):
            if id(child) in on_path:
                raise LoadFailed.at(
                    child.start_mark,
                    "SS008",
                    "recursive alias: a node contains an alias of itself",
                )
            if id(child) not in sizes:
                stack.append((child, False))


def _children(node: Any) -> list[Any]:
    value = node.value
    if not isinstance(value, list):
        return []
    out: list[Any] = []
    for item in value:
        if isinstance(item, tuple):
            out.extend(item)
        else:
            out.append(item)
    return out


def _construct(loader: Any, node: Any, text: str) -> tuple[Any, Any]:
    """The data of ``node`` and the node graph to locate findings with."""
    try:
        return build(loader, node, aliases="&" in text), node
    except NeedsMerge:
        _check_depth(text, exact=True)  # ruamel's constructor does not limit the depth
        data = loader.construct_document(node)
        # ruamel's constructor splices the merged entries into the nodes: a fresh graph keeps
        # the mapping as written (a merged key is then located at the mapping that merges it)
        return data, compose_root(text)


def compose_root(text: str) -> Any:
    """The root node of ``text`` as the C composer builds it (for text that loaded before)."""
    loader = _loader_class()(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


def _load(text: str) -> tuple[Any, Any]:
    """The document's data and its root node (None, None for an empty document)."""
    _check_depth(text)
    from ruamel.yaml.error import MarkedYAMLError, YAMLError

    loader = _loader_class()(text)
    try:
        try:
            node = loader.get_single_node()
            if node is None:
                return None, None
            if "&" in text and "*" in text:
                _check_aliases(node)
            return _construct(loader, node, text)
        finally:
            loader.dispose()
    except LoadFailed:
        raise
    except _VarAsKey as exc:
        raise var_as_key(exc.node) from None
    except Unhashable as exc:
        start = exc.mapping_node.start_mark
        raise _unhashable(text, start.line + 1, start.column + 1) from None
    except MarkedYAMLError as exc:
        raise _classify(exc, text) from None
    except YAMLError as exc:
        raise LoadFailed("SS001", f"YAML error: {exc}", 1, 1, None) from None
    except RecursionError:
        raise LoadFailed(
            "SS010", f"nesting is deeper than {MAX_DEPTH} levels", 1, 1, None
        ) from None


def _mark(exc: Any) -> tuple[int, int]:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return 1, 1
    return mark.line + 1, mark.column + 1


def _classify(exc: Any, text: str) -> LoadFailed:
    from ruamel.yaml.composer import ComposerError
    from ruamel.yaml.constructor import DuplicateKeyError

    problem = str(exc.problem or "").strip()
    line, col = _mark(exc)
    if isinstance(exc, DuplicateKeyError):
        key = re.search(r'duplicate key "(.*)" with value', problem)
        name = f" `{key.group(1)}`" if key else ""
        first = exc.context_mark
        where = ""
        if first is not None:
            where = f" (the mapping starts at line {first.line + 1})"
        return LoadFailed(
            "SS002",
            f"duplicate key{name}{where}",
            line,
            col,
            "each key may appear once in a mapping; remove or merge the duplicate",
        )
    if isinstance(exc, ComposerError) and "another document" in problem:
        return LoadFailed(
            "SS006",
            "several YAML documents in one file: one job per file",
            line,
            col,
            "split the documents into separate files",
        )
    if isinstance(exc, ComposerError) and "undefined alias" in problem:
        return LoadFailed("SS001", problem, line, col, None)
    if "unhashable key" in problem:
        start = exc.context_mark
        if start is not None:
            line, col = start.line + 1, start.column + 1
        return _unhashable(text, line, col)
    if "could not determine a constructor" in problem or "unsupported tag" in problem:
        tag = re.search(r"'([^']*)'", problem)
        name = tag.group(1) if tag else "?"
        return unsupported_tag(name, line, col)
    tab_line = _tab_indented_line(text, line)
    if tab_line is not None:
        return LoadFailed(
            "SS003",
            "tab character used for indentation",
            tab_line,
            1,
            "YAML indents with spaces only; replace the tab(s) with spaces",
        )
    context = str(exc.context or "").strip()
    message = f"{context}: {problem}" if context else problem
    return LoadFailed("SS001", f"YAML syntax error: {message}", line, col, None)


def _unhashable(text: str, line: int, col: int) -> LoadFailed:
    """A mapping or list used as a key, in the mapping starting at ``line``:``col``."""
    lines = text.split("\n")
    source = lines[line - 1] if 0 < line <= len(lines) else ""
    found = re.search(r"\{\{.*?\}\}", source)
    if found is not None:
        expr = found.group(0)
        return LoadFailed(
            UNQUOTED_PLACEHOLDER,
            f"unquoted placeholder {expr} is read by YAML as a nested mapping",
            line,
            col,
            f'quote it: "{expr}"',
        )
    return LoadFailed(
        "SS001",
        "a mapping or list is used as a mapping key",
        line,
        col,
        "if this is a {{ placeholder }}, quote it",
    )


def _tab_indented_line(text: str, near: int) -> int | None:
    """The line (1-based) whose indentation has a tab, at or before ``near``, if any."""
    lines = text.split("\n")
    candidates = [
        i + 1
        for i, line in enumerate(lines[: max(near, 1)])
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]
    ]
    return candidates[-1] if candidates else None


_LABEL_RE = re.compile(r"""^(?:label|"label"|'label')[ \t]*:""", re.MULTILINE)


def label_line(text: str | None) -> int:
    """1-based line of the top-level ``label:`` key, found without a second parse (1 if none)."""
    if not text:
        return 1
    m = _LABEL_RE.search(text)
    return text.count("\n", 0, m.start()) + 1 if m else 1


def read_path(path: Path, display: str, *, plain: bool = False) -> Parsed:
    """Read ``path`` (at most ``MAX_BYTES`` + 1 bytes: a huge file is refused without being read
    whole) and parse it; every reader of job and case files goes through here."""
    try:
        with open(path, "rb") as fh:  # io.open directly: pathlib costs per file
            raw = read_bounded(fh)
    except OSError as exc:
        return read_and_parse(None, display, exc.strerror or type(exc).__name__)
    if len(raw) > MAX_BYTES:
        try:
            size = path.stat().st_size
        except OSError:
            size = len(raw)
        return too_large(display, max(size, len(raw)))
    return read_and_parse(raw, display, plain=plain)


# The position-less fast path. yaml-rs (a compiled YAML 1.2 parser) builds the plain data of a
# job file ~15x faster than the C composer builds its Python node graph, but it keeps no
# positions and, on a few inputs, answers differently: it ignores tags, expands merge keys and
# aliases its own way, parses several documents, types keys (`200:` -> 200; the builder keeps
# text), and recurses on the C stack. So it is used only where it cannot differ: the text has
# none of those constructs (a conservative scan: a match only costs speed) and the data it built
# holds JSON's types with text keys, within the depth bound. Anything else, and every error, goes
# through the usual loader, which gives the located answer. `tests/unit/test_plain_parse.py`
# compares both on every example, on mutants of them and on generated documents.
# Each check is a substring test first (a fast scan); the regular expression runs only then.
# Tabs, CR, other control characters; non-ASCII text also: YAML 1.1-only line breaks, a BOM
# inside, and characters YAML refuses (ruamel reports them).
_PLAIN_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")
_PLAIN_NON_ASCII = re.compile(r"[\x80-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
_PLAIN_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
_PLAIN_MARKERS = re.compile(r"^(?:---|\.\.\.|%)", re.MULTILINE)  # documents, directives
# ``_depth_upper_bound``'s markers without tabs (refused before)
_PLAIN_DEPTH_MARKERS = ("[", "{", "- ", "? ", ": ")


def _plain_unsafe(text: str) -> bool:
    """Whether ``text`` may hold something the compiled parser answers differently (see above)."""
    if "<<" in text or _PLAIN_CONTROL.search(text) is not None:
        return True
    if not text.isascii() and _PLAIN_NON_ASCII.search(text) is not None:
        return True
    if ("---" in text or "..." in text or "%" in text) and _PLAIN_MARKERS.search(text):
        return True
    if "\\U" in text or ("\\u" in text and _PLAIN_SURROGATE.search(text) is not None):
        return True  # yaml-rs joins `\ud800\udc00`; libyaml refuses surrogates in escapes
    if not text.endswith("\n") and ("|" in text or ">" in text):
        return True  # a kept block scalar at the very end: yaml-rs adds a line break
    blocks = _block_scalars(text)
    if blocks is None:
        return True
    # indicators where a token starts, outside block scalars: anchors, aliases, tags, reserved
    # characters (yaml-rs reads some of them as plain text)
    for mark in "&*!@`%?":
        at = text.find(mark)
        while at != -1:
            if (
                _token_before(text, at) is not None
                and not _inside(blocks, at)
                and (mark != "!" or text[at + 1 : at + 2] != "=")  # JSONata's `!=`
            ):
                return True
            at = text.find(mark, at + 1)
    for mark in "[{":
        at = text.find(mark)
        while at != -1:
            # where a flow collection starts in block context; it is scanned whole (a `{` after
            # `[{,` is nested in one, or inside a quoted string: "{{args.x}}")
            before = _token_before(text, at)
            if before in _BLOCK_TOKEN and not _inside(blocks, at) and _unsafe_flow(text, at):
                return True
            at = text.find(mark, at + 1)
    return False


def _inside(blocks: list[tuple[int, int]], at: int) -> bool:
    return any(start <= at < end for start, end in blocks)


def _block_scalars(text: str) -> list[tuple[int, int]] | None:
    """Where the contents of the block scalars (`key: |`) are, as (start, end) indexes; None
    if one of them is not plain: a header with an indentation or keep indicator, an empty or
    under-indented first line, or `|`/`>` where a token starts elsewhere than as a value."""
    found = sorted(at for mark in "|>" for at in _all(text, mark))
    blocks: list[tuple[int, int]] = []
    for at in found:
        if blocks and at < blocks[-1][1]:
            continue  # in a block scalar's text
        before = _token_before(text, at)
        if before is None:
            continue  # inside a scalar: `a > b`
        header = _BLOCK_HEADER.match(text, at + 1)
        if before not in ":-" or header is None:
            return None
        line_start = text.rfind("\n", 0, at) + 1
        parent = line_start
        while text.startswith(("- ", " "), parent):  # the key (or item) this value belongs to
            parent += 2 if text[parent] == "-" else 1
        if before == "-":
            parent = at - 2  # `- |`: the item's dash
        start = header.end() - 1
        content_start = text.rfind("\n", 0, start) + 1
        indent = start - content_start
        if indent <= parent - line_start:
            return None
        end = content_start
        while end < len(text):
            line_end = text.find("\n", end)
            line_end = len(text) if line_end == -1 else line_end + 1
            line = text[end:line_end]
            if line.strip(" \n") and len(line) - len(line.lstrip(" ")) < indent:
                break
            end = line_end
        blocks.append((content_start, end))
    return blocks


def _all(text: str, mark: str) -> list[int]:
    out = []
    at = text.find(mark)
    while at != -1:
        out.append(at)
        at = text.find(mark, at + 1)
    return out


_BLOCK_TOKEN = frozenset("\n:-?")


def _unsafe_flow(text: str, at: int) -> bool:
    """Whether the flow collection starting at ``at`` has a `:` that is not followed by a space
    (libyaml refuses `{type:string}`; yaml-rs reads it), a `?` or a comment, or does not end."""
    depth, end, quote = 0, len(text), ""
    while at < end:
        ch = text[at]
        if quote:
            if ch == "\\" and quote == '"':
                at += 1
            elif ch == quote:
                quote = ""
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if not depth:
                return False
        elif ch == ":" and text[at + 1 : at + 2] not in (" ", "\n"):
            return True
        elif ch in "#?":
            return True  # comments, `a?b` (libyaml refuses it) inside flow collections
        at += 1
    return True


def _token_before(text: str, at: int) -> str | None:
    """The indicator before a token starting at ``at`` ("\n" at a line's start), or None when
    ``at`` is inside a scalar (conservatively: only the characters before it are looked at)."""
    end = at
    while end and text[end - 1] == " ":
        end -= 1
    if not end:
        return "\n"
    before = text[end - 1]
    if before in "\n[{,":
        return before
    if before == ":" and end < at:
        return before
    if before in "-?" and end < at and (end == 1 or text[end - 2] in " \n[{,"):
        return before
    return None


_BLOCK_HEADER = re.compile(r"-?(?: +#[^\n]*)? *\n +[^ \n]")


# libyaml refuses implicit keys longer than 1024 characters; yaml-rs does not
_PLAIN_MAX_LINE = 1000
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None)})
_plain_loads: Any = None


def _plain_parser() -> Any:
    global _plain_loads  # noqa: PLW0603 - imported on first use
    if _plain_loads is None:
        try:
            from yaml_rs import loads
        except ImportError:  # no wheel for this platform: the usual loader only (slower)
            _plain_loads = False
        else:
            _plain_loads = loads
    return _plain_loads


def plain_data(text: str) -> dict[str, Any] | None:
    """The data of ``text`` from the compiled parser when it is certain to equal what
    ``parse_text`` builds; None when it is not (or when the text does not load)."""
    loads = _plain_parser()
    if not loads or _plain_unsafe(text):
        return None
    longest = max(map(len, text.split("\n")), default=0)
    if longest > _PLAIN_MAX_LINE:
        return None
    if sum(map(text.count, _PLAIN_DEPTH_MARKERS)) + 2 * longest + 2 > C_STACK_SAFE_DEPTH:
        return None  # yaml-rs recurses on the C stack too
    try:
        data = loads(text, parse_datetime=False)
    except Exception:  # every error is reported, with its position, by the usual loader
        return None
    if type(data) is not dict or not (numbers := _plain_ok(data)):
        return None
    if numbers is _NUMBERS and _odd_number(text):
        return None  # yaml-rs reads `_5`, `0X1F`, `6e_1` as numbers; the resolver as text
    return data


_NUMBERS = 2
# Number-like tokens the two resolvers read differently: underscores after a sign, dot or
# prefix, or in an exponent (`_5`, `6e_1`); `.5e1`; upper-case radix prefixes (`0X1F`). Each is
# found by a literal first (a fast scan), then its token is looked at.
_PLAIN_UNDERSCORE = re.compile(r"_(?:(?<=[\d._+\-\s:\[{,]_)|(?=[\d._]))")
_PLAIN_DOT_EXPONENT = re.compile(r"\.[\d_]*[eE]")
_NUMBER_CHARS = frozenset("-+._0123456789abcdefABCDEFxXoO")


def _odd_number(text: str) -> bool:
    if "0X" in text or "0O" in text or "0B" in text:
        return True
    for pattern in (_PLAIN_UNDERSCORE, _PLAIN_DOT_EXPONENT):
        for found in pattern.finditer(text):
            if _number_token(text, found.start()):
                return True
    return False


def _number_token(text: str, at: int) -> bool:
    """Whether the character at ``at`` is in a plain token that may be read as a number."""
    chars = _NUMBER_CHARS
    start = at
    while start and text[start - 1] in chars:
        start -= 1
    if start and text[start - 1] not in " \n:[{,":
        return False  # inside a word: `page_size`
    end = at
    while end < len(text) and text[end] in chars:
        end += 1
    return any(ch.isdigit() for ch in text[start:end])


def _plain_ok(data: dict[str, Any]) -> int:
    """Text keys, JSON's scalar types, collections less than ``MAX_DEPTH`` deep (the builder's
    SS010 bound): 0 if not, ``_NUMBERS`` if there are numbers, else 1."""
    types = _PLAIN_TYPES
    found = 1
    stack: list[tuple[Any, int]] = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth >= MAX_DEPTH:
            return 0
        if type(node) is dict:
            for key in node:
                if type(key) is not str:
                    return 0
            values = node.values()
        else:
            values = node
        for value in values:
            kind = type(value)
            if kind is dict or kind is list:
                stack.append((value, depth + 1))
            elif kind is int or kind is float:
                found = _NUMBERS
            elif kind not in types:
                return 0
    return found


def root_position(text: str) -> tuple[int, int]:
    """1-based (line, col) where the document's root node starts, for text that
    ``plain_data`` loaded as a mapping (no directives, document markers, tags or anchors): the
    first character that is not blank or in a comment."""
    for number, line in enumerate(text.split("\n"), start=1):
        stripped = line.lstrip(" ")
        if stripped and not stripped.startswith("#"):
            return number, len(line) - len(stripped) + 1
    return 1, 1
