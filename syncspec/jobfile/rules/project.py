"""Project rules (SS6xx): what must hold across all job files together."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from syncspec.jobfile.problems import Finding, Rule, Severity

SS601 = Rule("SS601", Severity.ERROR, "label used by more than one job file")
SS602 = Rule("SS602", Severity.ERROR, "pinned id used by more than one job file")
SS603 = Rule("SS603", Severity.ERROR, "label is missing or empty")
SS604 = Rule("SS604", Severity.ERROR, "label has leading or trailing whitespace")
SS605 = Rule("SS605", Severity.ERROR, "label has control characters")
SS606 = Rule("SS606", Severity.ERROR, "label is not in Unicode NFC")
SS607 = Rule("SS607", Severity.ERROR, "renamed_from names the label of another job file")
RULES: tuple[Rule, ...] = (SS601, SS602, SS603, SS604, SS605, SS606, SS607)


def check_label(label: str) -> list[Finding]:
    """A label a server may not store verbatim (issue 19): each such label would read back
    differently, and a create must never make a second job because of it."""
    out: list[Finding] = []
    path = ("label",)
    if label != label.strip():
        out.append(
            Finding(
                SS604.id,
                SS604.severity,
                "the label starts or ends with whitespace, which a server may trim",
                path,
                f"write it without: `label: {json.dumps(label.strip(), ensure_ascii=False)}`",
            )
        )
    controls = sorted({f"U+{ord(c):04X}" for c in label if unicodedata.category(c) == "Cc"})
    if controls:
        clean = "".join(c for c in label if unicodedata.category(c) != "Cc")
        out.append(
            Finding(
                SS605.id,
                SS605.severity,
                f"the label holds control characters ({', '.join(controls)})",
                path,
                f"remove them: `label: {json.dumps(clean, ensure_ascii=False)}`",
            )
        )
    if not label.isascii() and not unicodedata.is_normalized("NFC", label):
        fixed = unicodedata.normalize("NFC", label)
        out.append(
            Finding(
                SS606.id,
                SS606.severity,
                "the label is not in Unicode NFC (composed form), so the same text could be "
                "stored as different code points",
                path,
                f"write it composed: `label: {json.dumps(fixed, ensure_ascii=False)}`",
            )
        )
    return out


def check_renamed_from(
    documents: Sequence[tuple[str, Mapping[str, Any]]],
) -> dict[str, list[Finding]]:
    """SS607: an earlier label of one file that is another file's label (the live job with it
    would be both that file's job and this file's rename source)."""
    owners: dict[str, str] = {}
    for display, data in documents:
        label = data.get("label")
        if isinstance(label, str) and label.strip():
            owners.setdefault(label, display)
    out: dict[str, list[Finding]] = {}
    for display, data in documents:
        olds = data.get("renamed_from")
        if not isinstance(olds, list):
            continue
        for index, old in enumerate(olds):
            other = owners.get(old) if isinstance(old, str) else None
            if other is None or other == display:
                continue
            out.setdefault(display, []).append(
                Finding(
                    SS607.id,
                    SS607.severity,
                    f'renamed_from names "{old}", the label of {other}',
                    ("renamed_from", index),
                    "a label is either a job's current label or an earlier one: remove it from "
                    f"renamed_from, or change the label in {other}",
                )
            )
    return out


def check_project(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, list[Finding]]:
    """Findings per file (by display name) for labels and pinned ids shared between files.

    ``documents`` are (display, parsed data) of every loaded job file, in a stable order.
    """
    out: dict[str, list[Finding]] = check_renamed_from(documents)
    for key, rule, noun in (("label", SS601, "label"), ("id", SS602, "pinned id")):
        owners: dict[str, list[str]] = {}
        for display, data in documents:
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                owners.setdefault(value, []).append(display)
        pinned = {d for d, data in documents if isinstance(data.get("id"), str) and data["id"]}
        for value, files in owners.items():
            if len(files) < 2:
                continue
            # Files that all pin an id name distinct live jobs that share a label (DESIGN:
            # "Identity"; this is how `pull` writes them); SS602 still catches a shared pin.
            if key == "label" and all(f in pinned for f in files):
                continue
            for display in files:
                others = [f for f in files if f != display] or [display]
                message = f'{noun} "{value}" is also used by {", ".join(others)}'
                hint = (
                    "labels identify jobs: make each unique"
                    if key == "label"
                    else "an id pins one file to one live job: remove the duplicate pin"
                )
                out.setdefault(display, []).append(
                    Finding(rule.id, rule.severity, message, (key,), hint)
                )
    return out


# A run of characters that YAML writes literally in any scalar style (no quotes, escapes or
# whitespace, where folding or quoting could change the text).
_LITERAL_RUN = re.compile(r"[^\s'\"\\]+")


def identity_probes(documents: Iterable[Mapping[str, Any]]) -> list[bytes]:
    """For each label / pinned id of ``documents``: its longest run of characters that any file
    holding the same value must contain literally (UTF-8)."""
    probes: list[bytes] = []
    for data in documents:
        for key in ("label", "id"):
            value = data.get(key)
            if isinstance(value, str) and value.strip():
                runs = _LITERAL_RUN.findall(value)
                # no literal run (only quotes/whitespace): match every file
                probes.append(max(runs, key=len).encode() if runs else b"")
    return probes


def may_hold_identity(raw: bytes, probes: Sequence[bytes]) -> bool:
    """False only when the text of a job file cannot hold any of the probed values: none of the
    probes occurs in it and it has no backslash (a double-quoted escape could spell one)."""
    return b"\\" in raw or any(p in raw for p in probes)
