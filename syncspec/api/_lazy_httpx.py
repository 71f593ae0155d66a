"""Import httpx without its command-line module (issue 12: ~40% of ``plan``'s start-up).

``httpx/__init__.py`` runs ``from ._main import main`` (its own ``httpx`` CLI), which imports
click, rich and pygments: over 100 ms that syncspec never uses. Before httpx is first imported,
a placeholder ``httpx._main`` is put in ``sys.modules``; its ``main`` removes the placeholder and
runs the real one, so ``httpx.main`` keeps working for anyone who calls it in this process.
Nothing is done when httpx (or its ``_main``) was imported already.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

_NAME = "httpx._main"


def _real_main(*args: Any, **kwargs: Any) -> Any:
    if getattr(sys.modules.get(_NAME), "_syncspec_placeholder", False):
        del sys.modules[_NAME]
    return importlib.import_module(_NAME).main(*args, **kwargs)


def skip_httpx_cli() -> None:
    if "httpx" in sys.modules or _NAME in sys.modules:
        return
    placeholder = types.ModuleType(_NAME, "placeholder: see syncspec.api._lazy_httpx")
    placeholder.main = _real_main  # type: ignore[attr-defined]
    placeholder._syncspec_placeholder = True  # type: ignore[attr-defined]
    sys.modules[_NAME] = placeholder
