"""``pull``: write live jobs into ``jobs/`` as YAML, so that the next plan shows no changes.

Binding a live job to a file follows the plan's identity rules: a file's pinned ``id`` first, then
its ``label``. A label carried by several live jobs is pulled with a pinned ``id`` for each (an
existing unpinned file with that label keeps the oldest of them and gains the ``id``).

Existing files are edited in place with ruamel's round-trip loader: only fields whose canonical
value differs are rewritten, nested values are merged item by item, so comments, key order and
quoting survive. New files are named from the label (sanitized: labels come from the server and
may be ``../../x``, ``/etc/x``, empty, unicode, very long, or collide) and are created with
``O_EXCL`` inside the jobs directory only. Every written text is read back and compared
canonically with the live job before it is written: a difference is a bug, never a silent drift.
"""

from __future__ import annotations

import fnmatch
import hashlib
import io
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from syncspec.engine.normalize import EMPTY_OBJECT_KEYS
from syncspec.errors import SyncspecError
from syncspec.jobfile.jobs import LocalJob

SCHEMA_RELPATH = Path("schemas") / "sync-job.schema.json"
MAX_STEM = 64
_UNSAFE = re.compile(r"[^a-z0-9._-]+")
_WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"}
    | {f"com{i}" for i in range(1, 10)}
    | {f"lpt{i}" for i in range(1, 10)}
)

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

Status = Literal["created", "updated", "unchanged", "skipped"]


@dataclass(frozen=True)
class PulledFile:
    path: Path
    display: str
    label: str
    job_id: str
    status: Status
    pinned: bool = False
    reason: str | None = None  # why a job was skipped


@dataclass
class PullResult:
    files: list[PulledFile] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for f in self.files if f.status == status)


class PullError(SyncspecError):
    pass


def safe_file_stem(label: str) -> str:
    """A file name stem for ``label`` that is safe on every OS and never a path.

    ASCII letters, digits, ``.``, ``_`` and ``-`` only, lower case, no leading dot or dash, at most
    ``MAX_STEM`` characters. When sanitizing loses most of the label (unicode, very long), a
    short hash of the label keeps different labels apart.
    """
    ascii_text = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode()
    stem = _UNSAFE.sub("-", ascii_text.lower())
    stem = re.sub(r"-{2,}", "-", stem).strip(".-_")
    digest = hashlib.sha256(label.encode()).hexdigest()[:8]
    if not stem:
        return f"job-{digest}"
    if len(stem) > MAX_STEM:
        stem = f"{stem[: MAX_STEM - 9].rstrip('.-_')}-{digest}"
    if stem.split(".")[0] in _WINDOWS_RESERVED:
        stem = f"{stem}-job"
    return stem


def pull_jobs(
    live_jobs: Sequence[Mapping[str, Any]],
    local_jobs: Sequence[LocalJob],
    *,
    jobs_dir: Path,
    root: Path,
    label_globs: Sequence[str] = (),
) -> PullResult:
    """Write the live jobs matching ``label_globs`` (all when empty) into ``jobs_dir``."""
    label_counts: dict[str, int] = {}
    for job in live_jobs:
        label = _label(job)
        label_counts[label] = label_counts.get(label, 0) + 1
    selected = sorted(
        (j for j in live_jobs if _selected(_label(j), label_globs)),
        key=lambda j: (_label(j), str(j.get("created_at") or ""), str(j.get("id"))),
    )

    by_id = {lj.pinned_id: lj for lj in local_jobs if lj.pinned_id}
    by_label: dict[str, LocalJob] = {}
    for lj in local_jobs:
        if not lj.pinned_id:
            by_label.setdefault(lj.label, lj)

    # Pass 1: pinned ids bind first; pass 2: labels (an unpinned file takes the oldest job).
    bound: dict[str, LocalJob] = {}
    for job in selected:
        pinned = by_id.get(str(job.get("id")))
        if pinned is not None:
            bound[str(job.get("id"))] = pinned
    used_files = {id(lj) for lj in bound.values()}
    for job in selected:
        job_id = str(job.get("id"))
        by_name = by_label.get(_label(job))
        if job_id not in bound and by_name is not None and id(by_name) not in used_files:
            bound[job_id] = by_name
            used_files.add(id(by_name))

    jobs_dir.mkdir(parents=True, exist_ok=True)
    taken = {p.name.lower() for p in jobs_dir.iterdir()}
    result = PullResult()
    for job in selected:
        job_id = str(job.get("id"))
        label = _label(job)
        pin = label_counts[label] > 1
        existing = bound.get(job_id)
        if not label.strip():
            # A job file needs a label (SS603): such a file could never be planned.
            reason = "its label is empty; give it a label in Truto (or write its file by hand)"
            result.files.append(PulledFile(Path(), "", label, job_id, "skipped", False, reason))
            continue
        if existing is not None:
            pinned_file = pin or existing.pinned_id is not None
            status = _update_file(existing.path, job, pin=pinned_file)
            result.files.append(
                PulledFile(existing.path, existing.display, label, job_id, status, pinned_file)
            )
            continue
        stem = safe_file_stem(label)
        if pin:
            stem = f"{stem}-{safe_file_stem(job_id)[:8]}"
        path = _free_path(jobs_dir, stem, taken)
        schema = os.path.relpath(root / SCHEMA_RELPATH, path.parent)
        _create_file(path, job, pin=pin, schema=Path(schema).as_posix())
        result.files.append(PulledFile(path, _display(path, root), label, job_id, "created", pin))
    return result


