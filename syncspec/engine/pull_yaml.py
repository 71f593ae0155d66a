"""The YAML side of ``pull``: a live job as a job file, created new or merged into an old one.

See ``pull.py`` for the rules. Every text is read back with the validator's own loader and
compared canonically with the live job before it is written; when literal blocks do not read
back exactly (trailing spaces, unusual indentation), the same document is written once more
with every multi-line string escaped, and only when that fails too is it a bug.
"""

from __future__ import annotations

import copy
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from syncspec.engine.normalize import CLIENT_FIELDS, EMPTY_OBJECT_KEYS, canonical_job
from syncspec.errors import SyncspecError
from syncspec.jobfile.shape.runtime import canonical_runtime_version
from syncspec.jobfile.vars import resolve_plain
from syncspec.jobfile.yaml.limits import MAX_BYTES
from syncspec.jobfile.yaml.loader import parse_text
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
    """Round-trip YAML; the defaults are the style of DESIGN.md's example (``  - resource:``)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    yaml.width = 4096  # never fold long strings (JSONata, placeholders) across lines
    yaml.indent(mapping=mapping, sequence=max(sequence, offset + 2), offset=offset)
    return yaml


def _mapping_indent(text: str) -> int:
    """The indentation step of nested mappings in ``text`` (2 when there is none)."""
    previous: tuple[int, bool] | None = None  # (indent, line is a bare "key:")
    for line in text.splitlines():
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        nested = previous is not None and previous[1] and indent > previous[0]
        if nested and previous is not None and not content.startswith("- "):
            return indent - previous[0]
        bare_key = content.endswith(":") and not content.startswith("- ")
        previous = (indent, bare_key)
    return 2


def _to_yaml(value: Any, escape: bool = False) -> Any:
    """Plain data -> ruamel nodes; multi-line strings become literal blocks, unless ``escape``
    (or the string holds a character a block cannot) makes them double-quoted escapes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import (
        DoubleQuotedScalarString,
        LiteralScalarString,
        SingleQuotedScalarString,
    )

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
    if isinstance(value, str) and _ambiguous(value):
        return SingleQuotedScalarString(value)
    return value


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


def _var_name(node: Any) -> str | None:
    """The NAME of a round-trip ``!var NAME`` node (None for anything else)."""
    from ruamel.yaml.comments import TaggedScalar

    if isinstance(node, TaggedScalar) and node.tag.value == "!var":
        return str(node.value)
    return None


def _same_value(a: Any, b: Any) -> bool:
    """JSON equality: ``1`` is not ``True``, ``1`` is not ``"1"``."""
    import json

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


def _merge(
    old: Any, new: Any, escape: bool = False, values: Mapping[str, Any] | None = None
) -> Any:
    """Merge plain ``new`` into the round-trip node ``old``, keeping what is already equal.

    A ``!var NAME`` stays where the profile's value of NAME equals the live value: pull never
    writes a resolved value over a tag (issue 20); where they differ, the live value is written.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    values = values or {}
    name = _var_name(old)
    if name is not None:
        if name in values and _same_value(values[name], new):
            return old
        return _to_yaml(new, escape)
    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = (
                _merge(old[key], value, escape, values) if key in old else _to_yaml(value, escape)
            )
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value, escape, values)
        return old
    if not isinstance(old, Mapping | list) and _same_scalar(old, new):
        return old
    return _to_yaml(new, escape)


def _dump(yaml: Any, data: Any) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def _reads_back(
    text: str, job: Mapping[str, Any], where: Path, values: Mapping[str, Any] | None = None
) -> bool:
    # The validator's own loader: what plan will read is what is checked here.
    data = parse_text(text, str(where)).data
    if data is None:
        return False
    data, missing = resolve_plain(data, values or {})
    return not missing and canonical_job(data) == canonical_job(job)


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


def create_file(path: Path, job: Mapping[str, Any], *, pin: bool, schema: str) -> None:
    job = redact_data(dict(job))  # a token the server echoes never reaches a file (issue 22)
    document = client_document(job, pin=pin)
    for escape in (False, True):  # literal blocks first; escaped strings if they do not read back
        body = _dump(_yaml(), _to_yaml(document, escape))
        text = f"# yaml-language-server: $schema={schema}\n{body}"
        _check_size(text, path)
        if _reads_back(text, job, path):
            break
    else:
        raise _not_read_back(job, path)
    # "x": O_EXCL, so an existing file or symlink is never followed or overwritten.
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def update_file(
    path: Path,
    job: Mapping[str, Any],
    *,
    pin: bool,
    renamed_from: str | None = None,
    values: Mapping[str, Any] | None = None,
) -> Literal["updated", "unchanged"]:
    """Merge the live job into the file; ``renamed_from``: the file's old label, added to its
    ``renamed_from`` (the job was renamed in the dashboard: other environments follow);
    ``values``: the active profile's ``!var`` values (a tag whose value equals the live value
    is kept)."""
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.util import load_yaml_guess_indent

    job = redact_data(dict(job))  # as in create_file
    original = path.read_text(encoding="utf-8")
    data, seq_indent, seq_offset = load_yaml_guess_indent(original, yaml=_yaml())
    if not isinstance(data, CommentedMap):
        raise PullError(f"{path}: not a mapping; fix or remove the file and pull again")
    wanted = client_document(job, pin=pin)
    job_id = str(job.get("id"))
    pin_ok = not pin or str(data.get("id")) == job_id
    values = values or {}
    if pin_ok and _same_job(resolved(data, values), job):
        return "unchanged"
    yaml = _yaml(
        mapping=_mapping_indent(original),
        sequence=seq_indent if seq_indent is not None else 4,
        offset=seq_offset if seq_offset is not None else 2,
    )
    for escape in (False, True):  # as in _create_file
        # The second try starts from the file again: parsed anew, not deep-copied (ruamel's
        # deepcopy of a long document is quadratic: a 3,000-node job took minutes, issue 22).
        merged = load_yaml_guess_indent(original, yaml=_yaml())[0] if escape else data
        _merge_document(merged, wanted, job_id, pin=pin, escape=escape, values=values)
        if renamed_from is not None:
            _add_renamed_from(merged, renamed_from)
        text = _dump(yaml, merged)
        _check_size(text, path)
        if _reads_back(text, job, path, values):
            break
    else:
        raise _not_read_back(job, path)
    _atomic_write(path, text)
    return "updated"


def _same_job(data: Any, job: Mapping[str, Any]) -> bool:
    from syncspec.engine.normalize import canonical_job

    try:
        return bool(canonical_job(data) == canonical_job(job))
    except (TypeError, ValueError):  # a `!var` without a value in this profile
        return False


def _merge_document(
    data: Any,
    wanted: Mapping[str, Any],
    job_id: str,
    *,
    pin: bool,
    escape: bool,
    values: Mapping[str, Any],
) -> None:

    order = ["label", "id", *CLIENT_FIELDS]
    for name in order:
        if name == "id":
            if pin and str(data.get("id")) != job_id:
                _insert(data, "id", job_id, order)
            continue
        if name in CLIENT_FIELDS and _same_job(
            {name: resolved(data.get(name), values)}, {name: wanted.get(name)}
        ):
            continue
        if name in wanted:
            if name in data:
                data[name] = _merge(data[name], wanted[name], escape, values)
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


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
