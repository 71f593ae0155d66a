"""Process-wide redaction of secrets from anything syncspec prints or logs.

Every token that syncspec reads is registered here (``config.Secret`` does it); the CLI edge,
the ``--debug`` log handler and the error reporter pass their text through ``redact``. This is the
second line of defence: messages are built without the token in the first place.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # logging is imported by --debug only (validate's start-up stays lean)
    import logging

_SECRETS: set[str] = set()
MASK = "***"


def register_secret(value: str) -> None:
    # Very short values would mask ordinary words; real tokens are long.
    if len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in sorted(_SECRETS, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


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
