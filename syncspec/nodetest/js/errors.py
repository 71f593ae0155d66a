"""The error the JavaScript-semantics ports raise for what syncspec cannot evaluate offline."""

from __future__ import annotations


class NotOffline(Exception):
    """A Truto extension function (or method) that syncspec does not implement."""

    def __init__(self, name: str) -> None:
        super().__init__(f"`{name}` is not available offline")
