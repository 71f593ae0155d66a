"""Counted budgets of one case's evaluation (never wall-clock: a result must not depend on the
machine's speed): values a range may build, size of the result, and regular expressions.

``re`` has no step limit, so a regular expression is bounded by what it may run on: a subject of
at most ``MAX_REGEX_SUBJECT`` characters, at most ``MAX_REGEX_MATCHES`` matches per call, and a
pattern with a nested unbounded quantifier (``(a+)+``, ``(\\w*)*``: exponential backtracking)
only on subjects of at most ``MAX_NESTED_SUBJECT`` characters.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

MAX_STEPS = 250_000  # evaluation steps per expression
MAX_VALUES = 1_000_000  # values in a range, a sequence, or the result
MAX_STRING = 10_000_000  # characters of any one string the expression builds
MAX_REGEX_SUBJECT = 100_000  # characters a regular expression may run on
MAX_REGEX_MATCHES = 1_000  # matches one call may go through
MAX_NESTED_SUBJECT = 16  # subject length for a pattern with nested quantifiers


class BudgetExceeded(Exception):
    """The expression went over one of the budgets (the message says which, and the fix)."""


def _nested_quantifier(pattern: str) -> bool:
    import importlib

    _parser: Any = importlib.import_module("re._parser")  # the parser behind re.compile

    try:
        parsed = _parser.parse(pattern)
    except Exception:
        return False
    repeats = {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}

    def walk(items: Any, inside: bool) -> bool:
        for op, arg in items:
            name = str(op)
            if name in repeats:
                low, high, sub = arg
                unbounded = high == _parser.MAXREPEAT or high != low
                if unbounded and inside:
                    return True
                if walk(sub, inside or high == _parser.MAXREPEAT):
                    return True
            elif (
                (name == "SUBPATTERN" and walk(arg[-1], inside))
                or (name == "BRANCH" and any(walk(branch, inside) for branch in arg[1]))
                or (name in ("ASSERT", "ASSERT_NOT") and walk(arg[1], inside))
            ):
                return True
        return False

    return walk(parsed, False)


class BoundedPattern:
    """A compiled ``re`` pattern that refuses subjects over its budget (JSONata's regex API)."""

    def __init__(self, source: str, compiled: re.Pattern[str]) -> None:
        self.source = source
        self.compiled = compiled
        self.nested = _nested_quantifier(source)
        self.pattern = compiled.pattern
        self.flags = compiled.flags

    def _check(self, subject: str) -> None:
        if len(subject) > MAX_REGEX_SUBJECT:
            raise BudgetExceeded(
                f"the regular expression /{self.source}/ was given a string of "
                f"{len(subject):,} characters (the budget is {MAX_REGEX_SUBJECT:,}); "
                "fix: cut the string first ($substring) or test with a shorter input"
            )
        if self.nested and len(subject) > MAX_NESTED_SUBJECT:
            raise BudgetExceeded(
                f"the regular expression /{self.source}/ repeats a repeated group (it can "
                f"backtrack exponentially) and was given a string of {len(subject):,} characters "
                f"(such patterns run on at most {MAX_NESTED_SUBJECT}); fix: drop the nested "
                "quantifier, e.g. (a+)+ -> a+"
            )

    def search(self, string: str) -> Any:
        self._check(string)
        return self.compiled.search(string)

    def match(self, string: str) -> Any:
        self._check(string)
        return self.compiled.match(string)

    def fullmatch(self, string: str) -> Any:
        self._check(string)
        return self.compiled.fullmatch(string)

    def finditer(self, string: str) -> Iterator[Any]:
        self._check(string)
        for count, found in enumerate(self.compiled.finditer(string)):
            if count >= MAX_REGEX_MATCHES:
                raise BudgetExceeded(
                    f"the regular expression /{self.source}/ matched more than "
                    f"{MAX_REGEX_MATCHES:,} times in one call"
                )
            yield found

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        self._check(string)
        return self.compiled.sub(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str]:
        self._check(string)
        return self.compiled.split(string, maxsplit)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled, name)


def check_step_result(_expr: Any, _input: Any, _environment: Any, result: Any) -> None:
    """After each evaluation step: no string over ``MAX_STRING`` characters, no sequence over
    ``MAX_VALUES`` values (a doubling string is stopped long before it exhausts memory)."""
    if isinstance(result, str):
        if len(result) > MAX_STRING:
            raise BudgetExceeded(
                f"the expression built a string of {len(result):,} characters "
                f"(the budget is {MAX_STRING:,} per case)"
            )
    elif isinstance(result, list) and len(result) > MAX_VALUES and not _is_range(result):
        raise BudgetExceeded(
            f"the expression built a sequence of {len(result):,} values "
            f"(the budget is {MAX_VALUES:,} per case)"
        )


def _is_range(value: Any) -> bool:
    """jsonata-python's lazy range (bounded by ``bounded_range``; its len() counts one more)."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    return isinstance(value, Utils.RangeList)


def bounded_pad(string: Any = None, width: Any = None, char: Any = None) -> Any:
    """JSONata's ``$pad``, refusing a width over ``MAX_STRING`` before it allocates."""
    from jsonata.functions import Functions  # type: ignore[import-untyped]

    if isinstance(width, int | float) and not isinstance(width, bool) and abs(width) > MAX_STRING:
        raise BudgetExceeded(
            f"$pad to {abs(width):,} characters (the budget is {MAX_STRING:,} per case)"
        )
    return Functions.pad(string, width, char)


def regex_engine(pattern: str, flags: Any) -> BoundedPattern:
    """jsonata-python's pluggable regex engine, with the budget."""
    py_flags = 0
    if getattr(flags, "case_insensitive", False):
        py_flags |= re.IGNORECASE
    if getattr(flags, "multiline", False):
        py_flags |= re.MULTILINE
    return BoundedPattern(pattern, re.compile(pattern, py_flags))


def bounded_range(lhs: Any, rhs: Any, original: Any) -> Any:
    """JSONata's range operator, refusing more than ``MAX_VALUES`` values."""
    numbers = all(isinstance(v, int) and not isinstance(v, bool) for v in (lhs, rhs))
    if numbers and rhs - lhs + 1 > MAX_VALUES:
        raise BudgetExceeded(
            f"the range [{lhs}..{rhs}] has {rhs - lhs + 1:,} values "
            f"(the budget is {MAX_VALUES:,} per case); fix: a smaller range"
        )
    return original(lhs, rhs)


def count_values(value: Any, limit: int | None = None) -> None:
    """Refuse a result of more than ``limit`` (``MAX_VALUES``) values, counted without copying."""
    limit = MAX_VALUES if limit is None else limit
    seen = -1  # the result itself is not counted, only what it holds
    stack = [value]
    while stack:
        item = stack.pop()
        seen += 1
        if seen > limit:
            raise BudgetExceeded(
                f"the expression produced more than {limit:,} values (the budget per case)"
            )
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list | tuple):
            if len(item) > limit:
                raise BudgetExceeded(
                    f"the expression produced a list of {len(item):,} values "
                    f"(the budget is {limit:,} per case)"
                )
            stack.extend(item)
