"""The one canonical form of ``default_runtime_version`` (``engine.normalize`` and the structure
rules both use it, so a value validate accepts is the value plan compares)."""

from __future__ import annotations

from typing import Any, Final

RUNTIME_VERSIONS: Final = (1, 2, 3, 4)
_RUNTIME_TEXT: Final = {str(v): v for v in RUNTIME_VERSIONS}


def canonical_runtime_version(value: Any) -> Any:
    """``default_runtime_version`` as the number it names: Truto's TypeScript SDK types it as a
    string (``"4"``), the API documents a number (``4``), and a pulled file can hold either.
    Only the exact text of a known version is read as it (``" 4"``, ``"4.0"``, ``"four"`` stay
    as they are, for validate to report)."""
    if isinstance(value, str) and value in _RUNTIME_TEXT:
        return _RUNTIME_TEXT[value]
    if isinstance(value, float) and value.is_integer() and int(value) in RUNTIME_VERSIONS:
        return int(value)
    return value
