"""``!var NAME``: a value that differs per environment, written as a YAML tag (DESIGN.md,
"Environments").

The loader turns each ``!var NAME`` into a ``VarRef`` marker that remembers where it was
written; ``syncspec.jobfile.vars`` replaces the markers with the active profile's values after
parsing. Text is never substituted, so Truto's ``{{...}}`` placeholders cannot collide with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from syncspec.jobfile.yaml.limits import LoadFailed

VAR_TAG = "!var"
# a name is an identifier, like a TOML bare key that is also a Python/JS identifier
NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
BAD_NAME = "SS013"


@dataclass(frozen=True, slots=True)
class VarRef:
    """``!var name`` at 1-based ``line``:``col`` of its file."""

    name: str
    line: int
    col: int

    def __repr__(self) -> str:
        return f"!var {self.name}"


def var_ref(node: object) -> VarRef:
    """The marker of a ``!var`` node (a ruamel node), or ``LoadFailed`` saying what is wrong."""
    mark = node.start_mark  # type: ignore[attr-defined]
    line, col = mark.line + 1, mark.column + 1
    value = node.value  # type: ignore[attr-defined]
    if not isinstance(value, str):
        raise LoadFailed(
            BAD_NAME,
            "`!var` takes the name of a value, not a mapping or a list",
            line,
            col,
            "write `!var NAME` and give NAME its value per profile in syncspec.toml "
            "([profiles.NAME.vars]); the value itself may be a mapping or a list",
        )
    if not NAME_RE.match(value):
        shown = value if len(value) <= 40 else value[:39] + "…"
        raise LoadFailed(
            BAD_NAME,
            f"`!var {shown}`: a value's name is an identifier (letters, digits, _; "
            "not starting with a digit; at most 64 characters)",
            line,
            col,
            "rename it, e.g. `!var webhook_id`",
        )
    return VarRef(value, line, col)
