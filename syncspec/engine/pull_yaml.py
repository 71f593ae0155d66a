"""The YAML side of ``pull``: a live job as a job file, created new or merged into an old one.

See ``pull.py`` for the rules. Every text is read back with the validator's own loader and
compared canonically with the live job before it is written; when literal blocks do not read
back exactly (trailing spaces, unusual indentation), the same document is written once more
with every multi-line string escaped, and only when that fails too is it a bug.
"""

from __future__ import annotations

import contextvars
import copy
import io
import json
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any

from syncspec.engine.normalize import CLIENT_FIELDS, EMPTY_OBJECT_KEYS, canonical_job
from syncspec.errors import SyncspecError
from syncspec.jobfile.shape.runtime import canonical_runtime_version
from syncspec.jobfile.vars import resolve_plain
from syncspec.jobfile.yaml.limits import MAX_BYTES
from syncspec.jobfile.yaml.loader import parse_text
from syncspec.jobfile.yaml.roundtrip import replace_text
from syncspec.redact import redact_data


class PullError(SyncspecError):
    pass


# Keys of a resource item shown first, in this order (legacy and V4 shapes); others keep theirs.
_RESOURCE_KEY_ORDER = (
    "name",
    "type",
    "resource",
    "method",
    "integrated_account_id",
    "id",
    "depends_on",
    "loop_on",
    "run_if",
)