def _label(job: Mapping[str, Any]) -> str:
    value = job.get("label")
    return "" if value is None else str(value)


def _selected(label: str, globs: Sequence[str]) -> bool:
    return not globs or any(fnmatch.fnmatchcase(label, g) for g in globs)


def _display(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)


def _free_path(jobs_dir: Path, stem: str, taken: set[str]) -> Path:
    name = f"{stem}.yaml"
    n = 2
    while name.lower() in taken:
        name = f"{stem}-{n}.yaml"
        n += 1
    taken.add(name.lower())
    path = jobs_dir / name
    # Defence in depth: the stem cannot contain a separator, but never trust that blindly.
    if path.resolve().parent != jobs_dir.resolve():
        raise PullError(f"refusing to write {name!r} outside {jobs_dir}")
    return path


def client_document(job: Mapping[str, Any], *, pin: bool) -> dict[str, Any]:
    """The client-managed fields of a live job, as a file holds them (label first)."""
    from syncspec.engine.normalize import CLIENT_FIELDS

    doc: dict[str, Any] = {"label": _label(job)}
    if pin:
        doc["id"] = str(job.get("id"))
    for name in CLIENT_FIELDS:
        value = job.get(name)
        if name == "label" or value is None:
            continue
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


def _to_yaml(value: Any) -> Any:
    """Plain data -> ruamel nodes; multi-line strings become literal blocks."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import LiteralScalarString, SingleQuotedScalarString

    if isinstance(value, Mapping):
        cmap = CommentedMap()
        for k, v in value.items():
            cmap[str(k)] = _to_yaml(v)
        return cmap
    if isinstance(value, list | tuple):
        return CommentedSeq(_to_yaml(v) for v in value)
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


def _merge(old: Any, new: Any) -> Any:
    """Merge plain ``new`` into the round-trip node ``old``, keeping what is already equal."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq

    if isinstance(old, CommentedMap) and isinstance(new, Mapping):
        for key in [k for k in old if k not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else _to_yaml(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list) and len(old) == len(new):
        for i, value in enumerate(new):
            old[i] = _merge(old[i], value)
        return old
    if not isinstance(old, Mapping | list) and _same_scalar(old, new):
        return old
    return _to_yaml(new)


def _dump(yaml: Any, data: Any) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def _check_reads_back(text: str, job: Mapping[str, Any], where: Path) -> None:
    from syncspec.engine.normalize import canonical_job
    from syncspec.jobfile.loader import parse_text

    # The validator's own loader: what plan will read is what is checked here.
    data = parse_text(text, str(where)).data
    if data is None or canonical_job(data) != canonical_job(job):
        raise PullError(
            f"{where}: the YAML pull would write does not read back as the live job "
            f"{job.get('id')}; nothing was written to this file. This is a bug in syncspec: "
            "please report it"
        )


def _create_file(path: Path, job: Mapping[str, Any], *, pin: bool, schema: str) -> None:
    yaml = _yaml()
    body = _dump(yaml, _to_yaml(client_document(job, pin=pin)))
    text = f"# yaml-language-server: $schema={schema}\n{body}"
    _check_reads_back(text, job, path)
    # "x": O_EXCL, so an existing file or symlink is never followed or overwritten.
    with path.open("x", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


def _update_file(path: Path, job: Mapping[str, Any], *, pin: bool) -> Status:
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.util import load_yaml_guess_indent

    from syncspec.engine.normalize import CLIENT_FIELDS, canonical_job

    original = path.read_text(encoding="utf-8")
    data, seq_indent, seq_offset = load_yaml_guess_indent(original, yaml=_yaml())
    if not isinstance(data, CommentedMap):
        raise PullError(f"{path}: not a mapping; fix or remove the file and pull again")
    wanted = client_document(job, pin=pin)
    job_id = str(job.get("id"))
    pin_ok = not pin or str(data.get("id")) == job_id
    if pin_ok and canonical_job(data) == canonical_job(job):
        return "unchanged"
    order = ["label", "id", *CLIENT_FIELDS]
    for name in order:
        if name == "id":
            if pin and str(data.get("id")) != job_id:
                _insert(data, "id", job_id, order)
            continue
        if name in CLIENT_FIELDS and canonical_job({name: data.get(name)}) == canonical_job(
            {name: wanted.get(name)}
        ):
            continue
        if name in wanted:
            if name in data:
                data[name] = _merge(data[name], wanted[name])
            else:
                _insert(data, name, _to_yaml(wanted[name]), order)
        elif name in data:
            del data[name]
    yaml = _yaml(
        mapping=_mapping_indent(original),
        sequence=seq_indent if seq_indent is not None else 4,
        offset=seq_offset if seq_offset is not None else 2,
    )
    text = _dump(yaml, data)
    _check_reads_back(text, job, path)
    _atomic_write(path, text)
    return "updated"


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
