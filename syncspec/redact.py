"""Process-wide redaction of secrets from anything syncspec prints, logs or writes.

Every token that syncspec reads is registered here (``config.Secret`` does it). ``redact`` masks
not only the whole token but every run of ``FRAGMENT`` (8) or more consecutive characters of it,
in the forms a server or proxy may echo it (issue 22): as is, a prefix or suffix, split across
lines (whitespace, or ``\\n`` escapes in JSON text, between its characters), URL-encoded
(``%XX``), and the base64 of the ``Authorization`` header (the stable part of the token's
base64 at each of the three byte alignments, standard and URL-safe alphabets: runs of 11+
base64 characters, i.e. 8+ bytes of the token).

It is the one redaction of every output path: the CLI wraps stdout and stderr in
``RedactingStream`` (each write is redacted whole), the ``--debug`` log handler uses
``RedactingFilter``, and files syncspec writes (saved plans, pulled jobs) pass through
``redact``. It is the second line of defence: messages are built without the token anyway.

Cost: a text without a fragment (the usual case) costs a few C-level searches (``_present``);
the position-exact masking (regex scans, then a character walk of the few candidate runs) runs
only when a fragment is present.
"""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any, Final, TextIO
from urllib.parse import unquote

if TYPE_CHECKING:  # logging is imported by --debug only (validate's start-up stays lean)
    import logging

_SECRETS: set[str] = set()
MASK = "***"
FRAGMENT = 8  # no run of this many consecutive token characters survives
ANCHOR = FRAGMENT // 2  # every run of FRAGMENT holds the ANCHOR characters at a multiple of it

# Between two characters of an echoed token: whitespace, or a JSON/Python escape of it.
_SEPARATORS = re.compile(r"\s+|\\[nrt]")
# One unit of the text as the token may appear in it: a %XX escape, a separator, a character.
_UNITS = re.compile(r"%[0-9A-Fa-f]{2}|\\[nrt]|\s|.", re.DOTALL)

# A run of base64 characters long enough to hold 8 bytes of a token.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{11,}")
# (plain-text fragments, base64 fragments, candidate regex) of every secret; rebuilt when a
# secret is added
_CACHE: dict[str, Any] = {}


def register_secret(value: str) -> None:
    # Very short values would mask ordinary words; real tokens are long.
    if len(value) >= 4 and value not in _SECRETS:
        _SECRETS.add(value)
        _CACHE.clear()


def _fragments() -> tuple[tuple[str, ...], tuple[str, ...], re.Pattern[str]]:
    if not _CACHE:
        plain: set[str] = set()
        encoded: set[str] = set()
        for secret in _SECRETS:
            size = min(FRAGMENT, len(secret))
            plain.update(secret[i : i + size] for i in range(len(secret) - size + 1))
            encoded.update(_base64_fragments(secret))
        _CACHE["plain"] = tuple(sorted(plain))
        _CACHE["base64"] = tuple(sorted(encoded))
        _CACHE["anchors"] = tuple(
            sorted(
                {
                    secret[i : i + ANCHOR]
                    for secret in _SECRETS
                    for i in range(0, max(1, len(secret) - ANCHOR + 1), ANCHOR)
                }
            )
        )
        # Where a fragment can be: a run of characters of a secret (or %XX escapes), with
        # separators between them, at least as long as the shortest fragment. One C-level scan
        # finds these few places; only they are examined further.
        chars = "".join(sorted({c for secret in _SECRETS for c in secret}))
        unit = rf"(?:[{re.escape(chars)}]|%[0-9A-Fa-f]{{2}})"
        size = min((len(g) for g in plain), default=FRAGMENT)
        _CACHE["candidates"] = re.compile(rf"{unit}(?:(?:\s|\\[nrt])*{unit}){{{size - 1},}}")
    return _CACHE["plain"], _CACHE["base64"], _CACHE["candidates"]


def _base64_fragments(secret: str) -> set[str]:
    """8-character windows, at every 4th position, of the part of the secret's base64 that does
    not depend on what surrounds it, for each of the 3 byte alignments and both alphabets: every
    run of 11 or more base64 characters of the token contains one."""
    out: set[str] = set()
    raw = secret.encode()
    if len(raw) < FRAGMENT:
        return out
    for lead in range(3):
        encoded = base64.b64encode(b"\0" * lead + raw).decode()
        start = 4 if lead else 0  # the first quantum mixes in what came before
        stable = (len(raw) + lead) // 3 * 4  # quanta made of token bytes only (no padding)
        body = encoded[start:stable]
        for text in (body, body.replace("+", "-").replace("/", "_")):
            out.update(text[i : i + FRAGMENT] for i in range(0, len(text) - FRAGMENT + 1, 4))
    return out


