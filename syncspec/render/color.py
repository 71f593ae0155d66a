"""The one decision about colours, for every renderer, progress bar and console.

In order: ``--no-color`` wins; ``NO_COLOR`` (https://no-color.org) turns colours off;
``FORCE_COLOR`` (https://force-color.org) turns them on even off a terminal (CI logs); otherwise
colours go only to a terminal, and not to one that says it cannot show them (``TERM=dumb``,
as Emacs shell buffers and some CI runners set). Both variables count when set to any non-empty
value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any


def use_color(
    stream: Any, *, no_color: bool = False, environ: Mapping[str, str] | None = None
) -> bool:
    """Whether output written to ``stream`` gets colours (``no_color``: the ``--no-color`` flag)."""
    env = os.environ if environ is None else environ
    if no_color or env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR"):
        return True
    if env.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())
