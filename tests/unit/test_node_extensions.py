"""Truto's JSONata extension functions, offline: one test per function, from truto-jsonata's tests.

Expressions run through the same evaluator as `syncspec test` (jsonata-python + the extensions),
so these also check that the functions are reachable from JSONata as Truto calls them.
"""

from __future__ import annotations

from typing import Any

import pytest

from syncspec.nodetest.expressions import ExpressionFailed, evaluate
from syncspec.nodetest.js.values import UNDEFINED
from syncspec.nodetest.truto_functions import IMPLEMENTED, NOT_OFFLINE, TRUTO_FUNCTIONS

NODES = [
    {"id": 1, "parent_id": 10, "sequence": 0, "extra_attr": "foo"},
    {"id": 2, "parent_id": 1, "sequence": 0},
    {"id": 3, "parent_id": 1, "sequence": 1},
    {"id": 4, "parent_id": 2, "sequence": 0, "extra_attr": "bar"},
    {"id": 5, "parent_id": None, "sequence": 1},
]
MAPPING = {"bank": "BANK", "credit_card": "CREDIT_CARD"}

CASES: list[tuple[str, str, dict[str, Any], Any]] = [
    ("firstNonEmpty", '$firstNonEmpty(null, "hello", "world")', {}, "hello"),
    ("firstNonEmpty", "$firstNonEmpty(a, b, 100)", {"b": 0}, 0),
    ("removeEmpty", "$removeEmpty(a)", {"a": []}, UNDEFINED),
    ("removeEmpty", "$removeEmpty(a)", {"a": [1]}, [1]),
    (
        "removeEmptyItems",
        '$removeEmptyItems([1, {}, "string", {"key": "value"}, {}])',
        {},
        [1, "string", {"key": "value"}],
    ),
    (
        "removeEmptyItems",
        "$removeEmptyItems(a)",
        {"a": [None, {}, [], 0, "", {"nested": {}}]},
        [{"nested": {}}],
    ),
    ("removeEmptyItems", '$removeEmptyItems("not an array")', {}, "not an array"),
    ("mapValues", '$mapValues("bank", m)', {"m": MAPPING}, "BANK"),
    ("mapValues", '$mapValues("other", m)', {"m": MAPPING}, "other"),
    (
        "mapValues",
        '$mapValues(["bank", "credit_card"], m)',
        {"m": MAPPING},
        ["BANK", "CREDIT_CARD"],
    ),
    ("mapValues", "$mapValues(v, m)", {"v": [{"type": "Bank"}], "m": MAPPING}, [{"type": "BANK"}]),
    (
        "sortNodes",
        "$sortNodes(nodes)",
        {"nodes": NODES},
        [NODES[0], NODES[1], NODES[3], NODES[2], NODES[4]],
    ),
    (
        "sortNodes",
        '$sortNodes(n, "id", "parent.id", "seq")',
        {"n": [{"id": "b", "parent": {"id": "a"}, "seq": 1}, {"id": "a", "seq": 0}]},
        [{"id": "a", "seq": 0}, {"id": "b", "parent": {"id": "a"}, "seq": 1}],
    ),
    ("jsonParse", '$jsonParse("{\\"a\\": [1, 2]}")', {}, {"a": [1, 2]}),
    ("jsonParse", '$jsonParse("{not json")', {}, None),  # null, as the real package gives
    ("toNumber", '$toNumber("3.2")', {}, 3.2),
    ("toNumber", '$toNumber("0x1A")', {}, 26),
    ("base64encode", '$base64encode("hello world")', {}, "aGVsbG8gd29ybGQ="),
    ("base64encode", '$base64encode("??>", true)', {}, "Pz8-"),
    ("base64decode", '$base64decode("aGVsbG8gd29ybGQ=")', {}, "hello world"),
    ("base64decode", '$base64decode("Pz8-", true)', {}, "??>"),
    (
        "digest",
        '$digest("hello")',
        {},
        "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
    ),
    ("digest", '$digest("hello", "MD5")', {}, "5d41402abc4b2a76b9719d911017c592"),
    (
        "digest",
        '$digest("hello", "SHA-256", "base64")',
        {},
        "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=",
    ),
    (
        "each",
        "$each(o, function($v, $k) { $k & '=' & $v })",
        {"o": {"a": 1, "b": 2}},
        ["a=1", "b=2"],
    ),
    ("each", "$each(missing, function($v) { $v })", {}, UNDEFINED),
    ("sift", "$sift(o, function($v) { $v > 1 })", {"o": {"a": 1, "b": 2}}, {"b": 2}),
    ("sift", "$sift(missing, function($v) { $v })", {}, UNDEFINED),
    (
        "groupBy",
        '$groupBy(a, "t")',
        {"a": [{"t": "x"}, {"t": "y"}, {"t": "x", "n": 1}]},
        {"x": [{"t": "x"}, {"t": "x", "n": 1}], "y": [{"t": "y"}]},
    ),
    ("keyBy", '$keyBy(a, "id")', {"a": [{"id": 1}, {"id": 2}]}, {"1": {"id": 1}, "2": {"id": 2}}),
    (
        "pick",
        '$pick(o, ["a", "c.d"])',
        {"o": {"a": 1, "b": 2, "c": {"d": 3, "e": 4}}},
        {"a": 1, "c": {"d": 3}},
    ),
    ("omit", '$omit(o, ["b"])', {"o": {"a": 1, "b": 2}}, {"a": 1}),
    ("compact", "$compact([0, 1, false, 2, '', 3, null])", {}, [1, 2, 3]),
    ("join", '$join(["a", "b"], "-")', {}, "a-b"),
    (
        "orderBy",
        '$orderBy(u, ["user", "age"], ["asc", "desc"])',
        {
            "u": [
                {"user": "fred", "age": 48},
                {"user": "barney", "age": 34},
                {"user": "fred", "age": 40},
            ]
        },
        [{"user": "barney", "age": 34}, {"user": "fred", "age": 48}, {"user": "fred", "age": 40}],
    ),
    (
        "find",
        '$find(u, {"active": true})',
        {"u": [{"n": 1}, {"n": 2, "active": True}]},
        {"n": 2, "active": True},
    ),
    (
        "lofilter",
        '$lofilter(u, "active")',
        {"u": [{"n": 1}, {"n": 2, "active": True}]},
        [{"n": 2, "active": True}],
    ),
    ("values", "$values(o)", {"o": {"a": 1, "b": 2}}, [1, 2]),
    ("chunk", "$chunk([1, 2, 3, 4, 5], 2)", {}, [[1, 2], [3, 4], [5]]),
    ("wrap", '$wrap("x", "<", ">")', {}, "<x>"),
    ("wrap", '$wrap("x", "*")', {}, "*x*"),
    ("difference", "$difference([2, 1], [2, 3])", {}, [1]),
    ("flatten", "$flatten([1, [2, [3, [4]], 5]])", {}, [1, 2, [3, [4]], 5]),
    ("flattenDeep", "$flattenDeep([1, [2, [3, [4]], 5]])", {}, [1, 2, 3, 4, 5]),
    ("flattenDepth", "$flattenDepth([1, [2, [3, [4]], 5]], 2)", {}, [1, 2, 3, [4], 5]),
    (
        "dtFromIso",
        '$dtFromIso("2023-10-01T12:00:00.000Z").toUTC().toISO()',
        {},
        "2023-10-01T12:00:00.000Z",
    ),
    ("dtFromIso", '$dtFromIso("2024-01-15T00:00:00.000Z", "UTC").year', {}, 2024),
    ("dtFromIso", '$dtFromIso("invalid-date").isValid', {}, False),
    (
        "dtFromIso",
        '$dtFromIso("2024-11-05T12:00:00Z").toISO()',
        {},
        "2024-11-05T12:00:00.000+00:00",
    ),
    (
        "dtFromIso",
        '$dtFromIso("2024-03-31T10:00:00Z").minus({"months": 1}).toFormat("yyyy-MM-dd")',
        {},
        "2024-02-29",
    ),
    (
        "dtFromIso",
        '$dtFromIso("2024-01-01T10:30:00Z").endOf("day").toUTC().toISO()',
        {},
        "2024-01-01T23:59:59.999Z",
    ),
    (
        "dtFromIso",
        '$dtFromIso("2024-01-01T10:30:00+02:00").setZone("UTC+2").toISO()',
        {},
        "2024-01-01T10:30:00.000+02:00",
    ),
    ("dtFromIso", '$dtFromIso("2024-01-01T00:00:00Z").toMillis()', {}, 1704067200000),
    ("dtFromFormat", '$dtFromFormat("2024-01-15", "yyyy-MM-dd").toFormat("yyyy")', {}, "2024"),
    (
        "dtFromFormat",
        '$dtFromFormat("01-11-2022 12:00", "dd-MM-yyyy HH:mm").toUTC().toISO()',
        {},
        "2022-11-01T12:00:00.000Z",
    ),
    (
        "dtFromFormat",
        '$dtFromFormat("Tue, 01 Nov 2022 12:00:00 +0000", "RFC2822").toUTC().toISO()',
        {},
        "2022-11-01T12:00:00.000Z",
    ),
    (
        "dtFromFormat",
        '$dtFromFormat("1667313600", "fromSeconds").toUTC().toISO()',
        {},
        "2022-11-01T14:40:00.000Z",
    ),
    ("dtFromFormat", '$dtFromFormat("invalid date", "ISO").isValid', {}, False),
    ("diceCoefficient", '$diceCoefficient("Hello", "HELLO")', {}, 1),
    ("diceCoefficient", '$diceCoefficient("hello-world", "hello world")', {}, 1),
    ("diceCoefficient", '$diceCoefficient("hello", "xyz")', {}, 0),
    ("diceCoefficient", '$diceCoefficient("apple", "appl")', {}, 6 / 7),
    (
        "mostSimilar",
        '$mostSimilar("Full-Time", ["FULL_TIME", "PART_TIME", "CONTRACTOR"])',
        {},
        "FULL_TIME",
    ),
    (
        "mostSimilar",
        '$mostSimilar("partTime", ["FULL_TIME", "PART_TIME", "CONTRACTOR"])',
        {},
        "PART_TIME",
    ),
    ("mostSimilar", '$mostSimilar("Full", ["FULL_TIME", "PART_TIME", "CONTRACTOR"])', {}, "Full"),
]