# Characters a YAML block scalar cannot carry as they are (line breaks other than \n are
# normalised by readers, control characters are not printable): such strings are escaped.
_BLOCK_UNSAFE = re.compile("[\r\x85\u2028\u2029\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def label_of(job: Mapping[str, Any]) -> str:
    value = job.get("label")
    return "" if value is None else str(value)


def client_document(job: Mapping[str, Any], *, pin: bool) -> dict[str, Any]:
    """The client-managed fields of a live job, as a file holds them (label first)."""

    doc: dict[str, Any] = {"label": label_of(job)}
    if pin:
        doc["id"] = str(job.get("id"))
    for name in CLIENT_FIELDS:
        value = job.get(name)
        if name == "label" or value is None:
            continue
        if name == "default_runtime_version":
            value = canonical_runtime_version(value)  # "4" (TypeScript SDK) is written 4
        if name == "resources" and isinstance(value, list):
            value = [_tidy_resource(item) for item in value]
        doc[name] = value
    return doc


def _tidy_resource(item: Any) -> Any:
    """Drop keys that mean "absent" (null, empty query/body: see normalize.py) and put the
    identifying keys first: the API may return keys sorted, which reads badly."""
    if not isinstance(item, Mapping):
        return item
    kept = {
        k: v for k, v in item.items() if v is not None and not (k in EMPTY_OBJECT_KEYS and v == {})
    }
    first = {k: kept[k] for k in _RESOURCE_KEY_ORDER if k in kept}
    return {**first, **{k: v for k, v in kept.items() if k not in first}}


def _yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> Any:
    from syncspec.jobfile.yaml.roundtrip import rt_yaml

    return rt_yaml(mapping, sequence, offset)


def _to_yaml(value: Any, escape: bool = False) -> Any:
    """Plain data -> ruamel nodes; multi-line strings become literal blocks, unless ``escape``
    (or the string holds a character a block cannot) makes them double-quoted escapes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString, LiteralScalarString

    if isinstance(value, Mapping):
        cmap = CommentedMap()
        for k, v in value.items():
            cmap[str(k)] = _to_yaml(v, escape)
        return cmap
    if isinstance(value, list | tuple):
        return CommentedSeq(_to_yaml(v, escape) for v in value)
    if isinstance(value, str) and (_BLOCK_UNSAFE.search(value) or (escape and "\n" in value)):
        return DoubleQuotedScalarString(value)
    if isinstance(value, str) and "\n" in value:
        return LiteralScalarString(value)
    if isinstance(value, str) and (_ambiguous(value) or not _plain_ok(value)):
        # double quotes, as the examples and README write placeholders ("{{args.x}}"); ruamel
        # would pick single quotes
        return DoubleQuotedScalarString(value)
    return value


_ANALYZER: Any = None


def _plain_ok(text: str) -> bool:
    """Whether ruamel would write ``text`` plain in block context (else it quotes it)."""
    global _ANALYZER  # noqa: PLW0603 - built once, on first use
    if _ANALYZER is None:
        yaml = _yaml()
        yaml._output = io.StringIO()  # the emitter and its serializer are made for an output
        _ANALYZER = yaml.emitter
        assert yaml.serializer is not None
    return bool(text) and bool(_ANALYZER.analyze_scalar(text).allow_block_plain)


_RESOLVER_11: Any = None


def _ambiguous(text: str) -> bool:
    """True when a YAML 1.1 reader would not read ``text`` back as a string (``on``, ``1_0``).

    The emitter quotes what YAML 1.2 would misread; the validator's loader and many editors still
    resolve scalars the YAML 1.1 way, so those are quoted too.
    """
    global _RESOLVER_11  # noqa: PLW0603 - built once, on first use
    from ruamel.yaml.nodes import ScalarNode

    if _RESOLVER_11 is None:
        from ruamel.yaml.resolver import VersionedResolver

        _RESOLVER_11 = VersionedResolver(version=(1, 1))
    tag = _RESOLVER_11.resolve(ScalarNode, text, (True, False))
    return str(tag) != "tag:yaml.org,2002:str"


def _same_scalar(old: Any, new: Any) -> bool:
    if isinstance(old, bool) != isinstance(new, bool):
        return False
    if isinstance(old, str) != isinstance(new, str):
        return False
    try:
        return bool(old == new)
    except Exception:  # pragma: no cover - exotic ruamel scalar types
        return False


# The active profile's ``!var`` values while a file is merged (``updated_file_text``).
_VALUES: contextvars.ContextVar[Mapping[str, Any]] = contextvars.ContextVar(
    "values", default=MappingProxyType({})
)


def _var_name(node: Any) -> str | None:
    """The NAME of a round-trip ``!var NAME`` node (None for anything else)."""
    from ruamel.yaml.comments import TaggedScalar

    if isinstance(node, TaggedScalar) and node.tag.value == "!var":
        return str(node.value)
    return None


def _same_value(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` is not ``True``, ``1`` is not ``"1"``."""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def resolved(node: Any, values: Mapping[str, Any]) -> Any:
    """A round-trip node as plain data, each ``!var`` with a value replaced by it (issue 20)."""
    name = _var_name(node)
    if name is not None:
        return copy.deepcopy(values[name]) if name in values else node
    if isinstance(node, Mapping):
        return {k: resolved(v, values) for k, v in node.items()}
    if isinstance(node, list):
        return [resolved(v, values) for v in node]
    return node


def _merge(old: Any, new: Any, escape: bool = False, owner: tuple[Any, Any] | None = None) -> Any:
    """Merge plain ``new`` into the round-trip node ``old``, keeping what is already equal.
    ``owner``: the mapping and key holding ``old`` (it keeps the comment above a list's first
    item). A ``!var NAME`` stays where the profile's value of NAME equals the live value: pull
    never writes a resolved value over a tag (issue 20); where they differ, the live value is
    written."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    name = _var_name(old)
    if name is not None:
        values = _VALUES.get()
        if name in values and _same_value(values[name], new):
            return old
        return _to_yaml(new, escape)

    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = (
                _merge(old[key], value, escape, (old, key))
                if key in old
                else _to_yaml(value, escape)
            )
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        return _merge_seq(old, new, escape, owner)
    if not isinstance(old, Mapping | list) and _same_scalar(old, new):
        return old
    return _to_yaml(new, escape)


def _identities(items: Sequence[Any], by_name: bool) -> list[Hashable]:
    """What binds an item of an old list to one of the new list: its ``name`` (V4 nodes) or
    ``resource`` + ``method`` (legacy items) when ``by_name``, else its value; the n-th
    occurrence of a repeated identity is told apart by n."""
    bases: list[Hashable] = []
    for item in items:
        if by_name and isinstance(item, Mapping) and isinstance(item.get("name"), str):
            bases.append(("name", item["name"]))
        elif by_name and isinstance(item, Mapping):
            bases.append(("resource", str(item.get("resource")), str(item.get("method"))))
        else:
            bases.append(("value", json.dumps(item, sort_keys=True, default=str)))
    seen: dict[Hashable, int] = {}
    keys: list[Hashable] = []
    for base in bases:
        seen[base] = seen.get(base, -1) + 1
        keys.append((base, seen[base]))
    return keys


def _named(items: Sequence[Any]) -> bool:
    return bool(items) and all(
        isinstance(i, Mapping) and (isinstance(i.get("name"), str) or "resource" in i)
        for i in items
    )


def _merge_seq(old: Any, new: list[Any], escape: bool, owner: tuple[Any, Any] | None = None) -> Any:
    """Merge list ``new`` into the round-trip list ``old`` item by item.

    Nodes are matched by name (V4) or resource + method (legacy), so a node the dashboard adds,
    removes or moves changes only its own lines: the other nodes keep their comments, key order
    and quoting. Lists of other values are merged index by index when their length is the same,
    else matched by value. The comment lines written above a node belong to it: they stay above
    it when nodes move, and go with it when the node is removed.
    """
    by_name = _named(old) and _named(new)
    if not by_name and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value, escape)
        return old
    old_keys = _identities(old, by_name)
    new_keys = _identities(new, by_name)
    if old_keys == new_keys:
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value, escape)
        return old
    _pair_renamed(old, new, old_keys, new_keys)
    leading, tail = _detach_leading_comments(old, old_keys)
    first = _detach_first_comment(owner)
    if first and old_keys:
        leading[old_keys[0]] = first
    wanted = set(new_keys)
    for i in reversed(range(len(old))):
        if old_keys[i] not in wanted:
            del old[i]  # ruamel shifts the comments of the items after it
            del old_keys[i]
    for target, (key, value) in enumerate(zip(new_keys, new, strict=True)):
        if key in old_keys[target:]:
            current = old_keys.index(key, target)
            if current != target:
                _move(old, current, target)
                old_keys.insert(target, old_keys.pop(current))
            old[target] = _merge(old[target], value, escape)
        else:
            old.insert(target, _to_yaml(value, escape))
            old_keys.insert(target, key)
    for i in range(1, len(old)):
        if old_keys[i] in leading:
            _append_comment(old, i - 1, leading[old_keys[i]])
    if tail and len(old):
        _append_comment(old, len(old) - 1, tail)
    if owner is not None and old_keys and old_keys[0] in leading:
        _attach_first_comment(owner, leading[old_keys[0]])
    return old


def _detach_first_comment(owner: tuple[Any, Any] | None) -> str:
    """The comment lines above a list's first item (ruamel keeps them on the key that holds the
    list), as text; they are taken off."""
    if owner is None:
        return ""
    parent, key = owner
    entry = parent.ca.items.get(key)
    if entry is None or len(entry) < 4 or not entry[3]:
        return ""
    text = "".join(" " * _column(token) + token.value for token in entry[3])
    entry[3] = None
    return text


def _attach_first_comment(owner: tuple[Any, Any], text: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    tokens: list[Any] = []
    for line in text.split("\n")[:-1]:
        if not line.strip():
            if tokens:
                tokens[-1].value += "\n"
            continue
        indent = len(line) - len(line.lstrip(" "))
        tokens.append(CommentToken(line.strip() + "\n", CommentMark(indent)))
    if tokens:
        parent, key = owner
        entry = parent.ca.items.setdefault(key, [None, None, None, None])
        while len(entry) < 4:
            entry.append(None)
        entry[3] = tokens


def _column(token: Any) -> int:
    mark = getattr(token, "start_mark", None)
    column = getattr(mark, "column", None)
    return column if isinstance(column, int) else 0


def _pair_renamed(
    old: Sequence[Any], new: Sequence[Any], old_keys: list[Hashable], new_keys: list[Hashable]
) -> None:
    """An item whose identity changed in place (a renamed node, a legacy item's new method) is
    an edit, not a removal and an addition: an old item that lost its identity and a new item
    with a new one, at the same index, of the same type and resource, are paired (the old item
    is merged: its comments stay)."""
    new_set, old_set = set(new_keys), set(old_keys)
    for index, key in enumerate(old_keys):
        if key in new_set or index >= len(new_keys) or new_keys[index] in old_set:
            continue
        before, after = old[index], new[index]
        if (
            isinstance(before, Mapping)
            and isinstance(after, Mapping)
            and before.get("type") == after.get("type")
            and before.get("resource") == after.get("resource")
        ):
            old_keys[index] = new_keys[index]


def _move(seq: Any, current: int, target: int) -> None:
    comment = seq.ca.items.get(current)
    item = seq[current]
    del seq[current]
    seq.insert(target, item)
    if comment is not None:
        seq.ca.items[target] = comment


def _tail_slot(node: Any) -> tuple[Any, Any, int] | None:
    """Where ruamel keeps the comment lines that follow ``node``: the post-comment of its last
    (deepest) key or item, as ``(container, key, position in ca.items)``."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(node, CommentedMap) and node and not node.fa.flow_style():
        key = list(node)[-1]
        return _tail_slot(node[key]) or (node, key, 2)
    if isinstance(node, CommentedSeq) and node and not node.fa.flow_style():
        index = len(node) - 1
        return _tail_slot(node[index]) or (node, index, 0)
    return None


def _item_slot(seq: Any, index: int) -> tuple[Any, Any, int]:
    return _tail_slot(seq[index]) or (seq, index, 0)


def _detach_leading_comments(seq: Any, keys: Sequence[Hashable]) -> tuple[dict[Hashable, str], str]:
    """Take the full comment lines after each item off it: they belong to the next item (the
    ``leading`` dict, by that item's identity) or, after the last item, to what follows the list
    (``tail``). The end-of-line comment stays on its item."""
    leading: dict[Hashable, str] = {}
    tail = ""
    for i in range(len(seq)):
        container, key, position = _item_slot(seq, i)
        entry = container.ca.items.get(key)
        token = entry[position] if entry is not None and len(entry) > position else None
        if token is None or "\n" not in token.value:
            continue
        eol, rest = token.value.split("\n", 1)
        if not rest:
            continue
        if i + 1 < len(seq):
            leading[keys[i + 1]] = rest
        else:
            tail = rest
        if eol.strip():
            token.value = eol + "\n"
        else:
            entry[position] = None
            if not any(entry):
                del container.ca.items[key]
    return leading, tail


def _append_comment(seq: Any, index: int, lines: str) -> None:
    from ruamel.yaml.error import CommentMark
    from ruamel.yaml.tokens import CommentToken

    container, key, position = _item_slot(seq, index)
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= position:
        entry.append(None)
    token = entry[position]
    if token is None:
        entry[position] = CommentToken("\n" + lines, CommentMark(0))
    else:
        token.value = (token.value if token.value.endswith("\n") else token.value + "\n") + lines


def _dump(yaml: Any, data: Any) -> str:
    from syncspec.jobfile.yaml.roundtrip import dump

    return dump(yaml, data)


def _reads_back(
    text: str, job: Mapping[str, Any], where: Path, values: Mapping[str, Any] | None = None
) -> bool:
    # The validator's own loader: what plan will read is what is checked here.
    data = parse_text(text, str(where)).data
    if data is None:
        return False
    data, missing = resolve_plain(data, values or {})
    return not missing and canonical_job(data) == canonical_job(job)


def _same_job(data: Any, job: Mapping[str, Any]) -> bool:
    try:
        return bool(canonical_job(data) == canonical_job(job))
    except (TypeError, ValueError):  # a `!var` without a value in this profile
        return False


def _check_size(text: str, where: Path) -> None:
    size = len(text.encode("utf-8"))
    if size > MAX_BYTES:
        raise PullError(
            f"{where.name}: the job would be a {size:,}-byte file, over the {MAX_BYTES:,}-byte "
            "limit of a job file; not written (shrink the job in Truto)"
        )


def _not_read_back(job: Mapping[str, Any], where: Path) -> PullError:
    return PullError(
        f"{where.name}: the YAML pull would write does not read back as the live job "
        f"{job.get('id')}; nothing was written to this file. This is a bug in syncspec: "
        "please report it"
    )


def new_file_text(path: Path, job: Mapping[str, Any], *, pin: bool, schema: str) -> str:
    """The text of a new job file for ``job`` (``syncspec fmt``'s layout)."""
    from syncspec.jobfile.fmt import format_text

    job = redact_data(dict(job))  # a token the server echoes never reaches a file (issue 22)
    document = client_document(job, pin=pin)
    for escape in (False, True):  # literal blocks first; escaped strings if they do not read back
        body = _dump(_yaml(), _to_yaml(document, escape))
        text = format_text(f"# yaml-language-server: $schema={schema}\n{body}", str(path))
        _check_size(text, path)
        if _reads_back(text, job, path):
            return text
    raise _not_read_back(job, path)


def write_new_file(path: Path, text: str) -> None:
    # "x": O_EXCL, so an existing file or symlink is never followed or overwritten.
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def read_file_text(path: Path) -> str:
    """A job file's text as it is on disk, line endings included (not translated)."""
    with path.open(encoding="utf-8", newline="") as fh:
        text = fh.read(MAX_BYTES + 1)
    if len(text) > MAX_BYTES:
        raise PullError(f"{path.name}: over the {MAX_BYTES:,}-byte limit of a job file")
    return text


def updated_file_text(
    path: Path,
    job: Mapping[str, Any],
    *,
    pin: bool,
    renamed_from: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> tuple[str, str | None]:
    """``(the file's text, its text with ``job`` merged in)``, the second None when the file
    already describes ``job``. Both keep the file's line endings (CRLF stays CRLF).
    ``renamed_from``: the file's old label, added to its ``renamed_from`` (the job was renamed
    in the dashboard: other environments follow); ``values``: the active profile's ``!var``
    values (a tag whose value equals the live value is kept)."""
    token = _VALUES.set(values or {})
    try:
        return _updated_file_text(path, job, pin=pin, renamed_from=renamed_from)
    finally:
        _VALUES.reset(token)


def _updated_file_text(
    path: Path, job: Mapping[str, Any], *, pin: bool, renamed_from: str | None
) -> tuple[str, str | None]:
    from ruamel.yaml.comments import CommentedMap

    from syncspec.jobfile.yaml.roundtrip import (
        exact_floats,
        newline_of,
        styled_yaml,
        with_newlines,
    )

    job = redact_data(dict(job))  # as in new_file_text
    original = read_file_text(path)
    newline = newline_of(original)
    source = original.replace("\r\n", "\n")
    yaml, data = styled_yaml(source)
    if not isinstance(data, CommentedMap):
        raise PullError(f"{path}: not a mapping; fix or remove the file and pull again")
    exact_floats(data)
    wanted = client_document(job, pin=pin)
    job_id = str(job.get("id"))
    pin_ok = not pin or str(data.get("id")) == job_id
    values = _VALUES.get()
    if pin_ok and _same_job(resolved(data, values), job):
        return original, None
    for escape in (False, True):  # as in new_file_text
        # The second try starts from the file again: parsed anew, not deep-copied (ruamel's
        # deepcopy of a long document is quadratic: a 3,000-node job took minutes, issue 22).
        merged = data
        if escape:
            merged = styled_yaml(source)[1]
            exact_floats(merged)
        _merge_document(merged, wanted, job_id, pin=pin, escape=escape)
        if renamed_from is not None:
            _add_renamed_from(merged, renamed_from)
        text = _dump(yaml, merged)
        _check_size(text, path)
        if _reads_back(text, job, path, values):
            return original, with_newlines(text, newline)
    raise _not_read_back(job, path)


def _merge_document(
    data: Any, wanted: Mapping[str, Any], job_id: str, *, pin: bool, escape: bool
) -> None:

    order = ["label", "id", *CLIENT_FIELDS]
    for name in order:
        if name == "id":
            if pin and str(data.get("id")) != job_id:
                _insert(data, "id", job_id, order)
            continue
        if name in CLIENT_FIELDS and _same_job(
            {name: resolved(data.get(name), _VALUES.get())}, {name: wanted.get(name)}
        ):
            continue
        if name in wanted:
            if name in data:
                data[name] = _merge(data[name], wanted[name], escape, (data, name))
            else:
                _insert(data, name, _to_yaml(wanted[name], escape), order)
        elif name in data:
            del data[name]


def _add_renamed_from(data: Any, old: str) -> None:
    """Add ``old`` to the document's ``renamed_from`` (a flow list right after ``label``)."""
    from ruamel.yaml.comments import CommentedSeq

    current = data.get("renamed_from")
    if isinstance(current, list):
        if old not in current:
            current.append(old)
        return
    seq = CommentedSeq([old])
    seq.fa.set_flow_style()
    _insert(data, "renamed_from", seq, ["label", "renamed_from"])


def _insert(data: Any, key: str, value: Any, order: Iterable[str]) -> None:
    """Insert ``key`` after the last present key that precedes it in ``order``."""
    if key in data:
        data[key] = value
        return
    before = list(order)[: list(order).index(key)]
    keys = list(data)
    position = 0
    for i, existing in enumerate(keys):
        if existing in before:
            position = i + 1
    data.insert(position, key, value)


def write_updated_file(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically (its line endings as they are in ``text``)."""
    replace_text(path, text)
