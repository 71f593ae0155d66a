"""Where a character of a YAML string value sits in the file (JSONata errors inside expressions).

Contract: ``position_in_scalar(text, line, col, offset)`` gets the file's text, the 1-based
position where the scalar's token starts (its quote, its ``|``/``>`` indicator, or its first
character) and a character index into the *decoded* value; it returns the 1-based position of that
character in the file. Implemented with issue 12 (JSONata rule family); until then it answers the
scalar's own start, which is where every problem pointed before.
"""

from __future__ import annotations


def position_in_scalar(text: str, line: int, col: int, offset: int) -> tuple[int, int]:
    del text, offset
    return line, col
