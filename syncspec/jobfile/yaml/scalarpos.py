"""Where a character of a YAML string value sits in the file (JSONata errors inside expressions).

Contract: ``position_in_scalar(text, line, col, offset)`` gets the file's text, the 1-based
position where the scalar's token starts (its quote, its ``|``/``>`` indicator, or its first
character) and a character index into the *decoded* value; it returns the 1-based position of that
character in the file. ``offset == len(value)`` means just after the last character. When the
position cannot be worked out (an offset beyond the value, a position outside the text) it answers
the scalar's own start, which is where every problem pointed before.

The decoding follows YAML 1.2 (chapter 7 flow scalars, chapter 8 block scalars): plain and quoted
scalars fold line breaks (one break -> a space, each empty line -> a newline, white space around
breaks dropped); single quotes escape ``''``; double quotes have backslash escapes and escaped
line breaks; literal ``|`` keeps lines, folded ``>`` folds lines that are not more indented;
indentation indicators and chomping indicators are read from the block header. This walks the
scalar only as far as the offset, so the end of a plain scalar never has to be guessed.
"""

from __future__ import annotations

from collections.abc import Iterator

# Escapes of a double-quoted scalar: the hex ones by their digit count, the others by meaning.
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}
_ESCAPES = {
    "0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
    "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
    "_": "\xa0", "L": "\u2028", "P": "\u2029",
}  # fmt: skip
_BLANK = " \t"


def position_in_scalar(text: str, line: int, col: int, offset: int) -> tuple[int, int]:
    start = _index_of(text, line, col)
    if start is None or offset < 0:
        return line, col
    found = _source_index(text, start, offset)
    if found is None:
        return line, col
    return _line_col(text, found)


def decoded_positions(text: str, start: int) -> Iterator[tuple[str, int]]:
    """Each character of the scalar starting at ``text[start]`` with its index in ``text``.

    The last pair is ``("", end)``: the index just after the scalar's last character (for an
    offset one past the value). Public for the tests, which compare it with a YAML library.
    """
    first = text[start] if start < len(text) else ""
    if first == '"':
        return _double(text, start)
    if first == "'":
        return _single(text, start)
    if first in "|>":
        return _block(text, start)
    return _plain(text, start)


def _source_index(text: str, start: int, offset: int) -> int | None:
    for count, (_, index) in enumerate(decoded_positions(text, start)):
        if count == offset:
            return index
    return None


def _index_of(text: str, line: int, col: int) -> int | None:
    if line < 1 or col < 1:
        return None
    index = 0
    for _ in range(line - 1):
        index = text.find("\n", index)
        if index == -1:
            return None
        index += 1
    end = text.find("\n", index)
    end = len(text) if end == -1 else end
    return index + col - 1 if index + col - 1 < end else None


def _line_col(text: str, index: int) -> tuple[int, int]:
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


# ---- flow scalars ----------------------------------------------------------------------------


def _fold(text: str, newline: int) -> tuple[list[tuple[str, int]], int]:
    """The characters a line break at ``text[newline]`` folds into, and where content resumes.

    One break followed by content -> a space; with empty lines in between -> one newline per
    empty line. Leading white space of the continuation line is dropped.
    """
    out: list[tuple[str, int]] = []
    i = newline + 1
    while True:
        j = i
        while j < len(text) and text[j] in _BLANK:
            j += 1
        if j < len(text) and text[j] == "\n":  # an empty line
            out.append(("\n", i))
            i = j + 1
            continue
        return (out or [(" ", newline)]), j


def _trailing_blanks(text: str, i: int) -> int | None:
    """If the blanks at ``text[i]`` run up to a line break, the index of that break."""
    j = i
    while j < len(text) and text[j] in _BLANK:
        j += 1
    return j if j < len(text) and text[j] == "\n" else None


def _indent_at(text: str, index: int) -> int:
    return index - (text.rfind("\n", 0, index) + 1)


def _plain(text: str, start: int) -> Iterator[tuple[str, int]]:
    parent = _parent_indent(text, start)
    i = start
    while i < len(text):
        ch = text[i]
        if ch in _BLANK:
            j = i
            while j < len(text) and text[j] in _BLANK:
                j += 1
            if j < len(text) and text[j] == "#":
                break  # " #" starts a comment
            if j < len(text) and text[j] != "\n":
                yield from ((text[k], k) for k in range(i, j))
                i = j
                continue
            i = j  # blanks before a line break (or the end) are not part of the value
            if i >= len(text):
                break
            ch = "\n"
        if ch == "\n":
            folded, resume = _fold(text, i)
            if resume >= len(text) or text[resume] == "#" or _indent_at(text, resume) <= parent:
                break  # a comment, or a line of the parent: the scalar ended at the break
            yield from folded
            i = resume
            continue
        if ch == ":" and (i + 1 == len(text) or text[i + 1] in " \t\n"):
            break  # ": " ends a plain scalar (it is a mapping key then)
        yield ch, i
        i += 1
    yield "", i


