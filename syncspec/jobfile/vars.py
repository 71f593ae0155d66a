"""Resolving ``!var NAME`` markers with a profile's values, after parsing (issue 20).

The loader leaves a ``VarRef`` where a file says ``!var NAME``; here each one is replaced by a
copy of the profile's value, and every place a value landed is recorded (``VarUse``) so that a
plan can show it. Nothing is substituted in text: Truto's ``{{...}}`` placeholders are never
touched.

- ``plan``/``apply``/``pull`` resolve against the active profile only (``VarSetup.active``).
- ``validate`` resolves against every profile that selects the job and runs the rules on each
  distinct result (profiles whose values are equal for a file share one check).
- A value missing in a profile is SS014 at the marker; no profile at all is SS015; a ``!var``
  as the label is SS016 (the label is the job's identity in every environment).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from syncspec.jobfile.problems import Finding, PathItem, Problem, Severity
from syncspec.jobfile.yaml.limits import read_bounded
from syncspec.jobfile.yaml.varref import VAR_TAG, VarRef

MISSING = "SS014"
NO_PROFILE = "SS015"
NOT_HERE = "SS016"
# "config.id is hard-coded: ids differ per environment": a `!var` is the answer to it
_ANSWERED_BY_VAR = frozenset({"SS316"})


class Selection(Protocol):
    def selects(self, label: str) -> bool: ...


@dataclass(frozen=True)
class ProfileValues:
    """One profile as resolution sees it: its name, its values, which labels it manages."""

    name: str
    values: Mapping[str, Any]
    selection: Selection | None = None  # None: every label

    def selects(self, label: str) -> bool:
        return self.selection is None or self.selection.selects(label)


@dataclass(frozen=True)
class VarSetup:
    """What ``!var`` resolves against: ``profiles`` (plan: the active one; validate: all), and
    why there is none when ``profiles`` is empty (said by SS015)."""

    profiles: tuple[ProfileValues, ...] = ()
    no_profile: str = "no profile is configured in syncspec.toml"
    # plan: a file the active profile does not select is not a job here (it still claims its
    # label); validate: every file is checked, with the profiles that select it
    planning: bool = False


NO_VARS = VarSetup()


@dataclass(frozen=True)
class VarUse:
    """Where a value landed: the key path in the job, the name, and the value."""

    path: tuple[PathItem, ...]
    name: str
    value: Any


@dataclass
class Resolution:
    """A file's documents after resolution: ``documents`` maps each distinct resolved document
    to the profiles it stands for (one entry per document, in profile order); ``problems``
    are SS014-SS016 findings already located; ``unselected``: no profile selects the job."""

    documents: list[tuple[dict[str, Any], tuple[str, ...], list[VarUse]]] = field(
        default_factory=list
    )
    problems: list[Problem] = field(default_factory=list)
    unselected: bool = False
    selecting: int = 0  # how many profiles select the job


# A YAML tag in raw text: `!name` after a space or flow indicator (JSONata's `!=` is not one),
# and the word after it. Used only to decide the order of work (see ``tags_may_fail``).
_TAG_IN_TEXT = re.compile(rb"(?:^|[\s\[{,])!([A-Za-z!][^\s,\]}]*)(?:[ \t]+([^\s,\]}#]+))?", re.M)


def tags_may_fail(paths: Sequence[Path], values: Mapping[str, Any] | None) -> bool:
    """Whether any file's text has a tag other than ``!var NAME`` with NAME in ``values``
    (None: no profile is active), read without parsing. True means a file check may fail on a
    tag, so ``plan`` checks the files before its first request (issue 20: a missing value or a
    bad tag fails before any request); false positives only cost that overlap."""
    for path in paths:
        try:
            with path.open("rb") as fh:
                head = read_bounded(fh)
        except OSError:
            continue  # the check reports it
        if b"!" not in head:
            continue
        for match in _TAG_IN_TEXT.finditer(head):
            tag, name = match.group(1), match.group(2)
            if tag != b"var" or values is None or name is None:
                return True
            if name.decode("utf-8", "replace") not in values:
                return True
    return False


def may_have_vars(text: str | None) -> bool:
    """Cheap test before walking a document: the tag's text must occur in the file."""
    return text is not None and VAR_TAG in text


def find_refs(data: Any) -> list[tuple[tuple[PathItem, ...], VarRef]]:
    """Every marker in ``data`` with its key path (document order). One walk; a path tuple is
    built only where a marker is (most nodes of a file hold none)."""
    found: list[tuple[tuple[PathItem, ...], VarRef]] = []
    path: list[PathItem] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, str):  # most values: nothing to do
                    continue
                path.append(key)
                walk(item)
                path.pop()
        elif isinstance(value, list):
            for index, item in enumerate(value):
                if isinstance(item, str):
                    continue
                path.append(index)
                walk(item)
                path.pop()
        elif isinstance(value, VarRef):
            found.append((tuple(path), value))

    walk(data)  # the loader bounds the depth (MAX_DEPTH), so the recursion is bounded
    return found


def substitute(data: Any, values: Mapping[str, Any]) -> Any:
    """``data`` with every marker replaced by a copy of its value (all must be in ``values``)."""
    return _replaced(data, find_refs(data), values)


