"""Truto ``{{...}}`` placeholders: parsing templates, and the unquoted-``{{ }}`` YAML trap.

The grammar is that of ``@truto/replace-placeholders`` (``replace.ts``), which is what Truto runs:

- a placeholder is ``{{`` inner ``}}`` where inner matches ``[\\w\\-./|:?\\s]+``;
- inner splits once on ``?:`` into the *alternatives* and an optional *default*
  (``{{a|b?:x}}``); the default applies when every alternative is undefined; an empty default
  (``{{a?:}}``) counts as none;
- alternatives are separated by ``|``; each is a dotted path with its **own** optional cast
  (``{{args.q:ignore-empty-str|args.x}}``, ``{{foo:str|bar:int}}``); the first defined wins;
- a cast starts at the first ``:`` that is followed by a word character or a space (so
  ``https://x`` in a default is not a cast); the default may carry a cast too (``{{a?:1:int}}``);
- casts: ``str`` (the default), ``int``, ``num``, ``bool``, ``json``, ``null``, ``undefined``,
  ``ignore-empty-str``, ``any``; any other is an error at run time. ``null``/``undefined``/
  ``ignore-empty-str`` on *any* alternative change what a missing value becomes, also inside a
  longer string (``'foo {{x:undefined}}'`` -> ``'foo '``); the type casts take effect only when the
  placeholder is the whole string.

Anything the library cannot match stays in the output as literal text, so a typo ships silently:
``scan`` finds those near-misses too. Public API (also used by the resolver of ``syncspec test``):
``parse_template(text)`` -> literal text parts and ``Placeholder`` s in order; ``scan(text)`` ->
the placeholders and the near-misses. This module knows nothing about a job's arguments or
resources; the rule modules decide what a path may name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from syncspec.jobfile.problems import PathItem

CASTS: frozenset[str] = frozenset(
    {"str", "int", "num", "bool", "json", "null", "undefined", "ignore-empty-str", "any"}
)
# Casts that make a missing value harmless (the key is dropped or nulled instead of sent as text).
TOLERANT_CASTS: frozenset[str] = frozenset({"null", "undefined", "ignore-empty-str"})
# Casts that convert the value's type: only effective when the placeholder is the whole string.
TYPE_CASTS: frozenset[str] = frozenset({"int", "num", "bool", "json", "any"})

# replace.ts: ``/{{([\w-./|:?\s]+)}}/gi``. JavaScript's ``\w`` is ASCII (Python's is Unicode):
# ``{{args.café}}`` is no placeholder for Truto, which sends it as literal text.
INNER_CLASS = r"[A-Za-z0-9_\-./|:?\s]"
_INNER_CHAR = re.compile(INNER_CLASS)
_INNER_OK = re.compile(INNER_CLASS + r"+\Z")
_WHITESPACE = re.compile(r"\s")
# replace.ts: ``/:(?=[\w\s]+)/`` splits a path (or a default) from its cast.
CAST_SPLIT = re.compile(r":(?=[A-Za-z0-9_\s])")
_CAST_SPLIT = CAST_SPLIT
# Single-brace and stray-close lookalikes of placeholders, only for the roots that are surely
# placeholders (JSON text in query values legitimately contains "}}").
_ROOTS_ALT = r"(?:args|resources|sync_job_run|payload)"
_SINGLE_BRACE = re.compile(r"(?<!\{)\{\s*(" + _ROOTS_ALT + r"\.[\w\-./]+)\s*\}(?!\})")
_STRAY_CLOSE = re.compile(r"(?<![\w.{])\{?\s*(" + _ROOTS_ALT + r"(?:\.[\w\-./]+)?)\s*\}\}")
_PATHLIKE_KEY = re.compile(_ROOTS_ALT + r"(?:\.[\w\-]+)+\Z")


@dataclass(frozen=True)
class Alternative:
    """One ``|``-separated choice of a placeholder: a dotted path and its own cast."""

    path: str  # stripped: "args.q"
    cast: str | None = None  # as written, possibly unknown (check against CASTS); None = str


@dataclass(frozen=True)
class Placeholder:
    """One well-formed ``{{...}}`` occurrence in a string."""

    text: str  # as written, braces included
    alternatives: tuple[Alternative, ...]
    default: str | None = None  # "x" for {{a?:x}}, as written (not stripped)
    default_cast: str | None = None  # "int" for {{a?:1:int}}
    whole: bool = True  # the placeholder is the entire string (type casts only apply then)
    start: int = 0  # character index of its "{{" in the string

    @cached_property
    def paths(self) -> tuple[str, ...]:
        """The paths of the alternatives: ("args.a", "args.b") for {{args.a|args.b}}."""
        return tuple(alt.path for alt in self.alternatives)

    @property
    def casts(self) -> tuple[str, ...]:
        """Every cast written in the placeholder (alternatives', then the default's)."""
        found = [alt.cast for alt in self.alternatives if alt.cast is not None]
        if self.default_cast is not None:
            found.append(self.default_cast)
        return tuple(found)

    @property
    def tolerant(self) -> bool:
        """A missing value becomes null/undefined/'' rather than the literal placeholder text."""
        return any(alt.cast in TOLERANT_CASTS for alt in self.alternatives)


@dataclass(frozen=True)
class Malformed:
    """Text that was meant as a placeholder but will not be replaced."""

    message: str
    hint: str | None = None


@dataclass(frozen=True)
class Scan:
    placeholders: tuple[Placeholder, ...] = ()
    malformed: tuple[Malformed, ...] = ()


_EMPTY = Scan()


def _braced(inner: str) -> str:
    return "{{" + inner + "}}"


def _split_cast(text: str) -> tuple[str, str | None]:
    """``"args.n:int"`` -> ``("args.n", "int")``; later ``:`` pieces are ignored, as by Truto."""
    pieces = _CAST_SPLIT.split(text, maxsplit=2)
    if len(pieces) == 1:
        return text, None
    return pieces[0], pieces[1].strip()


def _parse(inner: str, whole: bool, start: int) -> Placeholder | Malformed:
    shown = _braced(inner)
    if not inner.strip():
        return Malformed(f"empty placeholder {shown}", 'write a path, e.g. "{{args.name}}"')
    if not _INNER_OK.match(inner):
        bad = "".join(sorted({ch for ch in inner if not _INNER_CHAR.match(ch)}))
        return Malformed(
            f"placeholder {shown} contains {bad!r}, which Truto's placeholder grammar does not "
            "allow: it would be sent as literal text",
            "a placeholder holds a dotted path, optional |fallbacks, ?:default and :cast",
        )
    head, sep, tail = inner.partition("?:")
    default: str | None = None
    default_cast: str | None = None
    if sep:
        tail = tail.split("?:", 1)[0]  # replace.ts destructures split('?:') into two
        if tail:
            default, default_cast = _split_cast(tail)
    alternatives: list[Alternative] = []
    for part in head.split("|"):
        raw_path, cast = _split_cast(part)
        path = raw_path.strip()
        if not path:
            return Malformed(f"placeholder {shown} has an empty alternative")
        if _WHITESPACE.search(path):
            return Malformed(
                f"placeholder {shown} has whitespace inside the path {path!r}",
                "paths are dotted names without spaces",
            )
        if "" in path.split("."):
            return Malformed(f"placeholder {shown} has an empty segment in the path {path!r}")
        if ":" in path:  # "{{a:}}": a colon that starts no cast is part of the path
            return Malformed(
                f"placeholder {shown} has a ':' without a cast after it in {path!r}",
                "casts: " + ", ".join(sorted(CASTS)),
            )
        alternatives.append(Alternative(path, cast or None))
    return Placeholder(shown, tuple(alternatives), default, default_cast or None, whole, start)


def parse_template(text: str) -> tuple[str | Placeholder, ...]:
    """``text`` as literal parts and placeholders, in order (empty literals left out).

    Malformed placeholders are literal text here, as they are for Truto; ``scan`` reports them.
    ``"".join(p if isinstance(p, str) else p.text for p in parse_template(t)) == t``.
    """
    parts: list[str | Placeholder] = []
    pos = 0
    for ph in scan(text).placeholders:
        if ph.start > pos:
            parts.append(text[pos : ph.start])
        parts.append(ph)
        pos = ph.start + len(ph.text)
    if pos < len(text):
        parts.append(text[pos:])
    return tuple(parts)


@lru_cache(maxsize=16384)
def scan(text: str) -> Scan:
    """Every placeholder in ``text``, and every near-miss that Truto would leave as literal text.

    Cached by text (the result is immutable): job files repeat the same templates a lot."""
    if "{" not in text and "}" not in text:
        return _EMPTY
    found: list[Placeholder] = []
    malformed: list[Malformed] = []
    rest: list[str] = []  # the text outside well-formed placeholders, for the lookalike checks
    pos = 0
    while (start := text.find("{{", pos)) != -1:
        end = text.find("}}", start + 2)
        if end == -1:
            malformed.append(
                Malformed(
                    f"unbalanced braces: {text[start : start + 40]!r} opens {{{{ "
                    "but never closes it",
                    'close it with "}}"',
                )
            )
            rest.append(text[pos:start])
            pos = len(text)
            break
        inner = text[start + 2 : end]
        nested = inner.find("{{")
        if nested != -1:
            malformed.append(
                Malformed(
                    f"unbalanced braces: {text[start : start + 2 + nested]!r} opens {{{{ that is "
                    "not closed before the next {{",
                    'close it with "}}"',
                )
            )
            rest.append(text[pos:start])
            pos = start + 2 + nested
            continue
        parsed = _parse(inner, start == 0 and end + 2 == len(text), start)
        if isinstance(parsed, Placeholder):
            found.append(parsed)
        else:
            malformed.append(parsed)
        rest.append(text[pos:start])
        pos = end + 2
    rest.append(text[pos:])
    outside = " ".join(rest)
    if "}" in outside:
        for match in _STRAY_CLOSE.finditer(outside):
            malformed.append(
                Malformed(
                    f"unbalanced braces: {match.group(0).strip()!r} closes }}}} "
                    "that was never opened",
                    f'write "{_braced(match.group(1))}"',
                )
            )
        for match in _SINGLE_BRACE.finditer(outside):
            malformed.append(
                Malformed(
                    f"{match.group(0)!r} uses single braces: Truto placeholders use double braces",
                    f'write "{_braced(match.group(1))}"',
                )
            )
    if not found and not malformed:
        return _EMPTY
    return Scan(tuple(found), tuple(malformed))


def is_placeholder_text(value: object) -> bool:
    """A field that takes a JSONata expression *or* a placeholder (``recurse.if``): placeholder
    when it holds ``{{`` (which no JSONata expression has)."""
    return isinstance(value, str) and "{{" in value


def _trap_inner(key: object) -> str | None:
    if isinstance(key, Mapping):
        # ruamel's round-trip loader keeps {{x}} as {{x: None}: None} (a mapping used as a key).
        if len(key) == 1:
            ((inner_key, inner_value),) = key.items()
            if inner_value is None and isinstance(inner_key, str):
                return inner_key.strip()
        return None
    if isinstance(key, tuple | frozenset) and len(key) == 1:
        # a loader that made the mapping key hashable as its items: (("x", None),)
        (item,) = tuple(key)
        if isinstance(item, tuple) and len(item) == 2 and item[1] is None:
            return str(item[0]).strip()
        return None
    if isinstance(key, str):
        stripped = key.strip()
        if stripped.startswith("{"):
            return stripped.strip("{} ")
        if _PATHLIKE_KEY.match(stripped):  # `{args.x}`: a flow mapping with one key
            return stripped
    return None


def unquoted_placeholder(value: object) -> str | None:
    """If ``value`` is what YAML made of an unquoted ``{{ x }}``, the placeholder to write instead.

    ``id: {{args.x}}`` is a flow mapping whose single key is another flow mapping, with null
    values: the user meant the string ``"{{args.x}}"``.
    """
    # dict first: the parsed data's mappings are dicts, and an ABC check costs ~10x more
    if not isinstance(value, (dict, Mapping)) or len(value) != 1:
        return None
    ((key, item),) = value.items()
    if item is not None:
        return None
    inner = _trap_inner(key)
    if inner is None or not inner:
        return None
    return _braced(inner)


def iter_strings(
    node: object, path: tuple[PathItem, ...], skip: frozenset[str] = frozenset()
) -> Iterator[tuple[tuple[PathItem, ...], str | Mapping[object, object]]]:
    """Every string value under ``node`` with its path, and every unquoted-``{{ }}`` mapping.

    Mapping keys named in ``skip`` (JSONata fields, which are not placeholder templates) are not
    entered. Mapping keys themselves are not scanned.
    """
    if isinstance(node, str):
        yield path, node
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from iter_strings(value, (*path, index), skip)
    # dict first: the parsed data's mappings are dicts, and an ABC check costs ~10x more
    elif isinstance(node, (dict, Mapping)):
        if unquoted_placeholder(node) is not None:
            yield path, node
            return
        for key, value in node.items():
            if isinstance(key, str | int) and not (isinstance(key, str) and key in skip):
                yield from iter_strings(value, (*path, key), skip)


def root(path: str) -> str:
    """The first segment of a dotted path: ``args`` for ``args.user_ids``."""
    return path.split(".", 1)[0]
