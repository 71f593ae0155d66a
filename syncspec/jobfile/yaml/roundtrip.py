"""Round-trip YAML (ruamel) for the commands that edit a team's files in place: ``pull``,
``fmt`` and ``init`` in an existing repository.

Editing keeps what the team wrote: comments, key order, quoting style, the indentation steps and
the line endings of the file. The validator reads files with its own loader (``loader.py``);
these helpers are only for writing.
"""

from __future__ import annotations

import io
import os
import tempfile
import warnings
from pathlib import Path
from typing import Any

# Long strings (JSONata, placeholders) are never folded across lines.
WIDTH = 4096


def rt_yaml(mapping: int = 2, sequence: int = 4, offset: int = 2) -> Any:
    """A round-trip ``YAML``; the defaults are DESIGN.md's style (``  - resource:``)."""
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.allow_unicode = True
    yaml.width = WIDTH
    yaml.indent(mapping=mapping, sequence=max(sequence, offset + 2), offset=offset)
    return yaml


def mapping_indent(text: str) -> int:
    """The indentation step of nested mappings in ``text`` (2 when there is none)."""
    previous: tuple[int, bool] | None = None  # (indent, line is a bare "key:")
    for line in text.splitlines():
        content = line.strip()
        if not content or content.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip(" "))
        nested = previous is not None and previous[1] and indent > previous[0]
        if nested and previous is not None and not content.startswith("- "):
            return indent - previous[0]
        bare_key = content.endswith(":") and not content.startswith("- ")
        previous = (indent, bare_key)
    return 2


def load(yaml: Any, text: str) -> Any:
    """``yaml.load(text)``, without ruamel's warning about YAML 1.1 floats such as ``1e3``: the
    validator reads job files as YAML 1.2 (JSON's numbers), where they are fine."""
    from ruamel.yaml.error import MantissaNoDotYAML1_1Warning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
        return yaml.load(text)


def styled_yaml(text: str) -> tuple[Any, Any]:
    """``(yaml, data)``: ``text`` loaded round-trip, and a ``YAML`` that dumps in its style."""
    from ruamel.yaml.error import MantissaNoDotYAML1_1Warning
    from ruamel.yaml.util import load_yaml_guess_indent

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", MantissaNoDotYAML1_1Warning)
        data, sequence, offset = load_yaml_guess_indent(text, yaml=rt_yaml())
    yaml = rt_yaml(
        mapping=mapping_indent(text),
        sequence=sequence if sequence is not None else 4,
        offset=offset if offset is not None else 2,
    )
    return yaml, data


def dump(yaml: Any, data: Any) -> str:
    buf = io.StringIO()
    yaml.dump(data, buf)
    return buf.getvalue()


def newline_of(text: str) -> str:
    """The line ending a file uses (CRLF when its first line break is one)."""
    first = text.find("\n")
    return "\r\n" if first > 0 and text[first - 1] == "\r" else "\n"


def with_newlines(text: str, newline: str) -> str:
    """``text`` (LF line breaks, as ruamel emits) with ``newline`` line breaks."""
    return text if newline == "\n" else text.replace("\n", newline)


def exact_floats(data: Any) -> None:
    """Replace, in place, each loaded float that ruamel would write back as another number.

    ruamel keeps a float's spelling (``1e3``, ``1.50``), but with an exponent it can drop the
    last digit (``2.797844432626679e-207`` comes back ``...678e-207``): such a float is written
    the way Python prints it instead, which reads back exactly.
    """
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarfloat import ScalarFloat

    yaml = rt_yaml()
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, CommentedMap):
            keys: list[Any] = list(node)
        elif isinstance(node, CommentedSeq):
            keys = list(range(len(node)))
        else:
            continue
        for key in keys:
            value = node[key]
            if isinstance(value, ScalarFloat):
                back = load(yaml, dump(yaml, [value]))[0]
                if float(back) != float(value) and float(value) == float(value):  # not NaN
                    node[key] = float(value)
            else:
                stack.append(value)


def replace_text(path: Path, text: str) -> None:
    """Replace ``path`` with ``text`` atomically, keeping its mode and writing ``text``'s line
    endings as they are (``fmt`` and ``pull`` both write through here)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o7777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