def _replaced(
    data: Any, refs: Sequence[tuple[tuple[PathItem, ...], VarRef]], values: Mapping[str, Any]
) -> Any:
    """``data`` with the markers at ``refs`` replaced, copying only the containers on their
    paths: the rest of the document is shared with ``data`` (nothing mutates a loaded job)."""
    if not refs:
        return data
    if refs[0][0] == ():
        return copy.deepcopy(values[refs[0][1].name])
    root = _shallow(data)
    copies: dict[tuple[PathItem, ...], Any] = {(): root}
    for path, ref in refs:
        parent = root
        for depth in range(1, len(path)):
            prefix = path[:depth]
            child = copies.get(prefix)
            if child is None:
                child = copies[prefix] = _shallow(parent[path[depth - 1]])
                parent[path[depth - 1]] = child
            parent = child
        parent[path[-1]] = copy.deepcopy(values[ref.name])
    return root


def _shallow(value: Any) -> Any:
    return dict(value) if isinstance(value, dict) else list(value)


def _problem(display: str, ref: VarRef, rule: str, message: str, hint: str) -> Problem:
    return Problem(rule, Severity.ERROR, message, display, ref.line, ref.col, hint)


def resolve_file(display: str, data: dict[str, Any], setup: VarSetup) -> Resolution:
    """Resolve the markers of one file's ``data`` for the profiles of ``setup``."""
    refs = find_refs(data)
    result = Resolution()
    if not refs:
        result.documents.append((data, tuple(p.name for p in setup.profiles), []))
        return result
    label = data.get("label")
    for path, ref in refs:
        if path == ("label",):
            result.problems.append(
                _problem(
                    display,
                    ref,
                    NOT_HERE,
                    "the label cannot be a `!var`: it is the job's identity in every environment",
                    "write the label as text; select jobs per profile with jobs/exclude in "
                    "[profiles.NAME] instead",
                )
            )
    if result.problems:
        return result
    if not setup.profiles:
        names = ", ".join(dict.fromkeys(f"`!var {r.name}`" for _, r in refs))
        first = refs[0][1]
        result.problems.append(
            _problem(
                display,
                first,
                NO_PROFILE,
                f"{names}: {setup.no_profile}, so there is no value to use",
                "give each name a value per environment: [profiles.NAME.vars] in syncspec.toml "
                "(or vars/NAME.toml), then choose the profile with --profile",
            )
        )
        return result
    text_label = label if isinstance(label, str) else ""
    selecting = [p for p in setup.profiles if p.selects(text_label)]
    if not selecting:
        result.unselected = True
        if not setup.planning:
            names = ", ".join(p.name for p in setup.profiles)
            result.problems.append(
                _problem(
                    display,
                    refs[0][1],
                    NO_PROFILE,
                    f"no profile manages this job (label {text_label!r}; profiles: {names}), "
                    "so its `!var` values cannot be checked",
                    "add the label to a profile's jobs, or remove it from its exclude",
                )
            )
        return result
    result.selecting = len(selecting)
    used = sorted({r.name for _, r in refs})
    keys: dict[str, int] = {}
    for profile in selecting:
        missing = [(p, r) for p, r in refs if r.name not in profile.values]
        for _, ref in missing:
            result.problems.append(
                _problem(
                    display,
                    ref,
                    MISSING,
                    f"`!var {ref.name}` has no value in profile {profile.name!r}",
                    f"add {ref.name} = ... to [profiles.{profile.name}.vars] in syncspec.toml "
                    f"(or to vars/{profile.name}.toml)",
                )
            )
        if missing:
            continue
        # profiles whose values of these names are equal resolve to the same document
        key = _values_key([profile.values[n] for n in used])
        known = keys.get(key)
        if known is not None:
            document, shared, uses = result.documents[known]
            result.documents[known] = (document, (*shared, profile.name), uses)
            continue
        keys[key] = len(result.documents)
        resolved = _replaced(data, refs, profile.values)
        uses = [VarUse(p, r.name, profile.values[r.name]) for p, r in refs]
        result.documents.append((resolved, (profile.name,), uses))
    return result


def _values_key(values: list[Any]) -> str:
    """Equal keys for equal JSON values (``1`` and ``True`` differ, as in JSON)."""
    import json

    return json.dumps(values, sort_keys=True)


def attribute(
    findings: Sequence[Finding],
    uses: Sequence[VarUse],
    profiles: tuple[str, ...],
    all_profiles: int,
) -> list[Finding]:
    """``findings`` of one resolved document, said in terms of the file: a finding inside a
    value names its ``!var`` (its character offset would point into the tag, so it is dropped),
    and a document that stands for some profiles only names them."""
    if not uses and len(profiles) >= all_profiles:
        return list(findings)
    out: list[Finding] = []
    for f in findings:
        message = f.message
        offset = f.offset
        inside = next((u for u in uses if f.path[: len(u.path)] == u.path), None)
        if inside is not None:
            if f.rule in _ANSWERED_BY_VAR:
                continue
            message = f"{message} (in the value of `!var {inside.name}`)"
            offset = None
        if len(profiles) < all_profiles:
            noun = "profile" if len(profiles) == 1 else "profiles"
            message = f"{message} [{noun} {', '.join(profiles)}]"
        out.append(
            Finding(f.rule, f.severity, message, f.path, f.hint, f.on_key, offset)
            if (message, offset) != (f.message, f.offset)
            else f
        )
    return out


def resolve_plain(data: Any, values: Mapping[str, Any]) -> tuple[Any, list[VarRef]]:
    """``data`` with the markers that ``values`` has replaced, and the markers it has not (they
    stay in place): for readers that only need what they can resolve (pull, diff)."""
    missing: list[VarRef] = []

    def walk(value: Any) -> Any:
        if isinstance(value, VarRef):
            if value.name in values:
                return copy.deepcopy(values[value.name])
            missing.append(value)
            return value
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(data), missing