def _single(text: str, start: int) -> Iterator[tuple[str, int]]:
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == "'":
            if text.startswith("''", i):
                yield "'", i
                i += 2
                continue
            break
        if ch in _BLANK and (brk := _trailing_blanks(text, i)) is not None:
            i = brk
            ch = "\n"
        if ch == "\n":
            folded, i = _fold(text, i)
            yield from folded
            continue
        yield ch, i
        i += 1
    yield "", i


def _double(text: str, start: int) -> Iterator[tuple[str, int]]:
    i = start + 1
    while i < len(text):
        ch = text[i]
        if ch == '"':
            break
        if ch == "\\" and i + 1 < len(text):
            code = text[i + 1]
            if code == "\n":  # an escaped line break joins the lines without a space
                i += 2
                while i < len(text) and text[i] in _BLANK:
                    i += 1
                continue
            digits = _HEX_ESCAPES.get(code, 0)
            if digits:
                hex_text = text[i + 2 : i + 2 + digits]
                try:
                    decoded = chr(int(hex_text, 16))
                except ValueError:
                    decoded = "?"
            else:
                decoded = _ESCAPES.get(code, code)
            yield decoded, i  # an escape is one character of the value, at its backslash
            i += 2 + digits
            continue
        if ch in _BLANK and (brk := _trailing_blanks(text, i)) is not None:
            i = brk
            ch = "\n"
        if ch == "\n":
            folded, i = _fold(text, i)
            yield from folded
            continue
        yield ch, i
        i += 1
    yield "", i


# ---- block scalars ---------------------------------------------------------------------------


def _parent_indent(text: str, start: int) -> int:
    """The indentation of the node that owns the block scalar at ``text[start]``.

    ``key: |2`` -> the key's column; ``- |2`` -> the dash's column; ``- key: |2`` -> the key's.
    """
    line_start = text.rfind("\n", 0, start) + 1
    i = line_start
    while i < start and text[i] == " ":
        i += 1
    dash = i
    while i < start and text[i] == "-" and text[i + 1 : i + 2] in (" ", "\t"):
        dash = i
        i += 1
        while i < start and text[i] in _BLANK:
            i += 1
    return (dash if i == start else i) - line_start


def _lines_from(text: str, index: int) -> Iterator[tuple[int, str]]:
    while index <= len(text):
        end = text.find("\n", index)
        if end == -1:
            if index < len(text):
                yield index, text[index:]
            return
        yield index, text[index:end]
        index = end + 1


def _block(text: str, start: int) -> Iterator[tuple[str, int]]:
    folded = text[start] == ">"
    i = start + 1
    increment: int | None = None
    chomp = "clip"
    while i < len(text) and text[i] in "123456789+-":
        if text[i].isdigit():
            increment = int(text[i])
        else:
            chomp = "strip" if text[i] == "-" else "keep"
        i += 1
    header_end = text.find("\n", i)
    if header_end == -1:
        yield "", len(text)
        return
    lines = list(_content_lines(text, header_end + 1, start, increment))
    if not lines:
        yield "", header_end
        return
    indent = lines[0][2]
    previous: str | None = None  # "normal", "more" (more indented) or None before any content
    empties: list[int] = []  # line breaks of the empty lines since the last content line
    last_break = header_end
    for line_start, line, _ in lines:
        body = line[indent:] if len(line) > indent else ""
        if not body.strip(" ") and not body.startswith("\t"):
            empties.append(line_start + len(line))
            continue
        kind = "more" if body[:1] in (" ", "\t") else "normal"
        if previous is None:
            for brk in empties:
                yield "\n", brk
        elif folded and previous == "normal" and kind == "normal":
            if empties:
                for brk in empties:
                    yield "\n", brk
            else:
                yield " ", last_break
        else:
            yield "\n", last_break
            for brk in empties:
                yield "\n", brk
        empties = []
        for k, ch in enumerate(body):
            yield ch, line_start + indent + k
        last_break = line_start + len(line)
        previous = kind
    if chomp == "strip":
        yield "", last_break
        return
    yield "\n", last_break
    end = last_break + 1
    if chomp == "keep":
        for brk in empties:
            yield "\n", brk
            end = brk + 1
    yield "", min(end, len(text))


def _content_lines(
    text: str, first: int, start: int, increment: int | None
) -> Iterator[tuple[int, str, int]]:
    """(start index, text, content indentation) of each line of the block scalar's content."""
    indent: int | None = None
    if increment is not None:
        indent = _parent_indent(text, start) + increment
    pending: list[tuple[int, str]] = []  # leading empty lines, before the indentation is known
    for line_start, line in _lines_from(text, first):
        if indent is None:
            if not line.strip(" "):
                pending.append((line_start, line))
                continue
            indent = len(line) - len(line.lstrip(" "))
            if indent <= _parent_indent(text, start):
                return  # no content: the next line belongs to the parent
        if line.strip(" ") and len(line) - len(line.lstrip(" ")) < indent:
            return  # a less indented line ends the scalar
        for p_start, p_line in pending:
            yield p_start, p_line, indent
        pending = []
        yield line_start, line, indent
