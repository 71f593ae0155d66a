"""A seeded, deterministic corpus of calls of Truto's extension functions, for the oracle.

Every implemented extension function, the Luxon surface syncspec exposes (parse, getters, format
tokens, arithmetic, boundaries, zones) and every lodash wrapper, with function and non-function
iteratees. Values go in through the input document (``$$.v0`` ...) so that JSONata literal
syntax never limits them. ``corpus(seed)`` is the same list on every machine.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from typing import Any

Call = tuple[str, str, dict[str, Any]]  # (family, expression, input)

STRINGS = [
    "",
    "a",
    "abc",
    "Hello World",
    "hello-world",
    "FULL_TIME",
    "Full-Time",
    "part time",
    "  x  ",
    "42",
    "3.5",
    "-7",
    "0x1A",
    "0b101",
    "0o17",
    "1e3",
    " 12 ",
    "12px",
    "Infinity",
    "-Infinity",
    "NaN",
    "null",
    "true",
    "ünïcödé",
    "日本",
    "a,b",
    'with "quote"',
    "tab\there",
    "{}",
]
NUMBERS = [0, 1, -1, 2, 3, 7, 10, 42, 100, 1.5, 2.5, -2.5, 0.1, 1e21, 1e-7, 123456789, 3.14159]
SCALARS: list[Any] = [*STRINGS[:14], *NUMBERS[:12], True, False, None]
KEYS = ["id", "a", "b", "t", "n", "name", "nested.x", "missing", "tags[0]"]
ZONES = [
    "UTC",
    "utc",
    "America/New_York",
    "Europe/London",
    "Asia/Kolkata",
    "UTC+2",
    "UTC-05:30",
    "+03:00",
    "Etc/GMT+5",
    "Nowhere/Zone",
    "local",
    "system",
]
ISO_TEXTS = [
    "2024-01-01",
    "2024-01-01T10:00:00Z",
    "2024-01-01T10:00:00.123Z",
    "2024-01-01T10:00:00+02:00",
    "2024-01-01T10:00:00.5-05:30",
    "2024-02-29T23:59:59.999Z",
    "2023-12-31T23:59:60Z",
    "2024-03-10T02:30:00",
    "2024-11-03T01:30:00",
    "1969-07-20T20:17:40Z",
    "1960-01-01T00:00:00.5Z",
    "2024-032",
    "2024-W05-3",
    "2024-W05",
    "2024-01",
    "2024",
    "20240101",
    "20240101T1000",
    "2024-01-01T10",
    "2024-01-01T10:00",
    "2024-01-01 10:00:00",
    "2024-01-01T24:00:00",
    "2024-13-01",
    "2024-02-30",
    "T10:00",
    "2024-01-01T10:00:00,5Z",
    "2024-01-01T10:00:00.123456789Z",
    "+002024-01-01",
    "2024-1-1",
    "not a date",
    "",
    "2024-01-01T10:00:00+0530",
    "2024-01-01T10:00:00+05",
    "2024-06-15T12:00:00 Z",
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
]
FORMAT_TOKENS = [
    "yyyy",
    "yy",
    "y",
    "MM",
    "M",
    "MMM",
    "MMMM",
    "LL",
    "L",
    "dd",
    "d",
    "HH",
    "H",
    "hh",
    "h",
    "mm",
    "m",
    "ss",
    "s",
    "SSS",
    "S",
    "a",
    "EEE",
    "EEEE",
    "ccc",
    "cccc",
    "c",
    "E",
    "o",
    "ooo",
    "q",
    "qq",
    "WW",
    "W",
    "X",
    "x",
    "z",
    "ZZ",
    "Z",
    "ZZZ",
    "kkkk",
    "kk",
    "ZZZZ",
    "ZZZZZ",
    "DD",
    "D",
    "t",
    "T",
    "u",
    "uu",
    "uuu",
    "G",
    "GG",
    "n",
    "nn",
    "ii",
    "iiii",
    "LLL",
    "LLLL",
    "ccccc",
    "yyyyyy",
    "MMMMM",
    "EEEEE",
    "'at' HH",
    "yyyy-MM-dd'T'HH:mm:ss.SSSZZ",
    "u",
    "uuu",
    "LLLLL",
    "GG",
    "GGGGG",
    "G",
    "yyy",
    "yyyyy",
    "w",
    "I",
    "ZZZZ",
    "f",
    "iiii",
]
UNITS = [
    "years",
    "year",
    "quarters",
    "months",
    "month",
    "weeks",
    "days",
    "day",
    "hours",
    "minutes",
    "seconds",
    "milliseconds",
    "fortnights",
]


class Gen:
    def __init__(self, seed: int) -> None:
        self.r = random.Random(seed)

    def pick(self, items: list[Any]) -> Any:
        return items[self.r.randrange(len(items))]

    def scalar(self) -> Any:
        return self.pick(SCALARS)

    def record(self) -> dict[str, Any]:
        r = self.r
        out: dict[str, Any] = {}
        if r.random() < 0.8:
            out["id"] = self.pick([1, 2, 3, 4, "a", "b", 2.5, None, True])
        for key in ("a", "b", "t", "n", "name"):
            if r.random() < 0.5:
                out[key] = self.scalar()
        if r.random() < 0.3:
            out["nested"] = {"x": self.pick([1, 2, "x", None, [1]])}
        if r.random() < 0.2:
            out["tags"] = [self.pick(["p", "q", 1])]
        return out

    def array(self, kind: str | None = None) -> list[Any]:
        n = self.r.randrange(0, 6)
        kind = kind or self.pick(["scalars", "records", "numbers", "strings", "mixed"])
        if kind == "records":
            return [self.record() for _ in range(n)]
        if kind == "numbers":
            return [self.pick(NUMBERS[:12]) for _ in range(n)]
        if kind == "strings":
            return [self.pick(STRINGS[:12]) for _ in range(n)]
        if kind == "mixed":
            return [self.pick([self.scalar(), self.record(), [self.scalar()]]) for _ in range(n)]
        return [self.scalar() for _ in range(n)]

    def obj(self) -> dict[str, Any]:
        keys = self.r.sample(["a", "b", "c", "id", "name", "x y", "nested"], self.r.randrange(0, 5))
        return {k: (self.record() if k == "nested" else self.scalar()) for k in keys}

    def any_value(self) -> Any:
        return self.pick([self.scalar(), self.array(), self.obj(), None])

    def iteratee(self, for_predicate: bool = False) -> tuple[str, Any]:
        """An iteratee as JSONata text: ("$$.it", value) for data, or a lambda's text."""
        r = self.r.random()
        if r < 0.3:
            body = self.pick(
                [
                    "$v.id",
                    "$v.a",
                    "$floor($number($v.id))",
                    "$v",
                    "$string($v)",
                    "$v.id > 1",
                    "$exists($v.a)",
                    "$boolean($v)",
                ]
            )
            return f"function($v){{ {body} }}", None
        if r < 0.4:
            return "$uppercase", None
        if for_predicate and r < 0.6:
            return "$$.it", self.pick([{"id": 1}, {"a": True}, {"t": "x"}, {}])
        if for_predicate and r < 0.7:
            return "$$.it", [self.pick(KEYS[:5]), self.pick([1, 2, "a", True])]
        return "$$.it", self.pick([*KEYS, None, 0, 1])


