"""Placeholder rules (SS4xx): grammar, casts, declared ``args``, reachable ``resources``."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Protocol

from syncspec.jobfile.problems import Finding, PathItem, Rule, Severity
from syncspec.jobfile.rules.kit import closest, did_you_mean, finding
from syncspec.jobfile.rules.placeholder_syntax import (
    CASTS,
    TYPE_CASTS,
    Placeholder,
    iter_strings,
    scan,
    unquoted_placeholder,
)

SS401 = Rule("SS401", Severity.ERROR, "unquoted {{ }} was parsed by YAML as a mapping")
SS402 = Rule("SS402", Severity.ERROR, "malformed placeholder (braces, characters, empty path)")
SS403 = Rule("SS403", Severity.ERROR, "unknown placeholder cast")
SS404 = Rule("SS404", Severity.ERROR, "placeholder uses an argument not declared in args_schema")
SS405 = Rule("SS405", Severity.ERROR, "placeholder names a resource that is not in this job")
SS406 = Rule("SS406", Severity.ERROR, "placeholder names a resource that is not upstream")
SS407 = Rule("SS407", Severity.WARNING, "type cast has no effect inside a longer string")
SS408 = Rule("SS408", Severity.WARNING, "placeholder root looks like a misspelt reserved root")
RULES: tuple[Rule, ...] = (SS401, SS402, SS403, SS404, SS405, SS406, SS407, SS408)

RESERVED_ROOTS: frozenset[str] = frozenset(
    {"args", "resources", "sync_job_run", "tenant_id", "payload", "total_records_size"}
)

Path = tuple[PathItem, ...]


class Upstream(Protocol):
    """The names a place can reach: a ``frozenset`` or ``depgraph.UpstreamNames``."""

    def intersection(self, names: Iterable[str], /) -> AbstractSet[str]: ...


@dataclass(slots=True)  # not frozen (never changed once built): one per item of every file,
class Scope:  # and a frozen __init__ costs 3x (issue 26)
    """What the placeholders of one place in the job may refer to.

    ``names`` maps each resource/node of the job to its dotted form (``crm/contacts`` ->
    ``("crm", "contacts")``); ``upstream`` are those reachable through ``depends_on``.
    ``where`` describes the place for messages ("resources[2]", "mutex_key").
    """

    args: Mapping[str, str | None]
    has_args_schema: bool
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    upstream: Upstream = frozenset()
    where: str = "this resource"
    resources_available: bool = True
    upstream_known: bool = True  # False when a depends_on is broken (reported once, as SS203/SS303)
    noun: str = "resource"  # "resource" (legacy) or "node" (V4)
    # V4 request nodes are addressed by their resource path, not their name: a request node's
    # name -> its dotted resource, to suggest the right path when the name is used instead.
    renamed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def dotted(name: str) -> tuple[str, ...]:
    """A name as it appears in a ``resources.`` path: ``crm/contacts`` -> ``crm.contacts``."""
    return tuple(name.replace("/", ".").split("."))


def _match_resource(segments: list[str], names: Mapping[str, tuple[str, ...]]) -> list[str]:
    """The names whose dotted form is the longest prefix of ``segments`` (several V4 request
    nodes may read the same resource, and so share one path)."""
    best: list[str] = []
    best_len = 0
    for name, parts in names.items():
        n = len(parts)
        if tuple(segments[:n]) != parts or n < best_len:
            continue
        if n > best_len:
            best, best_len = [], n
        best.append(name)
    return best


def _suggest_resource(
    segments: list[str], names: Mapping[str, tuple[str, ...]]
) -> tuple[str, list[str]] | None:
    """The resource whose dotted name is most like the start of ``segments``, and the rest."""
    from difflib import SequenceMatcher

    best: tuple[float, str, list[str]] | None = None
    for name, parts in names.items():
        n = len(parts)
        ratio = SequenceMatcher(None, ".".join(segments[:n]), ".".join(parts)).ratio()
        if ratio >= 0.6 and (best is None or ratio > best[0]):
            best = (ratio, name, segments[n:])
    return (best[1], best[2]) if best is not None else None


def _check_path(path: str, at: Path, scope: Scope, out: list[Finding]) -> None:
    hint: str | None
    segments = path.split(".")
    head = segments[0]
    if head == "args":
        if len(segments) < 2:
            return
        name = segments[1]
        if name in scope.args:
            return
        if scope.has_args_schema:
            hint = (
                did_you_mean(name, scope.args)
                or f"declare it in args_schema: {name}: {{type: string}}"
            )
        else:
            hint = f"add an args_schema that declares it: {name}: {{type: string, required: true}}"
        out.append(
            finding(
                SS404,
                f'"{{{{{path}}}}}" uses the argument "{name}", which args_schema does not declare',
                at,
                hint=hint,
            )
        )
        return
    if head == "resources":
        if len(segments) < 2:
            return
        if not scope.resources_available:
            out.append(
                finding(
                    SS406,
                    f'"{{{{{path}}}}}" refers to resources, which are not available in '
                    f"{scope.where}",
                    at,
                )
            )
            return
        targets = _match_resource(segments[1:], scope.names)
        if not targets:
            suggestion = _suggest_resource(segments[1:], scope.names)
            hint = None
            if segments[1] in scope.renamed:
                fixed = ".".join(["resources", *scope.renamed[segments[1]], *segments[2:]])
                hint = (
                    "a request node's records are addressed by its resource path: "
                    f'"{{{{{fixed}}}}}"'
                )
            elif suggestion is not None:
                name, rest = suggestion
                fixed = ".".join(["resources", *scope.names[name], *rest])
                hint = f'did you mean "{{{{{fixed}}}}}" ({scope.noun} "{name}")?'
            out.append(
                finding(
                    SS405,
                    f'"{{{{{path}}}}}" names no {scope.noun} of this job',
                    at,
                    hint=hint,
                )
            )
            return
        target = targets[0]
        if scope.upstream_known and not scope.upstream.intersection(targets):
            out.append(
                finding(
                    SS406,
                    f'"{{{{{path}}}}}" refers to {scope.noun} "{target}", which {scope.where} '
                    "does not depend on (directly or through depends_on)",
                    at,
                    hint=f"add depends_on: {target} (or depend on a {scope.noun} that does)",
                )
            )
        return
    if head not in RESERVED_ROOTS and len(segments) > 1:
        near = closest(head, RESERVED_ROOTS, 0.85)
        if near is not None:
            out.append(
                finding(
                    SS408,
                    f'"{{{{{path}}}}}" starts with "{head}", which is not a placeholder root',
                    at,
                    hint=f'did you mean "{near}"?',
                )
            )


def _check_placeholder(ph: Placeholder, at: Path, scope: Scope, out: list[Finding]) -> None:
    # Each alternative carries its own cast (replace.ts splits on "|" first, then on ":").
    for alt in ph.alternatives:
        _check_cast(ph, alt.cast, at, out, in_default=False)
    _check_cast(ph, ph.default_cast, at, out, in_default=True)
    for path in ph.paths:
        _check_path(path, at, scope, out)


@lru_cache(maxsize=1024)
def _cast_hint(cast: str, in_default: bool) -> str:
    """The fix for an unknown cast, by its text: files repeat the same templates, and the
    did-you-mean lookup (difflib) costs ~0.1 ms."""
    hint = did_you_mean(cast, CASTS) or "casts: " + ", ".join(sorted(CASTS))
    return f'a ":" in a default starts its cast; {hint}' if in_default else hint


def _check_cast(
    ph: Placeholder, cast: str | None, at: Path, out: list[Finding], *, in_default: bool
) -> None:
    if cast is None:
        return
    if cast not in CASTS:
        hint = _cast_hint(cast, in_default)
        out.append(finding(SS403, f'{ph.text} has the unknown cast ":{cast}"', at, hint=hint))
    elif cast in TYPE_CASTS and not ph.whole:
        # null/undefined/ignore-empty-str do act inside a longer string (replace-placeholders
        # README: 'foo {{foo:undefined}} {{bar}}' -> 'foo  bar'); only type conversions do not.
        out.append(
            finding(
                SS407,
                f'the cast ":{cast}" in {ph.text} has no effect: type casts apply only when the '
                "placeholder is the whole string",
                at,
                hint="make the placeholder the whole value, or drop the cast",
            )
        )


def at_placeholder(out: list[Finding], first: int, ph: Placeholder) -> None:
    """Point the findings ``out[first:]`` at ``ph`` inside its string (not the string's start)."""
    for k in range(first, len(out)):
        out[k] = replace(out[k], offset=ph.start)


def check_value(
    node: object, at: Path, scope: Scope, out: list[Finding], found: list[tuple[Path, Placeholder]]
) -> None:
    """Check every string under ``node``; well-formed placeholders are appended to ``found``."""
    for path, value in iter_strings(node, at):
        if not isinstance(value, str):
            text = unquoted_placeholder(value) or "{{...}}"
            if isinstance(next(iter(value), None), str):  # `{args.x}`: single braces
                message = (
                    f"unquoted {text[1:-1]} is read by YAML as a mapping, and Truto "
                    "placeholders take double braces"
                )
            else:
                message = f"unquoted placeholder {text} is read by YAML as a nested mapping"
            out.append(finding(SS401, message, path, hint=f'quote it: "{text}"'))
            continue
        result = scan(value)
        for bad in result.malformed:
            out.append(finding(SS402, bad.message, path, hint=bad.hint))
        for ph in result.placeholders:
            found.append((path, ph))
            first = len(out)
            _check_placeholder(ph, path, scope, out)
            at_placeholder(out, first, ph)


def check_values(
    pairs: Iterable[tuple[Path, object]], scope: Scope, out: list[Finding]
) -> list[tuple[Path, Placeholder]]:
    """``check_value`` over several (path, node) pairs; returns the placeholders found."""
    found: list[tuple[Path, Placeholder]] = []
    for at, node in pairs:
        check_value(node, at, scope, out, found)
    return found
