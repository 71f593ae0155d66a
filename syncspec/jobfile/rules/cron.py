"""Cron expressions of schedules: Truto's 5-field UTC dialect, checked offline with positions.

Truto documents ``cron_expression`` as a 5-field cron in UTC (truto-api.md, "Sync job cron
triggers"): minute, hour, day of month, month, day of week; ``*``, numbers, ranges ``a-b``,
lists ``a,b``, steps ``*/n`` / ``a-b/n`` / ``a/n``, month names ``JAN``-``DEC`` and day names
``SUN``-``SAT`` (day 7 is Sunday too). On top, syncspec's own ``H`` (Jenkins' "hash"): ``H``,
``H(a-b)``, ``H/n`` and ``H(a-b)/n`` stand for a value derived from (job label, account id), so a
schedule over thousands of accounts does not fire them all in the same minute. ``H`` is
resolved by syncspec before a trigger is sent: the server only ever sees plain cron.

``problems`` is the small grammar check that knows positions (croniter, which does the rest,
says only "out of range" for the whole expression); ``resolve_h`` substitutes ``H``;
``meaning`` (the expanded value sets, via croniter) is what comparisons use, so a server that
rewrites ``0-59`` as ``*`` causes no diff; ``next_fire`` is croniter's next match in UTC.
croniter is imported only by those functions (it costs ~90 ms to import).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

FIELD_NAMES: tuple[str, ...] = ("minute", "hour", "day of month", "month", "day of week")
# (low, high) of each field; day of week allows 7 (Sunday). H of day of month stays within
# 1-28 so that it fires every month (Jenkins does the same).
_RANGES: tuple[tuple[int, int], ...] = ((0, 59), (0, 23), (1, 31), (1, 12), (0, 7))
_H_RANGES: tuple[tuple[int, int], ...] = ((0, 59), (0, 23), (1, 28), (1, 12), (0, 6))
_MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
_DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_NAMES: dict[int, dict[str, int]] = {
    3: {m: i + 1 for i, m in enumerate(_MONTHS)},
    4: {d: i for i, d in enumerate(_DAYS)},
}
_MAX_LENGTH = 200  # a cron expression longer than this is a mistake (and bounds the work)

_VALUE = r"[0-9]+|[A-Za-z]+"
_ELEMENT = re.compile(
    rf"(?P<star>\*)"
    rf"|(?P<h>H)(?:\((?P<hlo>[0-9]+)-(?P<hhi>[0-9]+)\))?"
    rf"|(?P<lo>{_VALUE})(?:-(?P<hi>{_VALUE}))?"
)
_STEP = re.compile(r"/(?P<step>[0-9]+)")


@dataclass(frozen=True)
class CronProblem:
    """What is wrong, and the character index in the expression where it is."""

    offset: int
    message: str
    hint: str | None = None


@dataclass(frozen=True)
class _Field:
    text: str
    offset: int  # of the field's first character in the expression


def _fields(expression: str) -> list[_Field]:
    return [_Field(m.group(), m.start()) for m in re.finditer(r"\S+", expression)]


def has_h(expression: str) -> bool:
    return "H" in expression


def problems(expression: str) -> list[CronProblem]:
    """Everything wrong with ``expression`` (empty: valid), each with its position."""
    if len(expression) > _MAX_LENGTH:
        return [CronProblem(0, f"the cron expression is longer than {_MAX_LENGTH} characters")]
    fields = _fields(expression)
    if len(fields) != 5:
        at = fields[5].offset if len(fields) > 5 else 0
        extra = " (Truto's cron has no seconds or years field)" if len(fields) in (6, 7) else ""
        return [
            CronProblem(
                at,
                f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
                f"not {len(fields)}{extra}",
                hint='e.g. "H * * * *" (hourly) or "0 2 * * MON" (Mondays at 02:00 UTC)',
            )
        ]
    out: list[CronProblem] = []
    for index, field in enumerate(fields):
        out.extend(_field_problems(index, field))
    return out


def _field_problems(index: int, field: _Field) -> list[CronProblem]:
    out: list[CronProblem] = []
    position = 0
    for element in field.text.split(","):
        at = field.offset + position
        position += len(element) + 1
        problem = _element_problem(index, element, at)
        if problem is not None:
            out.append(problem)
    return out


def _element_problem(index: int, element: str, at: int) -> CronProblem | None:
    name = FIELD_NAMES[index]
    low, high = _RANGES[index]
    if not element:
        return CronProblem(at, f"empty list item in the {name} field")
    match = _ELEMENT.match(element)
    rest = element[match.end() :] if match else element
    step = _STEP.fullmatch(rest) if rest else None
    if match is None or (rest and step is None):
        where = at + (match.end() if match else 0)
        if "H" in element:
            return CronProblem(
                where,
                f"H must stand alone in a list item of the {name} field "
                "(H, H(a-b), H/n or H(a-b)/n)",
                hint="H picks one value per account; it cannot be part of a range or a step",
            )
        return CronProblem(
            where,
            f"{element!r} is not a cron value, range or step for the {name} field",
            hint="use numbers, a-b ranges, a,b lists, */n steps"
            + (" or names (JAN, MON)" if index >= 3 else ""),
        )
    if step is not None:
        if int(step["step"]) == 0:
            return CronProblem(at + match.end() + 1, f"a step of 0 in the {name} field")
        if int(step["step"]) > high - low + 1:
            return CronProblem(
                at + match.end() + 1,
                f"the step {step['step']} is larger than the {name} field's range {low}-{high}",
            )
    if match["h"]:
        if match["hlo"] is not None:
            hlo, hhi = int(match["hlo"]), int(match["hhi"])
            if not low <= hlo <= hhi <= high:
                return CronProblem(at, f"H({hlo}-{hhi}) is outside the {name} field's {low}-{high}")
        return None
    if match["star"]:
        return None
    values = [(match["lo"], at)]
    if match["hi"] is not None:
        values.append((match["hi"], at + len(match["lo"]) + 1))
    numbers: list[int] = []
    for text, where in values:
        number = _number(index, text)
        if number is None and text == "H":
            return CronProblem(
                where,
                f"H must stand alone in a list item of the {name} field "
                "(H, H(a-b), H/n or H(a-b)/n)",
                hint="H picks one value per account; it cannot be part of a range or a step",
            )
        if number is None:
            names = _NAMES.get(index)
            options = f" (names: {', '.join(names)})" if names else ""
            return CronProblem(where, f"{text!r} is not a valid {name}{options}")
        if not low <= number <= high:
            return CronProblem(where, f"{text} is out of range for the {name} ({low}-{high})")
        numbers.append(number)
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return CronProblem(at, f"the range {element.split('/', maxsplit=1)[0]} runs backwards")
    return None


def _number(index: int, text: str) -> int | None:
    if text.isdigit():
        return int(text)
    return _NAMES.get(index, {}).get(text.upper())


def _h_value(seed: str, index: int, low: int, high: int) -> int:
    import hashlib  # only where schedules are resolved (validate of a job file never hashes)

    digest = hashlib.sha256(f"{seed}\x00{index}".encode()).digest()
    return low + int.from_bytes(digest[:8], "big") % (high - low + 1)


def resolve_h(expression: str, seed: str) -> str:
    """``expression`` with every ``H`` replaced by its value for ``seed`` (label + account id).

    Deterministic: the same seed always gives the same expression. ``expression`` must be valid
    (``problems`` empty). The expression is parsed once (cached); each seed costs one hash per H.
    """
    if "H" not in expression:
        return expression
    out = []
    for index, items in enumerate(_h_template(expression)):
        out.append(
            ",".join(
                item if isinstance(item, str) else _h_item(item, index, seed) for item in items
            )
        )
    return " ".join(out)


_HItem = tuple[int, int, int | None]  # (low, high, step) of one H list item


@functools.lru_cache(maxsize=1024)
def _h_template(expression: str) -> tuple[tuple[str | _HItem, ...], ...]:
    fields = []
    for index, field in enumerate(_fields(expression)):
        items: list[str | _HItem] = []
        for element in field.text.split(","):
            match = _ELEMENT.match(element) if "H" in element else None
            if match is None or not match["h"]:
                items.append(element)
                continue
            low, high = _H_RANGES[index]
            if match["hlo"] is not None:
                low, high = int(match["hlo"]), int(match["hhi"])
            step = _STEP.fullmatch(element[match.end() :])
            items.append((low, high, None if step is None else int(step["step"])))
        fields.append(tuple(items))
    return tuple(fields)


def _h_item(item: _HItem, index: int, seed: str) -> str:
    low, high, step = item
    if step is None:
        return str(_h_value(seed, index, low, high))
    start = _h_value(seed, index, low, min(high, low + step - 1))
    return f"{start}-{high}/{step}"


def meaning(expression: str) -> tuple[Any, ...] | None:
    """What ``expression`` means (croniter's expanded fields), for comparisons; None if croniter
    cannot read it (then the text itself is compared)."""
    from croniter import croniter
    from croniter.croniter import CroniterError

    try:
        expanded, nth = croniter.expand(expression)
    except (CroniterError, ValueError, TypeError, IndexError):
        return None
    fields = tuple(tuple(sorted(str(v) for v in f)) for f in expanded)
    return (*fields, tuple(sorted((k, tuple(sorted(v))) for k, v in nth.items())))


def same_meaning(a: str, b: str) -> bool:
    """Whether two cron expressions fire at the same times."""
    if a.split() == b.split():
        return True
    ma = meaning(a)
    return ma is not None and ma == meaning(b)


@functools.lru_cache(maxsize=4096)
def next_fire(expression: str, after: datetime) -> datetime | None:
    """The first fire time strictly after ``after`` (UTC), or None if it never fires (cached:
    a plan asks for thousands of accounts' expressions at one instant, and H gives few
    distinct ones)."""
    from croniter import croniter
    from croniter.croniter import CroniterError

    start = after.astimezone(UTC) if after.tzinfo else after.replace(tzinfo=UTC)
    try:
        fire: datetime = croniter(expression, start).get_next(datetime)
    except (CroniterError, ValueError, TypeError, IndexError):
        return None
    return fire.astimezone(UTC)


def never_fires(expression: str) -> bool:
    """Whether a valid (H-free) expression has no fire time at all (``* * 31 2 *``)."""
    return next_fire(expression, datetime(2000, 1, 1, tzinfo=UTC)) is None