def _lit(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _core(g: Gen) -> Iterator[Call]:
    yield (
        "firstNonEmpty",
        "$firstNonEmpty($$.a, $$.b, $$.c)",
        {k: g.any_value() for k in "abc" if g.r.random() < 0.7},
    )
    yield "removeEmpty", "$removeEmpty($$.v)", {"v": g.any_value()}
    yield (
        "removeEmptyItems",
        "$removeEmptyItems($$.v)",
        {"v": g.pick([g.array("mixed"), g.scalar(), [{}, [], 0, "", None, {"a": {}}]])},
    )
    mapping = g.pick([{"bank": "BANK", "Credit_Card": "CC", "1": "one"}, {"a": 1, "B": None}, {}])
    lower = g.pick(["", ", true", ", false"])
    default = g.pick(["", ', false, "dflt"']) if not lower else g.pick(["", ', "dflt"'])
    yield (
        "mapValues",
        f"$mapValues($$.v, $$.m{lower}{default})",
        {
            "v": g.pick(
                [
                    g.pick(["bank", "BANK", "credit_card", "other", 1, 1.5, None, True]),
                    ["bank", "x", 1],
                    {"k": "Bank", "j": {"z": "credit_card"}},
                ]
            ),
            "m": mapping,
        },
    )
    nodes = [
        {
            "id": i,
            "parent_id": g.pick([None, *range(1, 6), 99]),
            "sequence": g.pick([0, 1, 2, None, "1"]),
        }
        for i in range(1, g.r.randrange(2, 7))
    ]
    yield "sortNodes", "$sortNodes($$.n)", {"n": nodes}
    yield (
        "jsonParse",
        "$jsonParse($$.v)",
        {"v": g.pick(['{"a":[1,2]}', "[1,", "null", "1e400", "NaN", '"x"', "", "tru", g.scalar()])},
    )
    yield (
        "toNumber",
        "$toNumber($$.v)",
        {"v": g.pick([*STRINGS, *NUMBERS, True, False, None, [], [3], {}])},
    )
    text = g.pick(STRINGS)
    url = g.pick(["", ", true", ", false"])
    yield "base64encode", f"$base64encode($$.v{url})", {"v": text}
    yield (
        "base64decode",
        f"$base64decode($$.v{url})",
        {
            "v": g.pick(
                ["aGVsbG8gd29ybGQ=", "aGVsbG8", "Pz8-", "Pz8+", "!!", "", "w6k=", "/w==", " aGk= "]
            )
        },
    )
    algo = g.pick(
        [
            "",
            ', "SHA-1"',
            ', "SHA-256"',
            ', "SHA-512"',
            ', "MD5"',
            ', "sha-256"',
            ', "SHA-384"',
            ', "BLAKE"',
        ]
    )
    kind = g.pick(["", ', "hex"', ', "base64"', ', "base64-urlSafe"', ', "other"']) if algo else ""
    yield "digest", f"$digest($$.v{algo}{kind})", {"v": text}
    fn = g.pick(
        [
            "function($v, $k){ $k & '=' & $v }",
            "function($v){ $v }",
            "function($v){ $v > 1 ? $v }",
            "function($v, $k, $o){ $count($keys($o)) }",
        ]
    )
    yield (
        "each",
        f"$each($$.o, {fn})",
        {"o": g.pick([g.obj(), {"a": 1, "b": 2, "c": 3}])} if g.r.random() < 0.9 else {},
    )
    pred = g.pick(
        [
            "function($v){ $v > 1 }",
            "function($v, $k){ $k = 'a' }",
            "function($v){ $v }",
            "function($v){ $string($v) }",
        ]
    )
    yield (
        "sift",
        f"$sift($$.o, {pred})",
        {"o": g.pick([g.obj(), {"a": 1, "b": 2, "c": 0}])} if g.r.random() < 0.9 else {},
    )
    yield (
        "diceCoefficient",
        "$diceCoefficient($$.a, $$.b)",
        {"a": g.pick(STRINGS), "b": g.pick(STRINGS)},
    )
    cands = [
        g.pick(["FULL_TIME", "PART_TIME", "CONTRACTOR", "hello", "world", "x"])
        for _ in range(g.r.randrange(0, 4))
    ]
    thr = g.pick(["", ", 0.5", ", 0.9", ", 0", ", null"])
    yield "mostSimilar", f"$mostSimilar($$.v, $$.c{thr})", {"v": g.pick(STRINGS), "c": cands}
    yield "string", "$string($$.v)", {"v": g.any_value()}
    yield "keys", "$keys($$.v)", {"v": g.pick([g.obj(), g.array("records"), g.scalar()])}


def _lodash(g: Gen) -> Iterator[Call]:
    for name in ("groupBy", "keyBy"):
        it, value = g.iteratee()
        yield (
            name,
            f"$${name}($$.arr, {it})".replace("$$" + name, "$" + name),
            {"arr": g.pick([g.array("records"), g.array("numbers"), g.array()]), "it": value},
        )
    for name in ("find", "lofilter"):
        it, value = g.iteratee(for_predicate=True)
        yield (
            name,
            f"${name}($$.arr, {it})",
            {"arr": g.pick([g.array("records"), g.array()]), "it": value},
        )
    it, value = g.iteratee()
    attrs = g.pick(["$$.it", "[$$.it]", '["a", "b"]', '["id"]', "", '"t"'])
    if attrs == "$$.it" and it != "$$.it":
        attrs = it
    orders = g.pick(["", ', "desc"', ', ["asc", "desc"]', ', ["desc"]', ", true"]) if attrs else ""
    sep = ", " if attrs else ""
    yield (
        "orderBy",
        f"$orderBy($$.arr{sep}{attrs}{orders})",
        {
            "arr": g.pick([g.array("records"), g.array("numbers"), g.array("strings"), g.array()]),
            "it": value,
        },
    )
    keys = g.pick([["a"], ["a", "nested.x"], "b", ["missing"], [], ["tags[0]"], None])
    yield "pick", "$pick($$.o, $$.k)", {"o": g.pick([g.record(), g.obj()]), "k": keys}
    yield "omit", "$omit($$.o, $$.k)", {"o": g.pick([g.record(), g.obj()]), "k": keys}
    yield "compact", "$compact($$.v)", {"v": g.pick([g.array(), g.scalar()])}
    sep2 = g.pick(["", ', "-"', ", ''", ", 1", ", null"])
    yield (
        "join",
        f"$join($$.v{sep2})",
        {"v": g.pick([g.array("scalars"), g.array("strings"), g.scalar()])},
    )
    yield (
        "values",
        "$values($$.v)",
        {"v": g.pick([g.obj(), g.array(), g.pick(STRINGS[:6]), 1, True])},
    )
    yield (
        "chunk",
        f"$chunk($$.v, {g.pick(['1', '2', '3', '0', '-1', '2.5', 'null'])})",
        {"v": g.array()},
    )
    yield "wrap", "$wrap($$.a, $$.b, $$.c)", {k: g.scalar() for k in "abc" if g.r.random() < 0.8}
    yield (
        "difference",
        "$difference($$.a, $$.b)",
        {
            "a": g.pick([g.array("numbers"), g.array(), g.scalar()]),
            "b": g.pick([g.array("numbers"), g.scalar()]),
        },
    )
    nested = [
        g.pick([1, [2, [3, [4]]], [[5]], "x", [], [None]]) for _ in range(g.r.randrange(0, 5))
    ]
    yield "flatten", "$flatten($$.v)", {"v": nested}
    yield "flattenDeep", "$flattenDeep($$.v)", {"v": nested}
    yield (
        "flattenDepth",
        f"$flattenDepth($$.v, {g.pick(['0', '1', '2', '3', '-1'])})",
        {"v": nested},
    )


def _dt_expr(g: Gen) -> str:
    zone = g.pick(["", ", $$.z"])
    return f"$dtFromIso($$.d{zone})"


def _luxon(g: Gen) -> Iterator[Call]:
    doc = {"d": g.pick(ISO_TEXTS), "z": g.pick(ZONES)}
    base = _dt_expr(g)
    getter = g.pick(
        [
            "isValid",
            "year",
            "month",
            "day",
            "hour",
            "minute",
            "second",
            "millisecond",
            "weekday",
            "quarter",
            "ordinal",
            "weekNumber",
            "weekYear",
            "daysInMonth",
            "daysInYear",
            "isInLeapYear",
            "zoneName",
            "offset",
            "isOffsetFixed",
            "monthShort",
            "monthLong",
            "weekdayShort",
            "weekdayLong",
            "invalidReason",
            "isInDST",
            "weeksInWeekYear",
            "offsetNameShort",
            "numberingSystem",
        ]
    )
    yield "dtFromIso", f"{base}.{getter}", doc
    method = g.pick(
        [
            "toISO()",
            "toISODate()",
            "toISOTime()",
            "toSQLDate()",
            "toSQLTime()",
            "toSQL()",
            "toHTTP()",
            "toRFC2822()",
            "toMillis()",
            "valueOf()",
            "toSeconds()",
            "toUnixInteger()",
            "toUTC().toISO()",
            "toLocal().toISO()",
            'toISO({"suppressMilliseconds": true})',
            'toISO({"suppressSeconds": true})',
            'toISO({"includeOffset": false})',
            'toISOTime({"suppressMilliseconds": true})',
        ]
    )
    yield "dtFromIso", f"{base}.{method}", doc
    yield "dtFromIso", f"{base}", doc
    yield "luxon.format", f"{base}.toFormat($$.f)", {**doc, "f": g.pick(FORMAT_TOKENS)}
    unit = g.pick(UNITS)
    amount = g.pick([1, 2, -1, 0, 13, 1.5, 400])
    op = g.pick(["plus", "minus"])
    yield "luxon.arith", f"{base}.{op}({{{_lit(unit)}: {amount}}}).toISO()", doc
    yield "luxon.arith", f"{base}.{op}({g.pick([1000, 86400000, -1])}).toISO()", doc
    boundary = g.pick(["startOf", "endOf"])
    yield "luxon.boundary", f"{base}.{boundary}({_lit(g.pick(UNITS[:-1]))}).toISO()", doc
    yield "luxon.zone", f"{base}.setZone($$.z2).toISO()", {**doc, "z2": g.pick(ZONES)}
    yield "luxon.zone", f"{base}.setZone($$.z2).offset", {**doc, "z2": g.pick(ZONES)}
    other = g.pick(ISO_TEXTS)
    yield "luxon.equals", f"{base}.equals($dtFromIso($$.o))", {**doc, "o": other}
    fmt, text = g.pick(
        [
            ("yyyy-MM-dd", "2024-01-15"),
            ("dd-MM-yyyy HH:mm", "01-11-2022 12:00"),
            ("MM/dd/yyyy", "02/30/2024"),
            ("yyyy-MM-dd", "2024-1-5"),
            ("d/M/yyyy", "5/1/2024"),
            ("MMM d, yyyy", "Jan 5, 2024"),
            ("MMMM d yyyy", "January 5 2024"),
            ("yyyy h:mm a", "2024 3:05 PM"),
            ("yyyy-MM-dd hh:mm a", "2024-01-02 12:30 am"),
            ("X", "1700000000"),
            ("x", "1700000000123"),
            ("yyyy-MM-dd'T'HH:mm:ssZZ", "2024-01-01T10:00:00+02:00"),
            ("yyyy-MM-dd HH:mm:ss ZZZ", "2024-01-01 10:00:00 +0530"),
            ("RFC2822", "Tue, 01 Nov 2022 12:00:00 +0000"),
            ("RFC2822", "01 Nov 2022 12:00 GMT"),
            ("RFC2822", "not a date"),
            ("ISO", "2024-01-01T10:00:00Z"),
            ("ISO", "2024-032"),
            ("fromSeconds", "1667313600"),
            ("fromSeconds", "12abc"),
            ("fromSeconds", "abc"),
            ("yyyy", "24"),
            ("yy", "24"),
            ("yy", "75"),
            ("EEE, dd MMM yyyy", "Tue, 01 Nov 2022"),
            ("yyyyMMdd", "20240101"),
            ("yyyy HH:mm", "2024 25:00"),
            ("yyyy SSS", "2024 123"),
            ("yyyy-MM-dd", ""),
        ]
    )
    opts = g.pick(["", ', {"zone": $$.z}', ', {"zone": "UTC"}'])
    out = g.pick(["toISO()", "isValid", "toUTC().toISO()", "toMillis()"])
    yield (
        "dtFromFormat",
        f"$dtFromFormat($$.t, $$.f{opts}).{out}",
        {"t": text, "f": fmt, "z": g.pick(ZONES)},
    )


FAMILIES: tuple[Callable[[Gen], Iterator[Call]], ...] = (_core, _lodash, _luxon)


def corpus(seed: int = 23, rounds: int = 60) -> list[Call]:
    g = Gen(seed)
    calls: list[Call] = []
    for _ in range(rounds):
        for family in FAMILIES:
            calls.extend(family(g))
    return calls