@pytest.mark.parametrize(("function", "expression", "document", "expected"), CASES)
def test_extension(function: str, expression: str, document: dict[str, Any], expected: Any) -> None:
    assert f"${function}(" in expression
    assert evaluate(expression, document) == expected


def test_every_implemented_function_has_a_test() -> None:
    tested = {case[0] for case in CASES}
    assert tested == set(IMPLEMENTED)


@pytest.mark.parametrize("name", ["convertQueryToSql", "jsonToParquet", "uuid", "parseUrl"])
def test_unimplemented_truto_functions_fail_offline(name: str) -> None:
    assert name in NOT_OFFLINE
    with pytest.raises(ExpressionFailed, match=rf"^`\${name}` is not available offline$"):
        evaluate(f"${name}(x)", {"x": 1})


def test_every_truto_function_is_bound() -> None:
    assert set(IMPLEMENTED) | set(NOT_OFFLINE) == set(TRUTO_FUNCTIONS)


def test_a_luxon_method_that_is_not_ported_fails_offline() -> None:
    with pytest.raises(ExpressionFailed, match=r"^`\.toRelative\(\)` is not available offline$"):
        evaluate('$dtFromIso("2024-01-01").toRelative()', {})


def test_run_dates_behave_like_javascript_dates() -> None:
    expression = (
        "sync_job_run.status = 'completed' ? $dtFromIso(sync_job_run.started_at.toISOString())"
        '.minus({ "minutes": 2 }).toUTC().toISO()'
    )
    run = {"status": "completed", "started_at": "2024-03-10T10:00:00+01:00"}
    assert evaluate(expression, {"sync_job_run": run}) == "2024-03-10T08:58:00.000Z"
    assert evaluate(expression, {"sync_job_run": {**run, "status": "failed"}}) is UNDEFINED
    # a date object returned as-is serializes as JSON.stringify would (its toJSON)
    assert evaluate("{'at': sync_job_run.started_at}", {"sync_job_run": run}) == {
        "at": "2024-03-10T09:00:00.000Z"
    }


def test_a_runaway_recursion_is_stopped_by_a_step_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    from syncspec.nodetest import expressions

    # JSONata optimizes tail calls, so this never overflows a stack: the bound counts steps
    # (a smaller budget than the default 250,000 keeps the test quick)
    monkeypatch.setattr(expressions, "MAX_STEPS", 20_000)
    with pytest.raises(ExpressionFailed, match=r"did not finish within 20,000 evaluation steps"):
        evaluate("($f := function($x) { $f($x) }; $f(1))", {})
    assert evaluate("$sum([1..1000])", {}) == 500500  # the budget is per evaluation
