"""Project rules (SS6xx): what must hold across all job files together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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