def redact(text: str) -> str:
    """``text`` with every fragment of a registered secret masked (see the module docstring)."""
    if not _SECRETS or not text or not _present(text):
        return text
    plain, encoded, candidates = _fragments()
    spans: list[tuple[int, int]] = []
    grams = frozenset(plain)
    for match in candidates.finditer(text):
        piece = match.group()
        if _has_fragment(piece, grams):
            base = match.start()
            spans.extend((base + a, base + b) for a, b in _folded_spans(piece, plain))
    b64 = frozenset(encoded)
    for match in _BASE64_RUN.finditer(text):
        piece = match.group()
        if any(piece[i : i + FRAGMENT] in b64 for i in range(len(piece) - FRAGMENT + 1)):
            base = match.start()
            spans.extend(
                (base + at, base + at + len(g)) for g in encoded for at in _occurrences(piece, g)
            )
    return _apply(text, spans) if spans else text


_DROP_WHITESPACE: Final = dict.fromkeys(map(ord, " \t\n\r\v\f"))


def _present(text: str) -> bool:
    """Whether ``text`` may hold a fragment, by C-level searches only (the usual answer is no):
    the text folded (whitespace and \\n escapes dropped, %XX decoded) is searched for the
    4-character pieces at every 4th position of each secret (every 8-character run contains
    one), and each hit is checked around; base64 fragments are searched as they are."""
    plain, encoded, _ = _fragments()
    folded = text.translate(_DROP_WHITESPACE)
    if "\\" in folded:
        folded = folded.replace("\\n", "").replace("\\r", "").replace("\\t", "")
    if "%" in folded:
        folded = unquote(folded, errors="replace")
    grams = frozenset(plain)
    size = min((len(g) for g in plain), default=FRAGMENT)
    for anchor in _CACHE["anchors"]:
        at = folded.find(anchor)
        while at != -1:
            near = folded[max(0, at - size) : at + 2 * size]
            if any(near[i : i + size] in grams for i in range(len(near) - size + 1)):
                return True
            at = folded.find(anchor, at + 1)
    return any(g in text for g in encoded)


def _has_fragment(piece: str, grams: frozenset[str]) -> bool:
    folded = _SEPARATORS.sub("", piece)
    if "%" in folded:
        folded = unquote(folded, errors="replace")
    size = min((len(g) for g in grams), default=FRAGMENT)
    return any(folded[i : i + size] in grams for i in range(len(folded) - size + 1))


def redact_data(value: Any) -> Any:
    """JSON-like ``value`` with every string (keys too) redacted: for data that is written as a
    document (a pulled job file), where masking the text would break its syntax."""
    if not _SECRETS:
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact(str(k)): redact_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact_data(v) for v in value]
    return value


def _occurrences(text: str, gram: str) -> list[int]:
    found: list[int] = []
    at = text.find(gram)
    while at != -1:
        found.append(at)
        at = text.find(gram, at + 1)
    return found


def _folded_spans(text: str, grams: tuple[str, ...]) -> list[tuple[int, int]]:
    """Spans of ``text`` holding a fragment once separators are dropped and %XX decoded."""
    chars: list[str] = []
    where: list[tuple[int, int]] = []
    for unit in _UNITS.finditer(text):
        piece = unit.group()
        if len(piece) == 3 and piece[0] == "%":
            chars.append(chr(int(piece[1:], 16)))
        elif _SEPARATORS.fullmatch(piece):
            continue
        else:
            chars.append(piece)
        where.append(unit.span())
    folded = "".join(chars)
    return [
        (where[m][0], where[m + len(g) - 1][1])
        for g in grams
        if g in folded
        for m in _occurrences(folded, g)
    ]


def _apply(text: str, spans: list[tuple[int, int]]) -> str:
    spans.sort()
    out: list[str] = []
    position = 0
    current: tuple[int, int] | None = None
    for start, end in spans:
        if current is not None and start <= current[1]:
            current = (current[0], max(current[1], end))
            continue
        if current is not None:
            out.append(text[position : current[0]])
            out.append(MASK)
            position = current[1]
        current = (start, end)
    if current is not None:
        out.append(text[position : current[0]])
        out.append(MASK)
        position = current[1]
    out.append(text[position:])
    return "".join(out)


class RedactingStream:
    """A text stream that redacts each write whole before passing it on (stdout/stderr of the
    CLI). ``click.echo`` writes a message in one call, so a token split across the lines of one
    message is caught; everything else is the wrapped stream's."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact(text))
        return len(text)

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


class RedactingFilter:
    """Rewrites each record's message with secrets masked (attach to handlers).

    Not a ``logging.Filter`` subclass: handlers take any object with a ``filter`` method, and
    this module is imported by every command."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg = cleaned
            record.args = None
        return True
