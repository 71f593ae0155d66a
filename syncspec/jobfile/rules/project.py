"""Project rules (SS6xx): what must hold across all job files together."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from syncspec.jobfile.problems import Finding, Rule, Severity

SS601 = Rule("SS601", Severity.ERROR, "label used by more than one job file")
SS602 = Rule("SS602", Severity.ERROR, "pinned id used by more than one job file")
SS603 = Rule("SS603", Severity.ERROR, "label is missing or empty")
RULES: tuple[Rule, ...] = (SS601, SS602, SS603)


def check_project(documents: Sequence[tuple[str, Mapping[str, Any]]]) -> dict[str, list[Finding]]:
    """Findings per file (by display name) for labels and pinned ids shared between files.

    ``documents`` are (display, parsed data) of every loaded job file, in a stable order.
    """
    out: dict[str, list[Finding]] = {}
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
