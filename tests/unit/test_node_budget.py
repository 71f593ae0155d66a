"""Counted budgets of a node-test case (issue 23): no case depends on the machine's speed."""

from __future__ import annotations

import pytest

from syncspec.nodetest import budget
from syncspec.nodetest.budget import _nested_quantifier
from syncspec.nodetest.expressions import ExpressionFailed, evaluate


@pytest.mark.parametrize(
    ("pattern", "nested"),
    [
        ("(a+)+b", True),
        ("(\\w*)*$", True),
        ("((ab)*c)+", True),
        ("(?:x+y)*", True),
        ("(a|b+)*", True),
        ("a+b+", False),
        ("(ab)+", False),
        ("(a{2})+", False),
        ("[a-z]+@[a-z]+\\.com", False),
        ("^(\\d{4})-(\\d{2})$", False),
    ],
)
def test_nested_quantifiers_are_recognised(pattern: str, nested: bool) -> None:
    assert _nested_quantifier(pattern) is nested


def test_a_huge_range_fails_before_it_is_built() -> None:
    with pytest.raises(ExpressionFailed, match=r"the range \[1\.\.10000000\] has 10,000,000") as e:
        evaluate("$count([1..10000000])", {})
    assert e.value.budget
    assert evaluate("$count([1..1000000])", {}) == 1_000_000  # the budget itself is allowed


def test_a_catastrophic_regex_fails_on_a_long_string_and_runs_on_a_short_one() -> None:
    with pytest.raises(ExpressionFailed, match="repeats a repeated group") as e:
        evaluate("$contains(s, /(a+)+b/)", {"s": "a" * 10_000})
    assert e.value.budget
    assert evaluate("$contains(s, /(a+)+b/)", {"s": "a" * 16}) is False
    assert evaluate("$contains(s, /(a+)+b/)", {"s": "aab"}) is True


def test_a_regex_subject_and_its_matches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_REGEX_SUBJECT", 100)
    monkeypatch.setattr(budget, "MAX_REGEX_MATCHES", 10)
    with pytest.raises(ExpressionFailed, match="a string of 101 characters"):
        evaluate("$replace(s, /a/, 'b')", {"s": "a" * 101})
    assert evaluate("$replace(s, /a/, 'b')", {"s": "a" * 5}) == "bbbbb"
    with pytest.raises(ExpressionFailed, match="matched more than 10 times"):
        evaluate("$match(s, /a/)", {"s": "a" * 11})
    assert len(evaluate("$match(s, /a/)", {"s": "a" * 10})) == 10


def test_a_result_over_the_value_budget_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "MAX_VALUES", 50)
    with pytest.raises(ExpressionFailed, match="built a sequence of 60 values"):
        evaluate("[1..30, 31..60]", {})
    with pytest.raises(ExpressionFailed, match="more than 50 values"):
        evaluate("[1..20].{'a': $, 'b': $}", {})


def test_a_growing_string_is_stopped_at_the_string_budget(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(budget, "MAX_STRING", 1_000)
    doubling = (
        '($f := function($s, $n) { $n = 0 ? $s : $f($s & $s, $n - 1) }; $f("xxxxxxxxxx", 25))'
    )
    with pytest.raises(ExpressionFailed, match="built a string of 1,280 characters") as e:
        evaluate(doubling, {})
    assert e.value.budget
    with pytest.raises(ExpressionFailed, match=r"\$pad to 5,000 characters"):
        evaluate('$pad("x", -5000)', {})
    # within the budget, $pad is JSONata's (the context form too)
    assert evaluate('$pad("ab", 5, "-")', {}) == "ab---"
    assert evaluate("name.$pad(-4)", {"name": "ab"}) == "  ab"
