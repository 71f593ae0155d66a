"""SS017: the editor modeline ``# yaml-language-server: $schema=PATH`` of a job file must lead to
a file (issue 24: a job moved into a subfolder keeps ``../schemas/...``, and the editor silently
stops checking it). URLs are not fetched (validate is offline); only relative and absolute paths
are checked, relative to the job file, as the YAML language server resolves them."""

from __future__ import annotations

import os
import re
from pathlib import Path

from syncspec.jobfile.problems import Problem, Rule, Severity

SS017 = Rule("SS017", Severity.WARNING, "the $schema modeline points at a missing file")
RULES: tuple[Rule, ...] = (SS017,)

# The language server reads the modeline from any comment line; job files have it first.
_MODELINE = re.compile(r"^#\s*yaml-language-server:\s*\$schema=(?P<ref>\S+)", re.M)
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_HEAD_CHARS = 4096  # a modeline is near the top; the rest of the file is not searched


def modeline_problems(text: str, path: Path, display: str, root: Path) -> list[Problem]:
    """SS017 for a modeline whose schema file does not exist (none when there is no modeline)."""
    head = text[:_HEAD_CHARS]
    if "yaml-language-server" not in head:
        return []  # most files: a substring test is ~10x cheaper than the regex's line scan
    found = _MODELINE.search(head)
    if found is None or _URL.match(found.group("ref")):
        return []
    ref = found.group("ref")
    target = Path(os.path.normpath(path.parent / ref))
    if target.is_file():
        return []
    line = text.count("\n", 0, found.start()) + 1
    col = found.start("ref") - found.start() + 1
    correct = root / "schemas" / "sync-job.schema.json"
    hint = None
    if correct.is_file():
        relative = Path(os.path.relpath(correct, path.parent)).as_posix()
        hint = f"point it at {relative}"
    return [
        Problem(
            rule=SS017.id,
            severity=SS017.severity,
            message=f"the editor's $schema modeline points at {ref}, which does not exist "
            "(was the file moved?): the editor does not check this file",
            file=display,
            line=line,
            col=col,
            hint=hint,
        )
    ]
