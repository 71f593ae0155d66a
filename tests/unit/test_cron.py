"""Cron expressions of schedules: positions of problems, H, meaning, next fire (issue 21)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from syncspec.jobfile.rules import cron


@pytest.mark.parametrize(
    ("expression", "offset", "words"),
    [
        ("0 * * * * *", 10, "5 fields"),
        ("* * * *", 0, "not 4"),
        ("61 * * * *", 0, "61 is out of range for the minute (0-59)"),
        ("0 24 * * *", 2, "out of range for the hour"),
        ("0 0 0 * *", 4, "out of range for the day of month"),
        ("0 0 * 13 *", 6, "out of range for the month"),
        ("0 0 * * 8", 8, "out of range for the day of week"),
        ("1-H * * * *", 2, "H must stand alone"),
        ("*/H * * * *", 1, "H must stand alone"),
        ("HH * * * *", 1, "H must stand alone"),
        ("*/0 * * * *", 2, "a step of 0"),
        ("*/61 * * * *", 2, "larger than the minute field's range"),
        ("5-1 * * * *", 0, "runs backwards"),
        ("0 0 * FOO *", 6, "'FOO' is not a valid month"),
        ("0 0 * * MON-FOO", 12, "'FOO' is not a valid day of week"),
        ("0,,5 * * * *", 2, "empty list item"),
        ("H(0-70) * * * *", 0, "outside the minute field's 0-59"),
        ("0 0 L * *", 4, "'L' is not a valid day of month"),
        ("? * * * *", 0, "not a cron value"),
    ],
)
def test_problems_point_at_the_character(expression: str, offset: int, words: str) -> None:
    found = cron.problems(expression)
    assert len(found) == 1, found
    assert found[0].offset == offset
    assert words in found[0].message


@pytest.mark.parametrize(
    "expression",
    ["* * * * *", "H * * * *", "H/15 H(1-5) * * MON-FRI", "0 0 1,15 * *", "*/5 0-6/2 * JAN-MAR 0,7",
     "0 12 * * sun", "H H(0-3) H * H"],
)  # fmt: skip
def test_valid_expressions(expression: str) -> None:
    assert cron.problems(expression) == []


def test_h_is_deterministic_per_seed_and_spreads_accounts() -> None:
    a = cron.resolve_h("H H * * *", "job\x00acc-1")
    assert a == cron.resolve_h("H H * * *", "job\x00acc-1")
    minutes = {cron.resolve_h("H * * * *", f"job\x00acc-{i}").split()[0] for i in range(200)}
    assert len(minutes) > 30  # 200 accounts do not land in a handful of minutes
    assert all(0 <= int(m) <= 59 for m in minutes)


def test_h_forms_resolve_within_their_ranges() -> None:
    for i in range(50):
        seed = f"label\x00{i}"
        minute, hour, day, month, weekday = cron.resolve_h("H/15 H(9-17) H H H", seed).split()
        start, rest = minute.split("-")
        assert 0 <= int(start) < 15 and rest == "59/15"
        assert 9 <= int(hour) <= 17
        assert 1 <= int(day) <= 28  # every month has it
        assert 1 <= int(month) <= 12
        assert 0 <= int(weekday) <= 6
        assert cron.problems(cron.resolve_h("H/15 H(9-17) H H H", seed)) == []


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("0-59 * * * *", "* * * * *", True),
        ("*/1 * * * *", "* * * * *", True),
        ("0 0 * * 7", "0 0 * * SUN", True),
        ("0 0 * * 0", "0 0 * * sun", True),
        ("0,30 * * * *", "*/30 * * * *", True),
        ("0  0 * * *", "0 0 * * *", True),
        ("1 * * * *", "2 * * * *", False),
        ("0 0 1 * *", "0 0 * * 1", False),
    ],
)
def test_comparison_by_meaning(a: str, b: str, same: bool) -> None:
    assert cron.same_meaning(a, b) is same


def test_next_fire_and_never_fires() -> None:
    after = datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
    assert cron.next_fire("0 9 * * MON", after) == datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    assert cron.next_fire("30 * * * *", after) == datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    assert cron.never_fires("* * 31 2 *")
    assert cron.never_fires("0 0 30 2 *")
    assert not cron.never_fires("0 0 29 2 *")  # leap years
    assert not cron.never_fires("0 0 31 * *")
